import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { uniqueAlias } from '../../src/keystore/alias.js';
import type { Keystore } from '../../src/keystore/model.js';
import { readKeystore } from '../../src/keystore/read_keystore.js';
import { certificateCopies } from '../helpers/cert_copies.js';
import { tempDir } from '../helpers/tools.js';

const store = (format: Keystore['format'], aliases: string[]): Keystore => ({
  format,
  entries: aliases.map((alias) => ({ type: 'trusted-cert', alias, certificate: new Uint8Array([0x30, 0x00]) })),
  integrityChecked: true,
  warnings: [],
});

describe('uniqueAlias', () => {
  it('keeps a free wish, numbers a taken one, and compares as the format does', () => {
    expect(uniqueAlias(store('JKS', ['server']), 'ca')).toBe('ca');
    expect(uniqueAlias(store('JKS', ['ca', 'CA-2']), 'ca')).toBe('ca-3');
    expect(uniqueAlias(store('PEM', ['ca', 'CA-2']), 'ca')).toBe('ca-2');
    expect(uniqueAlias(store('PKCS12', []), '  ')).toBe('entry');
  });

  it('finds the next free number past 50,000 taken ones in one pass (it searched the store once per number)', () => {
    const taken = ['root-ca', ...Array.from({ length: 50_000 }, (_, i) => `root-ca-${i + 2}`)];
    expect(uniqueAlias(store('JKS', taken), 'Root-CA')).toBe('Root-CA-50002');
  }, 10_000);

  it('names the certificates of a PKCS#7 bundle of 3,000 of one name in one pass each (openssl crl2pkcs7)', async () => {
    const dir = tempDir('hapki-alias-');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-subj', '/CN=Same Name', '-days', '30', '-out', 'c.pem'], { cwd: dir, stdio: 'pipe' });
    const der = new Uint8Array(new X509Certificate(readFileSync(join(dir, 'c.pem'))).raw);
    const pems = certificateCopies(der, 3_000).map((copy) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(copy).toString('base64')}\n-----END CERTIFICATE-----\n`);
    writeFileSync(join(dir, 'bundle.pem'), pems.join(''));
    execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', 'bundle.pem', '-outform', 'DER', '-out', 'bundle.p7b'], { cwd: dir, stdio: 'pipe' });
    const store = await readKeystore(new Uint8Array(readFileSync(join(dir, 'bundle.p7b'))));
    expect(store.entries).toHaveLength(3_000);
    expect(new Set(store.entries.map((e) => e.alias)).size).toBe(3_000);
    expect(store.entries.at(-1)!.alias).toBe('same-name-3000');
  }, 15_000);
});
