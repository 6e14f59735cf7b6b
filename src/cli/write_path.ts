import { UsageError } from '../errors.js';
import { configureWritePath } from '../txn/config.js';
import type { CliContext } from './context.js';
import { warn } from './io.js';

/** --lock-timeout (or HAPKI_LOCK_TIMEOUT), in seconds, and the write path's warnings on stderr. */
export function configureCliWritePath(ctx: CliContext, lockTimeout: string | undefined): void {
  const given = lockTimeout ?? ctx.io.env['HAPKI_LOCK_TIMEOUT'];
  const settings: Parameters<typeof configureWritePath>[0] = { warn: (message, options) => warn(ctx.io, message, { keep: options?.done === true }) };
  if (given !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(given.trim())) throw new UsageError('--lock-timeout takes a number of seconds');
    const ms = Math.round(Number(given) * 1000);
    // a deadline (now + the timeout) must stay a date: a year is more than any wait means
    if (!Number.isSafeInteger(ms) || ms > 366 * 24 * 3600 * 1000) throw new UsageError('--lock-timeout takes a number of seconds, at most a year (31622400)');
    settings.lockTimeoutMs = ms;
  }
  configureWritePath(settings);
}
