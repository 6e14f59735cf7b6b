import { assertCanSignCrls } from '../issue/issuer.js';
import { keyMatchesCertificate } from '../cert/key_match.js';
import { InvalidArgumentError, KeyMismatchError } from '../errors.js';
import { pemArmor } from '../keystore/pem/pem_blocks.js';
import { buildCrl } from './crl.js';
import { nodeSigner } from '../crypto/node_signer.js';
import type { Signer } from '../crypto/signer.js';
import { publicKeysEqual } from '../crypto/key_info.js';
import { certificatePublicKey } from '../cert/describe.js';
import { issuedCertificates, nextCrlNumber, readRecord } from './issuance_record.js';

export interface PublishedCrl {
  bytes: Uint8Array;
  number: number;
  thisUpdate: string;
  nextUpdate: string;
  revoked: number;
}

/** The longest a CRL may be valid, as for certificates: 100 years. */
export const MAX_CRL_DAYS = 36500;

/**
 * The CA's next CRL: every revocation of its issuance record, a CRL number one more than the
 * last (reserved in the record first, so two runs never share one), valid `days`.
 */
export async function publishCrl(caKeystorePath: string, ca: { certificate: Uint8Array; pkcs8: Uint8Array } | { certificate: Uint8Array; signer: Signer }, options: { days: number; pem?: boolean; now?: Date }): Promise<PublishedCrl> {
  // a nextUpdate past year 9999 cannot be encoded (openssl read hapki's as "Bad time value")
  if (!Number.isInteger(options.days) || options.days < 1 || options.days > MAX_CRL_DAYS) throw new InvalidArgumentError(`a CRL valid ${options.days} days: give a whole number from 1 to ${MAX_CRL_DAYS}`);
  assertCanSignCrls(ca.certificate);
  // a Signer (an HSM key, say) holds no private key to compare: its public key must be the certificate's
  const matches = 'pkcs8' in ca ? keyMatchesCertificate(ca.pkcs8, ca.certificate) : publicKeysEqual(ca.signer.publicKeyInfo, certificatePublicKey(ca.certificate));
  if (!matches) throw new KeyMismatchError('the CA entry\'s key does not belong to its certificate');
  const signer = 'pkcs8' in ca ? nodeSigner(ca.pkcs8) : ca.signer;
  const thisUpdate = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  const nextUpdate = new Date(thisUpdate.getTime() + options.days * 86_400_000);
  const revoked = issuedCertificates(await readRecord(caKeystorePath)).filter((c) => c.revoked);
  const number = await nextCrlNumber(caKeystorePath, thisUpdate, nextUpdate);
  const der = await buildCrl({ caCertificate: ca.certificate, number, thisUpdate, nextUpdate, revoked }, signer);
  return { bytes: options.pem ? new TextEncoder().encode(pemArmor('X509 CRL', der)) : der, number, thisUpdate: thisUpdate.toISOString(), nextUpdate: nextUpdate.toISOString(), revoked: revoked.length };
}
