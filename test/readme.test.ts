import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/fixtures.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'hapki-readme-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Runs a bash script as a reader would after `npm link`: a `hapki` shim for the built checkout on
 * the PATH, in a new empty directory under the work folder; a failing script fails the test with
 * the last lines of its stderr.
 */
async function runAsWritten(name: string, script: string, what: string): Promise<{ stdout: string; stderr: string }> {
  const bin = join(work, `${name}-bin`);
  mkdirSync(bin);
  writeFileSync(join(bin, 'hapki'), `#!/bin/sh\nexec "${process.execPath}" "${join(REPO_ROOT, 'bin', 'hapki.js')}" "$@"\n`);
  chmodSync(join(bin, 'hapki'), 0o755);
  const dir = join(work, name);
  mkdirSync(dir);
  return run('bash', ['-c', script], { cwd: dir, env: { PATH: `${bin}:${process.env['PATH'] ?? ''}`, HOME: work }, maxBuffer: 16 * 1024 * 1024 }).catch((error: { stdout: string; stderr: string; code: number }) => {
    throw new Error(`${what} failed (exit ${error.code}):\n${error.stderr.split('\n').slice(-8).join('\n')}`);
  });
}

/** The README's runnable procedure: the sh blocks between the readme-test markers, in order. */
function procedureBlocks(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const part = /<!-- readme-test:begin -->([\s\S]*?)<!-- readme-test:end -->/.exec(readme)?.[1] ?? '';
  return [...part.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('the README, run as written', () => {
  it('has a procedure to run', () => expect(procedureBlocks().length).toBeGreaterThanOrEqual(3));

  it('every block of the procedure runs green, in one shell, in an empty directory', async () => {
    const blocks = procedureBlocks();
    const script = ['set -euo pipefail', ...blocks.map((b, i) => `echo "=== block ${i + 1}" >&2\n${b}`)].join('\n');
    const { stdout, stderr } = await runAsWritten('procedure', script, 'a README block');
    expect(stderr).toContain(`=== block ${blocks.length}`);
    expect(stdout).toMatch(/^OK: CN=msas1\.example\.com/m);
    expect(stdout).toMatch(/^HAPKI OK - /m);
    expect(stdout).toContain('"valid": true');
    expect(stderr).not.toMatch(/ERR_|deprecated/);
  });
});

/** The sh blocks of the README section whose heading starts with `heading`, up to the next heading. */
function sectionBlocks(heading: string): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n${heading}`);
  if (start < 0) throw new Error(`no README section "${heading}"`);
  const rest = readme.slice(start + 1);
  const end = rest.slice(1).search(/\n#{2,3} /);
  const part = end < 0 ? rest : rest.slice(0, end + 1);
  return [...part.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

// The chores' examples, copied as an operator copies them, after the files they name are made the
// way an installation leaves them (keytool) or an earlier chore does; probe, verify and the HSM are
// run by their own tests, which need servers, CRLs and a token.
const CHORES = [
  '### `hapki export ',
  '### `hapki convert ',
  '### `hapki ca init ',
  '### `hapki csr ',
  '### `hapki sign ',
  '### `hapki crl ',
  '### `hapki import ',
  '### `hapki trust mesh ',
  '### `hapki trust check ',
  '### `hapki token issue ',
  '### `hapki token distribute ',
  '### `hapki token check ',
];

const PRELUDE = `
export STOREPASS=gw-example-secret CAPASS=ca-example-secret SUBPASS=sub-example-secret TOKENPASS=token-example-secret
export OLDPASS=old-example-secret OLDKEYPASS=old-key-secret NEWPASS=new-example-secret
gen() { keytool -genkeypair -keyalg "$3" -validity 365 -dname "CN=$2" -alias "$1" -keystore "$4" "\${@:5}" -storepass:env STOREPASS 2>/dev/null; }
gen server1 server1.example.com RSA gateway.jks -storetype JKS -keypass:env STOREPASS
gen msas1 msas1.example.com RSA gateway.jks -storetype JKS -keypass:env STOREPASS
gen server1 server1.example.com EC gateway.p12
cp gateway.jks store.jks
keytool -genkeypair -keyalg RSA -dname CN=old -alias old -keystore old.jks -storetype JKS -storepass:env OLDPASS -keypass:env OLDKEYPASS 2>/dev/null
gen master master.example.com RSA master.p12
gen slave1 slave1.example.com RSA slave1.jks -storetype JKS -keypass:env STOREPASS
gen slave2 slave2.example.com EC slave2.p12
# two nodes already under a CA of their own, for trust mesh --mode ca
hapki ca init --subject "CN=Node CA" --out node-ca.p12 --outpass env:CAPASS --cert-out node-ca.pem 2>/dev/null >/dev/null
for n in gw1 gw2; do
  gen $n $n.example.com RSA $n.p12
  keytool -certreq -alias $n -keystore $n.p12 -storepass:env STOREPASS -file $n.csr 2>/dev/null
  hapki sign $n.csr --ca node-ca.p12 --ca-storepass env:CAPASS --chain --out $n.pem 2>/dev/null >/dev/null
  hapki import $n.p12 --alias $n --reply $n.pem --trust-root "$(openssl x509 -in node-ca.pem -noout -fingerprint -sha256 | cut -d= -f2)" --storepass env:STOREPASS 2>/dev/null
  rm $n.csr $n.pem
done
gen server i1.example.com RSA i1.jks -storetype JKS -keypass:env STOREPASS
gen server i2.example.com RSA i2.p12
printf '# the gateway instances\\ni1.jks\\ni2.p12\\n' > cluster.txt
`;

describe('the README chores, run as written', () => {
  it('every chore section has its sh block', () => {
    for (const heading of CHORES) expect(sectionBlocks(heading).length, heading).toBeGreaterThan(0);
  });

  it('each chore example runs green in order, and keytool and openssl accept what it wrote', async () => {
    const blocks = CHORES.flatMap((heading) => sectionBlocks(heading).map((block) => `echo "=== ${heading.slice(5)}" >&2\n${block}`));
    const judge = `
echo "=== judge" >&2
keytool -list -keystore store.p12 -storepass:env STOREPASS | grep -c PrivateKeyEntry
keytool -list -keystore new.jks -storepass:env NEWPASS 2>/dev/null | grep -c PrivateKeyEntry
openssl pkcs12 -in old-readers.p12 -passin env:STOREPASS -legacy -info -noout 2>&1 | grep -m1 -o 'pbeWithSHA1And40BitRC2-CBC'
openssl verify -CAfile ca.pem msas1.pem certs/msas1.pem certs/msas2.pem
openssl crl -in ca.crl -inform DER -CAfile ca.pem -noout -verify 2>&1
keytool -list -keystore gateway.jks -storepass:env STOREPASS -alias msas1 -v 2>/dev/null | grep 'chain length'
keytool -list -keystore trust/gw1-truststore.jks -storepass:env STOREPASS 2>/dev/null | grep -c trustedCertEntry
keytool -list -keystore i1.jks -storepass:env STOREPASS -alias token -v 2>/dev/null | grep 'Entry type'
`;
    const script = ['set -euo pipefail', PRELUDE, ...blocks, judge].join('\n');
    const { stdout, stderr } = await runAsWritten('chores', script, 'a README chore');
    expect(stderr).toContain('=== judge');
    expect(stderr).not.toMatch(/ERR_|deprecated/);
    const judged = stdout.slice(stdout.lastIndexOf('token "token"'));
    expect(judged).toMatch(/^2\n1\npbeWithSHA1And40BitRC2-CBC\n/m);
    expect(judged).toContain('msas1.pem: OK\ncerts/msas1.pem: OK\ncerts/msas2.pem: OK\nverify OK');
    expect(judged).toMatch(/Certificate chain length: 2\n1\nEntry type: PrivateKeyEntry/);
  }, 300_000);
});
