import { CommanderError } from 'commander';
import { HapkiError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** What `hapki audit` exits with when it could not audit: monitoring reads 1 and 2 as findings. */
export const EXIT_AUDIT_UNKNOWN = 3;

/**
 * The one place an exit code is chosen: a pure function of what was thrown and by which command.
 * `audit` speaks the monitoring-plugin convention, where a run that could not judge anything,
 * however it failed, is UNKNOWN (3): exit 1 or 2 would raise a false WARNING or CRITICAL.
 */
/**
 * --help, `hapki help`, --version: asked for, exit 0. A command group given without its
 * command (`hapki`, `hapki ca`) shows the help too, on stderr, but as a usage error: commander
 * ends that one with exit code 1 (help({ error: true })), and cron or a script must not read it
 * as success (git: usage, exit 1; hapki's usage errors are 2).
 */
export function isHelpAsked(error: unknown): boolean {
  if (!(error instanceof CommanderError)) return false;
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return true;
  return error.code === 'commander.help' && error.exitCode === 0;
}

/** A command group without its command: the help went to stderr, and the run is a usage error. */
export function isMissingCommand(error: unknown): boolean {
  return error instanceof CommanderError && error.code === 'commander.help' && error.exitCode !== 0;
}

/** Errors in the command line's values, found before the command ran (option_values.ts): usage errors whatever their code. */
const COMMAND_LINE_ERRORS = new WeakSet<object>();

export function markCommandLineError(error: HapkiError): void {
  COMMAND_LINE_ERRORS.add(error);
}

/** Codes that mean a malformed argument, as commander's own usage errors: exit 2. */
const USAGE_CODES: ReadonlySet<string> = new Set(['ERR_USAGE', 'ERR_SSH_LOCATION']);

export function exitCodeFor(error: unknown, command?: string): number {
  if (isHelpAsked(error)) return EXIT_OK;
  if (command === 'audit') return EXIT_AUDIT_UNKNOWN;
  if (error instanceof CommanderError) return EXIT_USAGE;
  if (error instanceof HapkiError) return USAGE_CODES.has(error.code) || COMMAND_LINE_ERRORS.has(error) ? EXIT_USAGE : EXIT_FAILURE;
  return EXIT_FAILURE;
}

export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  failure; one line "hapki: <message> (<ERR_CODE>)" on stderr
  2  usage error`;
