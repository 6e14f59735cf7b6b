import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCertificate } from '../../src/cert/describe.js';
import { readPem } from '../../src/keystore/pem/read.js';
import type { TrustedCertEntry } from '../../src/keystore/model.js';
import { openssl, tempDir } from '../helpers/tools.js';

const dir = tempDir();

describe('describeCertificate', () => {
  it('reports what openssl reports: names, serial, dates and every SAN type', async () => {
    const key = join(dir, 'k.pem');
    const cert = join(dir, 'c.pem');
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
    await openssl([
      'req', '-new', '-x509', '-key', key, '-out', cert, '-days', '10', '-set_serial', '0x00ff01',
      '-subj', '/C=US/O=Example, Inc./CN=node1.example.com',
      '-addext', 'subjectAltName=DNS:node1.example.com,IP:10.0.0.5,IP:2001:db8::1,email:ops@example.com,URI:https://node1.example.com/',
    ]);
    const store = await readPem(new Uint8Array(readFileSync(cert)));
    const summary = describeCertificate((store.entries[0] as TrustedCertEntry).certificate);
    expect(summary.san).toEqual(['DNS:node1.example.com', 'IP:10.0.0.5', 'IP:2001:db8::1', 'email:ops@example.com', 'URI:https://node1.example.com/']);
    const text = (await openssl(['x509', '-in', cert, '-noout', '-ext', 'subjectAltName'])).stdout;
    for (const name of summary.san) expect(text.replace(/IP Address:/g, 'IP:')).toContain(name.replace(/^IP:2001:db8::1$/, 'IP:2001:DB8:0:0:0:0:0:1'));
    expect(summary.serial).toBe('ff01');
    expect(summary.subject).toBe('CN=node1.example.com, O=Example\\, Inc., C=US');
    const end = (await openssl(['x509', '-in', cert, '-noout', '-enddate'])).stdout.split('=')[1]!.trim();
    expect(new Date(summary.notAfter).getTime()).toBe(new Date(end).getTime());
  });
});
