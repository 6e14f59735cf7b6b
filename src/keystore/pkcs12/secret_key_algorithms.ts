import { OID } from '../../asn1/oids.js';

/**
 * The JDK stores a secret key in PKCS#12 as a PKCS#8-shaped structure whose AlgorithmIdentifier
 * is the OID its AlgorithmId class knows for the key's Java algorithm name; these are the
 * names it maps both ways.
 */
const AES = '2.16.840.1.101.3.4.1';
/** OIW desEDE: the OID the JDK writes for DESede keys. */
const DES_EDE = '1.3.14.3.2.17';
const DES_CBC = '1.3.14.3.2.7';
const RC2_CBC = '1.2.840.113549.3.2';

const BY_NAME: Readonly<Record<string, string>> = {
  AES,
  DESede: DES_EDE,
  DES: DES_CBC,
  RC2: RC2_CBC,
  HmacSHA1: OID.hmacWithSHA1,
  HmacSHA224: OID.hmacWithSHA224,
  HmacSHA256: OID.hmacWithSHA256,
  HmacSHA384: OID.hmacWithSHA384,
  HmacSHA512: OID.hmacWithSHA512,
};

const BY_OID: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(BY_NAME).map(([name, oid]) => [oid, name])),
  [OID.desEde3CBC]: 'DESede',
};

/** The OID for a Java secret-key algorithm name (case-insensitive), if the JDK has one. */
export function secretKeyOid(javaName: string): string | undefined {
  const match = Object.keys(BY_NAME).find((name) => name.toLowerCase() === javaName.toLowerCase());
  if (match) return BY_NAME[match];
  return /^\d+(\.\d+)+$/.test(javaName) ? javaName : undefined;
}

/** The Java algorithm name for an OID; unknown OIDs stay dotted, as the JDK leaves them. */
export function secretKeyAlgorithmName(oid: string): string {
  return BY_OID[oid] ?? oid;
}
