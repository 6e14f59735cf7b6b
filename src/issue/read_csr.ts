import type { KeyObject } from 'node:crypto';
import { readDer, Tag, TagClass, type DerNode } from '../asn1/der_reader.js';
import { derProblem } from '../asn1/der_strict.js';
import { verifySignature } from '../crypto/signature_algorithm.js';
import { signatureAlgorithmOf, signatureMatches } from '../crypto/signature_family.js';
import { CsrFormatError, CsrSignatureError, HapkiError, InvalidArgumentError, UnsupportedAlgorithmError, WeakSignatureError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { parsePemBlocks, isPemText } from '../keystore/pem/pem_blocks.js';
import type { CertificateExtension } from '../cert/tbs.js';

/** A parsed certificate request: the raw pieces as they were encoded, read with hapki's DER reader. */
export interface ParsedCsr {
  der: Uint8Array;
  /** Subject Name, DER. */
  subject: Uint8Array;
  /** SubjectPublicKeyInfo, DER. */
  publicKey: Uint8Array;
  /** The extensions asked for in the extensionRequest attribute (PKCS#9), by OID. */
  extensions: ReadonlyMap<string, CertificateExtension>;
  /** The signed CertificationRequestInfo, its signature algorithm and signature. */
  info: Uint8Array;
  /** The [0] attributes as read, for the checks on them. */
  attributes: DerNode | undefined;
  signatureAlgorithm: DerNode;
  signature: Uint8Array;
}

const LABELS = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';

/** A PKCS#10 request from PEM ("CERTIFICATE REQUEST", or keytool's "NEW CERTIFICATE REQUEST") or DER. */
export function readCsr(bytes: Uint8Array): ParsedCsr {
  if (bytes.length > LIMITS.csrBytes) throw new InvalidArgumentError(`certificate request of ${bytes.length} bytes: more than the ${LIMITS.csrBytes} a request may have`);
  let der = bytes;
  try {
    if (isPemText(bytes)) {
      const blocks = parsePemBlocks(bytes).filter((b) => LABELS.has(b.label));
      if (blocks.length === 0) throw new InvalidArgumentError('no CERTIFICATE REQUEST block');
      // openssl req reads the first, other tools the last: which one was reviewed is anyone's guess
      if (blocks.length > 1) throw new CsrFormatError(`the file holds ${blocks.length} certificate requests; give each its own file`);
      der = blocks[0]!.der;
    }
    const request = readDer(der, 'certification request');
    const [infoNode, algorithm, signature, ...extra] = request.sequence('CertificationRequest');
    if (!infoNode || !algorithm || !signature || extra.length > 0) throw new InvalidArgumentError('a CertificationRequest has three parts');
    const info = infoNode.sequence('certificationRequestInfo');
    // RFC 2986 leaves no room for more fields: bytes after the attributes are something no other reader sees
    if (info.length > 4) throw new CsrFormatError('the certificationRequestInfo has fields after its attributes');
    if (infoNode.child(0, 'version').integer('version', 2) !== 0) throw new InvalidArgumentError('only version 1 requests exist');
    const subject = infoNode.child(1, 'subject').expect(Tag.sequence, 'subject Name').encoded;
    const publicKey = infoNode.child(2, 'subjectPKInfo').expect(Tag.sequence, 'subjectPKInfo').encoded;
    const attributes = info[3]?.expect(0, 'attributes', TagClass.context);
    algorithm.expect(Tag.sequence, 'signatureAlgorithm');
    // the reader takes BER; a request is signed and certified, so it must be DER, as X.509 asks
    const notDer = derProblem(der);
    if (notDer) throw new CsrFormatError(`the certificate request is not DER: ${notDer}`);
    if (signature.is(Tag.bitString) && signature.content[0] !== 0) throw new CsrFormatError('the certificate request\'s signature BIT STRING has unused bits');
    return {
      der,
      subject: new Uint8Array(subject),
      publicKey: new Uint8Array(publicKey),
      extensions: requestedExtensions(attributes),
      info: infoNode.encoded,
      attributes,
      signatureAlgorithm: algorithm,
      signature: signature.bits('signature'),
    };
  } catch (cause) {
    if (cause instanceof CsrFormatError) throw cause;
    // hapki's own messages carry an offset; a library's could echo the request's bytes
    const detail = cause instanceof HapkiError ? `: ${cause.message}` : '';
    throw new InvalidArgumentError(`not a PKCS#10 certificate request${detail}`, { cause });
  }
}

/** True when the request's key made its signature (proof of possession), whatever its hash. */
export function csrSignatureValid(csr: ParsedCsr, publicKey?: KeyObject): boolean {
  return verifySignature(publicKey ?? csr.publicKey, csr.signatureAlgorithm, csr.info, csr.signature);
}

/**
 * Proof of possession as a CA accepts it: the request's key made the signature, under an
 * algorithm of the key's own type, over a hash that is not broken. Refuses with
 * ERR_UNSUPPORTED_ALGORITHM (an algorithm hapki cannot check: DSA, unknown OIDs, RSASSA-PSS
 * with MGF1 other than over a SHA), ERR_CSR_SIGNATURE (a wrong signature, or one labelled with
 * another key type's algorithm) or ERR_WEAK_SIGNATURE (MD5, MD2, MD4, SHA-1), in that order.
 */
export function checkCsrSignature(csr: ParsedCsr, publicKey: KeyObject | undefined): void {
  const algorithm = signatureAlgorithmOf(csr.signatureAlgorithm.encoded);
  if (algorithm.family === 'unknown' || algorithm.family === 'dsa') {
    throw new UnsupportedAlgorithmError(`request signed with ${algorithm.name}`, 'a request is signed with RSA (PKCS#1 v1.5 or PSS), ECDSA, Ed25519 or Ed448');
  }
  // ECDSA and EdDSA identifiers have no parameters (RFC 5758 3.2, RFC 8410 3): a NULL or more is another encoding
  if ((algorithm.family === 'ecdsa' || algorithm.family === 'ed25519' || algorithm.family === 'ed448') && csr.signatureAlgorithm.children.length !== 1) {
    throw new CsrFormatError(`the request's ${algorithm.name} signature algorithm has parameters, which it never has`);
  }
  if (!publicKey || !signatureMatches(algorithm, publicKey, csr.info, csr.signature)) throw new CsrSignatureError();
  if (algorithm.weakness) throw new WeakSignatureError(`the request is signed with ${algorithm.name}, a broken hash: proof of possession needs SHA-256 or better (re-create the request)`);
}

function requestedExtensions(attributes: DerNode | undefined): Map<string, CertificateExtension> {
  const map = new Map<string, CertificateExtension>();
  for (const attribute of attributes?.children ?? []) {
    const [type, values] = attribute.sequence('attribute');
    if (type?.oid('attribute type') !== EXTENSION_REQUEST || !values) continue;
    const extensions = values.expect(Tag.set, 'attribute values').child(0, 'extensions');
    for (const ext of extensions.sequence('extensions')) {
      const parts = ext.sequence('extension');
      const id = ext.child(0, 'extension id').oid('extension id');
      const critical = parts.length === 3 && parts[1]!.is(Tag.boolean) && parts[1]!.content[0] !== 0;
      map.set(id, { critical, value: parts[parts.length - 1]!.octets('extension value') });
    }
  }
  return map;
}
