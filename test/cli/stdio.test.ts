import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeCertificate } from '../../src/cert/describe.js';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { readCertificates } from '../../src/keystore/read_certificates.js';
import { FIXTURES } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'hapki-stdio-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { STOREPASS: 'changeit', CAPASS: 'ca-password-1' };

/** Runs the CLI in-process with `stdin` as standard input and a pipe (or a terminal) as standard output. */
async function run(args: string[], stdin: Uint8Array = new Uint8Array(), stdoutIsTTY = false): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const out: Buffer[] = [];
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void out.push(Buffer.from(t)),
    stderr: (t) => void (stderr += t),
    readStdin: async () => Buffer.from(stdin).toString('utf8'),
    readStdinBytes: async () => stdin,
    stdoutBytes: (b) => void out.push(Buffer.from(b)),
    stdoutIsTTY,
    prompt: undefined,
    env,
  };
  const code = await main(['node', 'hapki', ...args], io);
  return { code, stdout: Buffer.concat(out), stderr };
}

const p12 = new Uint8Array(readFileSync(join(FIXTURES, 'gateway.p12')));

describe('- is standard input for inputs and standard output for outputs', () => {
  it('list - reads the keystore from standard input', async () => {
    const r = await run(['list', '-', '--storepass', 'env:STOREPASS', '--json'], p12);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString()).entries.map((e: { alias: string }) => e.alias)).toContain('server1');
  });

  it('csr --out - piped into sign - --out -: the certificate alone on standard output', async () => {
    const ca = join(dir, 'ca.p12');
    expect((await run(['ca', 'init', '--subject', 'CN=Stdio CA', '--kty', 'ec', '--out', ca, '--outpass', 'env:CAPASS'])).code).toBe(0);
    const csr = await run(['csr', join(FIXTURES, 'gateway.p12'), '--alias', 'server1', '--storepass', 'env:STOREPASS', '--out', '-']);
    expect(csr.stdout.toString()).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n[\s\S]+-----END CERTIFICATE REQUEST-----\n$/);
    const signed = await run(['sign', '-', '--ca', ca, '--ca-storepass', 'env:CAPASS', '--san', 'lbrhost.example.com', '--out', '-'], csr.stdout);
    expect(signed.code).toBe(0);
    const certs = readCertificates(signed.stdout, 'stdout');
    expect(certs).toHaveLength(1);
    expect(describeCertificate(certs[0]!).san).toContain('DNS:lbrhost.example.com');
    expect(signed.stderr).toContain('wrote standard output');
  });

  it('export --out - writes a private key to a pipe, never to a terminal', async () => {
    const args = ['export', join(FIXTURES, 'gateway.p12'), '--alias', 'server1', '--what', 'key', '--out', '-', '--storepass', 'env:STOREPASS', '--no-encrypt'];
    const piped = await run(args);
    expect(piped.code).toBe(0);
    expect(piped.stdout.toString()).toContain('-----BEGIN PRIVATE KEY-----');
    const terminal = await run(args, new Uint8Array(), true);
    expect(terminal.code).toBe(2);
    expect(terminal.stderr).toMatch(/refusing to write private key material to a terminal[^\n]*\(ERR_USAGE\)\n$/);
    expect(terminal.stdout.length).toBe(0);
  });

  it('export --out - of a certificate may go to a terminal', async () => {
    const r = await run(['export', join(FIXTURES, 'gateway.p12'), '--alias', 'server1', '--what', 'cert', '--out', '-', '--storepass', 'env:STOREPASS'], new Uint8Array(), true);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toContain('-----BEGIN CERTIFICATE-----');
    expect(r.stdout.toString()).not.toContain('PRIVATE KEY');
  });

  // Regression: DER (and the new PKCS#7) went to a terminal as it is; a certificate's bytes are
  // the issuer's and the subject's to choose, escape sequences included
  it.each([
    ['der', ['--what', 'cert', '--out-format', 'der']],
    ['p7b', ['--out-format', 'p7b']],
  ])('export --out - as %s: to a pipe, never to a terminal', async (_format, extra) => {
    const args = ['export', join(FIXTURES, 'gateway.p12'), '--alias', 'server1', ...extra, '--out', '-', '--storepass', 'env:STOREPASS'];
    const piped = await run(args);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout[0]).toBe(0x30);
    const terminal = await run(args, new Uint8Array(), true);
    expect(terminal.code).toBe(2);
    expect(terminal.stderr).toMatch(/refusing to write binary output[^\n]*\(ERR_USAGE\)\n$/);
    expect(terminal.stdout.length).toBe(0);
  });

  it('convert - - --out-format jks: a keystore through a pipe', async () => {
    const r = await run(['convert', '-', '-', '--out-format', 'jks', '--storepass', 'env:STOREPASS'], p12);
    expect(r.code).toBe(0);
    expect(r.stdout.subarray(0, 4).toString('hex')).toBe('feedfeed');
  });

  // regression: a3de5ba made an output without an extension PKCS#12 (keytool's cacerts); "-" has
  // none either, and convert ... - wrote PKCS#12 into the pipe where it had asked for --out-format
  it('convert to - without --out-format asks for the format, and writes nothing', async () => {
    const r = await run(['convert', '-', '-', '--storepass', 'env:STOREPASS'], p12);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hapki: cannot tell the output format from "-": give --out-format [^\n]*\(ERR_USAGE\)\n$/);
    expect(r.stdout.length).toBe(0);
  });

  it('standard input cannot be both the input and a password', async () => {
    const r = await run(['list', '-', '--storepass', 'stdin'], p12);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\(ERR_USAGE\)\n$/);
  });

  it('--json and --out - cannot share standard output', async () => {
    const r = await run(['export', join(FIXTURES, 'gateway.p12'), '--alias', 'server1', '--what', 'cert', '--out', '-', '--storepass', 'env:STOREPASS', '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout.length).toBe(0);
  });
});
