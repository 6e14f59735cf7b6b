import { CommanderError } from 'commander';
import { HapkiError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The one place an exit code is chosen: a pure function of what was thrown. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof HapkiError) return error.code === 'ERR_USAGE' ? EXIT_USAGE : EXIT_FAILURE;
  return EXIT_FAILURE;
}

export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  failure; one line "hapki: <message> (<ERR_CODE>)" on stderr
  2  usage error`;
