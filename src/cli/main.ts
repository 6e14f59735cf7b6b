import { CommanderError } from 'commander';
import { HapkiError } from '../errors.js';
import { closeSshConnections } from '../transport/ssh/pool.js';
import type { CliContext } from './context.js';
import { exitCodeFor } from './exit_codes.js';
import type { CliIo } from './io.js';
import { PasswordResolver } from './password_source.js';
import { processIo } from './process_io.js';
import { askedCommand, buildProgram } from './program.js';

/** Runs the CLI and returns its exit code; never calls process.exit. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const ctx: CliContext = { io, passwords: new PasswordResolver(io) };
  try {
    await (await buildProgram(ctx, argv)).parseAsync([...argv]);
    return ctx.exitCode ?? 0;
  } catch (error) {
    report(error, io);
    return exitCodeFor(error, askedCommand(argv));
  } finally {
    // one connection per host per command: they end with it
    await closeSshConnections();
  }
}

function report(error: unknown, io: CliIo): void {
  // commander has already printed its own usage message
  if (error instanceof CommanderError) return;
  if (error instanceof HapkiError) {
    io.stderr(`hapki: ${error.message} (${error.code})\n`);
    return;
  }
  io.stderr(`hapki: internal error: ${(error as Error)?.message ?? String(error)} (ERR_INTERNAL)\n`);
  if (io.env['HAPKI_DEBUG']) io.stderr(`${(error as Error)?.stack ?? ''}\n`);
}
