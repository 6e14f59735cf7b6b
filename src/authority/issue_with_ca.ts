import { EMPTY_NAME_POLICY, isEmptyPolicy, mergeNamePolicies, parseNamePolicy } from '../issue/name_policy.js';
import { keepsCaFiles } from './ca_files.js';
import { issuanceExtensions, type ExtraExtension, type IssuanceRules } from '../issue/issuance_checks.js';
import type { Issuer } from '../issue/issuer.js';
import { signCsr, type SignCsrOptions, type SignedCertificate } from '../issue/sign_csr.js';
import { readCaSettings } from './ca_settings.js';
import { issuedRecordOf, recordIssued } from './issuance_record.js';

/** What the signer adds for one run to the CA's own settings. */
export interface CaRulesInput extends Omit<IssuanceRules, 'crlUrl' | 'caIssuersUrl'> {
  allowDomains?: readonly string[];
  allowIps?: readonly string[];
}

export const NO_POLICY_WARNING = 'this CA has no name policy, so any name is signed: set one with "hapki ca set --allow-domain/--allow-ip" or give --allow-domain';

/**
 * The rules a CA signs under: its settings beside the keystore (name policy, CRL and AIA URLs)
 * with the run's own additions, and the warning to give when no policy restricts the names.
 */
export async function caSigningRules(caKeystorePath: string, input: CaRulesInput = {}): Promise<{ rules: IssuanceRules; warnings: string[] }> {
  const settings = keepsCaFiles(caKeystorePath) ? await readCaSettings(caKeystorePath) : { policy: EMPTY_NAME_POLICY };
  const { allowDomains, allowIps, ...rest } = input;
  const namePolicy = mergeNamePolicies(settings.policy, input.namePolicy, parseNamePolicy({ domains: allowDomains ?? [], ipRanges: allowIps ?? [] }));
  const rules: IssuanceRules = { ...rest, namePolicy, ...(settings.crlUrl ? { crlUrl: settings.crlUrl } : {}), ...(settings.caIssuersUrl ? { caIssuersUrl: settings.caIssuersUrl } : {}) };
  return { rules, warnings: isEmptyPolicy(namePolicy) && !input.allowAnyName ? [NO_POLICY_WARNING] : [] };
}

/**
 * What the CA at this path adds to a certificate it makes itself rather than from a request (a
 * sub-CA of `ca init --ca`, a token certificate): the same CRL and AIA URLs (and, for a sub-CA,
 * name constraints from its policy) that `sign` writes.
 */
export async function caExtensions(caKeystorePath: string, profile: 'ca' | 'token'): Promise<ExtraExtension[]> {
  return issuanceExtensions(profile, (await caSigningRules(caKeystorePath)).rules);
}

/** Appends what the CA just signed to its issuance record. */
export async function recordSigned(caKeystorePath: string, certificates: readonly Uint8Array[], profile: string, by: string): Promise<void> {
  // an HSM CA (pkcs11: URI) has no keystore file to keep a record beside
  if (!keepsCaFiles(caKeystorePath)) return;
  await recordIssued(caKeystorePath, certificates.map((c) => issuedRecordOf(c, profile, by)));
}

/**
 * Signs one request as the CA whose keystore is at `caKeystorePath`, under its settings, and
 * appends the certificate to its issuance record before returning it: nothing leaves the CA
 * unrecorded.
 */
export async function issueWithCa(caKeystorePath: string, csr: Uint8Array, issuer: Issuer, options: SignCsrOptions & CaRulesInput & { by: string }): Promise<SignedCertificate> {
  const { by, allowDomains, allowIps, ...signOptions } = options;
  const { rules } = await caSigningRules(caKeystorePath, { ...signOptions, ...(allowDomains ? { allowDomains } : {}), ...(allowIps ? { allowIps } : {}) });
  const signed = await signCsr(csr, issuer, { ...signOptions, ...rules });
  await recordSigned(caKeystorePath, [signed.certificate], options.profile ?? 'server', by);
  return signed;
}

/** A CA opened to sign a certificate it makes itself: its issuer, and where its files are (`caFilesBase`). */
export interface SigningCa {
  issuer: Issuer;
  filesBase: string;
}

/** What a certificate maker adds to sign as a CA; nothing for a self-signed certificate. */
export type CaSigning = { issuer: Issuer; extraExtensions: ExtraExtension[] } | Record<string, never>;

/**
 * Makes a certificate not from a request (a sub-CA of `ca init --ca`, a token certificate): with
 * a CA, `make` is given its issuer and extensions (CRL and AIA URLs, a sub-CA's name constraints)
 * and what it makes is appended to the CA's issuance record; without one, it signs itself.
 */
export async function certifyWith<T extends { certificate: Uint8Array }>(ca: SigningCa | undefined, profile: 'ca' | 'token', by: string, make: (signing: CaSigning) => Promise<T>): Promise<T> {
  if (ca === undefined) return make({});
  const made = await make({ issuer: ca.issuer, extraExtensions: await caExtensions(ca.filesBase, profile) });
  await recordSigned(ca.filesBase, [made.certificate], profile, by);
  return made;
}
