import { parseDurationMs } from '../lib/duration.js';

/**
 * Milliseconds from an expiry threshold: "30d", "12h", "2w", or a bare number of days ("30").
 * Days are the default because certificate lifetimes are counted in days; zero is allowed, so
 * that `--crit 0` leaves only expired certificates critical.
 */
export function parseThreshold(text: string, what = 'threshold'): number {
  return parseDurationMs(text, 'd', what);
}
