import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openssl } from './tools.js';

/** openssl extension sections for test chains: CAs with and without constraints, leaves by purpose. */
export const OPENSSL_EXTENSIONS = `
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ca_pathlen0]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ca_nc]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
nameConstraints = critical,permitted;DNS:example.com
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ca_nosign]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[not_ca]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:gw.example.com,IP:10.0.0.5
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:gw.example.com
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[outside]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:gw.example.org
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

/**
 * An `openssl ca` configuration (for `openssl ca -gencrl` and `-revoke`, and `req` with the
 * v3_ca and leaf sections) whose database, CRL number, certificate and key are the files given.
 */
export function opensslCaConfig(files: { index: string; crlnumber: string; certificate: string; key: string }): string {
  return `
[ca]
default_ca = ca
[ca]
database = ${files.index}
crlnumber = ${files.crlnumber}
default_md = sha256
default_crl_days = 30
certificate = ${files.certificate}
private_key = ${files.key}
[req]
distinguished_name = dn
[dn]
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:FALSE
subjectAltName = DNS:gw.example.com
authorityKeyIdentifier = keyid
`;
}

/**
 * Makes P-256 certificates with openssl in one directory: `<name>.key`, `<name>.pem`. A root is
 * self-signed (30 days); an issued certificate is signed by `issuer` (20 days) with the section's
 * extensions from OPENSSL_EXTENSIONS.
 */
export class OpensslCa {
  private readonly config: string;
  private serial = 0x1000;

  constructor(readonly dir: string) {
    this.config = join(dir, 'openssl-ext.cnf');
    writeFileSync(this.config, OPENSSL_EXTENSIONS);
  }

  path(name: string, ext = 'pem'): string {
    return join(this.dir, `${name}.${ext}`);
  }

  async root(name: string, section = 'ca', subject = `/CN=${name}`): Promise<void> {
    await this.key(name);
    await openssl(['req', '-x509', '-new', '-key', this.path(name, 'key'), '-subj', subject, '-days', '30', '-config', this.config, '-extensions', section, '-out', this.path(name)]);
  }

  /** `subject`: another than /CN=<name> (two CAs of one name in two files). */
  async issued(name: string, section: string, issuer: string, subject = `/CN=${name}`): Promise<void> {
    await this.key(name);
    await openssl(['req', '-new', '-key', this.path(name, 'key'), '-subj', subject, '-config', this.config, '-out', this.path(name, 'csr')]);
    await openssl([
      'x509', '-req', '-in', this.path(name, 'csr'), '-CA', this.path(issuer), '-CAkey', this.path(issuer, 'key'),
      '-set_serial', String(this.serial++), '-days', '20', '-extfile', this.config, '-extensions', section, '-out', this.path(name),
    ]);
  }

  private async key(name: string): Promise<void> {
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', this.path(name, 'key')]);
  }
}
