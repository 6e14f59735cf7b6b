import { requestWithNewKey } from '../../src/issue/create_key_entry.js';
import { emptyKeystore, type Keystore, type KeystoreFormat } from '../../src/keystore/model.js';
import { issueTokenCertificate } from '../../src/token/issue_token.js';
import type { TokenMaterial } from '../../src/token/token_material.js';

export const EC = { kty: 'ec', curve: 'P-256' } as const;

/** An instance keystore with a node key of its own and nothing else. */
export async function instanceStore(format: KeystoreFormat, node: string): Promise<Keystore> {
  return (await requestWithNewKey(emptyKeystore(format), { alias: 'ssl', subject: `CN=${node}.example.com`, key: EC })).store;
}

/** A self-signed token key and certificate; EC so tests stay fast (the CLI defaults to RSA). */
export async function tokenMaterial(subject = 'CN=msas-token,O=Example'): Promise<TokenMaterial> {
  const issued = await issueTokenCertificate({ subject, key: EC });
  return { key: issued.entry.key!, chain: issued.entry.chain };
}
