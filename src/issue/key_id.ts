import { readDer } from '../asn1/der_reader.js';
import { digest } from '../crypto/digest.js';

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING, for SKI and AKI. */
export function keyIdentifier(spki: Uint8Array): Uint8Array {
  return keyIdentifierOfBits(readDer(spki, 'SubjectPublicKeyInfo').child(1, 'subjectPublicKey').bits('subjectPublicKey'));
}

/** The same from the subjectPublicKey bits, for a caller that has read them already. */
export function keyIdentifierOfBits(bits: Uint8Array): Uint8Array {
  return digest('sha1', bits);
}
