import { isatty } from 'node:tty';
import { IoError, PasswordSourceError, UsageError } from '../errors.js';
import { passwordWaitMs } from '../secrets/password_source.js';
import type { CliIo } from './io.js';

export function processIo(): CliIo {
  // `hapki list ... | head` closes the pipe early: that is the reader's choice, not an error. Any
  // other failure to write standard output (a full disk, /dev/full, an I/O error) is kept and
  // reported by finish() as one coded line: never thrown from the stream's event, where it
  // would end the process with a stack trace after hapki had said the output was written.
  let stdoutFailure: NodeJS.ErrnoException | undefined;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') stdoutFailure ??= error;
  });
  // a standard error that cannot be written has nowhere to be reported
  process.stderr.on('error', () => {});
  const failed = (): IoError | undefined => (stdoutFailure ? stdoutError(stdoutFailure) : undefined);
  const write = (data: string | Uint8Array): Promise<void> =>
    new Promise((resolve, reject) => {
      const before = failed();
      if (before) return reject(before);
      process.stdout.write(data, (error?: NodeJS.ErrnoException | null) => {
        if (error && error.code !== 'EPIPE') stdoutFailure ??= error;
        const after = failed();
        if (after) reject(after);
        else resolve();
      });
    });
  // isatty, not process.stdin.isTTY: that would open standard input's stream in every command
  const interactive = isatty(0) && isatty(2);
  return {
    stdout: (text) => {
      if (!stdoutFailure) process.stdout.write(text);
    },
    stderr: (text) => void process.stderr.write(text),
    readStdin: readAllStdin,
    prompt: interactive ? promptHidden : undefined,
    env: process.env,
    readStdinBytes: readStdinBytes,
    stdoutBytes: write,
    stdoutIsTTY: process.stdout.isTTY === true,
    finish: () => write(''),
  };
}

function stdoutError(error: NodeJS.ErrnoException): IoError {
  return new IoError(`cannot write standard output: ${error.code ?? 'write failed'}`, { cause: error });
}

/** Standard input holds password lines: a megabyte is far more than enough, and a bound. */
const MAX_STDIN_BYTES = 1024 * 1024;

/**
 * All of standard input, for the options that name stdin. Bounded in time too (HAPKI_PASSWORD_TIMEOUT):
 * a pipe whose writer never ends (`(echo pw; sleep 1d) | hapki ...`, a writer stuck before its
 * first line) held hapki for ever. At the bound, the lines that came are what there is; no line
 * at all is ERR_PASSWORD_SOURCE.
 */
function readAllStdin(): Promise<string> {
  const waitMs = passwordWaitMs(process.env);
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const settle = (error: Error | undefined, atBound = false): void => {
      clearTimeout(timer);
      stdin.off('data', onData).off('end', onEnd).off('error', onError);
      const text = Buffer.concat(chunks).toString('utf8');
      // the writer still holds the pipe: let go of it, or hapki would wait for it to exit
      if (atBound) stdin.destroy();
      if (error) reject(error);
      else if (atBound && !text.includes('\n')) reject(new PasswordSourceError(`standard input: no line came within ${waitMs / 1000} s (HAPKI_PASSWORD_TIMEOUT)`));
      else resolve(text);
    };
    const onData = (chunk: Buffer | string): void => {
      const piece = Buffer.from(chunk);
      total += piece.length;
      if (total > MAX_STDIN_BYTES) return settle(new PasswordSourceError('standard input is too large to hold passwords'), true);
      chunks.push(piece);
    };
    const onEnd = (): void => settle(undefined);
    const onError = (error: Error): void => settle(new PasswordSourceError(`cannot read standard input (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`, { cause: error }));
    const timer = setTimeout(() => settle(undefined, true), waitMs);
    stdin.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

/** Standard input as an input file (`hapki list -`): bounded like a file. */
async function readStdinBytes(maxBytes: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const piece = Buffer.from(chunk as Uint8Array);
    total += piece.length;
    if (total > maxBytes) throw new IoError(`standard input is too large: hapki reads at most ${maxBytes} bytes of it`);
    chunks.push(piece);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** Reads a line from the terminal with echo off; Ctrl-C or Ctrl-D cancels. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let answer = '';
    const finish = (error?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (data: Buffer): void => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') return finish(new UsageError('cancelled at the password prompt'));
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    stdin.on('data', onData);
  });
}
