import { explicit, integer, sequence, time, tlv, unsignedInteger } from '../asn1/der_writer.js';
import type { Signer } from '../crypto/signer.js';
import { fromHex } from '../lib/bytes.js';
import { authorityKeyIdentifier, encodeExtension, signed, type Extension } from './build_certificate.js';

/** RFC 5280 5.3.1 CRLReason values hapki writes. */
export const CRL_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;
export type CrlReason = keyof typeof CRL_REASONS;

export interface RevokedCertificate {
  /** Lower-case hex of the serial number, as hapki prints serials. */
  serial: string;
  date: Date;
  reason?: CrlReason;
}

/** Everything that goes into one CRL (RFC 5280 5.1, version 2). */
export interface CrlContent {
  /** The issuing CA's subject Name, DER. */
  issuer: Uint8Array;
  /** The issuing CA's key identifier, for the AKI every conforming CRL carries. */
  authorityKeyId: Uint8Array;
  thisUpdate: Date;
  nextUpdate: Date;
  /** The cRLNumber: grows by one with each CRL the CA issues. */
  number: bigint | number;
  revoked: readonly RevokedCertificate[];
  /** More CRL extensions (an issuing distribution point, ...), written after AKI and cRLNumber. */
  extraExtensions?: readonly Extension[];
}

const CRL_NUMBER_OID = '2.5.29.20';
const REASON_CODE_OID = '2.5.29.21';
const ENUMERATED = 10;

/** Builds the TBSCertList with hapki's DER writer and signs it; returns the CRL's DER. */
export async function buildCrl(content: CrlContent, signer: Signer): Promise<Uint8Array> {
  const revoked = content.revoked.map((r) => {
    const entryExtensions = r.reason === undefined ? [] : [sequence(encodeExtension({ oid: REASON_CODE_OID, critical: false, value: tlv(ENUMERATED, Uint8Array.of(CRL_REASONS[r.reason])) }))];
    return sequence(unsignedInteger(fromHex(r.serial)), time(r.date), ...entryExtensions);
  });
  const extensions = [authorityKeyIdentifier(content.authorityKeyId), { oid: CRL_NUMBER_OID, critical: false, value: integer(content.number) }, ...(content.extraExtensions ?? [])];
  const tbs = sequence(
    integer(1),
    signer.signatureAlgorithm,
    content.issuer,
    time(content.thisUpdate),
    time(content.nextUpdate),
    ...(revoked.length > 0 ? [sequence(...revoked)] : []),
    explicit(0, sequence(...extensions.map(encodeExtension))),
  );
  return signed(tbs, signer);
}
