import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tag } from '../../src/asn1/der_reader.js';
import { bitString, explicit, implicitConstructed, implicitPrimitive, nullValue, octetString, oid, sequence, tlv } from '../../src/asn1/der_writer.js';
import { readCertificates } from '../../src/keystore/read_certificates.js';
import { readPathCertificate } from '../../src/path/path_certificate.js';
import { certIdOf, OCSP_OID } from '../../src/revocation/ocsp_request.js';
import { validatePath } from '../../src/trust/validate_path.js';
import { OpensslCa } from '../helpers/openssl_ca.js';
import { openssl, tempDir } from '../helpers/tools.js';

/**
 * An OCSP response signed by the issuing CA that holds several SingleResponses about one
 * certificate which say different things (good and revoked; two revocation times or reasons).
 * hapki relies on none of them: ERR_OCSP_INVALID, whichever comes first. openssl ocsp takes the
 * first it finds, so the order the responder wrote decides what it says; the test shows that too.
 * SingleResponses that agree (a certificate asked about twice, CertIDs of two hashes) are relied on.
 */
const dir = tempDir('hapki-ocsp-conflict-');
const ca = new OpensslCa(dir);
const certOf = (name: string): Uint8Array => readCertificates(new Uint8Array(readFileSync(ca.path(name))), name)[0]!;
const HOUR = 3600_000;
const now = Date.now();

const generalizedTime = (date: Date): Uint8Array => tlv(Tag.generalizedTime, Uint8Array.from(`${date.toISOString().slice(0, 19).replace(/[-:T]/g, '')}Z`, (c) => c.charCodeAt(0)));

type Status = { status: 'good' } | { status: 'revoked'; at: Date; reason?: number } | { status: 'unknown' };

function singleResponse(hashOid: string, status: Status): Uint8Array {
  const id = certIdOf(readPathCertificate(certOf('leaf')), readPathCertificate(certOf('root')), hashOid);
  const certId = sequence(sequence(oid(hashOid), nullValue()), octetString(id.issuerNameHash), octetString(id.issuerKeyHash), tlv(Tag.integer, id.serial));
  const certStatus =
    status.status === 'good'
      ? implicitPrimitive(0, new Uint8Array(0))
      : status.status === 'unknown'
        ? implicitPrimitive(2, new Uint8Array(0))
        : implicitConstructed(1, generalizedTime(status.at), ...(status.reason === undefined ? [] : [explicit(0, tlv(10, Uint8Array.of(status.reason)))]));
  return sequence(certId, certStatus, generalizedTime(new Date(now - HOUR)), explicit(0, generalizedTime(new Date(now + 24 * HOUR))));
}

/** A successful OCSPResponse signed by the root (ECDSA with SHA-256), responder by name. */
function response(...singles: Uint8Array[]): Uint8Array {
  const root = readPathCertificate(certOf('root'));
  const tbs = sequence(explicit(1, root.subject), generalizedTime(new Date(now)), sequence(...singles));
  const algorithm = sequence(oid('1.2.840.10045.4.3.2'));
  const signature = sign('sha256', tbs, createPrivateKey(readFileSync(ca.path('root', 'key'))));
  const basic = sequence(tbs, algorithm, bitString(new Uint8Array(signature)));
  return sequence(tlv(10, Uint8Array.of(0)), explicit(0, sequence(oid(OCSP_OID.basic), octetString(basic))));
}

const check = (ocsp: Uint8Array) => validatePath(certOf('leaf'), { trusted: [certOf('root')], ocsp: { responses: [ocsp], required: true } });

/** What `openssl ocsp` makes of the response for the leaf. */
async function opensslSays(ocsp: Uint8Array): Promise<string> {
  writeFileSync(join(dir, 'resp.der'), ocsp);
  const result = await openssl(['ocsp', '-respin', join(dir, 'resp.der'), '-issuer', ca.path('root'), '-cert', ca.path('leaf'), '-CAfile', ca.path('root'), '-no_nonce']);
  expect(result.stdout + result.stderr).toContain('Response verify OK');
  return /leaf\.pem: (\w+)/.exec(result.stdout)![1]!;
}

const GOOD: Status = { status: 'good' };
const REVOKED: Status = { status: 'revoked', at: new Date(now - 2 * HOUR), reason: 1 };

beforeAll(async () => {
  await ca.root('root');
  await ca.issued('leaf', 'server', 'root');
}, 60_000);

describe('an OCSP response that contradicts itself about one certificate', () => {
  it('good and revoked, in either order, is ERR_OCSP_INVALID; openssl ocsp says whatever comes first', async () => {
    const goodFirst = response(singleResponse(OCSP_OID.sha1, GOOD), singleResponse(OCSP_OID.sha1, REVOKED));
    const revokedFirst = response(singleResponse(OCSP_OID.sha1, REVOKED), singleResponse(OCSP_OID.sha1, GOOD));
    for (const ocsp of [goodFirst, revokedFirst]) {
      const result = await check(ocsp);
      expect(result).toMatchObject({ valid: false, code: 'ERR_OCSP_INVALID' });
      expect(result.reason).toMatch(/contradicts itself about "CN=leaf": (good and revoked|revoked on .* and good)/);
    }
    expect(await opensslSays(goodFirst)).toBe('good');
    expect(await opensslSays(revokedFirst)).toBe('revoked');
  });

  it('two revocation times, or two reasons, are ERR_OCSP_INVALID', async () => {
    const times = response(singleResponse(OCSP_OID.sha1, REVOKED), singleResponse(OCSP_OID.sha1, { status: 'revoked', at: new Date(now - 5 * HOUR), reason: 1 }));
    expect(await check(times)).toMatchObject({ valid: false, code: 'ERR_OCSP_INVALID', reason: expect.stringMatching(/revoked on .* and revoked on /) });
    const reasons = response(singleResponse(OCSP_OID.sha1, REVOKED), singleResponse(OCSP_OID.sha1, { ...REVOKED, reason: 4 }));
    expect(await check(reasons)).toMatchObject({ valid: false, code: 'ERR_OCSP_INVALID', reason: expect.stringMatching(/keyCompromise.*and.*superseded/) });
  });

  it('good under a SHA-1 CertID and unknown under a SHA-256 one is ERR_OCSP_INVALID', async () => {
    const result = await check(response(singleResponse(OCSP_OID.sha1, GOOD), singleResponse(OCSP_OID.sha256, { status: 'unknown' })));
    expect(result).toMatchObject({ valid: false, code: 'ERR_OCSP_INVALID', reason: expect.stringMatching(/good and unknown/) });
  });
});

describe('SingleResponses that agree are relied on', () => {
  it('revoked twice alike is ERR_REVOKED; good under SHA-1 and SHA-256 CertIDs is good', async () => {
    expect(await check(response(singleResponse(OCSP_OID.sha1, REVOKED), singleResponse(OCSP_OID.sha1, REVOKED)))).toMatchObject({ valid: false, code: 'ERR_REVOKED' });
    const good = await check(response(singleResponse(OCSP_OID.sha1, GOOD), singleResponse(OCSP_OID.sha256, GOOD)));
    expect(good.valid, good.reason).toBe(true);
    expect(good.revocation).toEqual([{ subject: 'CN=leaf', status: 'good' }]);
  });
});
