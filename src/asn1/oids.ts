/** Object identifiers the codecs meet, by name. */
export const OID = {
  // PKCS#7 / CMS content types
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  envelopedData: '1.2.840.113549.1.7.3',
  signedData: '1.2.840.113549.1.7.2',
  // X.509 names and extensions
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  // PKCS#12 bag types
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  crlBag: '1.2.840.113549.1.12.10.1.4',
  secretBag: '1.2.840.113549.1.12.10.1.5',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  /** Oracle's attribute marking a PKCS#12 certificate bag as a trusted entry for the JDK. */
  javaTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
  // PKCS#12 PBE (RFC 7292 appendix C)
  pbeWithSHAAnd128BitRC4: '1.2.840.113549.1.12.1.1',
  pbeWithSHAAnd40BitRC4: '1.2.840.113549.1.12.1.2',
  pbeWithSHAAnd3KeyTripleDESCBC: '1.2.840.113549.1.12.1.3',
  pbeWithSHAAnd2KeyTripleDESCBC: '1.2.840.113549.1.12.1.4',
  pbeWithSHAAnd128BitRC2CBC: '1.2.840.113549.1.12.1.5',
  pbeWithSHAAnd40BitRC2CBC: '1.2.840.113549.1.12.1.6',
  // PKCS#5
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbmac1: '1.2.840.113549.1.5.14',
  hmacWithSHA1: '1.2.840.113549.2.7',
  hmacWithSHA224: '1.2.840.113549.2.8',
  hmacWithSHA256: '1.2.840.113549.2.9',
  hmacWithSHA384: '1.2.840.113549.2.10',
  hmacWithSHA512: '1.2.840.113549.2.11',
  hmacWithSHA512_224: '1.2.840.113549.2.12',
  hmacWithSHA512_256: '1.2.840.113549.2.13',
  aes128CBC: '2.16.840.1.101.3.4.1.2',
  aes192CBC: '2.16.840.1.101.3.4.1.22',
  aes256CBC: '2.16.840.1.101.3.4.1.42',
  desEde3CBC: '1.2.840.113549.3.7',
  // the other 128-bit-block CBC ciphers OpenSSL offers for PBES2 (pkcs8 -v2, pkcs12 -keypbe)
  camellia128CBC: '1.2.392.200011.61.1.1.1.2',
  camellia192CBC: '1.2.392.200011.61.1.1.1.3',
  camellia256CBC: '1.2.392.200011.61.1.1.1.4',
  aria128CBC: '1.2.410.200046.1.1.2',
  aria192CBC: '1.2.410.200046.1.1.7',
  aria256CBC: '1.2.410.200046.1.1.12',
  sm4CBC: '1.2.156.10197.1.104.2',
  // RFC 8018 B.2's own PBES2 ciphers beside 3DES (openssl pkcs8 -v2 des-cbc / rc2-cbc, legacy provider)
  desCBC: '1.3.14.3.2.7',
  rc2CBC: '1.2.840.113549.3.2',
  // digests
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  sha512_224: '2.16.840.1.101.3.4.2.5',
  sha512_256: '2.16.840.1.101.3.4.2.6',
  md5: '1.2.840.113549.2.5',
  // key algorithms
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
  dsa: '1.2.840.10040.4.1',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
  x25519: '1.3.101.110',
  x448: '1.3.101.111',
  // named curves
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
  p521: '1.3.132.0.35',
  secp256k1: '1.3.132.0.10',
  // Sun's proprietary JKS key protector, and JCEKS' PBEWithMD5AndTripleDES
  sunJksKeyProtector: '1.3.6.1.4.1.42.2.17.1.1',
  pbeWithMD5AndTripleDES: '1.3.6.1.4.1.42.2.19.1',
} as const;

export const CURVE_NAMES: Readonly<Record<string, { name: string; bits: number }>> = {
  [OID.p256]: { name: 'P-256', bits: 256 },
  [OID.p384]: { name: 'P-384', bits: 384 },
  [OID.p521]: { name: 'P-521', bits: 521 },
  [OID.secp256k1]: { name: 'secp256k1', bits: 256 },
  // RFC 5639 brainpool curves (ecStdCurvesAndGeneration 1.3.36.3.3.2.8.1.1.x), as OpenSSL names them
  '1.3.36.3.3.2.8.1.1.1': { name: 'brainpoolP160r1', bits: 160 },
  '1.3.36.3.3.2.8.1.1.3': { name: 'brainpoolP192r1', bits: 192 },
  '1.3.36.3.3.2.8.1.1.5': { name: 'brainpoolP224r1', bits: 224 },
  '1.3.36.3.3.2.8.1.1.7': { name: 'brainpoolP256r1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.8': { name: 'brainpoolP256t1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.9': { name: 'brainpoolP320r1', bits: 320 },
  '1.3.36.3.3.2.8.1.1.11': { name: 'brainpoolP384r1', bits: 384 },
  '1.3.36.3.3.2.8.1.1.12': { name: 'brainpoolP384t1', bits: 384 },
  '1.3.36.3.3.2.8.1.1.13': { name: 'brainpoolP512r1', bits: 512 },
  '1.3.36.3.3.2.8.1.1.14': { name: 'brainpoolP512t1', bits: 512 },
  // SEC 2 curves OpenSSL and the JDK still read
  '1.2.840.10045.3.1.1': { name: 'P-192', bits: 192 },
  '1.3.132.0.33': { name: 'P-224', bits: 224 },
  '1.3.132.0.31': { name: 'secp192k1', bits: 192 },
  '1.3.132.0.32': { name: 'secp224k1', bits: 224 },
};

/** The SHA-1/SHA-2 digest algorithms by OID, as node:crypto names them. */
export const SHA_DIGESTS: Readonly<Record<string, 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512'>> = {
  [OID.sha1]: 'sha1',
  [OID.sha224]: 'sha224',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};
