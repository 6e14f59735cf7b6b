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
  return Math.round(Number(m[1]) * UNIT_MS[(m[2] as DurationUnit | undefined) ?? defaultUnit]);
}
