import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeCertificate } from '../../src/cert/describe.js';
import { encodeName } from '../../src/cert/dn.js';
import { commonNameOf, formatName } from '../../src/cert/format_name.js';
import { certificateNames } from '../../src/cert/names.js';
import { fixture } from '../helpers/fixtures.js';

describe('distinguished names', () => {
  it('shows a name the way --subject takes it, so what hapki prints can be typed back', () => {
    for (const dn of ['CN=Example Root CA, O=Example', 'CN=msas1.example.com, OU=Gateway, O=Example, C=US']) {
      expect(formatName(encodeName(dn))).toBe(dn);
    }
  });

  it('encodes the most specific RDN last, as keytool does', () => {
    const der = encodeName('CN=leaf,O=Example');
    expect(commonNameOf(der)).toBe('leaf');
    expect(Buffer.from(der).indexOf(Buffer.from('Example'))).toBeLessThan(Buffer.from(der).indexOf(Buffer.from('leaf')));
  });

  it("lists a keytool certificate's subject in keytool's order, where Node prints it in encoding order", () => {
    const pem = new TextDecoder().decode(fixture('gateway.pem'));
    const leafPem = pem.slice(pem.indexOf('-----BEGIN CERTIFICATE-----'));
    const der = new Uint8Array(new X509Certificate(leafPem).raw);
    const summary = describeCertificate(der);
    expect(summary.subject).toBe(formatName(certificateNames(der).subject));
    expect([summary.subject, summary.issuer]).toContain('CN=msas1.example.com, OU=Gateway, O=Example, C=US');
  });
});
