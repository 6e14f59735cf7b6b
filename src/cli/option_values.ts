import type { Command } from 'commander';
import { HapkiError, InvalidArgumentError } from '../errors.js';
import { markCommandLineError } from './exit_codes.js';
import { parseDate, parseDays } from './options.js';

/**
 * One rule for a wrong command line (README "Exit codes"): a value the command line alone shows
 * to be wrong — a name, SAN, key type or size, duration, date, fingerprint, serial, URL, range —
 * is a usage error, exit 2, like an unknown option or a bad number, whichever command takes it,
 * and it is found before any file is read. The code stays the one the library gives
 * (ERR_INVALID_ARGUMENT, ERR_USAGE): codes are stable. Each check is the library's own parser,
 * loaded only when its option is given; the command parses the value again as before.
 */
type Check = (value: string, options: Readonly<Record<string, unknown>>) => void | Promise<void>;

const VALUE_CHECKS: Readonly<Record<string, Check>> = {
  '--subject': async (v) => void (await import('../names/subject_values.js')).encodeSubject(v),
  '--san': async (v) => void (await import('../issue/san.js')).parseSan(v),
  '--kty': keySpec,
  '--bits': keySpec,
  '--curve': keySpec,
  '--days': async (v) => void (await import('../issue/validity.js')).computeValidity({ days: parseDays(v, '--days')! }, 1),
  '--not-after': async (v) => void (await import('../issue/validity.js')).computeValidity({ notAfter: parseDate(v, '--not-after')! }, 1),
  '--trust-root': async (v) => void (await import('../issue/install_reply.js')).normalizeFingerprint(v),
  '--serial': async (v) => void (await import('../authority/issuance_record.js')).normalizeSerial(v),
  '--allow-domain': async (v) => void (await import('../issue/name_policy.js')).parseNamePolicy({ domains: [v] }, { strict: true }),
  '--allow-ip': async (v) => void (await import('../issue/name_policy.js')).parseNamePolicy({ ipRanges: [v] }, { strict: true }),
  '--crl-url': async (v) => (await import('../authority/ca_settings.js')).checkSettingUrl('--crl-url', v),
  '--aia-url': async (v) => (await import('../authority/ca_settings.js')).checkSettingUrl('--aia-url', v),
  '--policy': async (v) => (await import('./path_flags.js')).checkPolicyOid(v),
  '--hostname': hostName,
  '--servername': hostName,
  '--timeout': duration,
  '--fetch-timeout': duration,
};

/** Positional arguments a command line alone shows to be wrong, by command and argument name. */
const ARGUMENT_CHECKS: Readonly<Record<string, Check>> = {
  'probe host:port': async (v) => void (await import('../trust/probe_target.js')).parseProbeTarget(v),
};

async function keySpec(_value: string, options: Readonly<Record<string, unknown>>): Promise<void> {
  const { parseKeySpec } = await import('../crypto/key_spec.js');
  parseKeySpec({ kty: options['kty'] as string | undefined, bits: options['bits'] as string | undefined, curve: options['curve'] as string | undefined });
}

/** A host to match or to name in SNI: not empty, no white space or control character (an IDN is matched as given). */
function hostName(value: string): void {
  // eslint-disable-next-line no-control-regex
  if (value === '' || /[\s\x00-\x1f\x7f]/.test(value)) throw new InvalidArgumentError(`"${value}" is not a host name`);
}

async function duration(value: string): Promise<void> {
  (await import('../trust/duration.js')).parseDuration(value);
}

/** The program's preAction hook: checks the values of the command about to run. */
export async function checkOptionValues(action: Command): Promise<void> {
  const options = action.opts<Record<string, unknown>>();
  try {
    for (const option of action.options) {
      const check = option.long === undefined ? undefined : VALUE_CHECKS[option.long];
      const key = option.attributeName();
      if (check === undefined || action.getOptionValueSource(key) !== 'cli') continue;
      const value = options[key];
      for (const one of Array.isArray(value) ? value : [value]) if (typeof one === 'string') await check(one, options);
    }
    for (const [i, argument] of action.registeredArguments.entries()) {
      const check = ARGUMENT_CHECKS[`${action.name()} ${argument.name()}`];
      const value = action.processedArgs[i] as unknown;
      if (check !== undefined && typeof value === 'string') await check(value, options);
    }
  } catch (error) {
    if (error instanceof HapkiError) markCommandLineError(error);
    throw error;
  }
}
