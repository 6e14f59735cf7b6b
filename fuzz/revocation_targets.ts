import { execFileSync } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrlChecker } from '../src/revocation/crl_check.js';
import { readCrl } from '../src/revocation/crl_read.js';
import { checkOcspResponse } from '../src/revocation/ocsp_check.js';
import { readOcspResponse } from '../src/revocation/ocsp_read.js';
import { readPathCertificate, type PathCertificate } from '../src/path/path_certificate.js';
import { SignatureChecker } from '../src/path/path_signature.js';
import { mutateBytes, mutateDer, type Random } from './mutate.js';
import { basicOcspResponse, mutateAndResign } from './resign.js';

interface RevocationLab {
  root: PathCertificate;
  leaf: PathCertificate;
  crls: Uint8Array[];
  ocsp: Uint8Array[];
  /** The key that signed each seed, so a mutant can be signed again (fuzz/resign.ts). */
  keys: Map<Uint8Array, KeyObject>;
}

const CONFIG = `[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:FALSE
crlDistributionPoints = URI:http://127.0.0.1/ca.crl
authorityInfoAccess = OCSP;URI:http://127.0.0.1/ocsp
[signer]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = OCSPSigning
noCheck = ignored
[ca_conf]
database = index.txt
crlnumber = crlnumber
default_md = sha256
default_crl_days = 7
crl_extensions = crl_ext
[crl_ext]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical,@idp
[idp]
fullname = URI:http://127.0.0.1/ca.crl
onlysomereasons = keyCompromise,CACompromise,superseded
`;

let lab: RevocationLab | undefined;

/**
 * Seeds made by openssl in a temporary directory (removed at once): a root, a leaf naming a CRL
 * distribution point and an OCSP responder, CRLs (entries with reasons and an invalidity date, an
 * issuingDistributionPoint), and OCSP responses from `openssl ocsp` in responder mode on request
 * files: both about the revoked leaf, one signed by the CA, one by a delegated responder (its certificate included).
 */
function revocationLab(): RevocationLab {
  if (lab) return lab;
  const dir = mkdtempSync(join(tmpdir(), 'hapki-fuzz-revocation-'));
  try {
    const at = (f: string): string => join(dir, f);
    const ssl = (args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    writeFileSync(at('c.cnf'), CONFIG);
    const key = (name: string): void => ssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', at(`${name}.key`)]);
    key('root');
    ssl(['req', '-x509', '-new', '-key', at('root.key'), '-subj', '/CN=Fuzz Root/O=Fuzz', '-days', '30', '-config', at('c.cnf'), '-extensions', 'ca', '-out', at('root.pem')]);
    const issue = (name: string, section: string, serial: string): void => {
      key(name);
      ssl(['req', '-new', '-key', at(`${name}.key`), '-subj', `/CN=${name}`, '-config', at('c.cnf'), '-out', at(`${name}.csr`)]);
      ssl(['x509', '-req', '-in', at(`${name}.csr`), '-CA', at('root.pem'), '-CAkey', at('root.key'), '-set_serial', serial, '-days', '20', '-extfile', at('c.cnf'), '-extensions', section, '-out', at(`${name}.pem`)]);
    };
    issue('leaf', 'leaf', '0x1001');
    issue('good', 'leaf', '0x1002');
    issue('signer', 'signer', '0x1003');
    const expiry = '401231000000Z';
    writeFileSync(at('index.txt'), `R\t${expiry}\t250101000000Z,keyCompromise\t1001\tunknown\t/CN=leaf\nR\t${expiry}\t250102000000Z,superseded\t0ABC\tunknown\t/CN=other\nV\t${expiry}\t\t1002\tunknown\t/CN=good\n`);
    writeFileSync(at('crlnumber'), '10\n');
    ssl(['ca', '-config', at('c.cnf'), '-name', 'ca_conf', '-gencrl', '-keyfile', at('root.key'), '-cert', at('root.pem'), '-out', at('ca.crl')]);
    ssl(['crl', '-in', at('ca.crl'), '-outform', 'DER', '-out', at('ca.crl.der')]);
    const respond = (name: string, signer: string, out: string): void => {
      ssl(['ocsp', '-issuer', at('root.pem'), '-cert', at(`${name}.pem`), '-reqout', at(`${name}.req`)]);
      ssl(['ocsp', '-index', at('index.txt'), '-CA', at('root.pem'), '-rsigner', at(`${signer}.pem`), '-rkey', at(`${signer}.key`), '-ndays', '1', '-reqin', at(`${name}.req`), '-respout', at(out)]);
    };
    respond('leaf', 'root', 'revoked.ocsp');
    respond('leaf', 'signer', 'delegated.ocsp');
    const pemDer = (f: string): Uint8Array => new Uint8Array(Buffer.from(readFileSync(at(f), 'latin1').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
    const keyOf = (name: string): KeyObject => createPrivateKey(readFileSync(at(`${name}.key`)));
    const crl = new Uint8Array(readFileSync(at('ca.crl.der')));
    const [byRoot, bySigner] = [new Uint8Array(readFileSync(at('revoked.ocsp'))), new Uint8Array(readFileSync(at('delegated.ocsp')))];
    lab = {
      root: readPathCertificate(pemDer('root.pem')),
      leaf: readPathCertificate(pemDer('leaf.pem')),
      crls: [crl],
      ocsp: [byRoot, bySigner],
      keys: new Map([[crl, keyOf('root')], [byRoot, keyOf('root')], [bySigner, keyOf('signer')]]),
    };
    return lab;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Half the mutants are edited inside the signed part and signed again, so they reach the checks behind the signature. */
const mutate = async (seed: Uint8Array, random: Random): Promise<Uint8Array> => {
  const key = revocationLab().keys.get(seed);
  if (key && random.next() < 0.5) {
    const resigned = mutateAndResign(seed, key, random, seed === revocationLab().crls[0] ? undefined : basicOcspResponse);
    if (resigned) return resigned;
  }
  return random.next() < 0.9 ? mutateDer(seed, random) : mutateBytes(seed, random);
};

/** readCrl, then the CRL check of the seed leaf against the mutant (scope, signature, entries). */
export const crlTarget = {
  name: 'crl',
  seeds: async () => revocationLab().crls,
  mutate,
  run: async (input: Uint8Array) => {
    const { root, leaf } = revocationLab();
    return new CrlChecker([readCrl(input)], [root], new Date(), new SignatureChecker()).status(leaf, [root]);
  },
};

/** readOcspResponse, then the response check for the seed leaf (CertID, signer, delegation, times). */
export const ocspTarget = {
  name: 'ocsp',
  seeds: async () => revocationLab().ocsp,
  mutate,
  run: async (input: Uint8Array) => {
    const { root, leaf } = revocationLab();
    return checkOcspResponse(readOcspResponse(input), leaf, [root], { at: new Date(), signatures: new SignatureChecker() });
  },
};
