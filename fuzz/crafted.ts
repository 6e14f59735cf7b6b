import { generateKeyPairSync } from 'node:crypto';
import { algorithmIdentifier, bitString, explicit, integer, oid, sequence, setOf, utf8String } from '../src/asn1/der_writer.js';
import { keystoreDigest } from '../src/keystore/jks/integrity.js';
import { writeJceks, writeJks } from '../src/keystore/jks/write.js';
import { writePkcs12 } from '../src/keystore/pkcs12/write.js';
import { allNodes, encodeLength, encodeTree, integerContent, parseTree, type Asn1Node } from './asn1_tree.js';
import { HOSTILE_TEXT } from './mutate.js';
import { fixPfxMac, FUZZ_PASSWORD, javaFields, plainPfx, sampleStore, targetNamed } from './targets.js';

/**
 * The crafted corpus: inputs made to hit each class of fault the issue lists (200 KB time fields,
 * escape bytes in string fields, iteration counts of 10^7 and 2^31, 1,000-pair PEM bundles,
 * huge RSA numbers, 100,000-key YAML, an 8 MB request). Each names the reader it is for and the
 * outcome expected: a code, or "ok" (read, and whatever it quotes is escaped).
 */
export interface CraftedCase {
  name: string;
  target: string;
  expect: string;
  input: () => Promise<Uint8Array>;
}

const HUGE_TIME = new Uint8Array(200_000).fill(0x31);

async function leafCertificate(): Promise<Uint8Array> {
  const store = await sampleStore();
  const entry = store.entries.find((e) => e.type === 'private-key');
  if (entry?.type !== 'private-key') throw new Error('fixture without a key');
  return entry.chain[0]!;
}

/** The certificate with one TBS field edited (indices count from the version [0]). */
async function editedCertificate(edit: (tbs: Asn1Node[]) => void): Promise<Uint8Array> {
  const root = parseTree(await leafCertificate())!;
  edit(root.children![0]!.children!);
  return encodeTree(root);
}

const hugeTimeCertificate = (): Promise<Uint8Array> => editedCertificate((tbs) => (tbs[4]!.children![0]!.content = HUGE_TIME));
const hostileNameCertificate = (): Promise<Uint8Array> =>
  editedCertificate((tbs) => {
    tbs[5] = parseTree(sequence(setOf(sequence(oid('2.5.4.3'), utf8String(HOSTILE_TEXT))), setOf(sequence(oid('2.5.4.10'), utf8String(HOSTILE_TEXT)))))!;
    tbs[3] = tbs[5]!;
  });

function pem(label: string, der: Uint8Array, preamble = ''): string {
  return `${preamble}-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;
}

/** A PFX whose first iteration count (MAC or PBKDF2, as `which` says) is replaced, the MAC made anew. */
async function pfxWithIterations(count: bigint, which: 'mac' | 'pbkdf2'): Promise<Uint8Array> {
  const store = await sampleStore();
  const pfx = await writePkcs12(store, { password: FUZZ_PASSWORD, iterations: 1 });
  const root = parseTree(pfx)!;
  if (which === 'mac') {
    root.children![2]!.children![2]!.content = integerContent(count);
    return encodeTree(root);
  }
  // the PBKDF2 parameters: SEQUENCE { OID pbkdf2, SEQUENCE { salt, count, ... } }
  const pbkdf2 = allNodes(root).find(({ node }) => node.children?.[0]?.content && Buffer.from(node.children[0].content).equals(oid('1.2.840.113549.1.5.12').subarray(2)));
  pbkdf2!.node.children![1]!.children![1]!.content = integerContent(count);
  return fixPfxMac(encodeTree(root));
}

/** A JCEKS whose first key's PBE iteration count is replaced, the digest made anew. */
async function jceksWithIterations(count: number): Promise<Uint8Array> {
  const store = await sampleStore();
  const bytes = Buffer.from(await writeJceks({ ...store, format: 'JCEKS', entries: store.entries.filter((e) => e.type === 'private-key') }, { password: FUZZ_PASSWORD, iterations: 1 }));
  const body = bytes.subarray(0, bytes.length - 20);
  const blob = javaFields(body).find((f) => f.kind === 'blob')!;
  // EncryptedPrivateKeyInfo { AlgorithmIdentifier { OID, PBEParameter { salt, count } }, data }
  const tree = parseTree(body.subarray(blob.start + 4, blob.end))!;
  tree.children![0]!.children![1]!.children![1]!.content = integerContent(BigInt(count));
  const key = encodeTree(tree);
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(key.length);
  const edited = Buffer.concat([body.subarray(0, blob.start), prefix, key, body.subarray(blob.end)]);
  return Buffer.concat([edited, keystoreDigest(FUZZ_PASSWORD, edited)]);
}

async function thousandPairPem(): Promise<Uint8Array> {
  let text = '';
  for (let i = 0; i < 1000; i++) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
    const name = sequence(setOf(sequence(oid('2.5.4.3'), utf8String(`node${i}.example.com`))));
    const validity = sequence(Uint8Array.from([0x17, 13, ...Buffer.from('250101000000Z')]), Uint8Array.from([0x17, 13, ...Buffer.from('350101000000Z')]));
    const sigAlg = algorithmIdentifier('1.2.840.10045.4.3.2');
    const tbs = sequence(explicit(0, integer(2)), integer(i + 1), sigAlg, name, validity, name, spki);
    const cert = sequence(tbs, sigAlg, bitString(new Uint8Array(64)));
    text += pem('PRIVATE KEY', new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })));
    text += pem('CERTIFICATE', cert);
  }
  return Buffer.from(text);
}

/** An RSA key or certificate whose public exponent (or modulus) is `bytes` long. */
function rsaPkcs8(exponentBytes: number, modulusBytes = 256): Uint8Array {
  const big = (n: number): Uint8Array => Uint8Array.from([0x02, ...encodeLength(n + 1), 0x00, ...new Uint8Array(n).fill(0xc5)]);
  const rsa = sequence(integer(0), big(modulusBytes), big(exponentBytes), big(modulusBytes), big(modulusBytes / 2), big(modulusBytes / 2), big(modulusBytes / 2), big(modulusBytes / 2), big(modulusBytes / 2));
  return sequence(integer(0), algorithmIdentifier('1.2.840.113549.1.1.1', Uint8Array.of(5, 0)), Uint8Array.from([0x04, ...encodeLength(rsa.length), ...rsa]));
}

async function hugeExponentCertificate(): Promise<Uint8Array> {
  const exponent = Uint8Array.from([0x02, ...encodeLength(1_000_001), 0x00, ...new Uint8Array(1_000_000).fill(0xc5)]);
  const rsaPublic = sequence(Uint8Array.from([0x02, 0x82, 0x01, 0x01, 0x00, ...new Uint8Array(256).fill(0xc5)]), exponent);
  const spki = sequence(algorithmIdentifier('1.2.840.113549.1.1.1', Uint8Array.of(5, 0)), bitString(rsaPublic));
  return editedCertificate((tbs) => (tbs[6] = parseTree(spki)!));
}

function yamlWithKeys(n: number, head: string): Uint8Array {
  const lines = [head];
  for (let i = 0; i < n; i++) lines.push(`k${i}: v`);
  return Buffer.from(lines.join('\n'));
}

const CLUSTER_HEAD = 'ca:\n  keystore: ca.p12\n  password: env:P';
const AUDIT_HEAD = 'warn: 30d';

export const CRAFTED: readonly CraftedCase[] = [
  // 200 KB time fields, in every container a certificate travels in
  { name: 'time-200k-der', target: 'der', expect: 'ERR_KEYSTORE_FORMAT', input: hugeTimeCertificate },
  { name: 'time-200k-certificate', target: 'certificate', expect: 'ERR_KEYSTORE_FORMAT', input: hugeTimeCertificate },
  { name: 'time-200k-pem', target: 'pem', expect: 'ERR_KEYSTORE_FORMAT', input: async () => Buffer.from(pem('CERTIFICATE', await hugeTimeCertificate())) },
  {
    name: 'time-200k-pkcs12',
    target: 'pkcs12',
    expect: 'ERR_KEYSTORE_FORMAT',
    input: async () => {
      const store = await sampleStore();
      return plainPfx({ ...store, entries: [{ type: 'trusted-cert', alias: 'bad', certificate: await hugeTimeCertificate() }] });
    },
  },
  {
    name: 'time-200k-jks',
    target: 'jks',
    expect: 'ok',
    input: async () => {
      const store = await sampleStore();
      return writeJks({ ...store, format: 'JKS', entries: [{ type: 'trusted-cert', alias: 'bad', certificate: await hugeTimeCertificate() }] }, { password: FUZZ_PASSWORD });
    },
  },
  // escape bytes in every string field: names, aliases, friendly names, PEM headers, YAML values
  { name: 'escapes-subject-der', target: 'der', expect: 'ok', input: hostileNameCertificate },
  { name: 'escapes-subject-pem-friendlyname', target: 'pem', expect: 'ok', input: async () => Buffer.from(pem('CERTIFICATE', await hostileNameCertificate(), `Bag Attributes\n    friendlyName: ${HOSTILE_TEXT}\n`)) },
  { name: 'escapes-pem-label', target: 'pem', expect: 'ERR_KEYSTORE_FORMAT', input: async () => Buffer.from(pem(`X${HOSTILE_TEXT}`, Uint8Array.of(0x30, 0))) },
  {
    name: 'escapes-pkcs12-alias',
    target: 'pkcs12',
    expect: 'ok',
    input: async () => {
      const store = await sampleStore();
      return plainPfx({ ...store, entries: store.entries.map((e) => ({ ...e, alias: `${e.alias}${HOSTILE_TEXT}` })) });
    },
  },
  {
    name: 'escapes-jks-alias',
    target: 'jks',
    expect: 'ok',
    input: async () => {
      const store = await sampleStore();
      return writeJks({ ...store, format: 'JKS', entries: [{ type: 'trusted-cert', alias: HOSTILE_TEXT.replace('\x00', ''), certificate: await hostileNameCertificate() }] }, { password: FUZZ_PASSWORD });
    },
  },
  { name: 'escapes-cluster-value', target: 'cluster', expect: 'ERR_CLUSTER_FILE', input: async () => Buffer.from(`${CLUSTER_HEAD}\n  alias: "${JSON.stringify(HOSTILE_TEXT).slice(1, -1)}"\ngateway:\n  name: "\\x1b[2J"\n  instances: []\n`) },
  { name: 'escapes-audit-key', target: 'audit', expect: 'ERR_AUDIT_CONFIG', input: async () => Buffer.from(`${AUDIT_HEAD}\n"\\x1b[31m\\nforged": 1\n`) },
  // iteration counts of 10^7 and 2^31, refused before any derivation
  { name: 'iterations-1e7-pkcs12-mac', target: 'pkcs12', expect: 'ERR_KEYSTORE_FORMAT', input: () => pfxWithIterations(10_000_000n, 'mac') },
  { name: 'iterations-2^31-pkcs12-mac', target: 'pkcs12', expect: 'ERR_KEYSTORE_FORMAT', input: () => pfxWithIterations(2n ** 31n, 'mac') },
  { name: 'iterations-1e7-pkcs12-pbkdf2', target: 'pkcs12', expect: 'ERR_KEYSTORE_FORMAT', input: () => pfxWithIterations(10_000_000n, 'pbkdf2') },
  { name: 'iterations-2^31-pkcs12-pbkdf2', target: 'pkcs12', expect: 'ERR_KEYSTORE_FORMAT', input: () => pfxWithIterations(2n ** 31n, 'pbkdf2') },
  { name: 'iterations-1e7-jceks', target: 'jceks', expect: 'ERR_KEYSTORE_FORMAT', input: () => jceksWithIterations(10_000_000) },
  { name: 'iterations-2^31-jceks', target: 'jceks', expect: 'ERR_KEYSTORE_FORMAT', input: () => jceksWithIterations(2 ** 31) },
  // 1,000 key and certificate pairs in one PEM bundle
  { name: 'pem-1000-pairs', target: 'pem', expect: 'ok', input: thousandPairPem },
  // huge RSA numbers
  { name: 'rsa-exponent-1mb-pem', target: 'pem', expect: 'ok', input: async () => Buffer.from(pem('PRIVATE KEY', rsaPkcs8(1_000_000))) },
  { name: 'rsa-modulus-1mb-pem', target: 'pem', expect: 'ok', input: async () => Buffer.from(pem('PRIVATE KEY', rsaPkcs8(3, 1_000_000))) },
  { name: 'rsa-exponent-1mb-certificate', target: 'der', expect: 'ok', input: hugeExponentCertificate },
  // 100,000-key YAML, deep nesting, thousands of wildcards
  { name: 'yaml-100k-keys-cluster', target: 'cluster', expect: 'ERR_CLUSTER_FILE', input: async () => yamlWithKeys(100_000, CLUSTER_HEAD) },
  { name: 'yaml-100k-keys-audit', target: 'audit', expect: 'ERR_AUDIT_CONFIG', input: async () => yamlWithKeys(100_000, AUDIT_HEAD) },
  { name: 'yaml-5k-duplicate-keys-audit', target: 'audit', expect: 'ERR_AUDIT_CONFIG', input: async () => Buffer.from(`${AUDIT_HEAD}\n${'warn: 30d\n'.repeat(5000)}`) },
  { name: 'yaml-deep-nesting-audit', target: 'audit', expect: 'ERR_AUDIT_CONFIG', input: async () => Buffer.from(`${AUDIT_HEAD}\nx: ${'['.repeat(50_000)}\n`) },
  { name: 'audit-glob-10k-wildcards', target: 'audit', expect: 'ERR_AUDIT_CONFIG', input: async () => Buffer.from(`passwords:\n  - match: "/${'*?'.repeat(10_000)}"\n    password: env:P\n`) },
  // an 8 MB certificate request
  { name: 'csr-8mb', target: 'csr', expect: 'ERR_INVALID_ARGUMENT', input: async () => Uint8Array.from([0x30, 0x83, 0x80, 0x00, 0x00, ...new Uint8Array(8 * 1024 * 1024)]) },
  // deep ASN.1 nesting
  { name: 'asn1-nesting-10000', target: 'der', expect: 'ERR_KEYSTORE_FORMAT', input: async () => Uint8Array.from([...Array.from({ length: 10_000 }, () => [0x30, 0x80]).flat(), ...new Uint8Array(20_000)]) },
];

export function craftedTarget(c: CraftedCase): ReturnType<typeof targetNamed> {
  return targetNamed(c.target);
}
