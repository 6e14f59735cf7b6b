import { DAY_MS } from '../../lib/duration.js';

/** "in 3 days", "in 5 hours", "2 days ago": how far a time is from the audit's, for messages. */
export function distance(fromMs: number, toMs: number): string {
  const diff = toMs - fromMs;
  const abs = Math.abs(diff);
  const amount = abs >= DAY_MS ? plural(Math.floor(abs / DAY_MS), 'day') : abs >= 3_600_000 ? plural(Math.floor(abs / 3_600_000), 'hour') : plural(Math.max(1, Math.floor(abs / 60_000)), 'minute');
  return diff >= 0 ? `in ${amount}` : `${amount} ago`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
