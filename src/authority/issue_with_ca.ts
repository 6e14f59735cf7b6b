import { mergeNamePolicies, isEmptyPolicy, parseNamePolicy } from '../issue/name_policy.js';
import type { Issuer } from '../issue/issuer.js';
import { signCsr, type SignCsrOptions, type SignedCertificate } from '../issue/sign_csr.js';
import { readCaSettings } from './ca_settings.js';
import { issuedRecordOf, recordIssued } from './issuance_record.js';

export interface CaIssueOptions extends SignCsrOptions {
  /** Added to the CA's own policy for this signature (sign --allow-domain / --allow-ip). */
  allowDomains?: readonly string[];
  allowIps?: readonly string[];
  /** The command, for the record: sign, apply, ... */
  by: string;
}

/**
 * Signs a request as the CA whose keystore is at `caKeystorePath`: its settings beside the
 * keystore (name policy, CRL and AIA URLs) apply, and the certificate is appended to its
 * issuance record before it is returned, so nothing leaves the CA unrecorded.
 */
export async function issueWithCa(caKeystorePath: string, csr: Uint8Array, issuer: Issuer, options: CaIssueOptions): Promise<SignedCertificate> {
  const settings = await readCaSettings(caKeystorePath);
  const namePolicy = mergeNamePolicies(settings.policy, options.namePolicy, parseNamePolicy({ domains: options.allowDomains ?? [], ipRanges: options.allowIps ?? [] }));
  const { by, allowDomains: _d, allowIps: _i, ...rest } = options;
  const signed = await signCsr(csr, issuer, {
    ...rest,
    namePolicy,
    ...(options.crlUrl ?? settings.crlUrl ? { crlUrl: options.crlUrl ?? settings.crlUrl } : {}),
    ...(options.caIssuersUrl ?? settings.caIssuersUrl ? { caIssuersUrl: options.caIssuersUrl ?? settings.caIssuersUrl } : {}),
  });
  await recordIssued(caKeystorePath, [issuedRecordOf(signed.certificate, options.profile ?? 'server', by)]);
  if (isEmptyPolicy(namePolicy) && !options.allowAnyName && signed.sans.length > 0) {
    signed.warnings.push('this CA has no name policy, so any name is signed: set one with "hapki ca set --allow-domain/--allow-ip" or give --allow-domain');
  }
  return signed;
}
