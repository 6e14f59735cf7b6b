import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { UnsupportedAlgorithmError } from '../errors.js';
import { SIGNING_HASH, signatureAlgorithmFor, signingKeyKind } from './signature_algorithm.js';
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
  const hash = SIGNING_HASH[kind];
  const base = { publicKeyInfo: new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })), signatureAlgorithm: signatureAlgorithmFor(kind) };
  const pooled: Signer = {
    ...base,
    sign: (data) =>
      new Promise((resolve, reject) => {
        sign(hash, data, privateKey, (error, signature) => (error ? reject(error) : resolve(bytesOf(signature))));
      }),
  };
  return {
    ...base,
    sign: async (data) => bytesOf(sign(hash, data, privateKey)),
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
