import { CommanderError, type Command } from 'commander';
import { HapkiError, UsageError } from '../errors.js';
import { withIterationLimit } from '../crypto/pbe/work_budget.js';
import { parseWholeNumber } from './options.js';
import { printable } from '../text/printable.js';
import { closeSshConnections } from '../transport/ssh/pool.js';
import type { CliContext } from './context.js';
import { clipText, guardOutput } from '../text/escape.js';
import { exitCodeFor, isMissingCommand } from './exit_codes.js';
import { holdingWarnings, type CliIo } from './io.js';
import { PasswordResolver } from './password_source.js';
import { processIo } from './process_io.js';
import { runningAsOwnProcess } from './process_heap.js';
import { commandLineWithoutSecrets } from '../secrets/process_title.js';
import { askedCommand, buildProgram } from './program.js';
import { habitMessage } from './usage_hints.js';
import { catchStrayRejections } from './stray_rejections.js';

/** Runs the CLI and returns its exit code; never calls process.exit. */
export async function main(argv: readonly string[], processIoArg?: CliIo): Promise<number> {
  // the command's own process (no I/O handed in): its heap may be tuned for a large store
  if (processIoArg === undefined) {
    runningAsOwnProcess();
    // a pass: password stays in the process list only until here
    const title = commandLineWithoutSecrets(argv);
    if (title !== undefined) process.title = title;
  }
  const io = guardedIo(processIoArg ?? processIo(), argv);
  let program: Command | undefined;
  const strays = processIoArg === undefined ? catchStrayRejections((error) => report(error, io, argv, program)) : undefined;
  const held = holdingWarnings(io);
  // --quiet: only the result and errors; the notes, warnings and progress on stderr are left out
  const unlessQuiet =
    (write: (text: string) => void) =>
    (text: string): void => {
      if (!globalFlags(program).quiet) write(text);
    };
  const commandIo: CliIo = { ...held.io, stderr: unlessQuiet(held.io.stderr), stderrKept: unlessQuiet(held.io.stderrKept!) };
  const ctx: CliContext = { io: commandIo, passwords: new PasswordResolver(commandIo, argv) };
  try {
    refuseLossyArguments(argv);
    program = await buildProgram(ctx, argv);
    const maxIterations = maxIterationsOption(argv);
    const run = (): Promise<unknown> => program!.parseAsync([...argv]);
    await (maxIterations === undefined ? run() : withIterationLimit(maxIterations, run));
    // a promise nobody awaited failed: the command did not do all it was asked
    const stray = strays?.first();
    if (stray !== undefined) throw stray.reason;
    held.release();
    // the result must have reached standard output: a full disk there is a failure, not a success
    await io.finish?.();
    return ctx.exitCode ?? 0;
  } catch (caught) {
    const { verbose } = globalFlags(program);
    // a failure is one line: --verbose keeps the warnings before it
    if (verbose) held.release();
    else held.drop();
    let error = caught;
    // --help and --version end as a CommanderError with exit code 0: their text must have been written too
    if (caught instanceof CommanderError && exitCodeFor(caught) === 0 && io.finish) error = await io.finish().then(() => caught, (failure: unknown) => failure);
    report(error, verbose ? { ...io, env: { ...io.env, HAPKI_DEBUG: '1' } } : io, argv, program);
    return exitCodeFor(error, askedCommand(argv));
  } finally {
    strays?.settle();
    // one connection per host per command: they end with it
    await closeSshConnections();
  }
}

/**
 * -q and -v as commander parsed them, the program's options: not a word that only looks like
 * one, such as the value of --ssh-user or --ssh-identity, or a word after `--`; combined as `-qv`
 * too. Before the command line is parsed, neither.
 */
function globalFlags(program: Command | undefined): { quiet: boolean; verbose: boolean } {
  const options = program?.opts<{ quiet?: boolean; verbose?: boolean }>() ?? {};
  return { quiet: options.quiet === true, verbose: options.verbose === true };
}

/**
 * --max-iterations applies to every keystore the command reads, wherever it is opened: read
 * before commander runs the command, so that it can scope the whole run.
 */
function maxIterationsOption(argv: readonly string[]): number | undefined {
  const at = argv.findIndex((a) => a === '--max-iterations' || a.startsWith('--max-iterations='));
  if (at < 0) return undefined;
  const arg = argv[at]!;
  const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[at + 1];
  return parseWholeNumber(value ?? '', '--max-iterations', 1);
}

/**
 * Node decodes the command line as UTF-8 and puts U+FFFD where bytes are not: a file name in
 * another encoding (Latin-1 `caf\xe9.jks`) would name another file, and `--out` would write
 * one under a name nobody gave. Refused before anything, without echoing the argument (it may
 * be a password).
 */
function refuseLossyArguments(argv: readonly string[]): void {
  const at = argv.findIndex((a, i) => i >= 2 && a.includes('\uFFFD'));
  if (at < 0) return;
  const after = at > 2 && argv[at - 1]!.startsWith('-') ? ` (the value of ${printable(argv[at - 1]!)})` : '';
  throw new UsageError(`argument ${at - 1}${after} is not valid UTF-8: hapki would read or write another file than the one named; rename the file to a UTF-8 name`);
}

function report(error: unknown, io: CliIo, argv: readonly string[], program: Command | undefined): void {
  if (error instanceof CommanderError) {
    if (exitCodeFor(error) === 0) return; // --help, --version
    if (isMissingCommand(error)) {
      const group = askedCommand(argv);
      io.stderr(`hapki: ${group === 'help' ? 'help: no such command' : `missing command${group === undefined ? '' : ` after "${clipText(printable(group))}"`}`}; see --help (ERR_USAGE)\n`);
      return;
    }
    io.stderr(`hapki: ${clipText(printable(habitMessage(argv, program) ?? usageMessage(error.message)))}; see --help (ERR_USAGE)\n`);
    return;
  }
  if (error instanceof HapkiError) {
    io.stderr(`hapki: ${clipText(printable(error.message))} (${error.code})\n`);
    const cause = (error as { cause?: unknown }).cause;
    if (io.env['HAPKI_DEBUG'] && cause !== undefined) io.stderr(`hapki: cause: ${printable((cause as Error)?.message ?? String(cause))}\n`);
    return;
  }
  io.stderr(`hapki: internal error: ${clipText(printable((error as Error)?.message ?? String(error)))} (ERR_INTERNAL)\n`);
  if (io.env['HAPKI_DEBUG']) io.stderr(`${(error as Error)?.stack ?? ''}\n`);
}

/** Commander's message ("error: unknown option '--x'\n(Did you mean --y?)") as one line. */
function usageMessage(message: string): string {
  return message
    .replace(/^error: /, '')
    .split('\n')
    .map((line) => line.trim().replace(/^\((.*)\)$/, '$1').replace(/^Did you mean/, 'did you mean'))
    .filter((line) => line !== '')
    .join('; ');
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
