/** What each signing profile puts in a certificate, as data. */

export const PROFILES = ['server', 'client', 'server-client', 'token', 'ca'] as const;
export type ProfileName = (typeof PROFILES)[number];

export type KeyUsageName = 'digitalSignature' | 'nonRepudiation' | 'keyEncipherment' | 'dataEncipherment' | 'keyAgreement' | 'keyCertSign' | 'cRLSign';
export type ExtendedKeyUsageName = 'serverAuth' | 'clientAuth';

export interface Profile {
  /** basicConstraints cA. */
  ca: boolean;
  keyUsage: readonly KeyUsageName[];
  /** Key usages only RSA keys get: an EC or Ed25519 key cannot encipher a key. */
  rsaKeyUsage: readonly KeyUsageName[];
  extendedKeyUsage: readonly ExtendedKeyUsageName[];
}

export const PROFILE_DEFINITIONS = {
  server: { ca: false, keyUsage: ['digitalSignature'], rsaKeyUsage: ['keyEncipherment'], extendedKeyUsage: ['serverAuth'] },
  client: { ca: false, keyUsage: ['digitalSignature'], rsaKeyUsage: ['keyEncipherment'], extendedKeyUsage: ['clientAuth'] },
  'server-client': { ca: false, keyUsage: ['digitalSignature'], rsaKeyUsage: ['keyEncipherment'], extendedKeyUsage: ['serverAuth', 'clientAuth'] },
  // the gateway's shared secure-token certificate encrypts and signs token payloads itself; only an
  // RSA key enciphers (RFC 5480 3, RFC 8410 5 and RFC 4055 1.2 forbid those bits to EC, EdDSA and PSS keys)
  token: { ca: false, keyUsage: ['digitalSignature'], rsaKeyUsage: ['keyEncipherment', 'dataEncipherment'], extendedKeyUsage: [] },
  ca: { ca: true, keyUsage: ['keyCertSign', 'cRLSign'], rsaKeyUsage: [], extendedKeyUsage: [] },
} as const satisfies Record<ProfileName, Profile>;

export const DEFAULT_PROFILE: ProfileName = 'server';

export const EXTENDED_KEY_USAGE_OIDS: Readonly<Record<ExtendedKeyUsageName, string>> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

export function isProfileName(name: string): name is ProfileName {
  return (PROFILES as readonly string[]).includes(name);
}

/** The key usages a profile gives a key of this algorithm ("RSA", "EC", "Ed25519"). */
export function profileKeyUsage(profile: ProfileName, keyAlgorithm: string): KeyUsageName[] {
  const definition: Profile = PROFILE_DEFINITIONS[profile];
  return [...definition.keyUsage, ...(keyAlgorithm === 'RSA' ? definition.rsaKeyUsage : [])];
}
