import { CommanderError } from 'commander';
import { HapkiError } from '../errors.js';
import { closeSshConnections } from '../transport/ssh/pool.js';
import type { CliContext } from './context.js';
import { escapeText, guardOutput } from '../text/escape.js';
import { exitCodeFor } from './exit_codes.js';
import type { CliIo } from './io.js';
import { PasswordResolver } from './password_source.js';
import { processIo } from './process_io.js';
import { askedCommand, buildProgram } from './program.js';

/** Runs the CLI and returns its exit code; never calls process.exit. */
export async function main(argv: readonly string[], processIoArg: CliIo = processIo()): Promise<number> {
  const io = guardedIo(processIoArg, argv);
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
    // a message is one line: whatever it quotes, nothing in it may break or color the line
    io.stderr(`hapki: ${escapeText(error.message)} (${error.code})\n`);
    return;
  }
  io.stderr(`hapki: internal error: ${escapeText((error as Error)?.message ?? String(error))} (ERR_INTERNAL)\n`);
  if (io.env['HAPKI_DEBUG']) io.stderr(`${(error as Error)?.stack ?? ''}\n`);
}

/**
 * Every byte hapki prints passes guardOutput: no escape sequence, carriage return or bidi
 * control from a certificate, alias or file name reaches the terminal, whichever renderer
 * printed it. Prometheus output has its own escaping, which allows no other, so it passes as is.
 */
function guardedIo(io: CliIo, argv: readonly string[]): CliIo {
  const prometheus = argv.some((a, i) => a === '--format=prometheus' || (a === '--format' && argv[i + 1] === 'prometheus'));
  return { ...io, stdout: prometheus ? io.stdout : (text) => io.stdout(guardOutput(text)), stderr: (text) => io.stderr(guardOutput(text)) };
}
