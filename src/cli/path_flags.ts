import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { readFileBytes } from '../fs/read_file.js';
import { crlsFromBytes } from '../revocation/crl_bytes.js';
import type { PathValidationOptions } from '../trust/validate_path.js';

/** The path-validation flags `verify` shares with the commands that validate chains. */
export interface PathFlags {
  allowSha1?: boolean;
  policy?: string[];
  requireExplicitPolicy?: boolean;
  inhibitPolicyMapping?: boolean;
  inhibitAnyPolicy?: boolean;
  crl?: string[];
  crlRequired?: boolean;
  ocsp?: boolean;
  ocspRequired?: boolean;
  webPki?: boolean;
  x509Strict?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function addPathFlags(command: Command): Command {
  return command
    .option('--allow-sha1', 'accept SHA-1 signatures on certificates above the trust anchor (MD5 is never accepted)')
    .option('--policy <oid>', 'an acceptable certificate policy (repeatable; default: any policy)', collect)
    .option('--require-explicit-policy', 'the path must be valid for one of the acceptable policies (RFC 5280 initial-explicit-policy)')
    .option('--inhibit-policy-mapping', 'do not follow policy mappings (initial-policy-mapping-inhibit)')
    .option('--inhibit-any-policy', 'anyPolicy in a certificate matches nothing (initial-any-policy-inhibit)')
    .option('--crl <file>', 'a CRL (PEM or DER) to check the path against (repeatable; - for standard input); revoked -> ERR_REVOKED', collect)
    .option('--crl-required', 'with --crl: a certificate whose status the CRLs do not establish fails (ERR_REVOCATION_UNKNOWN)')
    .option('--ocsp', "ask the OCSP responder each certificate's authorityInfoAccess names (http://, nonce, no redirects); revoked -> ERR_REVOKED")
    .option('--web-pki', 'also the CA/Browser Forum profile: subscriber EKU (no anyEKU, not critical), not a CA; CN copies a SAN; root without EKU')
    .option('--x509-strict', "also RFC 5280's rules for issuing CAs, anchor included: key identifiers, critical basic/name/policy constraints, serials")
    .option('--ocsp-required', 'with --ocsp: a certificate whose status stays unknown (no responder, "unknown") fails (ERR_REVOCATION_UNKNOWN)');
}

/** The library options the flags stand for (reads the --crl files, with `read` where `-` may name standard input). */
export function checkPolicyOid(oid: string): void {
  if (!/^[0-2](\.(0|[1-9]\d{0,9}))+$/.test(oid)) throw new UsageError('--policy must be an object identifier in dotted form, such as 2.23.140.1.2.1');
}

export async function pathOptionsFromFlags(flags: PathFlags, fetched?: readonly Uint8Array[], fetchTimeoutMs?: number, read: (file: string) => Promise<Uint8Array> = (file) => readFileBytes(file)): Promise<Partial<PathValidationOptions>> {
  if (flags.crlRequired && !flags.crl && !fetched) throw new UsageError('--crl-required needs at least one --crl (or --crl-fetch)');
  if (flags.ocspRequired && !flags.ocsp) throw new UsageError('--ocsp-required needs --ocsp');
  const crls: Uint8Array[] = [...(fetched ?? [])];
  for (const file of flags.crl ?? []) crls.push(...crlsFromBytes(await read(file), file === '-' ? 'standard input' : file));
  for (const oid of flags.policy ?? []) checkPolicyOid(oid);
  return {
    ...(flags.allowSha1 ? { allowSha1: true } : {}),
    ...(flags.webPki ? { profile: 'webpki' as const } : {}),
    ...(flags.x509Strict ? { strict: true } : {}),
    ...(flags.crl || fetched ? { crls, crlRequired: flags.crlRequired ?? false } : {}),
    ...(flags.ocsp ? { ocsp: { fetch: true, required: flags.ocspRequired ?? false, ...(fetchTimeoutMs === undefined ? {} : { timeoutMs: fetchTimeoutMs }) } } : {}),
    policy: {
      ...(flags.policy ? { initialPolicySet: flags.policy } : {}),
      requireExplicitPolicy: flags.requireExplicitPolicy ?? false,
      inhibitPolicyMapping: flags.inhibitPolicyMapping ?? false,
      inhibitAnyPolicy: flags.inhibitAnyPolicy ?? false,
    },
  };
}
