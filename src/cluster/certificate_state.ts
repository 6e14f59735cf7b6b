import { describeCertificate } from '../cert/describe.js';
import { certificateNames, isSelfIssued } from '../cert/names.js';
import { issuedUnder } from '../cert/certificate_signature.js';
import { readTbs } from '../cert/tbs.js';
import type { WebCrypto } from '../crypto/provider.js';
import type { PrivateKeyEntry } from '../keystore/model.js';
import { unlockedKey } from '../keystore/unlocked_key.js';
import { formatSan, mergeSans, type SubjectAltName } from '../issue/san.js';
import { SAN_OID, sansOfExtension } from '../issue/san_extension.js';
import { DAY_MS } from '../lib/duration.js';
import { keyMatchesCertificate } from '../cert/key_match.js';


export interface CertificateNeeds {
  /** The CA certificate that must have issued the leaf. */
  caCertificate: Uint8Array;
  /** Names the leaf must carry (others it has are kept). */
  required: readonly SubjectAltName[];
  /** Re-issue when the leaf ends within this many days. */
  windowDays: number;
  now: Date;
}

export interface CertificateState {
  /** Why the certificate must be re-issued; empty when it may stay. */
  reasons: string[];
  /** Required names the leaf lacks. */
  missing: SubjectAltName[];
  /** Something to tell the user that re-issuing would not fix. */
  warning?: string;
}

/**
 * Whether a node's certificate may stay: it must certify the entry's own key, be signed by the
 * cluster's CA, carry every required name, and not end within the renewal window (unless the
 * CA itself ends first, when a new certificate could not last longer).
 */
export async function certificateState(entry: PrivateKeyEntry, needs: CertificateNeeds, _crypto?: WebCrypto): Promise<CertificateState> {
  const leaf = entry.chain[0];
  if (!leaf) return { reasons: ['the entry has no certificate'], missing: [...needs.required] };
  const reasons: string[] = [];
  if (!keyMatchesCertificate(unlockedKey(entry), leaf)) reasons.push("the certificate is not for the entry's key");
  if (!issuedUnder(leaf, needs.caCertificate)) {
    reasons.push(isSelfIssued(certificateNames(leaf)) ? "self-signed, not issued by the cluster's CA" : `issued by ${describeCertificate(leaf).issuer}, not the cluster's CA`);
  }
  const current = sansOfExtension(readTbs(leaf).extensions.get(SAN_OID)?.value).sans;
  const missing = mergeSans({ requested: current, extra: needs.required }).slice(current.length);
  if (missing.length > 0) reasons.push(`lacks ${missing.map(formatSan).join(', ')}`);
  const notAfter = readTbs(leaf).notAfter;
  const caNotAfter = readTbs(needs.caCertificate).notAfter;
  const daysLeft = Math.floor((notAfter.getTime() - needs.now.getTime()) / DAY_MS);
  let warning: string | undefined;
  if (daysLeft < needs.windowDays) {
    // a new certificate ends with the CA at the latest: renewing helps only if that is later
    if (caNotAfter.getTime() - notAfter.getTime() > DAY_MS) reasons.push(daysLeft < 0 ? `expired on ${notAfter.toISOString().slice(0, 10)}` : `ends ${notAfter.toISOString().slice(0, 10)}, within the ${needs.windowDays}-day renewal window`);
    else warning = `the certificate ends ${notAfter.toISOString().slice(0, 10)} and the CA itself ends then too: renew the CA`;
  }
  return { reasons, missing, ...(warning === undefined ? {} : { warning }) };
}
