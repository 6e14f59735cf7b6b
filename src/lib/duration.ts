import { InvalidArgumentError } from '../errors.js';

export const SECOND_MS = 1000;
export const HOUR_MS = 3600 * SECOND_MS;
export const DAY_MS = 24 * HOUR_MS;

const UNIT_MS = { ms: 1, s: SECOND_MS, m: 60 * SECOND_MS, h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS } as const;
export type DurationUnit = keyof typeof UNIT_MS;

/**
 * Milliseconds from "500ms", "5s", "2m", "12h", "30d", "2w" or a bare number in the default
 * unit: one grammar for every duration hapki reads, so `12h` means the same on the command line,
 * in an audit configuration and in a cluster file.
 */
export function parseDurationMs(text: string, defaultUnit: DurationUnit, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(text);
  if (!m) throw new InvalidArgumentError(`${what} "${text}" is not a duration (such as 30d, 12h, 5s or 500ms; a bare number is in ${defaultUnit})`);
  const ms = Math.round(Number(m[1]) * UNIT_MS[(m[2] as DurationUnit | undefined) ?? defaultUnit]);
  if (!Number.isSafeInteger(ms)) throw new InvalidArgumentError(`${what} "${text}" is too long`);
  return ms;
}

/**
 * The longest wait a timer can hold: Node's timers are 32-bit and turn anything longer into
 * 1 ms, which would make a generous timeout fail at once.
 */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A timeout in milliseconds that a timer can hold: more than zero, at most MAX_TIMEOUT_MS (24 days). */
export function checkTimeoutMs(ms: number, what: string): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new InvalidArgumentError(`the ${what} must be more than zero`);
  if (ms > MAX_TIMEOUT_MS) throw new InvalidArgumentError(`the ${what} is longer than ${Math.floor(MAX_TIMEOUT_MS / DAY_MS)} days, the longest a timer can wait`);
  return ms;
}
