import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { issuedBy, nextCrlNumber, readRecord } from '../../src/authority/issuance_record.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { openssl, tempDir } from '../helpers/tools.js';

/**
 * The issuance record is read line by line, each field a reader uses checked once. Regression: a
 * line edited by hand or cut short (`{"type":"issued","serial":"zz"}`) made `ca issued` end in
 * ERR_INTERNAL (`names.join` of nothing), `{"type":"crl","number":"x"}` made `crl` crash on a
 * NaN CRL number, and `"number":1e300` made it publish CRL #1e+300, which no CRLNumber can hold.
 */
const dir = tempDir('hapki-record-lines-');
const at = (f: string): string => join(dir, f);
const env = { CAPASS: 'ca-secret' };
let good = '';

beforeAll(async () => {
  const init = await hapki(['ca', 'init', '--subject', 'CN=Record Root', '--kty', 'ec', '--out', at('ca.p12'), '--outpass', 'env:CAPASS'], { env });
  expect(init.code, init.stderr).toBe(0);
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('a.key'), '-subj', '/CN=a.example.com', '-out', at('a.csr')]);
  const signed = await hapki(['sign', at('a.csr'), '--ca', at('ca.p12'), '--ca-storepass', 'env:CAPASS', '--out', at('a.pem')], { env });
  expect(signed.code, signed.stderr).toBe(0);
  good = readFileSync(at('ca.p12.issued.jsonl'), 'utf8');
});

const BAD_LINES: readonly [string, string][] = [
  ['an issued line cut short', '{"type":"issued","serial":"zz"}'],
  ['an issued line whose names are not a list', `{"type":"issued","serial":"1","subject":"CN=x","names":5,"notBefore":"2026-01-01T00:00:00Z","notAfter":"2027-01-01T00:00:00Z","sha256":"${'a'.repeat(64)}","profile":"server","at":"2026-01-01T00:00:00Z","by":"sign"}`],
  ['an issued line whose notAfter is no time', `{"type":"issued","serial":"1","subject":"CN=x","names":[],"notBefore":"2026-01-01T00:00:00Z","notAfter":{},"sha256":"${'a'.repeat(64)}","profile":"server","at":"2026-01-01T00:00:00Z","by":"sign"}`],
  ['a serial longer than 20 octets', `{"type":"revoked","serial":"${'1'.repeat(41)}","reason":"superseded","at":"2026-01-01T00:00:00Z"}`],
  ['a revocation reason RFC 5280 does not have', '{"type":"revoked","serial":"1","reason":"toString","at":"2026-01-01T00:00:00Z"}'],
  ['a revocation at no time', '{"type":"revoked","serial":"1","reason":"superseded","at":5}'],
  ['a CRL number that is text', '{"type":"crl","number":"x","at":"2026-01-01T00:00:00Z","nextUpdate":"2026-01-08T00:00:00Z"}'],
  ['a CRL number no CRLNumber can hold', '{"type":"crl","number":1e300,"at":"2026-01-01T00:00:00Z","nextUpdate":"2026-01-08T00:00:00Z"}'],
  ['a JSON array', '[1,2]'],
  ['JSON null', 'null'],
  ['an unknown type', '{"type":"renewed","serial":"1"}'],
  ['not JSON, with a terminal escape', '{"type":"issued"\u001b[2J'],
];

describe('a record line hapki did not write this way', () => {
  for (const [what, line] of BAD_LINES) {
    it(`${what}: ERR_INVALID_ARGUMENT naming the file and line, for ca issued and crl alike`, async () => {
      writeFileSync(at('ca.p12.issued.jsonl'), `${good}${line}\n`);
      await expect(readRecord(at('ca.p12'))).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(/ca\.p12\.issued\.jsonl:2: not a record line/) });
      await expect(issuedBy(at('ca.p12'))).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
      // no CRL number is reserved past a line that does not read: it could reuse a number
      await expect(nextCrlNumber(at('ca.p12'), new Date(), new Date(Date.now() + 86_400_000))).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
      expect(readFileSync(at('ca.p12.issued.jsonl'), 'utf8')).toBe(`${good}${line}\n`);
    });
  }

  it('through the CLI: one line without the raw input, non-zero exit, no CRL written and the record unchanged', async () => {
    const line = '{"type":"crl","number":"\u001b[31mx","at":"2026-01-01T00:00:00Z","nextUpdate":"2026-01-08T00:00:00Z"}';
    writeFileSync(at('ca.p12.issued.jsonl'), `${good}${line}\n`);
    for (const args of [['ca', 'issued', '--ca', at('ca.p12')], ['crl', '--ca', at('ca.p12'), '--ca-storepass', 'env:CAPASS', '--out', at('c.crl')]]) {
      const result = await hapki(args, { env });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
      expect(result.stderr).not.toContain('\u001b');
    }
    expect(existsSync(at('c.crl'))).toBe(false);
    expect(readFileSync(at('ca.p12.issued.jsonl'), 'utf8')).toBe(`${good}${line}\n`);
  });

  // regression: revoke --cert of a certificate this CA signed outside hapki with a serial over 20
  // octets (openssl x509 -set_serial takes any) recorded it, revoked, in a line the record's own
  // reader refuses: every later ca issued, crl and revoke of that CA was ERR_INVALID_ARGUMENT
  it('revoke --cert of a certificate whose serial the record cannot hold: refused, the record unchanged and still read', async () => {
    writeFileSync(at('ca.p12.issued.jsonl'), good);
    await openssl(['pkcs12', '-in', at('ca.p12'), '-passin', `pass:${env.CAPASS}`, '-nocerts', '-nodes', '-out', at('ca.key')]);
    await openssl(['pkcs12', '-in', at('ca.p12'), '-passin', `pass:${env.CAPASS}`, '-clcerts', '-nokeys', '-out', at('ca.pem')]);
    await openssl(['x509', '-req', '-in', at('a.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-set_serial', `0x7f${'ab'.repeat(24)}`, '-days', '10', '-out', at('long.pem')]);
    const revoked = await hapki(['revoke', '--ca', at('ca.p12'), '--cert', at('long.pem'), '--reason', 'keyCompromise', '--ca-storepass', 'env:CAPASS'], { env });
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
    expect(revoked.stderr).toContain(`serial 7f${'ab'.repeat(24)}`);
    expect(readFileSync(at('ca.p12.issued.jsonl'), 'utf8')).toBe(good);
    const issued = await hapki(['ca', 'issued', '--ca', at('ca.p12')], { env });
    expect(issued.code, issued.stderr).toBe(0);
    expect(issued.stdout).toContain('CN=a.example.com');
  });

  it('a field a later version adds is kept and read past; CRL numbers go on from the last', async () => {
    writeFileSync(at('ca.p12.issued.jsonl'), `${good}{"type":"crl","number":41,"at":"2026-01-01T00:00:00.000Z","nextUpdate":"2026-01-08T00:00:00.000Z","signer":"hsm"}\n`);
    expect((await issuedBy(at('ca.p12'))).map((c) => c.subject)).toEqual(['CN=a.example.com']);
    const crl = await hapki(['crl', '--ca', at('ca.p12'), '--ca-storepass', 'env:CAPASS', '--out', at('c.crl')], { env });
    expect(crl.code, crl.stderr).toBe(0);
    expect((await openssl(['crl', '-in', at('c.crl'), '-inform', 'DER', '-noout', '-crlnumber'])).stdout).toMatch(/crlNumber=0x2A/);
  });
});
