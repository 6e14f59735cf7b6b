import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildChain } from '../../src/cert/chain.js';
import { tempDir } from '../helpers/tools.js';

const dir = tempDir('hapki-chain-');
const EXTENSIONS = `[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[leaf]
basicConstraints=critical,CA:FALSE
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
`;

const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
const der = (name: string): Uint8Array => {
  openssl('x509', '-in', `${name}.pem`, '-outform', 'DER', '-out', `${name}.der`);
  return new Uint8Array(readFileSync(join(dir, `${name}.der`)));
};
/** openssl issues `name` under `issuer` (self-signed without one), each with its own P-256 key. */
function issue(name: string, subject: string, issuer: string | undefined, ext: 'ca' | 'leaf'): Uint8Array {
  if (!issuer) {
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-subj', subject, '-days', '30', '-out', `${name}.pem`);
    return der(name);
  }
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-extfile', 'ext.cnf', '-extensions', ext, '-days', '30', '-out', `${name}.pem`);
  return der(name);
}

/** `n` distinct copies of a certificate: its serial's last four bytes 1..n (signatures no longer verify; chains go by names). */
function copies(cert: Uint8Array, n: number): Uint8Array[] {
  const serial = Buffer.from(new X509Certificate(cert).serialNumber, 'hex');
  const at = Buffer.from(cert).indexOf(serial);
  return Array.from({ length: n }, (_, i) => {
    const copy = new Uint8Array(cert);
    new DataView(copy.buffer).setUint32(at + serial.length - 4, i + 1);
    return copy;
  });
}

let root: Uint8Array, twinA: Uint8Array, twinB: Uint8Array, leaf: Uint8Array;
beforeAll(() => {
  writeFileSync(join(dir, 'ext.cnf'), EXTENSIONS);
  root = issue('root', '/CN=Root', undefined, 'ca');
  // two CAs of one name, each with its own key; the leaf is twinB's
  twinA = issue('twinA', '/CN=Issuing CA', 'root', 'ca');
  twinB = issue('twinB', '/CN=Issuing CA', 'root', 'ca');
  leaf = issue('leaf', '/CN=leaf', 'twinB', 'leaf');
});

describe('buildChain', () => {
  it('takes the issuer whose key the child names over an earlier one of the same name; a last resort only when nothing else fits', () => {
    expect(buildChain(leaf, [twinA, twinB, root])).toEqual([leaf, twinB, root]);
    expect(buildChain(leaf, [twinA, twinB, root])[1]).toBe(twinB);
    // twinB a last resort (a PKCS#12's separately trusted certificate): the other of the name first
    expect(buildChain(leaf, [twinA, twinB, root], { lastResort: (d) => d === twinB })).toEqual([leaf, twinA, root]);
    expect(buildChain(leaf, [twinB, root], { lastResort: (d) => d === twinB })).toEqual([leaf, twinB, root]);
    // no issuer: the leaf alone; a byte-identical copy of a link is not taken twice
    expect(buildChain(leaf, [root])).toEqual([leaf]);
    expect(buildChain(twinB, [new Uint8Array(twinB), root])).toEqual([twinB, root]);
  });

  it("builds each chain in its own length: 3,000 leaves over a pool of 30,000 CAs of the issuer's name (30 s before)", () => {
    const pool = [...copies(twinA, 30_000), twinB, root];
    const leaves = copies(leaf, 3_000);
    const right = leaves.filter((l) => {
      const chain = buildChain(l, pool);
      return chain.length === 3 && chain[0] === l && chain[1] === twinB && chain[2] === root;
    });
    expect(right.length).toBe(leaves.length);
  }, 15_000);
});
