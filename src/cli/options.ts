import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import type { CliContext } from './context.js';
import { FORMAT_CHOICES } from './formats.js';
import { warn } from './io.js';

/** commander's way of collecting a repeated option. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** A whole number from an option (at least `min`), or undefined when the option is absent. */
export function parseWholeNumber(value: string | undefined, option: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${option} needs a whole number${min > 0 ? ` of at least ${min}` : ''}, not "${value}"`);
  return n;
}

export function parseDays(value: string | undefined, option: string): number | undefined {
  return parseWholeNumber(value, option, 1);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Month, day, hour, minute and second within their ranges: JavaScript would roll 2027-02-30 over to March 2. */
function onCalendar(text: string): boolean {
  const [y, mo, d, h = 0, mi = 0, sec = 0] = (text.match(/\d+/g) ?? []).map(Number);
  if (y === undefined || mo === undefined || d === undefined) return false;
  return mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate() && h <= 23 && mi <= 59 && sec <= 59;
}

/**
 * A date from an option, or undefined when the option is absent. ISO 8601 only, and a date or
 * time without a zone is UTC: the same command must mean the same instant on every server.
 */
export function parseDate(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined;
  const m = ISO_DATE.exec(value.trim());
  const text = m ? value.trim().replace(' ', 'T') : '';
  const date = new Date(m && !m[1] ? (text.includes('T') ? `${text}Z` : `${text}T00:00:00Z`) : text);
  if (!m || Number.isNaN(date.getTime()) || !onCalendar(text)) throw new UsageError(`${option} "${value}" is not an ISO 8601 date (2027-06-30, or 2027-06-30T12:00:00Z)`);
  return date;
}

/**
 * The flag vocabulary every command shares (README "Flag vocabulary"; test/cli/vocabulary.test.ts
 * walks every command and holds them to it): the keystore a command works on is --storepass and
 * --keypass, what it writes --out, --outpass and --out-format, the CA --ca, --ca-storepass,
 * --ca-keypass and --ca-alias, and a result is printed as JSON with --json.
 */
export const PASSWORD_SOURCES = 'pass:TEXT, env:NAME, file:PATH, fd:N or stdin';

/** Old spellings kept for one release, per command: hidden from help, warned about when used. */
const DEPRECATED = new WeakMap<Command, Map<string, string>>();

/** The deprecated spellings a command still accepts, old flag to new flag (for the vocabulary test and the man pages). */
export function deprecatedOptions(command: Command): ReadonlyMap<string, string> {
  return DEPRECATED.get(command) ?? new Map();
}

/**
 * Accepts `flags` (an old spelling, e.g. "--issuer-storepass <src>") as `replacement` (e.g.
 * "--ca-storepass"): hidden from help, a warning when used, a usage error when both are given.
 */
export function deprecatedOption(command: Command, ctx: CliContext, flags: string, replacement: string): Command {
  const old = new Option(flags).hideHelp();
  command.addOption(old);
  let known = DEPRECATED.get(command);
  if (!known) {
    known = new Map();
    DEPRECATED.set(command, known);
    command.hook('preAction', (_this, action) => {
      for (const [oldFlag, newFlag] of deprecatedOptions(action)) applyDeprecated(action, ctx, oldFlag, newFlag);
    });
  }
  known.set(old.long!, replacement);
  return command;
}

function applyDeprecated(command: Command, ctx: CliContext, oldFlag: string, newFlag: string): void {
  const oldKey = new Option(oldFlag).attributeName();
  const newKey = new Option(newFlag).attributeName();
  const value: unknown = command.getOptionValue(oldKey);
  if (value === undefined) return;
  warn(ctx.io, `${oldFlag} is deprecated and goes in the next release: use ${newFlag}`);
  const source = command.getOptionValueSource(newKey);
  if (command.getOptionValue(newKey) !== undefined && source !== 'default') throw new UsageError(`give ${newFlag} or ${oldFlag} (its old name), not both`);
  command.setOptionValueWithSource(newKey, value, 'cli');
  command.setOptionValue(oldKey, undefined);
}

/** `--json`, with the shape it prints. */
export function jsonOption(shape: string): Option {
  return new Option('--json', `print the result as JSON: ${shape}`);
}

/** `--out-format`: the keystore format of what --out (or the output argument) receives. */
export function outFormatOption(what = `output format: ${FORMAT_CHOICES}`): Option {
  return new Option('--out-format <format>', what);
}

/** Prints a command's result: JSON with --json, else the text rendering. */
export function printResult(ctx: CliContext, json: boolean | undefined, value: unknown, text: () => string): void {
  ctx.io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : text());
}
