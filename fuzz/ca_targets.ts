import { execFileSync } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issuedCertificates, readRecord } from '../src/authority/issuance_record.js';
import { renderIssuedRecord } from '../src/authority/issued_text.js';
import { createCa } from '../src/issue/create_ca.js';
import { issuerFromEntry, type Issuer } from '../src/issue/issuer.js';
import { parseNamePolicy } from '../src/issue/name_policy.js';
import { signCsr } from '../src/issue/sign_csr.js';
import { readDerStore } from '../src/keystore/der/read.js';
import { readCertificates } from '../src/keystore/read_certificates.js';
import { loadSshConfig } from '../src/transport/ssh/ssh_config.js';
import { HOSTILE_TEXT, mutateBytes, mutateDer, type Random } from './mutate.js';
import { mutateAndResign } from './resign.js';

interface SignLab {
  issuer: Issuer;
  /** Each seed request with the key that signed it, so a mutant can be signed again. */
  requests: { der: Uint8Array; key: KeyObject }[];
}

let signLab: Promise<SignLab> | undefined;

/** An EC CA made by hapki, and requests made by openssl (EC and RSA keys; names of each kind). */
function makeSignLab(): Promise<SignLab> {
  signLab ??= (async () => {
    const ca = await createCa({ subject: 'CN=Fuzz Issuing CA,O=Fuzz', key: { kty: 'ec', curve: 'P-256' } });
    const dir = mkdtempSync(join(tmpdir(), 'hapki-fuzz-sign-'));
    try {
      const requests = [
        ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
        ['rsa', '-pkeyopt', 'rsa_keygen_bits:2048'],
      ].map(([algorithm, ...options], i) => {
        const keyFile = join(dir, `${i}.key`);
        execFileSync('openssl', ['genpkey', '-algorithm', algorithm!, ...options, '-out', keyFile], { stdio: 'ignore' });
        const der = execFileSync('openssl', ['req', '-new', '-key', keyFile, '-sha256', '-subj', '/CN=gw1.fuzz.example/O=Fuzz/emailAddress=ops@fuzz.example', '-addext', 'subjectAltName=DNS:gw1.fuzz.example,DNS:*.fuzz.example,IP:10.0.0.1,IP:fd00::1,email:ops@fuzz.example,URI:https://gw1.fuzz.example/', '-addext', 'extendedKeyUsage=serverAuth,clientAuth', '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment', '-outform', 'DER'], { stdio: ['ignore', 'pipe', 'ignore'] });
        return { der: new Uint8Array(der), key: createPrivateKey(readFileSync(keyFile)) };
      });
      return { issuer: await issuerFromEntry(ca.entry), requests };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return signLab;
}

const POLICY = parseNamePolicy({ domains: ['fuzz.example'], ipRanges: ['10.0.0.0/8', 'fd00::/8'] });

/**
 * signCsr end to end: mostly requests edited inside and signed again with their own key, so the
 * edits reach the policy, name and extension checks behind the signature check.
 */
export const signTarget = {
  name: 'sign',
  seeds: async () => (await makeSignLab()).requests.map((r) => r.der),
  mutate: async (seed: Uint8Array, random: Random): Promise<Uint8Array> => {
    const key = (await makeSignLab()).requests.find((r) => r.der === seed)?.key;
    if (key && random.next() < 0.8) return mutateAndResign(seed, key, random) ?? mutateDer(seed, random);
    return random.next() < 0.9 ? mutateDer(seed, random) : mutateBytes(seed, random);
  },
  run: async (input: Uint8Array) => {
    const lab = await makeSignLab();
    const options = [{}, { namePolicy: POLICY, allowWildcard: true }, { profile: 'client' as const, strictCommonName: true }, { profile: 'ca' as const, allowCa: true }];
    // each profile judges other fields; the first refusal is the outcome
    let first: unknown;
    for (const o of options) {
      try {
        await signCsr(input, lab.issuer, o);
      } catch (error) {
        if (!(error instanceof Error) || !('code' in error)) throw error;
        first ??= error;
      }
    }
    if (first) throw first;
  },
};

const RECORD_SEED = [
  `{"type":"issued","serial":"3bf9183119e4d65ed3274d0e66fc1c2","subject":"CN=a.example.com","names":["DNS:a.example.com"],"notBefore":"2026-12-02T11:35:22.000Z","notAfter":"2028-01-03T11:40:22.000Z","sha256":"${'0e'.repeat(32)}","profile":"server","at":"2026-12-02T11:40:22.028Z","by":"sign"}`,
  '{"type":"revoked","serial":"3bf9183119e4d65ed3274d0e66fc1c2","reason":"certificateHold","at":"2026-12-03T00:00:00.000Z"}',
  '{"type":"revoked","serial":"3bf9183119e4d65ed3274d0e66fc1c2","reason":"keyCompromise","at":"2026-12-03T00:00:00.000Z"}',
  '{"type":"crl","number":7,"at":"2026-12-03T00:00:00.000Z","nextUpdate":"2026-12-10T00:00:00.000Z"}',
].join('\n');

function mutateLines(seed: Uint8Array, random: Random, hostile: readonly string[]): Uint8Array {
  const text = Buffer.from(seed).toString('utf8');
  if (random.next() < 0.3) return mutateBytes(seed, random);
  const lines = text.split('\n');
  const at = random.int(lines.length);
  switch (random.int(5)) {
    case 0: // a value of another type or hostile text in one field
      lines[at] = lines[at]!.replace(/:("[^"]*"|\d+|\[[^\]]*\])/, `:${random.pick(hostile)}`);
      break;
    case 1:
      lines[at] = lines[at]!.slice(0, random.int(lines[at]!.length));
      break;
    case 2:
      lines.splice(at, 0, ...Array.from({ length: random.pick([2, 1000]) }, () => lines[at]!));
      break;
    case 3:
      lines[at] = `${lines[at]}${HOSTILE_TEXT}`;
      break;
    default:
      lines.splice(at, 1);
  }
  return Buffer.from(lines.join('\n'), 'utf8');
}

/** Writes the input where the reader looks for it, in a directory made once per process. */
let scratch: string | undefined;
function scratchFile(name: string, input: Uint8Array): string {
  if (scratch === undefined) {
    const made = mkdtempSync(join(tmpdir(), 'hapki-fuzz-files-'));
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    scratch = made;
  }
  const path = join(scratch, name);
  writeFileSync(path, input);
  return path;
}

/** A CA's issuance record (<keystore>.issued.jsonl): read, folded, rendered as `ca issued` prints it. */
export const recordTarget = {
  name: 'record',
  seeds: async () => [Buffer.from(RECORD_SEED)],
  mutate: async (seed: Uint8Array, random: Random) => mutateLines(seed, random, ['"zz"', '5', 'null', '{}', '[]', '1e300', '-1', '"toString"', '"__proto__"', JSON.stringify(HOSTILE_TEXT), '"2026-02-30T00:00:00Z"']),
  run: async (input: Uint8Array) => {
    scratchFile('ca.p12.issued.jsonl', input);
    return renderIssuedRecord(issuedCertificates(await readRecord(join(scratch!, 'ca.p12'))));
  },
};

const SSH_CONFIG_SEED = `Host gw1 gw2 !gw3 *.fuzz.example
  HostName %h.internal
  User deploy
  Port 2222
  IdentityFile ~/.ssh/id_%r@%h
  ProxyJump bastion
  ServerAliveInterval 5
Match host gw2 user deploy
  Port 2200
Host *
  StrictHostKeyChecking yes
  UserKnownHostsFile ~/.ssh/known_hosts /etc/ssh/known_hosts2
`;

/** An ssh_config file as -F or --ssh-config names it, then a lookup as a connection makes it. */
export const sshConfigTarget = {
  name: 'ssh-config',
  seeds: async () => [Buffer.from(SSH_CONFIG_SEED)],
  mutate: async (seed: Uint8Array, random: Random) => mutateLines(seed, random, ['%%%', '"unterminated', '=', `Include ${'../'.repeat(50)}etc/passwd`, 'Include *', '0x7fffffff', JSON.stringify(HOSTILE_TEXT)]),
  run: async (input: Uint8Array) => {
    const config = loadSshConfig([{ path: scratchFile('ssh_config', input), required: true, checkOwner: false }]);
    return [config.lookup('gw1'), config.lookup('gw2'), config.lookup('x.fuzz.example')];
  },
};

let p7bSeeds: Uint8Array[] | undefined;

/** PKCS#7 certificate bundles (.p7b) as `openssl crl2pkcs7 -nocrl` writes them, DER and PEM. */
export const p7bTarget = {
  name: 'p7b',
  seeds: async () => {
    if (!p7bSeeds) {
      const lab = await makeSignLab();
      const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(lab.issuer.chain[0]!).toString('base64')}\n-----END CERTIFICATE-----\n`;
      const file = scratchFile('chain.pem', Buffer.from(pem));
      const der = new Uint8Array(execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', file, '-outform', 'DER'], { stdio: ['ignore', 'pipe', 'ignore'] }));
      p7bSeeds = [der, new Uint8Array(execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', file], { stdio: ['ignore', 'pipe', 'ignore'] }))];
    }
    return p7bSeeds;
  },
  mutate: async (seed: Uint8Array, random: Random) => {
    if (seed[0] === 0x30) return random.next() < 0.9 ? mutateDer(seed, random) : mutateBytes(seed, random);
    const body = Buffer.from(seed).toString('latin1').replace(/-----[^-]+-----|\s/g, '');
    const der = random.next() < 0.9 ? mutateDer(Buffer.from(body, 'base64'), random) : mutateBytes(Buffer.from(body, 'base64'), random);
    return Buffer.from(`-----BEGIN PKCS7-----\n${Buffer.from(der).toString('base64')}\n-----END PKCS7-----\n`, 'latin1');
  },
  run: async (input: Uint8Array) => (input[0] === 0x30 ? readDerStore(input, { password: '' }) : readCertificates(input)),
};
