/**
 * Every bound hapki puts on what an input may make it do, in one place (README "Limits" lists
 * the same). A keystore, certificate, request or cluster file can come from anywhere, and
 * `audit` reads whatever lies in a directory from cron: each bound is checked before the work it
 * guards, so a hostile file costs milliseconds, and is refused with a coded error.
 */
export const LIMITS = {
  /**
   * Key-derivation rounds one derivation may ask for (a MAC, a shrouded key, a JCEKS key). The
   * JDK 17 refuses the same above 5,000,000 (PKCS12KeyStore and JCEKS KeyProtector
   * MAX_ITERATION_COUNT); real writers use 2,048 (OpenSSL) to 200,000 (JCEKS). `--max-iterations`
   * raises it for the rare legitimate store.
   */
  iterationsPerDerivation: 5_000_000,
  /** Rounds one file may ask for in all, as a multiple of the per-derivation limit (25,000,000 by default). */
  fileIterationsFactor: 5,
  /** Largest keystore, certificate or request file read at all. */
  inputBytes: 64 * 1024 * 1024,
  /** Largest certificate signing request: real ones are a few kilobytes. */
  csrBytes: 1024 * 1024,
  /** Largest cluster or audit configuration file (YAML): real ones are a few kilobytes, and YAML parses at about 1 MB/s. */
  configBytes: 64 * 1024,
  /** Characters and wildcard runs of one glob in an audit configuration. */
  globChars: 1024,
  globWildcards: 32,
  /** ASN.1 nesting depth. */
  asn1Depth: 64,
  /** A UTCTime or GeneralizedTime longer than this is malformed (the longest legal form is 19 bytes with fraction). */
  timeFieldBytes: 64,
  /** RSA modulus (the JDK's and OpenSSL's bound, 16,384 bits). */
  rsaModulusBits: 16_384,
  /**
   * Name constraint subtrees (permitted and excluded) of one CA certificate: real CAs have a few,
   * at most some hundreds. More are refused unread (ERR_NAME_CONSTRAINTS), as the check of
   * names against constraints is bounded too (2^20 pairs, OpenSSL's bound), so a certificate
   * built to make validation quadratic (limbo pathological::nc-dos-1) costs milliseconds.
   */
  nameConstraintSubtrees: 1024,
  /**
   * Subject alternative names of one certificate the CA issues: cluster certificates carry tens;
   * publicly trusted CAs stop at 100 to 250 (Let's Encrypt 100). A request asking for more is
   * refused (ERR_POLICY), since every validator under a name-constrained CA pays for each name.
   */
  sansPerCertificate: 250,
  /**
   * Attributes (relative distinguished names) of one subject the CA certifies or hapki writes:
   * real subjects have a handful (CN, O, OU, L, ST, C...). A request with thousands (a 60 kB
   * subject, as limbo's pathological::nc-dos-1 has 2,049) is refused (ERR_POLICY), as every
   * validator under a CA with directory-name constraints pays for each.
   */
  rdnsPerSubject: 32,
  /** RSA public exponent above a 3,072-bit modulus (the JDK's and OpenSSL's bound); below, the exponent must be shorter than the modulus. */
  rsaExponentBits: 64,
} as const;

/** The rounds one file may ask for in all, given the per-derivation limit in force. */
export function fileIterationLimit(perDerivation: number): number {
  return perDerivation * LIMITS.fileIterationsFactor;
}
