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

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A date from an option, or undefined when the option is absent. ISO 8601 only, and a date or
 * time without a zone is UTC: the same command must mean the same instant on every server.
 */
export function parseDate(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined;
  const m = ISO_DATE.exec(value.trim());
  const text = m ? value.trim().replace(' ', 'T') : '';
  const date = new Date(m && !m[1] ? (text.includes('T') ? `${text}Z` : `${text}T00:00:00Z`) : text);
  if (!m || Number.isNaN(date.getTime())) throw new UsageError(`${option} "${value}" is not an ISO 8601 date (2027-06-30, or 2027-06-30T12:00:00Z)`);
  return date;
}
