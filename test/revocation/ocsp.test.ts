import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createTlsServer } from 'node:tls';
import { probeTls } from '../../src/trust/probe.js';
import { checkTrustMesh } from '../../src/trust/trust_check.js';
import { renderProbe } from '../../src/trust/probe_text.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { readOcspResponse } from '../../src/revocation/ocsp_read.js';
import { buildOcspRequest } from '../../src/revocation/ocsp_request.js';
import { readPathCertificate } from '../../src/path/path_certificate.js';
import { validatePath } from '../../src/trust/validate_path.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { der, loopbackServers, OcspFront, ocspLab, startOpensslResponder } from '../helpers/ocsp_responder.js';
import type { OpensslCa } from '../helpers/openssl_ca.js';
import { openssl, tempDir } from '../helpers/tools.js';

// verify --ocsp against real `openssl ocsp` responders on loopback, reached through a front server
// (the URL the certificates name) that forwards to the responder a test picks or misbehaves
const dir = tempDir('hapki-ocsp-');
const listen = loopbackServers();
const front = new OcspFront();
let ca: OpensslCa;
const responders: Record<'ca' | 'delegated' | 'impostor' | 'sha1', number> = { ca: 0, delegated: 0, impostor: 0, sha1: 0 };

beforeAll(async () => {
  await front.start(listen);
  ca = await ocspLab(dir, front);
  const index = ['-index', `${dir}/index.txt`, '-CA', ca.path('root'), '-ndays', '1'];
  responders.ca = await startOpensslResponder([...index, '-rsigner', ca.path('root'), '-rkey', ca.path('root', 'key')]);
  responders.delegated = await startOpensslResponder([...index, '-rsigner', ca.path('responder'), '-rkey', ca.path('responder', 'key')]);
  responders.impostor = await startOpensslResponder([...index, '-rsigner', ca.path('impostor'), '-rkey', ca.path('impostor', 'key')]);
  responders.sha1 = await startOpensslResponder([...index, '-rsigner', ca.path('root'), '-rkey', ca.path('root', 'key'), '-rmd', 'sha1']);
}, 60_000);

const check = (name: string, extra: { at?: Date; allowSha1?: boolean; required?: boolean; timeoutMs?: number } = {}) =>
  validatePath(der(ca.path(name)), {
    trusted: [der(ca.path('root'))],
    ...(extra.at ? { at: extra.at } : {}),
    ...(extra.allowSha1 ? { allowSha1: true } : {}),
    ocsp: { fetch: true, required: extra.required ?? false, timeoutMs: extra.timeoutMs ?? 5000 },
  });

describe('OCSP through validatePath, openssl ocsp as the responder', () => {
  it('a good certificate passes, with a nonce sent and echoed', async () => {
    front.mode = { forward: responders.ca };
    const result = await check('good', { required: true });
    expect(result.valid, result.reason).toBe(true);
    expect(result.revocation).toEqual([{ subject: 'CN=good', status: 'good' }]);
    writeFileSync(`${dir}/req.der`, front.lastRequest!);
    const text = (await openssl(['ocsp', '-reqin', `${dir}/req.der`, '-req_text'])).stdout;
    expect(text).toContain('OCSP Nonce');
    expect(text).toContain('Hash Algorithm: sha1');
    expect(readOcspResponse(front.lastResponse!).nonce).toBeDefined();
  });

  it('a revoked certificate fails with ERR_REVOKED, reason and time', async () => {
    front.mode = { forward: responders.ca };
    const result = await check('revoked');
    expect(result).toMatchObject({ valid: false, code: 'ERR_REVOKED' });
    expect(result.reason).toMatch(/CN=revoked" was revoked on \d{4}-.*\(keyCompromise\)/);
  });

  it('unknown is reported as undetermined, and fails with required (ERR_REVOCATION_UNKNOWN)', async () => {
    front.mode = { forward: responders.ca };
    const soft = await check('unknown');
    expect(soft.valid, soft.reason).toBe(true);
    expect(soft.revocation).toEqual([{ subject: 'CN=unknown', status: 'undetermined', detail: 'the OCSP responder does not know it' }]);
    expect(await check('unknown', { required: true })).toMatchObject({ valid: false, code: 'ERR_REVOCATION_UNKNOWN' });
  });

  it('a delegated responder certified by the CA for OCSP signing is trusted', async () => {
    front.mode = { forward: responders.delegated };
    expect((await check('good')).valid).toBe(true);
    expect(await check('revoked')).toMatchObject({ valid: false, code: 'ERR_REVOKED' });
  });

  it('a responder the CA did not certify for OCSP signing is not (ERR_OCSP_INVALID), nor is one past its validity', async () => {
    front.mode = { forward: responders.impostor };
    const result = await check('revoked');
    expect(result).toMatchObject({ valid: false, code: 'ERR_OCSP_INVALID' });
    expect(result.reason).toContain('lacks the id-kp-OCSPSigning');
    // the delegated responder's certificate ends 20 days from now, the leaves too: 19 days on, past nextUpdate
    front.mode = { forward: responders.delegated };
    expect((await check('good', { at: new Date(Date.now() + 19 * 86400_000) })).code).toBe('ERR_OCSP_INVALID');
  });

  it('a stale response (past nextUpdate beyond the clock skew) fails with ERR_OCSP_INVALID', async () => {
    front.mode = { forward: responders.ca };
    const result = await check('good', { at: new Date(Date.now() + 2 * 86400_000) });
    expect(result).toMatchObject({ valid: false, code: 'ERR_OCSP_INVALID' });
    expect(result.reason).toContain('stale');
  });

  it('a response that answers another request (a replayed nonce) fails with ERR_OCSP_INVALID', async () => {
    front.mode = { forward: responders.ca };
    expect((await check('good')).valid).toBe(true);
    front.mode = 'replay';
    const result = await check('good');
    expect(result).toMatchObject({ valid: false, code: 'ERR_OCSP_INVALID' });
    expect(result.reason).toContain('nonce');
  });

  it('a SHA-1 signed response is refused (ERR_WEAK_SIGNATURE) unless allowSha1', async () => {
    front.mode = { forward: responders.sha1 };
    expect((await check('good')).code).toBe('ERR_WEAK_SIGNATURE');
    expect((await check('good', { allowSha1: true })).valid).toBe(true);
  });

  it('a responder answering for a CA that did not authorise it (the root\'s responder, about another CA\'s certificate): ERR_OCSP_INVALID', async () => {
    front.mode = { forward: responders.ca };
    await ca.root('other');
    await ca.issued('stranger', 'ocsp_leaf', 'other');
    const result = await validatePath(der(ca.path('stranger')), { trusted: [der(ca.path('other'))], ocsp: { fetch: true } });
    expect(result).toMatchObject({ valid: false, code: 'ERR_OCSP_INVALID' });
    expect(result.reason).toContain('"CN=root" is not authorised by "CN=other"');
  });
});

describe('bad answers: coded errors in bounded time, never a pass', () => {
  it('garbage, a truncated response, tryLater and unauthorized statuses', async () => {
    front.mode = { forward: responders.ca };
    await check('good');
    const real = front.lastResponse!;
    front.mode = { body: new Uint8Array(Buffer.from('<html>not ocsp</html>')) };
    expect((await check('good')).code).toBe('ERR_OCSP_FORMAT');
    front.mode = { body: real.subarray(0, real.length - 40) };
    expect((await check('good')).code).toBe('ERR_OCSP_FORMAT');
    front.mode = { body: Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x03) };
    const later = await check('good');
    expect(later).toMatchObject({ valid: false, code: 'ERR_OCSP_RESPONDER' });
    expect(later.reason).toContain('tryLater');
    front.mode = { body: Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x06) };
    expect((await check('good')).reason).toContain('unauthorized');
  });

  it('a hanging responder and a redirect fail with ERR_OCSP_FETCH', async () => {
    front.mode = 'hang';
    expect(await check('good', { timeoutMs: 300 })).toMatchObject({ valid: false, code: 'ERR_OCSP_FETCH' });
    front.mode = 'redirect';
    expect(await check('good')).toMatchObject({ valid: false, code: 'ERR_OCSP_FETCH' });
  });

  it('readOcspResponse: every prefix of a real response is ERR_OCSP_FORMAT; the request builder omits the nonce on demand', async () => {
    front.mode = { forward: responders.ca };
    await check('good');
    const real = front.lastResponse!;
    for (let n = 0; n < real.length; n += 7) expect(() => readOcspResponse(real.subarray(0, n)), `prefix ${n}`).toThrow(expect.objectContaining({ code: 'ERR_OCSP_FORMAT' }));
    const request = buildOcspRequest(readPathCertificate(der(ca.path('good'))), readPathCertificate(der(ca.path('root'))), { nonce: false });
    expect(request.nonce).toBeUndefined();
  });
});

describe('hapki verify --ocsp', () => {
  it('good passes, revoked exits 1 with ERR_REVOKED, unknown with --ocsp-required with ERR_REVOCATION_UNKNOWN', async () => {
    front.mode = { forward: responders.ca };
    const good = await hapki(['verify', ca.path('good'), '--trust', ca.path('root'), '--ocsp', '--ocsp-required']);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain('revocation: CN=good: good');
    const revoked = await hapki(['verify', ca.path('revoked'), '--trust', ca.path('root'), '--ocsp']);
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toMatch(ONE_LINE_ERROR('ERR_REVOKED'));
    const unknown = await hapki(['verify', ca.path('unknown'), '--trust', ca.path('root'), '--ocsp', '--ocsp-required']);
    expect(unknown.stderr).toMatch(ONE_LINE_ERROR('ERR_REVOCATION_UNKNOWN'));
  });

  it('a hanging responder: ERR_OCSP_FETCH within --fetch-timeout; --ocsp-required alone is a usage error', async () => {
    front.mode = 'hang';
    const r = await hapki(['verify', ca.path('good'), '--trust', ca.path('root'), '--ocsp', '--fetch-timeout', '300ms']);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_OCSP_FETCH'));
    expect((await hapki(['verify', ca.path('good'), '--trust', ca.path('root'), '--ocsp-required'])).code).toBe(2);
  });
});

/** A node:tls server for `name`, stapling `staple` (from the openssl responder) when given. */
async function tlsServer(name: string, staple?: Uint8Array): Promise<number> {
  const server = createTlsServer({ key: readFileSync(ca.path(name, 'key')), cert: readFileSync(ca.path(name)) }, (s) => s.on('error', () => undefined));
  if (staple) server.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, done: (e: Error | null, r?: Buffer) => void) => done(null, Buffer.from(staple)));
  return listen(server);
}

async function stapleFor(name: string): Promise<Uint8Array> {
  const out = `${dir}/${name}.staple.der`;
  await openssl(['ocsp', '-issuer', ca.path('root'), '-cert', ca.path(name), '-url', `http://127.0.0.1:${responders.ca}/`, '-respout', out, '-noverify']);
  return new Uint8Array(readFileSync(out));
}

describe('probe: stapled responses (status_request) and --ocsp', () => {
  const probe = (port: number, ocsp?: { fetch: boolean; required?: boolean }, at?: Date) =>
    probeTls({ host: '127.0.0.1', port }, { trusted: [der(ca.path('root'))], servername: 'gw.example.com', ...(ocsp ? { ocsp } : {}), ...(at ? { at } : {}) });

  it('checks a staple without asking the responder: good passes, revoked fails with ERR_REVOKED, stale with ERR_OCSP_INVALID', async () => {
    const good = await tlsServer('good', await stapleFor('good'));
    const revoked = await tlsServer('revoked', await stapleFor('revoked'));
    front.mode = 'hang';
    const ok = await probe(good);
    expect(ok).toMatchObject({ ok: true, stapled: true, revocation: [{ subject: 'CN=good', status: 'good' }] });
    expect(renderProbe(ok)).toContain('revocation: CN=good: good\n');
    expect(await probe(revoked)).toMatchObject({ ok: false, stapled: true, code: 'ERR_REVOKED' });
    expect(await probe(good, undefined, new Date(Date.now() + 2 * 86400_000))).toMatchObject({ ok: false, code: 'ERR_OCSP_INVALID' });
  });

  it('without a staple, --ocsp asks the responder the leaf names; without --ocsp nothing is asked', async () => {
    const port = await tlsServer('revoked');
    front.mode = { forward: responders.ca };
    front.lastRequest = undefined;
    const plain = await probe(port);
    expect(plain).toMatchObject({ ok: true });
    expect(plain.stapled).toBeUndefined();
    expect(front.lastRequest).toBeUndefined();
    expect(await probe(port, { fetch: true })).toMatchObject({ ok: false, code: 'ERR_REVOKED' });
    const cli = await hapki(['probe', `127.0.0.1:${port}`, '--trust', ca.path('root'), '--servername', 'gw.example.com', '--ocsp']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(ONE_LINE_ERROR('ERR_REVOKED'));
    front.mode = 'hang';
    const hung = await probeTls({ host: '127.0.0.1', port }, { trusted: [der(ca.path('root'))], servername: 'gw.example.com', ocsp: { fetch: true, timeoutMs: 300 } });
    expect(hung).toMatchObject({ ok: false, code: 'ERR_OCSP_FETCH' });
  });
});

describe('trust check through the same revocation sources', () => {
  it('a revoked slave fails its pair with ERR_REVOKED under ocsp, and passes without', async () => {
    front.mode = { forward: responders.ca };
    const nodes = [
      { name: 'master', role: 'master' as const, certificateChain: [der(ca.path('good'))] },
      { name: 'slave', role: 'slave' as const, certificateChain: [der(ca.path('revoked'))] },
    ];
    const anchors = new Map([['master', [der(ca.path('root'))]], ['slave', [der(ca.path('root'))]]]);
    const checked = await checkTrustMesh(nodes, anchors, { purpose: 'any', ocsp: { fetch: true } });
    expect(checked.pairs).toMatchObject([{ truster: 'master', peer: 'slave', valid: false, code: 'ERR_REVOKED' }, { truster: 'slave', peer: 'master', valid: true }]);
    expect((await checkTrustMesh(nodes, anchors, { purpose: 'any' })).ok).toBe(true);
  });
});
