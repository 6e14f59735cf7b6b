import { constants, createPrivateKey, createPublicKey, sign, type KeyObject, type SignKeyObjectInput } from 'node:crypto';
import { UnsupportedAlgorithmError } from '../errors.js';
import { pssAlgorithmIdentifier, pssSaltLength, SIGNING_HASH, signatureAlgorithmFor, signingKeyKind } from './signature_algorithm.js';
import type { Signer } from './signer.js';

/**
 * The default signer: a node:crypto private key, parsed once and reused for every signature (a
 * whole batch). One signature at a time is made in the calling thread, which is the fastest for
 * it; parallel() gives the twin a batch uses, whose signatures run on libuv's thread pool so that
 * a batch keeps every core busy.
 */
export function nodeSigner(key: KeyObject | Uint8Array): Signer {
  const privateKey = key instanceof Uint8Array ? parsePkcs8(key) : key;
  if (privateKey.type !== 'private') throw new TypeError('a signer needs a private key');
  const kind = signingKeyKind(privateKey);
  let hash = SIGNING_HASH[kind];
  let signatureAlgorithm = signatureAlgorithmFor(kind);
  let signingKey: KeyObject | SignKeyObjectInput = privateKey;
  if (kind === 'RSA-PSS') {
    // a key restricted to some PSS parameters (RFC 4055 RSASSA-PSS-params in its PKCS#8) signs with them
    const details = privateKey.asymmetricKeyDetails ?? {};
    if (details.mgf1HashAlgorithm !== undefined && details.mgf1HashAlgorithm !== (details.hashAlgorithm ?? 'sha256')) {
      throw new UnsupportedAlgorithmError('RSASSA-PSS', 'the key asks for an MGF1 hash other than its message hash');
    }
    hash = details.hashAlgorithm ?? 'sha256';
    const saltLength = pssSaltLength(hash, details.saltLength);
    signatureAlgorithm = pssAlgorithmIdentifier(hash, saltLength);
    signingKey = { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength };
  }
  const base = { publicKeyInfo: new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })), signatureAlgorithm };
  const pooled: Signer = {
    ...base,
    sign: (data) =>
      new Promise((resolve, reject) => {
        sign(hash, data, signingKey, (error, signature) => (error ? reject(error) : resolve(bytesOf(signature))));
      }),
  };
  return {
    ...base,
    sign: async (data) => bytesOf(sign(hash, data, signingKey)),
    parallel: () => pooled,
  };
}

function bytesOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function parsePkcs8(pkcs8: Uint8Array): KeyObject {
  try {
    return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new UnsupportedAlgorithmError('unknown', `the private key could not be parsed: ${(cause as Error).message}`);
  }
}
