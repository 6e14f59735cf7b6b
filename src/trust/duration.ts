import { InvalidArgumentError } from '../errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/** Milliseconds from "500ms", "5s", "2m" or a bare number of seconds ("5"). */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  if (!m) throw new InvalidArgumentError(`"${text}" is not a duration (use 500ms, 5s or 2m)`);
  const ms = Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']!);
  if (ms <= 0) throw new InvalidArgumentError(`the duration "${text}" must be more than zero`);
  return ms;
}
