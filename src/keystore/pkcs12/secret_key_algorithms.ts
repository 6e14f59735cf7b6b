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
/** RSADSI rc4: what the JDK writes for ARCFOUR keys (checked with keytool -genseckey -keyalg ARCFOUR). */
const RC4 = '1.2.840.113549.3.4';
/**
 * PKCS#5 pbeWithMD5AndDES-CBC: what the JDK writes for every password entry
 * (`keytool -importpass`, whatever -keyalg), and the name it reads it back as.
 */
const PBE_MD5_DES = '1.2.840.113549.1.5.3';

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
  // the JDK's KnownOIDs: keytool -genseckey writes these into a PKCS#12 and names them on reading
  'HmacSHA512/224': OID.hmacWithSHA512_224,
  'HmacSHA512/256': OID.hmacWithSHA512_256,
  'HmacSHA3-224': '2.16.840.1.101.3.4.2.13',
  'HmacSHA3-256': '2.16.840.1.101.3.4.2.14',
  'HmacSHA3-384': '2.16.840.1.101.3.4.2.15',
  'HmacSHA3-512': '2.16.840.1.101.3.4.2.16',
  // PKCS#5 id-PBKDF2, for a PBKDF2WithHmacSHA1 key (as pyjks and SecretKeyFactory make them)
  PBKDF2WithHmacSHA1: '1.2.840.113549.1.5.12',
  ARCFOUR: RC4,
  PBEWithMD5AndDES: PBE_MD5_DES,
  // The JDK has no OID for these and refuses them in a PKCS#12 ("unrecognized algorithm name");
  // hapki writes the algorithm's registered OID so that they survive JCEKS -> PKCS#12 -> JCEKS
  // under their names. The JDK itself lists them by the dotted OID.
  Blowfish: '1.3.6.1.4.1.3029.1.2',
  ChaCha20: '1.2.840.113549.1.9.16.3.18',
  HmacMD5: '1.3.6.1.5.5.8.1.1',
};

/** Other Java names for the same keys: written with the same OID, read back under the name above. */
const ALIASES: Readonly<Record<string, string>> = { RC4, PBE: PBE_MD5_DES };

const BY_OID: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(BY_NAME).map(([name, oid]) => [oid, name])),
  [OID.desEde3CBC]: 'DESede',
};

/** The OID for a Java secret-key algorithm name (case-insensitive), if the JDK has one. */
export function secretKeyOid(javaName: string): string | undefined {
  const folded = javaName.toLowerCase();
  const match = Object.keys(BY_NAME).find((name) => name.toLowerCase() === folded);
  if (match) return BY_NAME[match];
  const alias = Object.keys(ALIASES).find((name) => name.toLowerCase() === folded);
  if (alias) return ALIASES[alias];
  // the JDK stores any password entry (PBEWithSHA1AndDESede, PBEWithHmacSHA256AndAES_128, ...) under the one OID
  if (folded.startsWith('pbewith')) return PBE_MD5_DES;
  return /^\d+(\.\d+)+$/.test(javaName) ? javaName : undefined;
}

/** The Java algorithm name for an OID; unknown OIDs stay dotted, as the JDK leaves them. */
export function secretKeyAlgorithmName(oid: string): string {
  return BY_OID[oid] ?? oid;
}
