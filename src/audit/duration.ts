import { InvalidArgumentError } from '../errors.js';

const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
const UNIT_MS: Readonly<Record<string, number>> = { h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS };

/**
 * Milliseconds from an expiry threshold: "30d", "12h", "2w", or a bare number of days ("30").
 * Days are the default because certificate lifetimes are counted in days; zero is allowed, so
 * that `--crit 0` leaves only expired certificates critical.
 */
export function parseThreshold(text: string, what = 'threshold'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([hdw])?\s*$/.exec(text);
  if (!m) throw new InvalidArgumentError(`${what} "${text}" is not a duration (use 30d, 12h, 2w or a number of days)`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 'd']!);
}
