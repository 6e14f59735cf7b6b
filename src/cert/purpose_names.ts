/** The extended key usages (purposes) as people read them, by OID; others are named by their OID. */
export const PURPOSE_NAMES: Readonly<Record<string, string>> = {
  '2.5.29.37.0': 'anyExtendedKeyUsage',
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

/** Purposes by name, "serverAuth, emailProtection". */
export function purposeNames(oids: readonly string[]): string {
  return oids.map((o) => PURPOSE_NAMES[o] ?? o).join(', ');
}
