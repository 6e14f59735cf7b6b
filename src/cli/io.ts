import { escapeText } from '../text/escape.js';

/** Everything the CLI touches outside itself, so tests can run it in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads all of standard input (called at most once). */
  readStdin: () => Promise<string>;
  /** Asks on the terminal without echo; undefined when there is no terminal. */
  prompt: ((question: string) => Promise<string>) | undefined;
  env: Readonly<Record<string, string | undefined>>;
}

export function warn(io: CliIo, message: string): void {
  io.stderr(`hapki: warning: ${escapeText(message)}\n`);
}
