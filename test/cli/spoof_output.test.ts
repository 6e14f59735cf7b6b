import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { oid, sequence, setOf, utf8String } from '../../src/asn1/der_writer.js';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { pemArmor } from '../../src/keystore/pem/pem_blocks.js';
import { hapki } from '../helpers/cli.js';
import { openssl, tempDir } from '../helpers/tools.js';
import { ecCsrWithKey } from '../issue/crafted_csr.js';

const dir = tempDir('hapki-spoof-');
const at = (f: string): string => join(dir, f);
const FAKE = `sha256:  ${'00'.repeat(32)}`;
// an organisation name that breaks the line, forges a fingerprint line and hides what follows
const EVIL_O = `Evil\n  ${FAKE}\n\u001b[8m`;
const env = { P: 'store-secret' };
let realFingerprint: string;

/** No raw control or bidi character, and no line that starts like one hapki's own lines. */
function assertClean(text: string): void {
  expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  for (const line of text.split('\n')) expect(line.trimStart().startsWith('sha256:  00')).toBe(false);
}

beforeAll(async () => {
  const subject = sequence(setOf(sequence(oid('2.5.4.10'), utf8String(EVIL_O))), setOf(sequence(oid('2.5.4.3'), utf8String('Evil \u202eToor'))));
  const { csr, keyPem } = ecCsrWithKey(subject);
  writeFileSync(at('evil.csr'), pemArmor('CERTIFICATE REQUEST', csr));
  writeFileSync(at('evil.key'), keyPem);
  writeFileSync(at('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
  await openssl(['x509', '-req', '-in', at('evil.csr'), '-signkey', at('evil.key'), '-days', '30', '-extfile', at('ca.ext'), '-out', at('evil.pem')]);
  realFingerprint = (await openssl(['x509', '-in', at('evil.pem'), '-noout', '-fingerprint', '-sha256'])).stdout.replace(/^.*=/, '').replace(/:/g, '').trim().toLowerCase();
  // a node key whose certificate the evil root signs: the reply to import
  const made = await hapki(['csr', '--keystore', at('gw.p12'), '--new-key', '--kty', 'ec', '--subject', 'CN=gw.example.com', '--alias', 'server', '--storepass', 'env:P', '--out', at('gw.csr')], { env });
  expect(made.code, made.stderr).toBe(0);
  await openssl(['x509', '-req', '-in', at('gw.csr'), '-CA', at('evil.pem'), '-CAkey', at('evil.key'), '-CAcreateserial', '-days', '20', '-out', at('gw.pem')]);
  writeFileSync(at('reply.pem'), readFileSync(at('gw.pem'), 'utf8') + readFileSync(at('evil.pem'), 'utf8'));
  mkdirSync(at('scan'));
  writeFileSync(at(`scan/evil\nOK      fake.pem`), readFileSync(at('evil.pem')));
});

describe('output a certificate cannot spoof', () => {
  it('list shows the names escaped', async () => {
    const r = await hapki(['list', at('evil.pem')]);
    expect(r.code, r.stderr).toBe(0);
    assertClean(r.stdout);
    expect(r.stdout).toContain('O=Evil\\0a  sha256:  00');
    expect(r.stdout).toContain('\\1b[8m');
  });

  it('audit shows names and file names escaped', async () => {
    const r = await hapki(['audit', at('scan')]);
    assertClean(r.stdout + r.stderr);
    expect(r.stdout).toContain('evil\\nOK      fake.pem');
    const json = JSON.parse((await hapki(['audit', at('scan'), '--format', 'json'])).stdout);
    expect(JSON.stringify(json)).toContain('evil\\nOK');
  });

  it('the trust-root prompt prints hapki\'s own fingerprint on its own line before any certificate text', async () => {
    let err = '';
    let asked = '';
    const io: CliIo = {
      stdout: () => undefined,
      stderr: (t) => (err += t),
      readStdin: async () => '',
      prompt: async (q) => ((asked = q), 'no'),
      env,
    };
    const code = await main(['node', 'hapki', 'import', at('gw.p12'), '--alias', 'server', '--reply', at('reply.pem'), '--storepass', 'env:P'], io);
    expect(code, err).not.toBe(0);
    expect(asked, err).toContain('Trust this certificate?');
    assertClean(err);
    const lines = err.split('\n');
    const head = lines.findIndex((l) => l.includes('SHA-256 fingerprint (computed by hapki)'));
    expect(head).toBeGreaterThanOrEqual(0);
    expect(lines[head + 1]).toBe(`  ${realFingerprint}`);
    expect(lines[head + 2]).toMatch(/^ {2}subject: /);
    expect(err).toContain('CN=Evil \\e2\\80\\aeToor');
  });

  it('errors do not quote raw bytes: a file name with an escape sequence', async () => {
    const r = await hapki(['list', at('no\u001b[2Jsuch\nfile.p12')]);
    expect(r.code).not.toBe(0);
    assertClean(r.stderr);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('notes and result lines of the writing commands quote file names and aliases escaped: one line each', async () => {
    // a name that would forge a second note and colour what follows
    const EVIL = 'x\n hapki: all good\u001b[31m';
    mkdirSync(at('writes'));
    const here = (f: string): string => join(at('writes'), f);
    const run = async (args: string[]): Promise<string> => {
      const r = await hapki(args, { env });
      expect(r.code, r.stderr).toBe(0);
      return r.stdout + r.stderr;
    };
    const outputs: string[] = [];
    outputs.push(await run(['ca', 'init', '--subject', 'CN=Spoof CA', '--kty', 'ec', '--out', here(`ca${EVIL}.p12`), '--outpass', 'env:P', '--cert-out', here(`ca${EVIL}.pem`)]));
    outputs.push(await run(['csr', '--keystore', here(`gw${EVIL}.p12`), '--new-key', '--kty', 'ec', '--subject', 'CN=gw.example.com', '--alias', `k${EVIL}`, '--storepass', 'env:P', '--out', here(`r${EVIL}.csr`)]));
    outputs.push(await run(['sign', here(`r${EVIL}.csr`), '--ca', here(`ca${EVIL}.p12`), '--ca-storepass', 'env:P', '--allow-any-name', '--out-dir', here('certs')]));
    outputs.push(await run(['import', here(`gw${EVIL}.p12`), '--alias', `t${EVIL}`, '--trusted', here(`ca${EVIL}.pem`), '--storepass', 'env:P']));
    outputs.push(await run(['export', here(`gw${EVIL}.p12`), '--alias', `k${EVIL}`, '--what', 'cert', '--out', here(`e${EVIL}.pem`), '--storepass', 'env:P']));
    outputs.push(await run(['convert', here(`gw${EVIL}.p12`), here(`c${EVIL}.jks`), '--storepass', 'env:P']));
    outputs.push(await run(['token', 'issue', '--self-signed', '--kty', 'ec', '--subject', 'CN=tok', '--alias', `tok${EVIL}`, '--out', here(`tok${EVIL}.p12`), '--outpass', 'env:P']));
    outputs.push(await run(['token', 'distribute', here(`tok${EVIL}.p12`), '--alias', `tok${EVIL}`, '--storepass', 'env:P', '--to', here(`gw${EVIL}.p12`), '--to-storepass', 'env:P']));
    for (const text of outputs) {
      assertClean(text);
      for (const line of text.split('\n')) expect(line.trimStart().startsWith('hapki: all good')).toBe(false);
      expect(text).toContain('x\\n hapki: all good\\x1b[31m');
    }
  });
});
