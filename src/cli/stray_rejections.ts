import { exitCodeFor } from './exit_codes.js';

/** The net main() holds for one run of the CLI in its own process. */
export interface StrayRejections {
  /** The first stray while the command ran, if any: the caller fails the command with it. */
  first: () => { reason: unknown } | undefined;
  /**
   * The command is over (`succeeded`: it ends with exit code 0). A stray that came after the
   * caller last asked first() (while standard output was flushed) is reported now; from here on
   * each stray is reported as it comes, the first one only, and only after a success: after a
   * failure, the first error stands.
   */
  settle: (succeeded: boolean) => void;
  /** The exit code of a stray reported after the command succeeded, if any. */
  lateExitCode: () => number | undefined;
}

/**
 * A rejected promise nobody handles would end the process in Node's crash report (a source line
 * of the bundle and a stack trace). In hapki's own process it is kept instead: one that comes
 * while the command runs fails the command, reported as any error; one after the command ended in
 * success is reported then and makes the exit non-zero (process.exitCode, and lateExitCode() for
 * a caller still to return its code, whose caller would otherwise set the exit code back to 0).
 */
export function catchStrayRejections(reportLate: (error: unknown) => void): StrayRejections {
  let first: { reason: unknown } | undefined;
  // what first() last handed out: the caller failed the command with it
  let handed: { reason: unknown } | undefined;
  let settled = false;
  let succeeded = false;
  let lateCode: number | undefined;
  const late = (reason: unknown): void => {
    if (!succeeded || lateCode !== undefined) return;
    reportLate(reason);
    lateCode = exitCodeFor(reason);
    process.exitCode = lateCode;
  };
  process.on('unhandledRejection', (reason) => {
    if (!settled) first ??= { reason };
    else late(reason);
  });
  return {
    first: () => (handed = first),
    settle: (ok) => {
      if (settled) return;
      settled = true;
      succeeded = ok;
      if (first !== undefined && first !== handed) late(first.reason);
    },
    lateExitCode: () => lateCode,
  };
}
