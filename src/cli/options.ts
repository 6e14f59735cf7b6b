import { UsageError } from '../errors.js';

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

/** A date from an option (ISO 8601), or undefined when the option is absent. */
export function parseDate(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`${option} "${value}" is not a date (use ISO 8601: 2027-06-30)`);
  return date;
}
