import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { opensslFingerprint } from '../helpers/keys.js';
import { keytool, mustRun, openssl, tempDir } from '../helpers/tools.js';

// regression: `import --reply` installed a chain whose leaf or intermediate was signed with SHA-1
// or MD5 (keytool only warns), while verify refuses such a path (ERR_WEAK_SIGNATURE). The chain
// below the trust anchor is now held to the same rule; the root's own self-signature is not
// checked (RFC 5280: an anchor is trusted for its key), so an old SHA-1 self-signed root still works.
const dir = tempDir('hapki-import-weak-');
const env = { STOREPASS: 'changeit' };
const storepass = ['--storepass', 'env:STOREPASS'];
const at = (name: string): string => join(dir, name);
let rootFp = '';

async function caCert(name: string, issuer: string | undefined, hash: string): Promise<void> {
  const ext = at(`${name}.ext`);
  writeFileSync(ext, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
  if (issuer === undefined) {
    await openssl(['req', '-x509', '-newkey', 'rsa:2048', `-${hash}`, '-nodes', '-keyout', at(`${name}.key`), '-out', at(`${name}.pem`), '-subj', `/CN=${name}`, '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    return;
  }
  await openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', `/CN=${name}`]);
  await openssl(['x509', '-req', '-in', at(`${name}.csr`), '-CA', at(`${issuer}.pem`), '-CAkey', at(`${issuer}.key`), `-${hash}`, '-days', '20', '-set_serial', String(Date.now()), '-extfile', ext, '-out', at(`${name}.pem`)]);
}

/** A keytool node, its request, and the reply the issuing CA signs with `hash`, as a PEM bundle with the intermediate. */
async function nodeAndReply(name: string, issuer: string, hash: string): Promise<{ store: string; reply: string }> {
  const store = at(`${name}.jks`);
  await keytool(['-genkeypair', '-alias', 'msas1', '-keyalg', 'RSA', '-keysize', '2048', '-dname', `CN=${name}.example.com`, '-validity', '30', '-keystore', store, '-storepass', 'changeit', '-keypass', 'changeit']);
  const csr = await hapki(['csr', store, '--alias', 'msas1', ...storepass, '--out', at(`${name}.csr`)], { env });
  expect(csr.code, csr.stderr).toBe(0);
  const ext = at(`${name}.ext`);
  writeFileSync(ext, `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${name}.example.com\n`);
  await openssl(['x509', '-req', '-in', at(`${name}.csr`), '-CA', at(`${issuer}.pem`), '-CAkey', at(`${issuer}.key`), `-${hash}`, '-days', '10', '-set_serial', String(Date.now()), '-extfile', ext, '-out', at(`${name}.leaf.pem`)]);
  const reply = at(`${name}.reply.pem`);
  writeFileSync(reply, readFileSync(at(`${name}.leaf.pem`), 'utf8') + readFileSync(at(`${issuer}.pem`), 'utf8'));
  return { store, reply };
}

async function importReply(store: string, reply: string, ...more: string[]) {
  return hapki(['import', store, '--alias', 'msas1', '--reply', reply, '--ca', at('root.pem'), '--trust-root', rootFp, ...storepass, ...more], { env });
}

beforeAll(async () => {
  await caCert('root', undefined, 'sha1'); // an old root, self-signed with SHA-1
  await caCert('sub', 'root', 'sha256');
  await caCert('weaksub', 'root', 'sha1');
  rootFp = await opensslFingerprint(at('root.pem'));
  // the tools agree on what is what
  expect((await mustRun('openssl', ['x509', '-in', at('weaksub.pem'), '-noout', '-text'])).stdout).toContain('sha1WithRSAEncryption');
});

describe('import --reply refuses a chain signed with a broken hash below its trust anchor', () => {
  it('SHA-256 below an SHA-1 self-signed root: installed (the root\'s own signature is not checked)', async () => {
    const { store, reply } = await nodeAndReply('sound', 'sub', 'sha256');
    const r = await importReply(store, reply);
    expect(r.code, r.stderr).toBe(0);
    expect((await keytool(['-list', '-v', '-keystore', store, '-storepass', 'changeit', '-alias', 'msas1'])).stdout).toMatch(/Certificate chain length: 3/);
  });

  it.each([
    ['a SHA-1 leaf', 'sha1-leaf', 'sub', 'sha1', 'sha1-leaf.example.com', 'SHA1withRSA|sha1'],
    ['an MD5 leaf', 'md5-leaf', 'sub', 'md5', 'md5-leaf.example.com', 'MD5withRSA|md5'],
    ['a SHA-1 intermediate', 'weak-sub-leaf', 'weaksub', 'sha256', 'weaksub', 'SHA1withRSA|sha1'],
  ])('%s: ERR_WEAK_SIGNATURE, one line naming the certificate, keystore unchanged', async (_name, node, issuer, hash, named, algorithm) => {
    const { store, reply } = await nodeAndReply(node, issuer, hash);
    const before = readFileSync(store);
    const r = await importReply(store, reply);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_WEAK_SIGNATURE'));
    expect(r.stderr).toContain(`"CN=${named}"`);
    expect(r.stderr).toMatch(new RegExp(algorithm, 'i'));
    expect(readFileSync(store)).toEqual(before);
  });

  it('--allow-sha1 accepts SHA-1 (as verify --allow-sha1), never MD5; it goes with --reply only', async () => {
    const sha1 = await nodeAndReply('sha1-allowed', 'sub', 'sha1');
    expect((await importReply(sha1.store, sha1.reply, '--allow-sha1')).code).toBe(0);
    const md5 = await nodeAndReply('md5-allowed', 'sub', 'md5');
    const refused = await importReply(md5.store, md5.reply, '--allow-sha1');
    expect(refused.stderr).toMatch(ONE_LINE_ERROR('ERR_WEAK_SIGNATURE'));
    const trusted = await hapki(['import', sha1.store, '--alias', 'x', '--trusted', at('root.pem'), '--allow-sha1', ...storepass], { env });
    expect(trusted.code).toBe(2);
  });

  it('import --trusted adds an SHA-1 self-signed root: an anchor is trusted for its key, not its signature', async () => {
    const store = at('trusting.jks');
    await keytool(['-genkeypair', '-alias', 'msas1', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=trusting', '-validity', '30', '-keystore', store, '-storepass', 'changeit', '-keypass', 'changeit']);
    const r = await hapki(['import', store, '--alias', 'old-root', '--trusted', at('root.pem'), ...storepass], { env });
    expect(r.code, r.stderr).toBe(0);
  });
});
