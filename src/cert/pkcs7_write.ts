import { explicit, implicitConstructed, integer, oid, sequence, setOf } from '../asn1/der_writer.js';
import { OID } from '../asn1/oids.js';

/**
 * Certificates as a PKCS#7 / CMS SignedData that signs nothing (RFC 5652 "degenerate" case), the
 * `.p7b` / `.p7c` that `openssl crl2pkcs7 -nocrl` writes and Windows, IIS and `keytool -importcert`
 * read as a certificate chain. DER; the certificates in the order given (leaf first), as OpenSSL
 * keeps them (its [0] is encoded in order, not sorted as a DER SET OF would be): version 1, no
 * digest algorithms, id-data content without a value, no CRLs, no signers.
 */
export function pkcs7CertificatesDer(certificates: readonly Uint8Array[]): Uint8Array {
  const signedData = sequence(
    integer(1),
    setOf(),
    sequence(oid(OID.data)),
    implicitConstructed(0, ...certificates),
    setOf(),
  );
  return sequence(oid(OID.signedData), explicit(0, signedData));
}
