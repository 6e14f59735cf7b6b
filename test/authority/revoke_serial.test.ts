import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRecord, revokeSerial, serialOf } from '../../src/authority/issuance_record.js';
import { readCertificates } from '../../src/keystore/read_certificates.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { keytool, openssl, tempDir } from '../helpers/tools.js';

/**
 * revokeSerial given a certificate the record lacks (signed before hapki kept it) adds it,
 * revoked. The serial it is given must be that certificate's: another serial would be recorded
 * as revoked while the certificate went in as issued and not revoked.
 */
const dir = tempDir('hapki-revoke-serial-');
const at = (f: string): string => join(dir, f);
const env = { CAPASS: 'ca-secret' };

beforeAll(async () => {
  const init = await hapki(['ca', 'init', '--subject', 'CN=Serial Root,O=Example', '--kty', 'ec', '--out', at('ca.p12'), '--outpass', 'env:CAPASS', '--cert-out', at('ca.pem')], { env });
  expect(init.code, init.stderr).toBe(0);
  for (const name of ['a', 'b']) {
    await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at(`${name}.key`), '-subj', `/CN=${name}.example.com`, '-out', at(`${name}.csr`)]);
    const signed = await hapki(['sign', at(`${name}.csr`), '--ca', at('ca.p12'), '--ca-storepass', 'env:CAPASS', '--out', at(`${name}.pem`)], { env });
    expect(signed.code, signed.stderr).toBe(0);
  }
  // as if both were signed before the CA kept its record
  rmSync(at('ca.p12.issued.jsonl'));
});

describe('revokeSerial of a certificate outside the record', () => {
  it("refuses a serial that is not the certificate's, the record untouched; the certificate's own serial adds it, revoked", async () => {
    const caCert = readCertificates(readFileSync(at('ca.pem')))[0]!;
    const a = readCertificates(readFileSync(at('a.pem')))[0]!;
    const b = readCertificates(readFileSync(at('b.pem')))[0]!;
    await expect(revokeSerial(at('ca.p12'), serialOf(b), 'keyCompromise', new Date(), a, caCert)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(await readRecord(at('ca.p12'))).toEqual([]);
    const revoked = await revokeSerial(at('ca.p12'), serialOf(a), 'keyCompromise', new Date(), a, caCert);
    expect(revoked).toMatchObject({ serial: serialOf(a), subject: 'CN=a.example.com', by: 'unrecorded', revoked: { reason: 'keyCompromise' } });
    const lines = await readRecord(at('ca.p12'));
    expect(lines.map((l) => [l.type, 'serial' in l ? l.serial : ''])).toEqual([['issued', serialOf(a)], ['revoked', serialOf(a)]]);
  });
});

describe('revoke --cert of a certificate outside the record, the CA keystore holding two CA keys', () => {
  // Regression: the CA certificate was the keystore's only private-key entry's, and revoke had no
  // --ca-alias: with two (an old CA key kept beside the new one) it said "say which with an
  // alias", which no option of revoke could
  it('--ca-alias names the CA entry; without it, ERR_INVALID_ARGUMENT; the record untouched until then', async () => {
    const two = at('two.jks');
    for (const alias of ['old', 'new']) {
      await keytool(['-genkeypair', '-alias', alias, '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', `CN=Two ${alias} CA,O=Example`, '-ext', 'bc:c', '-keystore', two, '-storepass', 'changeit', '-keypass', 'changeit']);
    }
    const signed = await hapki(['sign', at('a.csr'), '--ca', two, '--ca-alias', 'old', '--ca-storepass', 'env:TWOPASS', '--out', at('a-old.pem')], { env: { TWOPASS: 'changeit' } });
    expect(signed.code, signed.stderr).toBe(0);
    rmSync(at('two.jks.issued.jsonl'));
    const revoke = ['revoke', '--ca', two, '--cert', at('a-old.pem'), '--ca-storepass', 'env:TWOPASS'];
    const unnamed = await hapki(revoke, { env: { TWOPASS: 'changeit' } });
    expect(unnamed.stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
    expect(await readRecord(two)).toEqual([]);
    // the other CA key did not sign it
    const wrong = await hapki([...revoke, '--ca-alias', 'new'], { env: { TWOPASS: 'changeit' } });
    expect(wrong.stderr).toMatch(ONE_LINE_ERROR('ERR_NOT_FOUND'));
    const named = await hapki([...revoke, '--ca-alias', 'old', '--json'], { env: { TWOPASS: 'changeit' } });
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout)).toMatchObject({ subject: 'CN=a.example.com', revoked: { reason: 'unspecified' } });
  });
});
