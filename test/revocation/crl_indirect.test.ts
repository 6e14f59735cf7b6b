import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCertificates } from '../../src/keystore/read_certificates.js';
import { validatePath } from '../../src/trust/validate_path.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { tempDir } from '../helpers/tools.js';

/**
 * RFC 5280 6.3.3 (b)(1): a CRL speaks about a certificate only when its issuer is the
 * certificate's issuer, or the cRLIssuer the certificate's distribution point names. Mallory holds
 * a leaf of the same root without a keyUsage extension (so nothing forbids cRLSign) and signs an
 * indirect CRL listing the victim's serial under the root's name (certificateIssuer). The victim's
 * certificate names no cRLIssuer: the root never delegated its CRLs, and openssl says OK.
 * Regression: hapki took that CRL as the root's and reported the victim revoked; an empty one made
 * the victim "good" without any CRL of the root.
 */
const dir = tempDir('hapki-icrl-');
const p = (name: string): string => join(dir, name);
const cert = (name: string): Uint8Array => readCertificates(new Uint8Array(readFileSync(p(`${name}.pem`))), name)[0]!;
const der = (name: string): Uint8Array => new Uint8Array(readFileSync(p(name)));

const PYTHON = `
import datetime as dt, sys, os
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
out = sys.argv[1]
now = dt.datetime.now(dt.timezone.utc)
name = lambda cn: x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
root = name('Root CA')
rk = ec.generate_private_key(ec.SECP256R1())
def cert(subject, key, ca, ku=True, san=None):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(root).public_key(key.public_key())
         .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False))
    if ku:
        b = b.add_extension(x509.KeyUsage(digital_signature=not ca, content_commitment=False, key_encipherment=False, data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False), True)
    if san:
        b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), False)
    return b.sign(rk, hashes.SHA256())
vk = ec.generate_private_key(ec.SECP256R1())
mk = ec.generate_private_key(ec.SECP256R1())
victim = cert(name('victim.example.com'), vk, False, san='victim.example.com')
certs = {'root': cert(root, rk, True), 'victim': victim, 'mallory': cert(name('Mallory'), mk, False, ku=False)}
for n, c in certs.items():
    open(os.path.join(out, n + '.pem'), 'wb').write(c.public_bytes(serialization.Encoding.PEM))
idp = x509.IssuingDistributionPoint(full_name=None, relative_name=None, only_contains_user_certs=False, only_contains_ca_certs=False, only_some_reasons=None, indirect_crl=True, only_contains_attribute_certs=False)
def crl(issuer, key, entries, indirect):
    b = x509.CertificateRevocationListBuilder().issuer_name(issuer).last_update(now - dt.timedelta(hours=1)).next_update(now + dt.timedelta(days=1)).add_extension(x509.CRLNumber(1), False)
    if indirect:
        b = b.add_extension(idp, True)
    for e in entries:
        b = b.add_revoked_certificate(e)
    return b.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
entry = (x509.RevokedCertificateBuilder().serial_number(victim.serial_number).revocation_date(now - dt.timedelta(hours=1))
         .add_extension(x509.CertificateIssuer([x509.DirectoryName(root)]), True).build())
open(os.path.join(out, 'evil.crl'), 'wb').write(crl(name('Mallory'), mk, [entry], True))
open(os.path.join(out, 'empty-evil.crl'), 'wb').write(crl(name('Mallory'), mk, [], True))
open(os.path.join(out, 'root.crl'), 'wb').write(crl(root, rk, [], False))
`;

beforeAll(() => {
  execFileSync('python3', ['-c', PYTHON, dir]);
});

const options = (crls: string[], extra: object = {}) => ({ trusted: [cert('root')], untrusted: [cert('mallory')], crls: crls.map(der), ...extra });

describe('an indirect CRL from someone the issuer never named', () => {
  it('does not revoke the victim, nor vouch for it; the root\'s own CRL still decides', async () => {
    const evil = await validatePath(cert('victim'), options(['evil.crl']));
    expect(evil.valid).toBe(true);
    expect(evil.revocation?.[0]?.status).toBe('undetermined');
    const both = await validatePath(cert('victim'), options(['evil.crl', 'root.crl']));
    expect(both.valid).toBe(true);
    expect(both.revocation?.[0]?.status).toBe('good');
    const vouched = await validatePath(cert('victim'), options(['empty-evil.crl'], { crlRequired: true }));
    expect(vouched.valid).toBe(false);
    expect(vouched.code).toBe('ERR_REVOCATION_UNKNOWN');
  });

  it('hapki verify: exit 0 with the evil CRL, ERR_REVOCATION_UNKNOWN with --crl-required and only the empty evil CRL', async () => {
    const ok = await hapki(['verify', p('victim.pem'), '--trust', p('root.pem'), '--untrusted', p('mallory.pem'), '--crl', p('evil.crl')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/undetermined/);
    const required = await hapki(['verify', p('victim.pem'), '--trust', p('root.pem'), '--untrusted', p('mallory.pem'), '--crl', p('empty-evil.crl'), '--crl-required']);
    expect(required.code).toBe(1);
    expect(required.stderr).toMatch(ONE_LINE_ERROR('ERR_REVOCATION_UNKNOWN'));
  });
});
