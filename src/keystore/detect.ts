import { readDer } from '../asn1/der_reader.js';
import { KeystoreFormatError } from '../errors.js';
import { isBcfks, recogniseBksOrUber, unsupportedBouncyCastleStore } from './bc/recognise.js';
import { classifyDer } from './der/classify.js';
import type { KeystoreFormat } from './model.js';
import { isPemText } from './pem/pem_blocks.js';

const JKS_MAGIC = 0xfeedfeed;
const JCEKS_MAGIC = 0xcececece;

/**
 * The keystore format of the bytes, judged by content alone: file names lie (keytool has
 * written PKCS#12 into `*.jks` files since JDK 9).
 */
export function detectFormat(bytes: Uint8Array): KeystoreFormat {
  if (bytes.length === 0) throw new KeystoreFormatError('the file is empty');
  if (bytes.length >= 4) {
    const magic = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
    if (magic === JKS_MAGIC) return 'JKS';
    if (magic === JCEKS_MAGIC) return 'JCEKS';
  }
  if (isPemText(bytes)) return 'PEM';
  if (bytes[0] === 0x30) {
    // a truncated PKCS#12 should say so, not "unknown format": classify on the prefix that parses
    const node = readDer(bytes, 'DER input', { allowTrailing: true });
    const kind = classifyDer(node);
    if (kind === 'pkcs12') return 'PKCS12';
    if (kind) return 'DER';
    if (isBcfks(node)) throw unsupportedBouncyCastleStore('BCFKS');
  }
  const bc = recogniseBksOrUber(bytes);
  if (bc === 'BKS') return 'BKS';
  if (bc) throw unsupportedBouncyCastleStore(bc);
  throw new KeystoreFormatError('unrecognised keystore format: not PKCS#12, JKS, JCEKS, PEM or DER');
}
