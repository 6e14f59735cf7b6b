// time(): UTCTime through 2049, GeneralizedTime after (RFC 5280 5.1.2.4), and no year past 9999
import { bitString, explicit, implicitPrimitive, integer, octetString, oid, sequence, time, tlv, unsignedInteger } from '../asn1/der_writer.js';
import { certificateNames } from '../cert/names.js';
import type { Signer } from '../crypto/signer.js';
import { fromHex } from '../lib/bytes.js';
import { keyIdentifier } from '../issue/key_id.js';
import { REASON_CODES, type IssuedCertificate } from './issuance_record.js';

export interface CrlContent {
  /** The CA certificate (DER): its subject is the CRL's issuer, its key identifier the AKI. */
  caCertificate: Uint8Array;
  /** Monotonic CRL number. */
  number: number;
  thisUpdate: Date;
  nextUpdate: Date;
  /** The revoked certificates, each with its reason and date. */
  revoked: readonly Pick<IssuedCertificate, 'serial' | 'revoked'>[];
}

/**
 * A v2 CRL (RFC 5280 5.1) written with hapki's DER writer and signed through the CA's Signer:
 * cRLNumber and authorityKeyIdentifier extensions, nextUpdate, one entry per revoked serial with
 * its reasonCode (left out for "unspecified", as 5.3.1 asks).
 */
export async function buildCrl(content: CrlContent, signer: Signer): Promise<Uint8Array> {
  const names = certificateNames(content.caCertificate);
  const keyId = names.subjectKeyId ?? keyIdentifier(names.spki);
  const entries = content.revoked
    .filter((c) => c.revoked)
    .map((c) => {
      const code = REASON_CODES[c.revoked!.reason] ?? 0;
      const extensions = code === 0 ? [] : [sequence(oid('2.5.29.21'), octetString(tlv(10, Uint8Array.of(code))))];
      return sequence(unsignedInteger(fromHex(c.serial.length % 2 ? `0${c.serial}` : c.serial)), time(new Date(c.revoked!.at)), ...(extensions.length ? [sequence(...extensions)] : []));
    });
  const crlExtensions = sequence(
    sequence(oid('2.5.29.35'), octetString(sequence(implicitPrimitive(0, keyId)))),
    sequence(oid('2.5.29.20'), octetString(integer(content.number))),
  );
  const tbs = sequence(
    integer(1),
    signer.signatureAlgorithm,
    names.subject,
    time(content.thisUpdate),
    time(content.nextUpdate),
    ...(entries.length > 0 ? [sequence(...entries)] : []),
    explicit(0, crlExtensions),
  );
  return sequence(tbs, signer.signatureAlgorithm, bitString(await signer.sign(tbs)));
}


