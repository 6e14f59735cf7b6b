/** The constants of the JKS and JCEKS file layouts (a big-endian Java DataOutputStream). */
export const JKS_MAGIC = 0xfeedfeed;
export const JCEKS_MAGIC = 0xcececece;

export const ENTRY_TAG = { privateKey: 1, trustedCert: 2, secretKey: 3 } as const;

/** Version 2 added the certificate type string before each certificate. */
export const WRITE_VERSION = 2;

export const DIGEST_LENGTH = 20;

/** The smallest possible entry: tag, empty alias, timestamp, and a 4-byte length or count. */
export const MIN_ENTRY_LENGTH = 4 + 2 + 8 + 4;
