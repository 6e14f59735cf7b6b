import { exitCodeFor } from './exit_codes.js';

/**
 * A rejected promise nobody handles would end the process in Node's crash report (a source line
 * of the bundle and a stack trace). In hapki's own process it is kept instead: one that comes
 * while the command runs fails the command, reported as any error; one after the command ended in
 * success is reported then and makes the exit non-zero; after a failure, the first error stands.
 */
export function catchStrayRejections(reportLate: (error: unknown) => void): { first: () => { reason: unknown } | undefined; settle: () => void } {
  let first: { reason: unknown } | undefined;
  let settled = false;
  process.on('unhandledRejection', (reason) => {
    if (!settled) first ??= { reason };
    else if (!process.exitCode) {
      reportLate(reason);
      process.exitCode = exitCodeFor(reason);
    }
  });
  return { first: () => first, settle: () => void (settled = true) };
}
