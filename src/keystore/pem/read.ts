import { createPrivateKey } from 'node:crypto';
import { readDer } from '../../asn1/der_reader.js';
import { certificateNames } from '../../cert/names.js';
import { pkcs7Certificates, PKCS7_PEM_LABELS } from '../../cert/pkcs7_certificates.js';
import { decryptPrivateKeyInfo } from '../../crypto/pbe/encrypted_private_key_info.js';
import { HapkiError, KeyPasswordError, KeystoreFormatError, KeystorePasswordError } from '../../errors.js';
import type { ReadOptions } from '../codec.js';
import { emptyKeystore, type Keystore } from '../model.js';
import { pairKeysWithCertificates, type LooseCertificate, type LooseKey } from '../pair_keys.js';
import { certificateAndTrustOfBlock, CERTIFICATE_LABELS, pemBlockName, pemBlocks, type PemBlock } from './pem_blocks.js';
import { withWorkBudget } from '../../crypto/pbe/work_budget.js';

const TRADITIONAL_KEY_LABELS = new Set(['RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY']);

/**
 * Reads a PEM bundle as a keystore: certificates (one or many), PKCS#8 keys (plain or
 * encrypted), PKCS#1 RSA and SEC1 EC keys. Keys pair with the certificate that holds their
 * public key, and chains are ordered leaf first; aliases come from openssl's "friendlyName"
 * bag attributes when present, else from the certificate's common name.
 */
export async function readPem(bytes: Uint8Array, options: ReadOptions = {}): Promise<Keystore> {
  return withWorkBudget(() => readPemBundle(bytes, options), undefined, options.maxIterations);
}

async function readPemBundle(bytes: Uint8Array, options: ReadOptions): Promise<Keystore> {
  const store = emptyKeystore('PEM');
  const keys: LooseKey[] = [];
  const certs: LooseCertificate[] = [];
  const password = options.keyPassword ?? options.password;
  let encryptedKeys = 0;
  for (const block of pemBlocks(bytes)) {
    const alias = block.friendlyName;
    if (CERTIFICATE_LABELS.has(block.label)) {
      certs.push(withAlias<LooseCertificate>(certificateOf(block), alias));
    } else if (PKCS7_PEM_LABELS.has(block.label)) {
      const bundle = pkcs7Certificates(block.der);
      if (!bundle) throw new KeystoreFormatError(`PEM block "${block.label}" is not a PKCS#7 SignedData`, block.offset);
      for (const der of bundle) {
        certificateNames(der);
        certs.push({ der });
      }
    } else if (block.label === 'PRIVATE KEY') {
      readDer(block.der, 'PKCS#8 private key');
      keys.push(withAlias<LooseKey>({ key: block.der }, alias));
    } else if (block.label === 'ENCRYPTED PRIVATE KEY' || (TRADITIONAL_KEY_LABELS.has(block.label) && block.headers['Proc-Type']?.includes('ENCRYPTED'))) {
      encryptedKeys++;
      if (password === undefined) {
        store.warnings.push(`encrypted private key at byte ${block.offset} left locked: no password given`);
        store.entries.push({ type: 'private-key', alias: alias ?? `key-${keys.length + 1}`, chain: [], sealed: { format: 'PEM', data: block.der, reason: 'no-password' } });
        continue;
      }
      const key = await decryptBlock(block, password, options.keyPassword !== undefined);
      keys.push(withAlias<LooseKey>({ key }, alias));
    } else if (TRADITIONAL_KEY_LABELS.has(block.label)) {
      keys.push(withAlias<LooseKey>({ key: traditionalPemToPkcs8(block) }, alias));
    } else if (block.label !== 'EC PARAMETERS') {
      // (EC PARAMETERS: the curve `openssl ecparam -genkey` writes before the key, which names it again)
      store.warnings.push(`${pemBlockName(block.label)} at byte ${block.offset} is not a certificate or private key; ignored`);
    }
  }
  pairKeysWithCertificates(store, keys, certs);
  if (encryptedKeys === 0 && keys.length > 0) store.protection = { legacy: false, keysInClear: true };
  return store;
}

function withAlias<T extends { alias?: string }>(value: T, alias: string | undefined): T {
  if (alias !== undefined && alias !== '') value.alias = alias;
  return value;
}

function certificateOf(block: PemBlock): LooseCertificate {
  const certificate = certificateAndTrustOfBlock(block);
  certificateNames(certificate.der);
  return certificate;
}

async function decryptBlock(block: PemBlock, password: string, explicitKeyPassword: boolean): Promise<Uint8Array> {
  const wrong = (): HapkiError => (explicitKeyPassword ? new KeyPasswordError(`key at byte ${block.offset}`) : new KeystorePasswordError());
  if (block.label !== 'ENCRYPTED PRIVATE KEY') {
    try {
      return exportPkcs8(block.text, password);
    } catch {
      throw wrong();
    }
  }
  try {
    return await decryptPrivateKeyInfo(block.der, password);
  } catch (error) {
    if (error instanceof HapkiError && (error.code === 'ERR_UNSUPPORTED_ALGORITHM' || error.code === 'ERR_KEYSTORE_FORMAT')) throw error;
    throw wrong();
  }
}

function traditionalPemToPkcs8(block: PemBlock): Uint8Array {
  try {
    return exportPkcs8(block.text);
  } catch (cause) {
    throw new KeystoreFormatError(`PEM block "${block.label}" is not a valid private key`, block.offset, { cause });
  }
}

function exportPkcs8(pem: string, passphrase?: string): Uint8Array {
  const key = createPrivateKey(passphrase === undefined ? { key: pem, format: 'pem' } : { key: pem, format: 'pem', passphrase });
  return new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
}
