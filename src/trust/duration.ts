import { InvalidArgumentError } from '../errors.js';
import { checkTimeoutMs, parseDurationMs } from '../lib/duration.js';

/** Milliseconds from a timeout: "500ms", "5s", "2m" or a bare number of seconds ("5"); never zero. */
export function parseDuration(text: string): number {
  const ms = parseDurationMs(text, 's', 'duration');
  if (ms <= 0) throw new InvalidArgumentError(`the duration "${text}" must be more than zero`);
  return checkTimeoutMs(ms, `duration "${text}"`);
}
