import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { UnsupportedAlgorithmError } from '../errors.js';
import { SIGNING_HASH, signatureAlgorithmFor, signingKeyKind } from './signature_algorithm.js';
import type { Signer } from './signer.js';

/**
 * The default signer: a node:crypto private key, parsed once and reused for every signature (a
 * whole batch), signing on libuv's thread pool so that a batch keeps every core busy.
 */
export function nodeSigner(key: KeyObject | Uint8Array): Signer {
  const privateKey = key instanceof Uint8Array ? parsePkcs8(key) : key;
  if (privateKey.type !== 'private') throw new TypeError('a signer needs a private key');
  const kind = signingKeyKind(privateKey);
  const hash = SIGNING_HASH[kind];
  return {
    publicKeyInfo: new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })),
    signatureAlgorithm: signatureAlgorithmFor(kind),
    sign: (data) =>
      new Promise((resolve, reject) => {
        sign(hash, data, privateKey, (error, signature) => (error ? reject(error) : resolve(new Uint8Array(signature.buffer, signature.byteOffset, signature.byteLength))));
      }),
  };
}

function parsePkcs8(pkcs8: Uint8Array): KeyObject {
  try {
    return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new UnsupportedAlgorithmError('unknown', `the private key could not be parsed: ${(cause as Error).message}`);
  }
}
