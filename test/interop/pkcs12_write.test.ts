import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Keystore } from '../../src/keystore/model.js';
import { readPkcs12 } from '../../src/keystore/pkcs12/read.js';
import { writePkcs12 } from '../../src/keystore/pkcs12/write.js';
import { keytool, openssl, tempDir, tool } from '../helpers/tools.js';
import { byAlias, caAndLeaf, describeEntries, keytoolList, selfSigned } from '../keystore/pkcs12/interop_helpers.js';

// Files writePkcs12 wrote, judged by keytool and openssl, not by hapki's own reader.
const dir = tempDir('hapki-p12-write-');
let store: Keystore;

function pemToDer(path: string): Uint8Array {
  const body = readFileSync(path, 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(body, 'base64'));
}

beforeAll(async () => {
  const rsa = await selfSigned(dir, 'rsa', ['-newkey', 'rsa:2048']);
  const ec256 = await selfSigned(dir, 'ec256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  const ec384 = await selfSigned(dir, 'ec384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384']);
  const ed = await selfSigned(dir, 'ed25519', ['-newkey', 'ed25519']);
  const chain = await caAndLeaf(dir, 'w');
  const other = await selfSigned(dir, 'other', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  const key = (k: { key: string; cert: string }, alias: string, extra: Uint8Array[] = []) => ({
    type: 'private-key' as const,
    alias,
    key: pemToDer(k.key),
    chain: [pemToDer(k.cert), ...extra],
  });
  store = {
    format: 'PKCS12',
    integrityChecked: true,
    warnings: [],
    entries: [
      key(rsa, 'rsa'),
      key(ec256, 'ec256'),
      key(ec384, 'ec384'),
      key(ed, 'ed25519'),
      key(chain, 'leaf', [pemToDer(chain.caCert)]),
      { type: 'trusted-cert', alias: 'trusted-ca', certificate: pemToDer(chain.caCert) },
      { type: 'trusted-cert', alias: 'other', certificate: pemToDer(other.cert) },
      { type: 'secret-key', alias: 'aes', algorithm: 'AES', key: new Uint8Array(randomBytes(16)) },
      { type: 'secret-key', alias: 'hmac', algorithm: 'HmacSHA256', key: new Uint8Array(randomBytes(32)) },
    ],
  };
});

interface OpensslBlock {
  friendlyName?: string;
  label: string;
  pem: string;
}

/** `openssl pkcs12 -nodes` output as PEM blocks with the friendlyName of their bag. */
function opensslBlocks(output: string): OpensslBlock[] {
  const blocks: OpensslBlock[] = [];
  let last = 0;
  for (const m of output.matchAll(/-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----\n?/g)) {
    const before = output.slice(last, m.index);
    const name = /friendlyName: (.*)/.exec(before)?.[1];
    blocks.push({ label: m[1]!, pem: m[0], ...(name === undefined ? {} : { friendlyName: name }) });
    last = m.index! + m[0].length;
  }
  return blocks;
}

async function publicKeyPem(block: OpensslBlock): Promise<string> {
  const file = join(dir, 'block.pem');
  writeFileSync(file, block.pem);
  const { stdout } = block.label === 'CERTIFICATE' ? await openssl(['x509', '-in', file, '-pubkey', '-noout']) : await openssl(['pkey', '-in', file, '-pubout']);
  return stdout;
}

describe.each([
  ['modern', false],
  ['legacy', true],
])('writePkcs12 (%s)', (label, legacy) => {
  const file = (): string => join(dir, `ours-${label}.p12`);

  beforeAll(async () => {
    writeFileSync(file(), await writePkcs12(store, { password: 'changeit', legacy }));
  });

  it('keytool -list -v shows every entry with its type and fingerprints', async () => {
    const listed = await keytoolList(file(), 'changeit');
    expect(byAlias(listed)).toEqual(byAlias(describeEntries(store)));
    expect(listed.find((e) => e.alias === 'leaf')?.fingerprints).toHaveLength(2);
  });

  it('keytool decrypts every key (importing them all into a JCEKS store)', async () => {
    const dest = join(dir, `copy-${label}.jceks`);
    await keytool(['-importkeystore', '-noprompt', '-srckeystore', file(), '-srcstoretype', 'PKCS12', '-srcstorepass', 'changeit', '-destkeystore', dest, '-deststoretype', 'JCEKS', '-deststorepass', 'changeit']);
    const { stdout } = await keytool(['-list', '-storetype', 'JCEKS', '-keystore', dest, '-storepass', 'changeit']);
    expect(stdout).toContain(`contains ${store.entries.length} entries`);
  });

  it('openssl pkcs12 -nodes extracts keys that match their certificates', async () => {
    const args = ['pkcs12', '-in', file(), '-nodes', '-passin', 'pass:changeit', ...(legacy ? ['-legacy'] : [])];
    const { stdout } = await openssl(args);
    const blocks = opensslBlocks(stdout);
    for (const entry of store.entries) {
      if (entry.type !== 'private-key') continue;
      const keyBlock = blocks.find((b) => b.label === 'PRIVATE KEY' && b.friendlyName === entry.alias);
      const certBlock = blocks.find((b) => b.label === 'CERTIFICATE' && b.friendlyName === entry.alias);
      expect(keyBlock, entry.alias).toBeDefined();
      expect(certBlock, entry.alias).toBeDefined();
      expect(await publicKeyPem(keyBlock!)).toBe(await publicKeyPem(certBlock!));
    }
    // 5 leaves, the CA in the chain and again as a trusted entry (as the JDK writes it), the other one.
    expect(blocks.filter((b) => b.label === 'CERTIFICATE')).toHaveLength(8);
  });

  it('openssl -info reports the intended algorithms', async () => {
    const args = ['pkcs12', '-in', file(), '-info', '-noout', '-passin', 'pass:changeit', ...(legacy ? ['-legacy'] : [])];
    const { stdout, stderr } = await openssl(args);
    const info = stdout + stderr;
    if (legacy) {
      expect(info).toContain('MAC: sha1, Iteration 2048');
      expect(info).toContain('pbeWithSHA1And40BitRC2-CBC');
      expect(info).toContain('pbeWithSHA1And3-KeyTripleDES-CBC');
    } else {
      expect(info).toContain('MAC: sha256, Iteration 10000');
      expect(info).toContain('PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256');
    }
  });

  it('hapki reads back what it wrote', async () => {
    const back = await readPkcs12(new Uint8Array(readFileSync(file())), { password: 'changeit' });
    expect(describeEntries(back)).toEqual(describeEntries(store));
    expect(back.entries.map((e) => (e.type === 'trusted-cert' ? undefined : e.key))).toEqual(store.entries.map((e) => (e.type === 'trusted-cert' ? undefined : e.key)));
  });
});

describe('writePkcs12 with an empty password', () => {
  it.each([
    ['"" (modern)', { password: '' }],
    ['undefined (modern)', {}],
    ['"" (legacy)', { password: '', legacy: true }],
  ])('%s: openssl -passin pass: and keytool -storepass "" both open it', async (label, options) => {
    const file = join(dir, `empty-${label.replace(/\W+/g, '')}.p12`);
    const small: Keystore = { ...store, entries: store.entries.filter((e) => ['rsa', 'trusted-ca', 'aes'].includes(e.alias)) };
    writeFileSync(file, await writePkcs12(small, options));
    const legacy = 'legacy' in options ? ['-legacy'] : [];
    const { stdout } = await openssl(['pkcs12', '-in', file, '-nodes', '-passin', 'pass:', ...legacy]);
    expect(stdout).toContain('-----BEGIN PRIVATE KEY-----');
    const listed = await keytoolList(file, '');
    expect(byAlias(listed)).toEqual(byAlias(describeEntries(small)));
    // keytool must decrypt the key too, not only list it.
    const dest = join(dir, `empty-copy-${label.replace(/\W+/g, '')}.jceks`);
    const result = await tool('keytool', ['-J-Duser.language=en', '-importkeystore', '-noprompt', '-srckeystore', file, '-srcstoretype', 'PKCS12', '-srcstorepass', '', '-destkeystore', dest, '-deststoretype', 'JCEKS', '-deststorepass', 'changeit', '-destkeypass', 'changeit']);
    // (-destkeypass makes keytool refuse to copy the trusted certificate; only keys matter here.)
    const output = result.stdout + result.stderr;
    expect(output, output).toContain('Entry for alias rsa successfully imported');
    expect(output, output).toContain('Entry for alias aes successfully imported');
  });
});
