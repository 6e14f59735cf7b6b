import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pemArmor } from '../../src/keystore/pem/pem_blocks.js';
import { pssVerify } from '../../src/crypto/pss_verify.js';
import { createCa } from '../../src/issue/create_ca.js';
import { issuerFromEntry, type Issuer } from '../../src/issue/issuer.js';
import { signCsr } from '../../src/issue/sign_csr.js';
import { readCertificates } from '../../src/keystore/read_certificates.js';
import { crlsFromBytes } from '../../src/revocation/crl_bytes.js';
import { validatePath } from '../../src/trust/validate_path.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { opensslCaConfig } from '../helpers/openssl_ca.js';
import { openssl, tempDir } from '../helpers/tools.js';

/**
 * RSASSA-PSS signatures whose MGF1 hash is not the message hash, or whose salt is unusual, as
 * openssl makes them (`-sigopt rsa_mgf1_md:sha1`, `rsa_pss_saltlen:0`, the longest salt it can):
 * node:crypto's verify has one hash for both, so hapki checks them itself. openssl verify, req
 * -verify, crl and ocsp accept each of these; so must requests, certificates, CRLs and OCSP.
 */
const dir = tempDir('hapki-pss-');
const p = (name: string): string => join(dir, name);
const cert = (name: string): Uint8Array => readCertificates(new Uint8Array(readFileSync(p(`${name}.pem`))), name)[0]!;
const derOf = async (args: string[]): Promise<Uint8Array> => {
  await openssl([...args, '-outform', 'DER', '-out', p('tmp.der')]);
  return new Uint8Array(readFileSync(p('tmp.der')));
};
const PSS = (mgf: string, ...more: string[]): string[] => ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_mgf1_md:${mgf}`, ...more.flatMap((o) => ['-sigopt', o])];

const CONFIG = opensslCaConfig({ index: p('index.txt'), crlnumber: p('crlnumber'), certificate: p('root.pem'), key: p('root.key') });

async function leaf(name: string, serial: string, digest: string, sigopts: string[]): Promise<void> {
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p(`${name}.key`), '-subj', `/CN=${name}`, '-config', p('ca.cnf'), '-out', p(`${name}.csr`)]);
  await openssl(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('root.pem'), '-CAkey', p('root.key'), '-set_serial', serial, '-days', '20', '-extfile', p('ca.cnf'), '-extensions', 'leaf', `-${digest}`, ...sigopts, '-out', p(`${name}.pem`)]);
}

let hapkiRoot: Issuer;
let hapkiRootPem: string;

beforeAll(async () => {
  writeFileSync(p('ca.cnf'), CONFIG);
  writeFileSync(p('index.txt'), '');
  writeFileSync(p('crlnumber'), '1000\n');
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', p('root.key')]);
  await openssl(['req', '-x509', '-new', '-key', p('root.key'), '-subj', '/CN=PSS Root', '-days', '30', '-config', p('ca.cnf'), '-extensions', 'v3_ca', '-out', p('root.pem')]);
  await leaf('mgf-sha1', '0x1001', 'sha256', PSS('sha1'));
  await leaf('salt-zero', '0x1002', 'sha512', PSS('sha1', 'rsa_pss_saltlen:0'));
  await leaf('sha1-hash', '0x1003', 'sha1', PSS('sha256'));
  await leaf('revoked', '0x1004', 'sha256', PSS('sha1'));
  await openssl(['ca', '-config', p('ca.cnf'), '-revoke', p('revoked.pem'), '-crl_reason', 'keyCompromise']);
  await openssl(['ca', '-config', p('ca.cnf'), '-gencrl', ...PSS('sha1'), '-out', p('root.crl')]);
  await openssl(['ocsp', '-issuer', p('root.pem'), '-cert', p('revoked.pem'), '-reqout', p('req.der'), '-no_nonce']);
  await openssl([
    'ocsp', '-index', p('index.txt'), '-rsigner', p('root.pem'), '-rkey', p('root.key'), '-CA', p('root.pem'), '-reqin', p('req.der'), '-respout', p('resp.der'),
    '-rmd', 'sha384', '-rsigopt', 'rsa_padding_mode:pss', '-rsigopt', 'rsa_mgf1_md:sha1', '-ndays', '1',
  ]);
  const ca = await createCa({ subject: 'CN=hapki PSS Test CA', key: { kty: 'ec', curve: 'P-256' } });
  hapkiRoot = await issuerFromEntry(ca.entry);
  hapkiRootPem = pemArmor('CERTIFICATE', ca.entry.chain[0]!);
  writeFileSync(p('hapki-root.pem'), hapkiRootPem);
}, 120_000);

const options = (extra: object = {}) => ({ trusted: [cert('root')], hostname: 'gw.example.com', ...extra });

describe('EMSA-PSS-VERIFY over the raw RSA operation', () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2049 });
  const data = Buffer.from('the to-be-signed bytes');

  it('agrees with node:crypto where node can check (one hash), at every salt length, with a modulus of odd length', () => {
    for (const hash of ['sha256', 'sha384', 'sha512']) {
      for (const saltLength of [0, 1, 20, 32, 64, 256 - 64 - 2 + 1 - 1]) {
        const signature = sign(hash, data, { key: pair.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
        expect(verify(hash, data, { key: pair.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature)).toBe(true);
        expect(pssVerify(pair.publicKey, { hash, mgfHash: hash, saltLength }, data, signature)).toBe(true);
        // another salt length, another hash, other data, a changed bit: each is inconsistent
        expect(pssVerify(pair.publicKey, { hash, mgfHash: hash, saltLength: saltLength + 1 }, data, signature)).toBe(false);
        expect(pssVerify(pair.publicKey, { hash, mgfHash: 'sha1', saltLength }, data, signature)).toBe(false);
        expect(pssVerify(pair.publicKey, { hash, mgfHash: hash, saltLength }, Buffer.from('other bytes'), signature)).toBe(false);
        const flipped = Buffer.from(signature);
        flipped[100]! ^= 1;
        expect(pssVerify(pair.publicKey, { hash, mgfHash: hash, saltLength }, data, flipped)).toBe(false);
      }
    }
  });

  it('a signature not below the modulus, or of another length, is inconsistent, never a throw', () => {
    const n = Buffer.from(pair.publicKey.export({ format: 'jwk' }).n!, 'base64url');
    expect(pssVerify(pair.publicKey, { hash: 'sha256', mgfHash: 'sha1', saltLength: 32 }, data, n)).toBe(false);
    expect(pssVerify(pair.publicKey, { hash: 'sha256', mgfHash: 'sha1', saltLength: 32 }, data, new Uint8Array(n.length - 1))).toBe(false);
    expect(pssVerify(pair.publicKey, { hash: 'sha256', mgfHash: 'sha1', saltLength: 32 }, data, new Uint8Array(0))).toBe(false);
  });

  it('an RSASSA-PSS key restricted to MGF1-SHA-1 and a 20-byte salt checks what keeps that, and nothing else', async () => {
    await openssl(['genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-pkeyopt', 'rsa_pss_keygen_md:sha256', '-pkeyopt', 'rsa_pss_keygen_mgf1_md:sha1', '-pkeyopt', 'rsa_pss_keygen_saltlen:20', '-out', p('pss.key')]);
    const privateKey = createPrivateKey(readFileSync(p('pss.key')));
    const publicKey = createPublicKey(privateKey);
    writeFileSync(p('data.bin'), data);
    await openssl(['pkeyutl', '-sign', '-rawin', '-digest', 'sha256', '-inkey', p('pss.key'), '-in', p('data.bin'), '-out', p('data.sig'), '-pkeyopt', 'rsa_pss_saltlen:20']);
    const signature = new Uint8Array(readFileSync(p('data.sig')));
    expect(pssVerify(publicKey, { hash: 'sha256', mgfHash: 'sha1', saltLength: 20 }, data, signature)).toBe(true);
    // OpenSSL does no raw operation under an RSASSA-PSS key: it was checked as the RSA key of its numbers.
    // The key's own restrictions hold: another MGF1 hash or a shorter salt than it names is refused
    expect(pssVerify(publicKey, { hash: 'sha256', mgfHash: 'sha256', saltLength: 20 }, data, signature)).toBe(false);
    expect(pssVerify(publicKey, { hash: 'sha256', mgfHash: 'sha1', saltLength: 19 }, data, signature)).toBe(false);
  });
});

describe('certificates, CRLs and OCSP responses openssl signs with RSASSA-PSS and MGF1-SHA-1', () => {
  it('openssl accepts the certificates as made', async () => {
    const result = await openssl(['verify', '-CAfile', p('root.pem'), p('mgf-sha1.pem'), p('salt-zero.pem')]);
    expect(result.stdout).toContain('mgf-sha1.pem: OK');
    expect(result.stdout).toContain('salt-zero.pem: OK');
  });

  it('a certificate signed with SHA-256 and MGF1-SHA-1, and one with SHA-512, MGF1-SHA-1 and no salt, validate', async () => {
    expect(await validatePath(cert('mgf-sha1'), options())).toMatchObject({ valid: true });
    expect(await validatePath(cert('salt-zero'), options())).toMatchObject({ valid: true });
  });

  it('a changed signature is ERR_CHAIN_SIGNATURE, not accepted', async () => {
    const der = cert('mgf-sha1');
    const tampered = Uint8Array.from(der);
    tampered[tampered.length - 10]! ^= 0x40;
    const result = await validatePath(tampered, options());
    expect(result).toMatchObject({ valid: false, code: 'ERR_CHAIN_SIGNATURE' });
    expect(result.reason).toMatch(/does not verify/);
  });

  it('SHA-1 as the message hash is still weak, whatever the MGF1 hash (ERR_WEAK_SIGNATURE; --allow-sha1 accepts it)', async () => {
    const refused = await validatePath(cert('sha1-hash'), options());
    expect(refused).toMatchObject({ valid: false, code: 'ERR_WEAK_SIGNATURE' });
    expect(refused.reason).toMatch(/RSASSA-PSS with SHA-1 and MGF1 with SHA-256/);
    expect(await validatePath(cert('sha1-hash'), options({ allowSha1: true }))).toMatchObject({ valid: true });
  });

  it('a CRL signed so is relied on: the revoked certificate is ERR_REVOKED, the other good', async () => {
    expect((await openssl(['crl', '-in', p('root.crl'), '-CAfile', p('root.pem'), '-noout'])).stderr).toMatch(/verify OK/);
    const crls = crlsFromBytes(new Uint8Array(readFileSync(p('root.crl'))), 'root.crl');
    expect(await validatePath(cert('revoked'), options({ crls, crlRequired: true }))).toMatchObject({ valid: false, code: 'ERR_REVOKED' });
    expect(await validatePath(cert('mgf-sha1'), options({ crls, crlRequired: true }))).toMatchObject({ valid: true, revocation: [{ status: 'good' }] });
  });

  it('an OCSP response signed so (SHA-384, MGF1-SHA-1) is relied on: ERR_REVOKED', async () => {
    const check = await openssl(['ocsp', '-respin', p('resp.der'), '-CAfile', p('root.pem'), '-issuer', p('root.pem'), '-cert', p('revoked.pem')]);
    expect(check.stdout + check.stderr).toMatch(/revoked\.pem: revoked/);
    expect(check.stdout + check.stderr).toContain('Response verify OK');
    const response = new Uint8Array(readFileSync(p('resp.der')));
    const result = await validatePath(cert('revoked'), options({ ocsp: { responses: [response], required: true } }));
    expect(result).toMatchObject({ valid: false, code: 'ERR_REVOKED' });
  });
});

describe('requests openssl signs with RSASSA-PSS parameters node:crypto cannot check', () => {
  const request = (key: string, name: string, digest: string, sigopts: string[]): Promise<Uint8Array> =>
    derOf(['req', '-new', '-key', key, '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`, `-${digest}`, ...sigopts]);

  it('SHA-256 with MGF1-SHA-1 (openssl\'s longest salt) and SHA-384 with MGF1-SHA-512 and a 1-byte salt are signed, and openssl verifies the certificates', async () => {
    for (const [name, digest, sigopts] of [
      ['mgf1.example.com', 'sha256', PSS('sha1')],
      ['salt1.example.com', 'sha384', PSS('sha512', 'rsa_pss_saltlen:1')],
    ] as const) {
      const csr = await request(p('root.key'), name, digest, [...sigopts]);
      writeFileSync(p('req.csr.der'), csr);
      expect((await openssl(['req', '-in', p('req.csr.der'), '-inform', 'DER', '-noout', '-verify'])).stderr).toMatch(/verify OK/);
      const signed = await signCsr(csr, hapkiRoot);
      writeFileSync(p('issued.pem'), pemArmor('CERTIFICATE', signed.certificate));
      expect((await openssl(['verify', '-CAfile', p('hapki-root.pem'), p('issued.pem')])).stdout).toContain('issued.pem: OK');
    }
  });

  it('a request whose salt is over 1,024 bytes (openssl\'s default with a 9,216-bit key) is signed', async () => {
    const csr = await request(join(FIXTURES, 'pss', 'rsa-9216.key'), 'big.example.com', 'sha256', PSS('sha1'));
    writeFileSync(p('big.csr.der'), csr);
    const text = (await openssl(['req', '-in', p('big.csr.der'), '-inform', 'DER', '-noout', '-text', '-verify'])).stdout;
    expect(Number.parseInt(/Salt Length: 0x([0-9A-F]+)/.exec(text)![1]!, 16)).toBeGreaterThan(1024);
    await expect(signCsr(csr, hapkiRoot)).resolves.toBeDefined();
  });

  it('a changed signature is ERR_CSR_SIGNATURE; SHA-1 as the message hash is ERR_WEAK_SIGNATURE', async () => {
    const csr = Uint8Array.from(await request(p('root.key'), 'bad.example.com', 'sha256', PSS('sha1')));
    csr[csr.length - 7]! ^= 1;
    await expect(signCsr(csr, hapkiRoot)).rejects.toMatchObject({ code: 'ERR_CSR_SIGNATURE' });
    const weak = await request(p('root.key'), 'weak.example.com', 'sha1', PSS('sha256'));
    await expect(signCsr(weak, hapkiRoot)).rejects.toMatchObject({ code: 'ERR_WEAK_SIGNATURE' });
  });
});
