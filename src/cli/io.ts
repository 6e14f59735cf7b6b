import { printable } from '../text/printable.js';
import { clipText } from '../text/escape.js';

/** Everything the CLI touches outside itself, so tests can run it in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads all of standard input (called at most once). */
  readStdin: () => Promise<string>;
  /** Asks on the terminal without echo; undefined when there is no terminal. */
  prompt: ((question: string) => Promise<string>) | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** Reads all of standard input as bytes, for an input named `-` (at most `maxBytes`). */
  readStdinBytes?: (maxBytes: number) => Promise<Uint8Array>;
  /** Writes bytes to standard output, for an output named `-` (settles once they are written). */
  stdoutBytes?: (bytes: Uint8Array) => void | Promise<void>;
  /** Whether standard output is a terminal: private keys are never written to one. */
  stdoutIsTTY?: boolean;
  /** Waits until standard output is written; fails (ERR_IO) if any of it could not be. */
  finish?: () => Promise<void>;
  /** Standard error for a warning never held back (holdingWarnings): absent, `stderr`. */
  stderrKept?: (text: string) => void;
}

/**
 * A warning line on standard error. `keep`: one the user must see even when the command then
 * fails, because it tells of something done to files (a killed change recovered, a stale lock
 * taken over); the others (the input read, the options given) give way to the one error line of
 * a failure, and show on --verbose or success.
 */
export function warn(io: CliIo, message: string, options: { keep?: boolean } = {}): void {
  const line = `hapki: warning: ${clipText(printable(message))}\n`;
  if (options.keep && io.stderrKept) io.stderrKept(line);
  else io.stderr(line);
}

/**
 * A note on standard error ("hapki: wrote x.pem"): one line whatever file name, alias or
 * message it quotes, every control or bidi character escaped, so an input cannot forge a
 * second line ("hapki: all good") or hide one.
 */
export function note(io: CliIo, message: string): void {
  io.stderr(`hapki: ${clipText(printable(message))}\n`);
}

/** One line of a result on standard output, escaped like a note. */
export function resultLine(io: CliIo, message: string): void {
  io.stdout(`${printable(message)}\n`);
}

/**
 * The command's I/O with its warnings held back until another line goes to standard error (so
 * they keep their place before it), a prompt, or the command's success: a command that fails
 * prints its one error line on standard error, not the warnings of a read that went on to fail
 * (a hostile keystore can raise dozens), even after a verdict on standard output (verify's FAIL).
 * Warnings given with `keep` are never held (nor those before them).
 */
export function holdingWarnings(io: CliIo): { io: CliIo; release: () => void; drop: () => void } {
  let held: string[] = [];
  const release = (): void => {
    const lines = held;
    held = [];
    for (const line of lines) io.stderr(line);
  };
  const heldIo: CliIo = {
    ...io,
    stderr: (text) => {
      if (text.startsWith('hapki: warning: ')) held.push(text);
      else {
        release();
        io.stderr(text);
      }
    },
    ...(io.prompt ? { prompt: (question: string) => (release(), io.prompt!(question)) } : {}),
    // in its place among the lines before it
    stderrKept: (text) => {
      release();
      io.stderr(text);
    },
  };
  const drop = (): void => {
    held = [];
  };
  return { io: heldIo, release, drop };
}
