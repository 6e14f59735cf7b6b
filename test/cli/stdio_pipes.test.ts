import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { FIXTURES, REPO_ROOT } from '../helpers/fixtures.js';
import { keytool, openssl, tempDir } from '../helpers/tools.js';

// `-` through real pipes: the built binary, bytes fed to its standard input, its standard output
// judged by openssl and keytool.
const dir = tempDir('hapki-pipes-');
const env = { CAPASS: 'ca-password-1', STOREPASS: 'changeit', TOKENPASS: 'token-password-1' };
const HAPKI = `'${process.execPath}' '${join(REPO_ROOT, 'bin', 'hapki.js')}'`;

interface Piped { code: number; stdout: Buffer; stderr: string }

/** Runs a shell pipeline in the temp dir; `hapki` in it is the built binary. */
function sh(pipeline: string, stdin: Uint8Array = new Uint8Array()): Promise<Piped> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `set -e; hapki() { ${HAPKI} "$@"; }; ${pipeline}`], { cwd: dir, env: { PATH: process.env['PATH'] ?? '', ...env } });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(stdin);
  });
}

async function ok(pipeline: string, stdin?: Uint8Array): Promise<Piped> {
  const r = await sh(pipeline, stdin);
  if (r.code !== 0) throw new Error(`${pipeline} exited ${r.code}\n${r.stderr}`);
  return r;
}

/** The CLI in-process with standard output a terminal: private material must be refused before any work. */
async function onTerminal(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stdoutBytes: (b) => void (stdout += Buffer.from(b).toString('latin1')), readStdin: async () => '', readStdinBytes: async () => new Uint8Array(), stdoutIsTTY: true, prompt: undefined, env };
  const code = await main(['node', 'hapki', ...args], io);
  return { code, stdout, stderr };
}

const fingerprint = (pem: string): Promise<string> => openssl(['x509', '-noout', '-fingerprint', '-sha256'], pem).then((r) => r.stdout.trim().replace(/^.*=/, ''));

beforeAll(async () => {
  // the CA keystore straight from standard output, its certificate as a file
  await ok('hapki ca init --subject "CN=Pipe Root CA" --kty ec --out - --outpass env:CAPASS --cert-out ca.pem > ca.p12');
}, 60_000);

describe('outputs named - go to standard output', () => {
  it('ca init --out -: a PKCS#12 keystore keytool opens with the --outpass', async () => {
    const listing = await keytool(['-list', '-v', '-storetype', 'PKCS12', '-keystore', join(dir, 'ca.p12'), '-storepass', env.CAPASS]);
    expect(listing.stdout).toMatch(/Entry type: PrivateKeyEntry/);
    expect(listing.stdout).toContain('CN=Pipe Root CA');
  });

  it('ca init --cert-out -: the certificate alone, PEM, for openssl', async () => {
    const r = await ok('hapki ca init --subject "CN=Pipe Sub CA" --kty ec --ca ca.p12 --ca-storepass env:CAPASS --out sub.p12 --outpass env:CAPASS --cert-out -');
    const text = (await openssl(['x509', '-noout', '-subject', '-issuer'], r.stdout.toString())).stdout;
    expect(text).toMatch(/subject=CN\s*=\s*Pipe Sub CA/);
    expect(text).toMatch(/issuer=CN\s*=\s*Pipe Root CA/);
    expect(r.stderr).toContain('its certificate to standard output');
  });

  it('token issue --out -: a keystore keytool opens, the summary on standard error', async () => {
    const r = await ok('hapki token issue --ca ca.p12 --ca-storepass env:CAPASS --subject CN=pipe-token --bits 2048 --out - --outpass env:TOKENPASS > token.p12');
    expect(r.stderr).toContain('wrote token "token" to standard output (PKCS12)');
    expect(r.stderr).toContain('CN=pipe-token');
    const listing = await keytool(['-list', '-v', '-storetype', 'PKCS12', '-keystore', join(dir, 'token.p12'), '-storepass', env.TOKENPASS]);
    expect(listing.stdout).toMatch(/Alias name: token[\s\S]*Entry type: PrivateKeyEntry[\s\S]*Owner: CN=pipe-token/);
  });

  it('crl --out -: a DER CRL openssl verifies against the CA', async () => {
    const r = await ok('hapki crl --ca ca.p12 --ca-storepass env:CAPASS --out - > piped.crl');
    expect(r.stderr).toMatch(/wrote CRL #\d+ to standard output/);
    const checked = await openssl(['crl', '-in', join(dir, 'piped.crl'), '-inform', 'DER', '-CAfile', join(dir, 'ca.pem'), '-noout', '-verify', '-issuer']);
    expect(checked.stderr + checked.stdout).toMatch(/verify OK/);
    expect(checked.stdout).toMatch(/issuer=CN\s*=\s*Pipe Root CA/);
  });

  it('ca init and token issue refuse a terminal before making anything', async () => {
    for (const args of [
      ['ca', 'init', '--subject', 'CN=Never', '--kty', 'ec', '--out', '-', '--outpass', 'env:CAPASS'],
      ['token', 'issue', '--self-signed', '--subject', 'CN=never', '--kty', 'ec', '--out', '-', '--outpass', 'env:TOKENPASS'],
    ]) {
      const r = await onTerminal(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/refusing to write private key material to a terminal[^\n]*\(ERR_USAGE\)\n$/);
      expect(r.stdout).toBe('');
    }
  });

  it('two outputs cannot both be standard output', async () => {
    const r = await sh('hapki ca init --subject "CN=Twice" --kty ec --out - --cert-out - --outpass env:CAPASS > twice.p12');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out and --cert-out cannot all be standard output[^\n]*\(ERR_USAGE\)\n$/);
  });
});

describe('inputs named - come from standard input', () => {
  it('csr | sign | import --reply -: the signed chain lands in the keystore, as keytool shows', async () => {
    copyFileSync(join(FIXTURES, 'gateway.p12'), join(dir, 'gw.p12'));
    const root = await fingerprint(readFileSync(join(dir, 'ca.pem'), 'utf8'));
    const r = await ok(`hapki csr gw.p12 --alias server1 --storepass env:STOREPASS --out - | hapki sign - --ca ca.p12 --ca-storepass env:CAPASS --san gw.example.com --out - | hapki import gw.p12 --alias server1 --reply - --ca ca.pem --trust-root ${root} --storepass env:STOREPASS`);
    expect(r.stderr).toContain('installed the reply into "server1": chain of 2');
    const listing = (await keytool(['-list', '-v', '-storetype', 'PKCS12', '-keystore', join(dir, 'gw.p12'), '-storepass', env.STOREPASS, '-alias', 'server1'])).stdout;
    expect(listing).toMatch(/Certificate chain length: 2/);
    expect(listing).toMatch(/Issuer: CN=Pipe Root CA/);
  });

  it('import --trusted -: a trusted-certificate entry from a pipe', async () => {
    copyFileSync(join(FIXTURES, 'gateway.p12'), join(dir, 'trust.p12'));
    await ok('cat ca.pem | hapki import trust.p12 --alias pipe-root --trusted - --storepass env:STOREPASS');
    const listing = (await keytool(['-list', '-v', '-storetype', 'PKCS12', '-keystore', join(dir, 'trust.p12'), '-storepass', env.STOREPASS, '-alias', 'pipe-root'])).stdout;
    expect(listing).toMatch(/Entry type: trustedCertEntry/);
    expect(listing).toContain('Owner: CN=Pipe Root CA');
  });

  it('import takes one input from standard input, and never the keystore it rewrites', async () => {
    const two = await sh('cat ca.pem | hapki import trust.p12 --alias x --reply - --ca - --storepass env:STOREPASS');
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/--reply and --ca cannot all be standard input[^\n]*\(ERR_USAGE\)\n$/);
    const self = await sh('cat trust.p12 | hapki import - --alias x --trusted ca.pem --storepass env:STOREPASS');
    expect(self.code).toBe(2);
  });

  it('verify --trust - and --crl -: anchors, then a CRL, from a pipe', async () => {
    await ok('hapki export gw.p12 --alias server1 --what cert --out leaf.pem --storepass env:STOREPASS');
    const trusted = await ok('cat ca.pem | hapki verify leaf.pem --trust - --purpose server');
    expect(trusted.stdout.toString()).toMatch(/^OK: /);
    const revocation = await ok('cat piped.crl | hapki verify leaf.pem --trust ca.pem --crl - --crl-required --json');
    expect(JSON.parse(revocation.stdout.toString())).toMatchObject({ valid: true });
    const other = await sh('cat piped.crl | hapki verify leaf.pem --trust - --crl -');
    expect(other.code).toBe(2);
  });

  it('revoke --cert -: the certificate from a pipe, then the CRL lists it', async () => {
    const r = await ok('cat leaf.pem | hapki revoke --ca ca.p12 --cert - --reason superseded --json');
    const serial = (JSON.parse(r.stdout.toString()) as { serial: string }).serial;
    const crl = await ok('hapki crl --ca ca.p12 --ca-storepass env:CAPASS --out - | openssl crl -inform DER -noout -text');
    expect(crl.stdout.toString().toLowerCase()).toContain(serial.toLowerCase().replace(/^0+/, ''));
    // audit --crl -: the fresh CRL from a pipe makes the certificate CRITICAL
    const audited = await sh('mkdir -p audited && cp leaf.pem ca.pem audited/ && hapki crl --ca ca.p12 --ca-storepass env:CAPASS --out - | hapki audit audited --crl - --format json');
    expect(audited.code).toBe(2);
    expect(audited.stdout.toString()).toMatch(/revoked/);
  });

  it('token check --to -: one instance from a pipe, compared with the files', async () => {
    copyFileSync(join(dir, 'token.p12'), join(dir, 'node1.p12'));
    const same = await ok('cat token.p12 | hapki token check --to - --to node1.p12 --to-storepass env:TOKENPASS --json');
    expect(JSON.parse(same.stdout.toString())).toMatchObject({ ok: true });
    await ok('hapki token issue --self-signed --subject CN=other-token --kty ec --out other.p12 --outpass env:TOKENPASS');
    const drift = await sh('cat other.p12 | hapki token check --to - --to node1.p12 --to-storepass env:TOKENPASS');
    expect(drift.code).toBe(1);
    expect(drift.stderr).toMatch(/\(ERR_TOKEN_DRIFT\)\n$/);
  });

  it('token issue --out - | token distribute -: the token keystore through a pipe into an instance', async () => {
    writeFileSync(join(dir, 'inst.p12'), readFileSync(join(FIXTURES, 'gateway.p12')));
    await ok('hapki token issue --self-signed --subject CN=piped-token --kty ec --out - --outpass env:TOKENPASS | hapki token distribute - --storepass env:TOKENPASS --to inst.p12 --to-storepass env:STOREPASS');
    const listing = (await keytool(['-list', '-v', '-storetype', 'PKCS12', '-keystore', join(dir, 'inst.p12'), '-storepass', env.STOREPASS, '-alias', 'token'])).stdout;
    expect(listing).toContain('Owner: CN=piped-token');
  });

  it('stores a command names, rewrites or writes beside are never -', async () => {
    for (const pipeline of [
      'cat token.p12 | hapki token distribute token.p12 --storepass env:TOKENPASS --to - --to-storepass env:STOREPASS',
      'cat gw.p12 | hapki trust check --master - --slave gw.p12 --trust-dir . --storepass env:STOREPASS',
    ]) {
      const r = await sh(pipeline);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/name (its|the) file, not -[^\n]*\(ERR_USAGE\)\n$/);
    }
  });
});
