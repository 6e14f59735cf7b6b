import { CommanderError } from 'commander';
import { HapkiError } from '../errors.js';
import { withIterationLimit } from '../crypto/pbe/work_budget.js';
import { parseWholeNumber } from './options.js';
import { printable } from '../lib/printable.js';
import { closeSshConnections } from '../transport/ssh/pool.js';
import type { CliContext } from './context.js';
import { clipText, guardOutput } from '../text/escape.js';
import { exitCodeFor, isMissingCommand } from './exit_codes.js';
import type { CliIo } from './io.js';
import { PasswordResolver } from './password_source.js';
import { processIo } from './process_io.js';
import { runningAsOwnProcess } from './process_heap.js';
import { askedCommand, buildProgram } from './program.js';

/** Runs the CLI and returns its exit code; never calls process.exit. */
export async function main(argv: readonly string[], processIoArg?: CliIo): Promise<number> {
  // the command's own process (no I/O handed in): its heap may be tuned for a large store
  if (processIoArg === undefined) runningAsOwnProcess();
  const io = guardedIo(processIoArg ?? processIo(), argv);
  // --quiet: only the result and errors; the notes, warnings and progress on stderr are left out
  const quiet = argv.includes('--quiet') || argv.includes('-q');
  const verbose = argv.includes('--verbose');
  const commandIo: CliIo = quiet ? { ...io, stderr: () => {} } : io;
  const ctx: CliContext = { io: commandIo, passwords: new PasswordResolver(commandIo, argv) };
  try {
    const program = await buildProgram(ctx, argv);
    const maxIterations = maxIterationsOption(argv);
    const run = (): Promise<unknown> => program.parseAsync([...argv]);
    await (maxIterations === undefined ? run() : withIterationLimit(maxIterations, run));
    // the result must have reached standard output: a full disk there is a failure, not a success
    await io.finish?.();
    return ctx.exitCode ?? 0;
  } catch (caught) {
    let error = caught;
    // --help and --version end as a CommanderError with exit code 0: their text must have been written too
    if (caught instanceof CommanderError && exitCodeFor(caught) === 0 && io.finish) error = await io.finish().then(() => caught, (failure: unknown) => failure);
    report(error, verbose ? { ...io, env: { ...io.env, HAPKI_DEBUG: '1' } } : io, argv);
    return exitCodeFor(error, askedCommand(argv));
  } finally {
    // one connection per host per command: they end with it
    await closeSshConnections();
  }
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

function report(error: unknown, io: CliIo, argv: readonly string[]): void {
  if (error instanceof CommanderError) {
    if (exitCodeFor(error) === 0) return; // --help, --version
    if (isMissingCommand(error)) {
      const group = askedCommand(argv);
      io.stderr(`hapki: ${group === 'help' ? 'help: no such command' : `missing command${group === undefined ? '' : ` after "${clipText(printable(group))}"`}`}; see --help (ERR_USAGE)\n`);
      return;
    }
    io.stderr(`hapki: ${clipText(printable(usageMessage(error.message)))}; see --help (ERR_USAGE)\n`);
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

/** keytool's and openssl's words whose hapki option is not just the same word with two dashes. */
const SINGLE_DASH_HINTS: Readonly<Record<string, string>> = {
  keystore: 'the keystore is the command\'s argument (csr --new-key: --keystore)',
  srckeystore: "the keystore is the command's argument",
  destkeystore: '--out',
  file: '--out, or the input file as the argument',
  outfile: '--out',
  infile: "the input file as the argument",
  in: "the input file as the argument",
  storetype: '--out-format',
  deststoretype: '--out-format',
  srcstorepass: '--storepass',
  deststorepass: '--outpass',
  passin: '--storepass',
  passout: '--outpass',
  dname: '--subject',
  subj: '--subject',
  keyalg: '--kty',
  keysize: '--bits',
  validity: '--days',
  ext: '--san',
};

/**
 * A keytool or openssl habit (`-storepass`, `-keystore gw.jks`): commander reads one dash as a
 * cluster of short options and says only that it is unknown. Say what hapki calls it.
 */
function singleDashHint(message: string): string {
  const word = /unknown option '-([a-z][a-z0-9-]+)'/i.exec(message)?.[1];
  if (word === undefined) return message;
  const hint = SINGLE_DASH_HINTS[word.toLowerCase()] ?? `--${word}`;
  return `${message.split('\n')[0]}\n(hapki's options take two dashes: for -${word}, ${hint})`;
}

/** Commander's message ("error: unknown option '--x'\n(Did you mean --y?)") as one line. */
function usageMessage(message: string): string {
  return singleDashHint(message)
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
