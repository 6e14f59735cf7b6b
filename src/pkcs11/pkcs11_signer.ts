import { algorithmIdentifier, nullValue, sequence, unsignedInteger } from '../asn1/der_writer.js';
import { digest, type DigestName } from '../crypto/digest.js';
import type { Signer } from '../crypto/signer.js';
import { Pkcs11Error } from '../errors.js';
import { CK } from './binding.js';
import { call } from './device_error.js';
import type { Pkcs11KeyObject } from './key_object.js';
import type { Pkcs11Token } from './token.js';

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
/** DigestInfo { sha256, NULL } up to the digest's OCTET STRING contents (RFC 8017 section 9.2, note 1). */
const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');
const ECDSA_WITH: Readonly<Record<string, { oid: string; hash: DigestName }>> = {
  'P-256': { oid: '1.2.840.10045.4.3.2', hash: 'sha256' },
  'P-384': { oid: '1.2.840.10045.4.3.3', hash: 'sha384' },
  'P-521': { oid: '1.2.840.10045.4.3.4', hash: 'sha512' },
};

/**
 * A Signer whose private key stays in the HSM. RSA signs with CKM_SHA256_RSA_PKCS (the module
 * hashes and pads); ECDSA hashes in hapki with the curve's hash and signs the digest with
 * CKM_ECDSA, whose raw r||s becomes the DER Ecdsa-Sig-Value X.509 wants. Valid while its token
 * is open.
 */
export class Pkcs11Signer implements Signer {
  readonly publicKeyInfo: Uint8Array;
  readonly signatureAlgorithm: Uint8Array;

  constructor(
    private readonly token: Pkcs11Token,
    readonly key: Pkcs11KeyObject,
  ) {
    this.publicKeyInfo = key.publicKeyInfo;
    this.signatureAlgorithm = key.keyType === 'RSA' ? algorithmIdentifier(SHA256_WITH_RSA, nullValue()) : algorithmIdentifier(ECDSA_WITH[key.curve!]!.oid);
  }

  async sign(data: Uint8Array): Promise<Uint8Array> {
    const { module, session } = this.token;
    if (this.key.keyType === 'RSA') {
      const out = Buffer.alloc(Math.ceil(this.key.bits / 8));
      if (this.token.supports(CK.CKM_SHA256_RSA_PKCS)) {
        call('signing (CKM_SHA256_RSA_PKCS)', () => module.C_SignInit(session, { mechanism: CK.CKM_SHA256_RSA_PKCS }, this.key.handle));
        return new Uint8Array(call('signing (CKM_SHA256_RSA_PKCS)', () => module.C_Sign(session, Buffer.from(data), out)));
      }
      // a module with raw PKCS#1 v1.5 only: hapki hashes and writes the DigestInfo, the module pads and signs
      const digestInfo = Buffer.concat([SHA256_DIGEST_INFO_PREFIX, digest('sha256', data)]);
      call('signing (CKM_RSA_PKCS)', () => module.C_SignInit(session, { mechanism: CK.CKM_RSA_PKCS }, this.key.handle));
      return new Uint8Array(call('signing (CKM_RSA_PKCS)', () => module.C_Sign(session, digestInfo, out)));
    }
    const { hash } = ECDSA_WITH[this.key.curve!]!;
    const size = Math.ceil(this.key.bits / 8);
    call('signing (CKM_ECDSA)', () => module.C_SignInit(session, { mechanism: CK.CKM_ECDSA }, this.key.handle));
    const raw = call('signing (CKM_ECDSA)', () => module.C_Sign(session, Buffer.from(digest(hash, data)), Buffer.alloc(2 * size)));
    return ecdsaDer(new Uint8Array(raw), size);
  }
}

/** PKCS#11's ECDSA signature (r and s, each `size` bytes, big-endian) as DER SEQUENCE { r INTEGER, s INTEGER }. */
export function ecdsaDer(raw: Uint8Array, size: number): Uint8Array {
  if (raw.length !== 2 * size) throw new Pkcs11Error('ERR_PKCS11_DEVICE', `the module returned an ECDSA signature of ${raw.length} bytes where ${2 * size} were expected`);
  return sequence(unsignedInteger(raw.subarray(0, size)), unsignedInteger(raw.subarray(size)));
}
