import { readDer, Tag, TagClass, type DerNode } from '../../asn1/der_reader.js';
import { OID } from '../../asn1/oids.js';
import type { AuditCheck, CheckHit } from '../model.js';

/** Signature algorithms over MD2, MD4, MD5 or SHA-1, whose collisions let a forger reuse a CA's signature. */
const WEAK_SIGNATURES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.3': 'md4WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.3.14.3.2.29': 'sha1WithRSASignature',
  '1.2.840.10040.4.3': 'dsa-with-sha1',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
};

export const weakSignatureCheck: AuditCheck = {
  id: 'weak-signature',
  severity: 'WARNING',
  description: 'the certificate is signed with MD5 or SHA-1 (read from its signatureAlgorithm)',
  run: ({ certificates }) => {
    const hits: CheckHit[] = [];
    for (const c of certificates) {
      const weak = weakSignatureName(c.der);
      if (weak) hits.push({ message: `signed with ${weak}`, location: c.location, sha256: c.summary.sha256 });
    }
    return hits;
  },
};

/** The name of the certificate's signature algorithm when it is a weak one. */
export function weakSignatureName(der: Uint8Array): string | undefined {
  try {
    const algorithm = readDer(der, 'certificate').child(1, 'signatureAlgorithm').sequence('signatureAlgorithm');
    const oid = algorithm[0]?.oid('signature algorithm');
    if (oid === undefined) return undefined;
    if (oid === OID.rsassaPss) return pssHashIsWeak(algorithm[1]) ? 'RSASSA-PSS with SHA-1' : undefined;
    return WEAK_SIGNATURES[oid];
  } catch {
    return undefined;
  }
}

/** RSASSA-PSS parameters name their hash in [0]; absent, it is SHA-1 (RFC 4055). */
function pssHashIsWeak(params: DerNode | undefined): boolean {
  if (!params || !params.is(Tag.sequence)) return true;
  const hash = params.children.find((n) => n.is(0, TagClass.context));
  if (!hash) return true;
  const hashOid = hash.child(0, 'hashAlgorithm').sequence('hashAlgorithm')[0]?.oid('hash algorithm');
  return hashOid === OID.sha1 || hashOid === OID.md5;
}
