import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRecord, revokeSerial, serialOf } from '../../src/authority/issuance_record.js';
import { readCertificates } from '../../src/issue/read_certificates.js';
import { hapki } from '../helpers/cli.js';
import { openssl, tempDir } from '../helpers/tools.js';

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
