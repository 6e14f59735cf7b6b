import { beforeAll, describe, expect, it } from 'vitest';
import { implicitPrimitive, sequence, tlv } from '../../src/asn1/der_writer.js';
import { concatBytes } from '../../src/lib/bytes.js';
import { defaultCrypto, useCryptoForX509, type WebCryptoKeyPair } from '../../src/crypto/provider.js';
import { x509 } from '../../src/lib/x509.js';
import { readPathCertificate } from '../../src/path/path_certificate.js';
import { certificateCopies } from '../helpers/cert_copies.js';
import { TrustAnchors } from '../../src/trust/trust_anchors.js';
import { validatePath, type PathValidationOptions } from '../../src/trust/validate_path.js';

const crypto = defaultCrypto();
// @peculiar/x509 types its keys and provider with the DOM's names, which this Node project lacks
const xcrypto = crypto as unknown as NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
const NOW = new Date('2026-06-01T12:00:00Z');

interface Node {
  der: Uint8Array;
  keys: WebCryptoKeyPair;
  name: string;
}

interface IssueOptions {
  issuer?: Node;
  /** Sign with these keys instead of the issuer's (a forged signature). */
  signWith?: WebCryptoKeyPair;
  keys?: WebCryptoKeyPair;
  ca?: boolean;
  pathLen?: number;
  keyUsage?: number;
  eku?: string[];
  sans?: { type: 'dns' | 'ip' | 'email'; value: string }[];
  notBefore?: Date;
  notAfter?: Date;
  extra?: x509.Extension[];
  /** Leave out the AKI, so that a forged certificate is still tried against the real issuer. */
  noAki?: boolean;
}

const newKeys = async (): Promise<WebCryptoKeyPair> => (await crypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as WebCryptoKeyPair;

async function issue(name: string, o: IssueOptions = {}): Promise<Node> {
  const keys = o.keys ?? (await newKeys());
  const ca = o.ca ?? false;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(ca, o.pathLen, true),
    new x509.KeyUsagesExtension(o.keyUsage ?? (ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature), true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never, false, xcrypto),
  ];
  if (o.issuer && !o.noAki) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(o.issuer.keys.publicKey as never, false, xcrypto));
  if (o.eku) extensions.push(new x509.ExtendedKeyUsageExtension(o.eku));
  if (o.sans) extensions.push(new x509.SubjectAlternativeNameExtension(o.sans));
  extensions.push(...(o.extra ?? []));
  const cert = await x509.X509CertificateGenerator.create(
    {
      subject: `CN=${name}`,
      issuer: `CN=${o.issuer?.name ?? name}`,
      publicKey: keys.publicKey as never,
      signingKey: (o.signWith ?? o.issuer?.keys ?? keys).privateKey as never,
      notBefore: o.notBefore ?? new Date(NOW.getTime() - 30 * DAY),
      notAfter: o.notAfter ?? new Date(NOW.getTime() + 30 * DAY),
      signingAlgorithm: SIGN,
      extensions,
    },
    xcrypto,
  );
  return { der: new Uint8Array(cert.rawData), keys, name };
}

/** nameConstraints (2.5.29.30) with dNSName subtrees. */
function dnsNameConstraints(permitted: string[], excluded: string[] = []): x509.Extension {
  // GeneralSubtrees under an implicit [0] / [1]: the SEQUENCE OF's contents, retagged
  const subtrees = (tag: number, names: string[]): Uint8Array =>
    tlv(tag, concatBytes(names.map((n) => sequence(implicitPrimitive(2, new TextEncoder().encode(n))))), { constructed: true, cls: 2 });
  const parts: Uint8Array[] = [];
  if (permitted.length) parts.push(subtrees(0, permitted));
  if (excluded.length) parts.push(subtrees(1, excluded));
  return new x509.Extension('2.5.29.30', true, sequence(...parts));
}

let root: Node;
let ica: Node;
let leaf: Node;
const serverLeaf = (issuer: Node, o: IssueOptions = {}): Promise<Node> => issue('gw.example.com', { issuer, eku: ['1.3.6.1.5.5.7.3.1'], sans: [{ type: 'dns', value: 'gw.example.com' }], ...o });
const validate = (end: Node, o: Partial<PathValidationOptions> = {}) => validatePath(end.der, { trusted: [root.der], untrusted: [ica.der], at: NOW, ...o });

beforeAll(async () => {
  useCryptoForX509(crypto);
  root = await issue('Root CA', { ca: true });
  ica = await issue('Issuing CA', { ca: true, issuer: root });
  leaf = await serverLeaf(ica);
});

describe('validatePath', () => {
  it('accepts a good chain and returns it leaf first, ending at the anchor, as the caller gave the bytes', async () => {
    const r = await validate(leaf, { hostname: 'GW.example.com.', purpose: 'server' });
    expect(r).toEqual({ valid: true, chain: [leaf.der, ica.der, root.der] });
    expect(r.chain[2]).toBe(root.der);
  });

  it('finds no path without the anchor', async () => {
    expect(await validate(leaf, { trusted: [] })).toMatchObject({ valid: false, code: 'ERR_CHAIN_UNTRUSTED' });
    expect(await validate(leaf, { untrusted: [] })).toMatchObject({ valid: false, code: 'ERR_CHAIN_UNTRUSTED' });
  });

  it('rejects an expired leaf and a not-yet-valid intermediate, judged at `at`', async () => {
    const old = await serverLeaf(ica, { notAfter: new Date(NOW.getTime() - DAY) });
    expect(await validate(old)).toMatchObject({ valid: false, code: 'ERR_CHAIN_EXPIRED' });
    expect(await validate(old, { at: new Date(NOW.getTime() - 2 * DAY) })).toMatchObject({ valid: true });
    const early = await issue('Early CA', { ca: true, issuer: root, notBefore: new Date(NOW.getTime() + DAY) });
    const r = await validatePath((await serverLeaf(early)).der, { trusted: [root.der], untrusted: [early.der], at: NOW });
    expect(r).toMatchObject({ valid: false, code: 'ERR_CHAIN_NOT_YET_VALID' });
    expect(r.reason).toContain('CN=Early CA');
  });

  it('checks the extended key usage for the purpose; anyExtendedKeyUsage and no EKU allow all', async () => {
    const client = await serverLeaf(ica, { eku: ['1.3.6.1.5.5.7.3.2'] });
    expect(await validate(client, { purpose: 'server' })).toMatchObject({ valid: false, code: 'ERR_PURPOSE' });
    expect(await validate(client, { purpose: 'client' })).toMatchObject({ valid: true });
    expect(await validate(await serverLeaf(ica, { eku: ['2.5.29.37.0'] }), { purpose: 'client' })).toMatchObject({ valid: true });
    const noEku = await issue('plain', { issuer: ica, sans: [{ type: 'dns', value: 'plain.example.com' }] });
    expect(await validate(noEku, { purpose: 'server' })).toMatchObject({ valid: true });
  });

  it('enforces pathLenConstraint, not counting the leaf', async () => {
    const strictRoot = await issue('Strict Root', { ca: true, pathLen: 0 });
    const sub = await issue('Sub CA', { ca: true, issuer: strictRoot });
    const r = await validatePath((await serverLeaf(sub)).der, { trusted: [strictRoot.der], untrusted: [sub.der], at: NOW });
    expect(r).toMatchObject({ valid: false, code: 'ERR_PATHLEN' });
    expect(await validatePath((await serverLeaf(strictRoot)).der, { trusted: [strictRoot.der], at: NOW })).toMatchObject({ valid: true });
  });

  it('applies name constraints to the leaf names', async () => {
    const constrained = await issue('Constrained CA', { ca: true, issuer: root, extra: [dnsNameConstraints(['example.com'], ['secret.example.com'])] });
    const opts = { trusted: [root.der], untrusted: [constrained.der], at: NOW };
    expect(await validatePath((await serverLeaf(constrained)).der, opts)).toMatchObject({ valid: true });
    const outside = await serverLeaf(constrained, { sans: [{ type: 'dns', value: 'gw.example.org' }] });
    expect(await validatePath(outside.der, opts)).toMatchObject({ valid: false, code: 'ERR_NAME_CONSTRAINTS' });
    const excluded = await serverLeaf(constrained, { sans: [{ type: 'dns', value: 'db.secret.example.com' }] });
    expect(await validatePath(excluded.der, opts)).toMatchObject({ valid: false, code: 'ERR_NAME_CONSTRAINTS' });
  });

  it('checks the host name against the subjectAltName only', async () => {
    expect(await validate(leaf, { hostname: 'other.example.com' })).toMatchObject({ valid: false, code: 'ERR_HOSTNAME_MISMATCH' });
    const byIp = await serverLeaf(ica, { sans: [{ type: 'ip', value: '10.0.0.5' }] });
    expect(await validate(byIp, { hostname: '10.0.0.5' })).toMatchObject({ valid: true });
    const cnOnly = await issue('cn-only.example.com', { issuer: ica });
    expect(await validate(cnOnly, { hostname: 'cn-only.example.com' })).toMatchObject({ valid: false, code: 'ERR_HOSTNAME_MISMATCH' });
  });

  it('rejects a signature made by another key under the same issuer name', async () => {
    const forged = await serverLeaf(ica, { signWith: await newKeys(), noAki: true });
    expect(await validate(forged)).toMatchObject({ valid: false, code: 'ERR_CHAIN_SIGNATURE' });
  });

  it('rejects an issuer without keyCertSign, and one that is not a CA', async () => {
    const noSign = await issue('No Sign CA', { ca: true, issuer: root, keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.cRLSign });
    expect(await validatePath((await serverLeaf(noSign)).der, { trusted: [root.der], untrusted: [noSign.der], at: NOW })).toMatchObject({ valid: false, code: 'ERR_KEY_USAGE' });
    const notCa = await issue('Not A CA', { issuer: root, keyUsage: x509.KeyUsageFlags.digitalSignature });
    expect(await validatePath((await serverLeaf(notCa)).der, { trusted: [root.der], untrusted: [notCa.der], at: NOW })).toMatchObject({ valid: false, code: 'ERR_NOT_CA' });
  });

  it('rejects an unknown critical extension', async () => {
    const odd = await serverLeaf(ica, { extra: [new x509.Extension('1.3.6.1.4.1.99999.1', true, new Uint8Array([5, 0]))] });
    expect(await validate(odd)).toMatchObject({ valid: false, code: 'ERR_UNKNOWN_CRITICAL_EXTENSION' });
  });

  it('backtracks past a failing issuer candidate to one that works', async () => {
    const keys = await newKeys();
    const expiredTwin = await issue('Twin CA', { ca: true, issuer: root, keys, notAfter: new Date(NOW.getTime() - DAY) });
    const goodTwin = await issue('Twin CA', { ca: true, issuer: root, keys });
    const end = await serverLeaf(goodTwin);
    const r = await validatePath(end.der, { trusted: [root.der], untrusted: [expiredTwin.der, goodTwin.der], at: NOW });
    expect(r).toEqual({ valid: true, chain: [end.der, goodTwin.der, root.der] });
    expect(await validatePath(end.der, { trusted: [root.der], untrusted: [expiredTwin.der], at: NOW })).toMatchObject({ valid: false, code: 'ERR_CHAIN_EXPIRED' });
  });

  it('finds the one path behind many same-name issuer candidates that lead to no anchor, and tells why when it is missing', async () => {
    // 60 self-signed "Issuing CA"s, none trusted: more than the dead ends search tries for a reason
    const deadEnds = await Promise.all(Array.from({ length: 60 }, () => issue('Issuing CA', { ca: true })));
    const end = await serverLeaf(ica, { noAki: true });
    const untrusted = [...deadEnds.map((d) => d.der), ica.der];
    expect(await validatePath(end.der, { trusted: [root.der], untrusted, at: NOW })).toEqual({ valid: true, chain: [end.der, ica.der, root.der] });
    const r = await validatePath(end.der, { trusted: [root.der], untrusted: untrusted.slice(0, -1), at: NOW });
    expect(r).toMatchObject({ valid: false, code: 'ERR_CHAIN_SIGNATURE', chain: [end.der, deadEnds[0]!.der] });
  });

  it('walks a trust store of 20,000 anchors of one name in linear time (it took minutes, growing with the square)', async () => {
    // copies of the root: one name, one key, 20,000 distinct certificates
    const copies = certificateCopies(root.der, 20_000);
    expect(await validatePath(leaf.der, { trusted: copies, untrusted: [ica.der], at: NOW })).toMatchObject({ valid: true, chain: [leaf.der, ica.der, copies[0]] });
    const other = await serverLeaf(await issue('Other Root', { ca: true }));
    expect(await validatePath(other.der, { trusted: copies, untrusted: [ica.der], at: NOW })).toMatchObject({ valid: false, code: 'ERR_CHAIN_UNTRUSTED' });
    // a forgery under the root's name: at most the bounded number of signature checks, then a reason
    const forged = await serverLeaf(ica, { signWith: await newKeys(), noAki: true });
    expect(await validatePath(forged.der, { trusted: copies, untrusted: [ica.der], at: NOW })).toMatchObject({ valid: false, code: 'ERR_CHAIN_SIGNATURE' });
  }, 40_000);

  it('trusts a leaf that is itself in the trust store, still checking its dates and host name', async () => {
    const peer = await issue('peer.example.com', { sans: [{ type: 'dns', value: 'peer.example.com' }] });
    expect(await validatePath(peer.der, { trusted: [peer.der], at: NOW, hostname: 'peer.example.com' })).toEqual({ valid: true, chain: [peer.der] });
    expect(await validatePath(peer.der, { trusted: [peer.der], at: NOW, hostname: 'x.example.com' })).toMatchObject({ code: 'ERR_HOSTNAME_MISMATCH' });
    expect(await validatePath(peer.der, { trusted: [peer.der], at: new Date(NOW.getTime() + 60 * DAY) })).toMatchObject({ code: 'ERR_CHAIN_EXPIRED' });
    expect(await validatePath(peer.der, { trusted: [root.der], at: NOW })).toMatchObject({ code: 'ERR_CHAIN_UNTRUSTED' });
  });

  it('trusts a leaf another CA issued when it is itself in the trust store, among anchors with subjects of other lengths', async () => {
    const peer = await issue('peer.example.com,O=Example', { issuer: ica, sans: [{ type: 'dns', value: 'peer.example.com' }] });
    expect(await validatePath(peer.der, { trusted: [root.der, peer.der], at: NOW })).toEqual({ valid: true, chain: [peer.der] });
    expect(await validatePath(peer.der, { trusted: TrustAnchors.read([root.der, peer.der]), at: NOW })).toEqual({ valid: true, chain: [peer.der] });
    expect(await validatePath(peer.der, { trusted: [root.der], untrusted: [ica.der], at: NOW })).toEqual({ valid: true, chain: [peer.der, ica.der, root.der] });
    expect(await validatePath(peer.der, { trusted: [root.der], at: NOW })).toMatchObject({ valid: false, code: 'ERR_CHAIN_UNTRUSTED' });
  });

  it('throws only for a leaf that is not a certificate', async () => {
    await expect(validatePath(new Uint8Array([0x30, 0x03, 1, 2, 3]), { trusted: [root.der] })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    await expect(validatePath(leaf.der, { trusted: [new Uint8Array([1, 2]), root.der], untrusted: [ica.der], at: NOW })).resolves.toMatchObject({ valid: true });
    // regression: a list of DER now goes through TrustAnchors, which digested each item before reading it:
    // an item that is no bytes at all (a JavaScript caller's null) threw a bare TypeError instead of being left out
    const holes = [null, undefined, 'not bytes'] as unknown as Uint8Array[];
    await expect(validatePath(leaf.der, { trusted: [...holes, root.der], untrusted: [...holes, ica.der], at: NOW })).resolves.toMatchObject({ valid: true });
  });

  it('verifies RSA and Ed25519 signatures too', async () => {
    for (const alg of [
      { gen: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, sign: { name: 'RSASSA-PKCS1-v1_5' } },
      { gen: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
    ]) {
      const keys = (await crypto.subtle.generateKey(alg.gen, true, ['sign', 'verify'])) as WebCryptoKeyPair;
      const self = await x509.X509CertificateGenerator.createSelfSigned(
        { name: 'CN=Alg Root', keys: keys as never, signingAlgorithm: alg.sign, notBefore: new Date(NOW.getTime() - DAY), notAfter: new Date(NOW.getTime() + DAY), extensions: [new x509.BasicConstraintsExtension(true, undefined, true)] },
        xcrypto,
      );
      const end = await x509.X509CertificateGenerator.create(
        { subject: 'CN=alg leaf', issuer: 'CN=Alg Root', publicKey: keys.publicKey as never, signingKey: keys.privateKey as never, signingAlgorithm: alg.sign, notBefore: new Date(NOW.getTime() - DAY), notAfter: new Date(NOW.getTime() + DAY) },
        xcrypto,
      );
      const r = await validatePath(new Uint8Array(end.rawData), { trusted: [new Uint8Array(self.rawData)], at: NOW });
      expect(r, alg.gen.name).toMatchObject({ valid: true });
    }
  });
});

describe('TrustAnchors: a trust store read once for many validations', () => {
  it('gives every verdict, reason and chain a validation against the list of DER gives', async () => {
    const other = await issue('Other Root', { ca: true });
    const shouting = await issue('ROOT CA', { ca: true, keys: root.keys });
    const wrongKeyTwin = await issue('Root CA', { ca: true });
    const peer = await issue('peer.example.com', { sans: [{ type: 'dns', value: 'peer.example.com' }] });
    const forged = await serverLeaf(ica, { signWith: await newKeys(), noAki: true });
    const expired = await serverLeaf(ica, { notAfter: new Date(NOW.getTime() - DAY) });
    const stores = [
      [root.der, other.der, root.der.slice()],
      [other.der, peer.der],
      [wrongKeyTwin.der, root.der],
      [shouting.der],
      [other.der],
      [],
      [new Uint8Array([0x30, 0x03, 1, 2, 3]), root.der],
    ];
    const cases: [Node, Uint8Array[]][] = [[leaf, [ica.der]], [leaf, []], [peer, []], [forged, [ica.der]], [expired, [ica.der]], [ica, []]];
    for (const [s, trusted] of stores.entries()) {
      const anchors = TrustAnchors.read(trusted);
      for (const [end, untrusted] of cases) {
        const asList = await validatePath(end.der, { trusted, untrusted, at: NOW, purpose: 'server' });
        expect(await validatePath(end.der, { trusted: anchors, untrusted, at: NOW, purpose: 'server' }), `store ${s}, ${end.name}`).toEqual(asList);
      }
    }
  });

  it('keeps a byte-identical copy once, and hands a validation only the anchors named as an issuer of its chain or as the leaf', async () => {
    const other = await issue('Other Root', { ca: true });
    const anchors = TrustAnchors.read([root.der, other.der, root.der.slice(), other.der.slice()]);
    expect(anchors.all().map((a) => a.der)).toEqual([root.der, other.der]);
    expect(anchors.candidatesFor(readPathCertificate(leaf.der), [readPathCertificate(ica.der)]).map((a) => a.der)).toEqual([root.der]);
    expect(anchors.candidatesFor(readPathCertificate(leaf.der), [])).toEqual([]);
    expect(anchors.including([leaf.der]).candidatesFor(readPathCertificate(leaf.der), []).map((a) => a.der)).toEqual([leaf.der]);
  });

  it('with a chain\'s own self-signed top added (as audit adds it), that top ends the path', async () => {
    const anchors = TrustAnchors.read([]);
    expect(await validatePath(leaf.der, { trusted: anchors.including([root.der]), untrusted: [ica.der], at: NOW })).toEqual({ valid: true, chain: [leaf.der, ica.der, root.der] });
    expect(await validatePath(leaf.der, { trusted: anchors, untrusted: [ica.der], at: NOW })).toMatchObject({ valid: false, code: 'ERR_CHAIN_UNTRUSTED' });
  });
});
