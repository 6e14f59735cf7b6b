import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAuditConfig } from '../src/audit/config.js';
import { describeCertificate } from '../src/cert/describe.js';
import { parseCertificate } from '../src/cert/parse_certificate.js';
import { parseClusterFile } from '../src/cluster/load_cluster_file.js';
import { readCsr } from '../src/issue/read_csr.js';
import { keystoreDigest } from '../src/keystore/jks/integrity.js';
import { readJceks, readJks } from '../src/keystore/jks/read.js';
import { writeJceks, writeJks } from '../src/keystore/jks/write.js';
import type { Keystore } from '../src/keystore/model.js';
import { readBks } from '../src/keystore/bc/bks_read.js';
import { readDerStore } from '../src/keystore/der/read.js';
import { derivePkcs12Key, Pkcs12KdfPurpose, pkcs12PasswordBytes } from '../src/crypto/pbe/pkcs12_kdf.js';
import { readPem } from '../src/keystore/pem/read.js';
import { createMacData } from '../src/keystore/pkcs12/mac.js';
import { readPkcs12 } from '../src/keystore/pkcs12/read.js';
import { writePkcs12 } from '../src/keystore/pkcs12/write.js';
import { readPathCertificate } from '../src/path/path_certificate.js';
import { encodeTree, parseTree, primitive, type Asn1Node } from './asn1_tree.js';
import { crlTarget, ocspTarget } from './revocation_targets.js';
import { p7bTarget, recordTarget, signTarget, sshConfigTarget } from './ca_targets.js';
import { cliTarget, planTarget } from './cli_target.js';
import { HOSTILE_TEXT, mutateBytes, mutateDer, mutateYaml, Random } from './mutate.js';

/** The password every seed is written with, so mutated inputs reach past the MAC and digest. */
export const FUZZ_PASSWORD = 'fuzzpass';

export interface FuzzTarget {
  name: string;
  /** Valid inputs the mutations start from. */
  seeds: () => Promise<Uint8Array[]>;
  /** One mutated input (with MAC or digest recomputed where the format has one). */
  mutate: (seed: Uint8Array, random: Random) => Promise<Uint8Array>;
  /** Feeds the input to the reader; resolving or throwing a coded HapkiError is a pass. */
  run: (input: Uint8Array) => Promise<unknown>;
}

// fuzz/ when run by vitest, dist-fuzz/fuzz/ when compiled: the repository is where fixtures/ is
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = existsSync(join(HERE, '..', 'fixtures')) ? join(HERE, '..') : join(HERE, '..', '..');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(ROOT, 'fixtures', name)));

let gatewayStore: Promise<Keystore> | undefined;
/** The fixture store (a key with its chain, a trusted certificate), plus an AES secret key. */
function sampleStore(): Promise<Keystore> {
  gatewayStore ??= readPkcs12(fixture('gateway.p12'), { password: 'changeit' }).then((store) => {
    store.entries.push({ type: 'secret-key', alias: 'aes', algorithm: 'AES', key: new Uint8Array(16).fill(7) });
    return store;
  });
  return gatewayStore;
}

function pemBlocks(text: string): { label: string; der: Uint8Array }[] {
  return [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g)].map((m) => ({ label: m[1]!, der: new Uint8Array(Buffer.from(m[2]!.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64')) }));
}

function toPem(label: string, der: Uint8Array): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;
}

const certificates = (): Uint8Array[] => pemBlocks(readFileSync(join(ROOT, 'fixtures', 'gateway.pem'), 'latin1')).filter((b) => b.label === 'CERTIFICATE').map((b) => b.der);

// ---- PKCS#12: ASN.1 edits anywhere, then (mostly) a fresh MAC so the inner parsers are reached

/** A PFX whose bags are not encrypted: certificate and key parsers see the mutations directly. */
async function plainPfx(store: Keystore): Promise<Uint8Array> {
  const { sequence, setOf, oid, octetString, explicit, integer, bmpString } = await import('../src/asn1/der_writer.js');
  const bags: Uint8Array[] = [];
  for (const entry of store.entries) {
    const name = sequence(oid('1.2.840.113549.1.9.20'), setOf(bmpString(entry.alias)));
    if (entry.type === 'private-key' && entry.key) {
      bags.push(sequence(oid('1.2.840.113549.1.12.10.1.1'), explicit(0, entry.key), setOf(name)));
      for (const cert of entry.chain) bags.push(sequence(oid('1.2.840.113549.1.12.10.1.3'), explicit(0, sequence(oid('1.2.840.113549.1.9.22.1'), explicit(0, octetString(cert)))), setOf(name)));
    } else if (entry.type === 'trusted-cert') {
      bags.push(sequence(oid('1.2.840.113549.1.12.10.1.3'), explicit(0, sequence(oid('1.2.840.113549.1.9.22.1'), explicit(0, octetString(entry.certificate)))), setOf(name)));
    }
  }
  const authSafe = sequence(sequence(oid('1.2.840.113549.1.7.1'), explicit(0, octetString(sequence(...bags)))));
  const mac = await createMacData(authSafe, FUZZ_PASSWORD, { hash: 'sha256', iterations: 1 });
  return sequence(integer(3), sequence(oid('1.2.840.113549.1.7.1'), explicit(0, octetString(authSafe))), mac);
}

async function fixPfxMac(pfx: Uint8Array): Promise<Uint8Array> {
  const root = parseTree(pfx);
  const authSafe = root?.children?.[1]?.children?.[1]?.children?.[0];
  if (!root?.children || !authSafe || authSafe.tag[0] !== 0x04) return pfx;
  const content = authSafe.inner ? encodeTree(authSafe.inner) : authSafe.content ?? new Uint8Array(0);
  const mac = parseTree(await createMacData(content, FUZZ_PASSWORD, { hash: 'sha256', iterations: 1 }))!;
  root.children[2] = mac;
  return encodeTree(root);
}

const pkcs12: FuzzTarget = {
  name: 'pkcs12',
  seeds: async () => {
    const store = await sampleStore();
    return [
      await plainPfx(store),
      await writePkcs12(store, { password: FUZZ_PASSWORD, iterations: 1 }),
      await writePkcs12(store, { password: FUZZ_PASSWORD, iterations: 1, legacy: true }),
    ];
  },
  mutate: async (seed, random) => {
    const mutated = random.next() < 0.85 ? mutateDer(seed, random) : mutateBytes(seed, random);
    return random.next() < 0.75 ? fixPfxMac(mutated) : mutated;
  },
  run: (input) => readPkcs12(input, { password: FUZZ_PASSWORD }),
};

// ---- JKS and JCEKS: field edits (aliases, dates, lengths, certificates), then a fresh digest

interface JavaField {
  kind: 'utf' | 'u32' | 'date' | 'blob' | 'cert';
  start: number;
  end: number;
}

/** The fields of a JKS/JCEKS file, as far as they can be told apart (a JCEKS secret key ends the walk). */
export function javaFields(bytes: Uint8Array): JavaField[] {
  const fields: JavaField[] = [];
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  const u32 = (): number => {
    fields.push({ kind: 'u32', start: pos, end: pos + 4 });
    const v = view.readUInt32BE(pos);
    pos += 4;
    return v;
  };
  const utf = (): void => {
    const n = view.readUInt16BE(pos);
    fields.push({ kind: 'utf', start: pos, end: pos + 2 + n });
    pos += 2 + n;
  };
  const blob = (kind: 'blob' | 'cert'): void => {
    const n = view.readUInt32BE(pos);
    fields.push({ kind, start: pos, end: pos + 4 + n });
    pos += 4 + n;
  };
  try {
    const version = view.readUInt32BE(4);
    const count = u32();
    for (let i = 0; i < count; i++) {
      const tag = u32();
      utf();
      fields.push({ kind: 'date', start: pos, end: pos + 8 });
      pos += 8;
      if (tag === 1) {
        blob('blob');
        const chain = u32();
        for (let c = 0; c < chain; c++) {
          if (version === 2) utf();
          blob('cert');
        }
      } else if (tag === 2) {
        if (version === 2) utf();
        blob('cert');
      } else break;
    }
  } catch {
    // a walk past the end: the fields found so far
  }
  return fields;
}

function mutateJava(seed: Uint8Array, random: Random): Uint8Array {
  const body = seed.subarray(0, seed.length - 20);
  const fields = javaFields(body);
  if (fields.length === 0 || random.next() < 0.15) return mutateBytes(body, random);
  const field = random.pick(fields);
  const u32 = (n: number): Uint8Array => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    return b;
  };
  let replacement: Uint8Array;
  switch (field.kind) {
    case 'utf': {
      const text = Buffer.from(random.next() < 0.7 ? HOSTILE_TEXT : random.pick(['', 'a'.repeat(65_535), '\u0000\uffff']), 'utf8').subarray(0, 65_535);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(random.next() < 0.9 ? text.length : random.int(65_536));
      replacement = Buffer.concat([len, text]);
      break;
    }
    case 'u32':
      replacement = u32(random.pick([0, 1, 2, 3, 255, 65_536, 0x7fffffff, 0xffffffff]));
      break;
    case 'date':
      replacement = random.next() < 0.5 ? Buffer.from('7fffffffffffffff', 'hex') : random.bytes(8);
      break;
    default: {
      const content = body.subarray(field.start + 4, field.end);
      const inner = field.kind === 'cert' || random.next() < 0.5 ? mutateDer(content, random) : mutateBytes(content, random);
      replacement = Buffer.concat([u32(random.next() < 0.9 ? inner.length : random.int(0x7fffffff)), inner]);
    }
  }
  return Buffer.concat([body.subarray(0, field.start), replacement, body.subarray(field.end)]);
}

function javaTarget(name: 'jks' | 'jceks'): FuzzTarget {
  const read = name === 'jks' ? readJks : readJceks;
  const write = name === 'jks' ? writeJks : writeJceks;
  return {
    name,
    seeds: async () => {
      const store = await sampleStore();
      const entries = name === 'jks' ? store.entries.filter((e) => e.type !== 'secret-key') : store.entries;
      return [await write({ ...store, format: name === 'jks' ? 'JKS' : 'JCEKS', entries }, { password: FUZZ_PASSWORD, iterations: 1 })];
    },
    mutate: async (seed, random) => {
      const body = mutateJava(seed, random);
      return random.next() < 0.85 ? Buffer.concat([body, keystoreDigest(FUZZ_PASSWORD, body)]) : Buffer.concat([body, random.bytes(20)]);
    },
    run: (input) => read(input, { password: FUZZ_PASSWORD }),
  };
}

// ---- BKS (BouncyCastle): the vendored store, its entries mutated and its HMAC made again

const BKS_PASSWORD = 'bc-fixture-pass';

async function bksMac(body: Uint8Array): Promise<Uint8Array | undefined> {
  if (body.length < 12) return undefined;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const saltLength = view.getUint32(4);
  if (saltLength > 256 || 12 + saltLength > body.length) return undefined;
  const iterations = view.getUint32(8 + saltLength);
  if (iterations === 0 || iterations > 10_000) return undefined;
  const key = await derivePkcs12Key('sha1', pkcs12PasswordBytes(BKS_PASSWORD), body.subarray(8, 8 + saltLength), iterations, Pkcs12KdfPurpose.mac, 20);
  return createHmac('sha1', key).update(body.subarray(12 + saltLength)).digest();
}

const bks: FuzzTarget = {
  name: 'bks',
  seeds: async () => [fixture('bouncycastle/bc.bks')],
  mutate: async (seed, random) => {
    const body = seed.subarray(0, seed.length - 20);
    const entriesAt = 12 + new DataView(seed.buffer, seed.byteOffset).getUint32(4);
    const mutated = random.next() < 0.85 ? Buffer.concat([body.subarray(0, entriesAt), mutateBytes(body.subarray(entriesAt), random)]) : mutateBytes(body, random);
    const mac = random.next() < 0.85 ? await bksMac(mutated) : undefined;
    return Buffer.concat([mutated, mac ?? random.bytes(20)]);
  },
  run: (input) => readBks(input, { password: BKS_PASSWORD }),
};

// ---- PEM, DER, certificates, requests

const pem: FuzzTarget = {
  name: 'pem',
  seeds: async () => [fixture('gateway.pem'), fixture('ca.pem')],
  mutate: async (seed, random) => {
    const text = Buffer.from(seed).toString('latin1');
    const blocks = pemBlocks(text);
    const choice = random.int(10);
    if (choice < 6 && blocks.length > 0) {
      const block = random.pick(blocks);
      return Buffer.from(text.replace(toPem(block.label, block.der).trimEnd(), toPem(block.label, mutateDer(block.der, random)).trimEnd()), 'latin1');
    }
    if (choice === 6) return Buffer.from(text.repeat(random.pick([2, 50])), 'latin1');
    if (choice === 7) return Buffer.from(text.replace(/-----BEGIN ([A-Z ]+)-----/, `-----BEGIN $1${random.next() < 0.5 ? HOSTILE_TEXT : ''}-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: ${HOSTILE_TEXT}`), 'latin1');
    if (choice === 8) return Buffer.from(`Bag Attributes\n    friendlyName: ${HOSTILE_TEXT}\n${text}`, 'latin1');
    return mutateBytes(seed, random);
  },
  run: (input) => readPem(input, { password: FUZZ_PASSWORD }),
};

const der: FuzzTarget = {
  name: 'der',
  seeds: async () => certificates(),
  mutate: async (seed, random) => (random.next() < 0.9 ? mutateDer(seed, random) : mutateBytes(seed, random)),
  run: (input) => readDerStore(input, { password: FUZZ_PASSWORD }),
};

const certificate: FuzzTarget = {
  name: 'certificate',
  seeds: async () => certificates(),
  mutate: async (seed, random) => mutateDer(seed, random),
  run: async (input) => {
    // all three certificate readers; each must fail coded, and the first code is the outcome
    let first: unknown;
    for (const read of [describeCertificate, readPathCertificate, parseCertificate] as ((der: Uint8Array) => unknown)[]) {
      try {
        read(input);
      } catch (error) {
        if (!(error instanceof Error) || !('code' in error)) throw error;
        first ??= error;
      }
    }
    if (first) throw first;
  },
};

let csrSeed: Uint8Array | undefined;
const csr: FuzzTarget = {
  name: 'csr',
  seeds: async () => {
    csrSeed ??= new Uint8Array(
      execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=fuzz.example.com/O=Fuzz', '-addext', 'subjectAltName=DNS:fuzz.example.com,IP:10.0.0.1', '-outform', 'DER'], { stdio: ['ignore', 'pipe', 'ignore'] }),
    );
    return [csrSeed];
  },
  mutate: async (seed, random) => (random.next() < 0.9 ? mutateDer(seed, random) : mutateBytes(seed, random)),
  run: async (input) => readCsr(input),
};

// ---- cluster and audit files: line edits, hostile text, size and nesting

const CLUSTER_SEED = `ca:
  keystore: ca/ca.p12
  password: env:CAPASS
  create:
    subject: CN=Fuzz CA,O=Fuzz
    kty: ec
    curve: P-256
gateway:
  name: msas
  instances:
    - name: msas1
      keystore: gw/msas1.jks
      password: file:secrets/store.pass
      hostnames: [msas1.example.com, 'ip:10.0.0.1']
replication:
  mode: direct
  master: { name: m, keystore: m.jks, password: env:P, truststore: m-trust.jks }
  slaves:
    - { name: s1, keystore: s1.jks, password: env:P, truststore: s1-trust.jks }
renewal: { window: 30d, days: 397 }
`;

const AUDIT_SEED = `warn: 30d
crit: 7d
passwords:
  - match: "*.jks"
    password: env:STOREPASS
expectSan: [lb.example.com]
ignore: []
`;

const cluster: FuzzTarget = {
  name: 'cluster',
  seeds: async () => [Buffer.from(CLUSTER_SEED)],
  mutate: async (seed, random) => mutateYaml(seed, random),
  run: async (input) => parseClusterFile(Buffer.from(input).toString('utf8'), '/tmp/fuzz/cluster.yaml'),
};

const audit: FuzzTarget = {
  name: 'audit',
  seeds: async () => [Buffer.from(AUDIT_SEED)],
  mutate: async (seed, random) => mutateYaml(seed, random),
  run: async (input) => parseAuditConfig(Buffer.from(input).toString('utf8'), { source: 'audit.yaml', baseDir: '/tmp/fuzz' }),
};

export const TARGETS: readonly FuzzTarget[] = [pkcs12, javaTarget('jks'), javaTarget('jceks'), bks, pem, der, certificate, csr, cluster, audit, crlTarget, ocspTarget, signTarget, recordTarget, sshConfigTarget, p7bTarget, cliTarget, planTarget];

export function targetNamed(name: string): FuzzTarget {
  const target = TARGETS.find((t) => t.name === name);
  if (!target) throw new Error(`no fuzz target "${name}" (targets: ${TARGETS.map((t) => t.name).join(', ')})`);
  return target;
}

// exported for the crafted corpus
export { plainPfx, fixPfxMac, sampleStore, primitive, type Asn1Node };
