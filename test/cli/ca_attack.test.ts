import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { keytool, openssl, tempDir } from '../helpers/tools.js';

/**
 * Requests an attacker builds with openssl 3, against a CA with a name policy: each refusal is one
 * coded line with a non-zero exit, writes nothing and never quotes the request's bytes.
 */

const dir = tempDir();
const env = { CAPASS: 'ca-secret' };
const ca = join(dir, 'ca.p12');
const ecKey = join(dir, 'ec.key');
const rsaKey = join(dir, 'rsa.key');

beforeAll(async () => {
  const init = await hapki(['ca', 'init', '--subject', 'CN=Attack Root CA,O=Example', '--kty', 'ec', '--out', ca, '--outpass', 'env:CAPASS'], { env, cwd: dir });
  expect(init.code).toBe(0);
  expect((await hapki(['ca', 'set', '--ca', ca, '--allow-domain', 'example.com', '--allow-ip', '10.0.0.0/8'], { env, cwd: dir })).code).toBe(0);
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', ecKey]);
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', rsaKey]);
});

let counter = 0;

/** A request made by `openssl req`: the subject (openssl's /A=x/B=y form) and further options. */
async function request(subject: string, extra: string[] = [], key = ecKey): Promise<string> {
  const out = join(dir, `r${++counter}.csr`);
  await openssl(['req', '-new', '-key', key, '-subj', subject, ...extra, '-out', out]);
  return out;
}

async function refusedWith(csr: string, code: string, extra: string[] = []): Promise<string> {
  const out = join(dir, `out${counter}.pem`);
  const r = await hapki(['sign', csr, '--ca', ca, '--ca-storepass', 'env:CAPASS', '--out', out, ...extra], { env, cwd: dir });
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.stderr).toMatch(ONE_LINE_ERROR(code));
  expect(r.stderr).not.toMatch(/ERR_INTERNAL|\n\s+at /);
  expect(r.stdout).toBe('');
  expect(existsSync(out)).toBe(false);
  return r.stderr;
}

describe('sign refuses what a careful CA refuses, as one coded line', () => {
  it('SHA-1 and MD5 signed requests: ERR_WEAK_SIGNATURE', async () => {
    expect(await refusedWith(await request('/CN=sha1.example.com', ['-sha1']), 'ERR_WEAK_SIGNATURE')).toMatch(/sha1WithRSAEncryption|ecdsa-with-SHA1/);
    expect(await refusedWith(await request('/CN=md5.example.com', ['-md5'], rsaKey), 'ERR_WEAK_SIGNATURE')).toMatch(/md5WithRSAEncryption/);
  });

  it('a second CN (multi-valued RDN or another RDN) hiding a foreign name: ERR_POLICY', async () => {
    await refusedWith(await request('/CN=m.example.com+CN=evil.com', ['-multivalue-rdn']), 'ERR_POLICY');
    await refusedWith(await request('/CN=evil.com/CN=m.example.com'), 'ERR_POLICY');
  });

  it('host names the CN carries outside the policy: an IP, a one-label name, a CN kept out of the SANs by --replace-san', async () => {
    expect(await refusedWith(await request('/CN=192.168.1.1'), 'ERR_POLICY')).toMatch(/IP:192\.168\.1\.1/);
    expect(await refusedWith(await request('/CN=localhost'), 'ERR_POLICY')).toMatch(/DNS:localhost/);
    expect(await refusedWith(await request('/CN=evil.com'), 'ERR_POLICY', ['--replace-san', '--san', 'ok.example.com'])).toMatch(/DNS:evil\.com/);
  });

  it('an emailAddress at a foreign domain, a street of 300 characters, a lower-case C: ERR_POLICY', async () => {
    expect(await refusedWith(await request('/CN=m.example.com/emailAddress=x@evil.com'), 'ERR_POLICY')).toMatch(/email:x@evil\.com/);
    expect(await refusedWith(await request(`/CN=m.example.com/street=${'x'.repeat(300)}`), 'ERR_POLICY')).toMatch(/longer than the 256/);
    expect(await refusedWith(await request('/CN=m.example.com/C=de'), 'ERR_POLICY')).toMatch(/C value/);
  });

  it('a request re-framed as BER (indefinite length): ERR_CSR_FORMAT', async () => {
    const pem = readFileSync(await request('/CN=ber.example.com'), 'utf8');
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const headerLength = der[1]! < 0x80 ? 2 : 2 + (der[1]! & 0x7f);
    const ber = join(dir, 'ber.csr');
    writeFileSync(ber, Buffer.concat([Buffer.from([0x30, 0x80]), der.subarray(headerLength), Buffer.from([0, 0])]));
    await refusedWith(ber, 'ERR_CSR_FORMAT');
  });

  // regression: --allow-wildcard signed *.co.uk, *.github.io and *.s3.amazonaws.com (BR 3.2.2.6)
  it('--allow-wildcard: a wildcard over a public suffix (ICANN or private section of the list) is ERR_POLICY; one under a registrable domain is signed', async () => {
    const wild = ['--allow-wildcard', '--allow-any-name'];
    for (const name of ['*.co.uk', '*.github.io', '*.S3.amazonaws.com']) {
      expect(await refusedWith(await request('/CN=w', ['-addext', `subjectAltName=DNS:${name}`]), 'ERR_POLICY', wild), name).toMatch(/wildcard over the public suffix "[a-z0-9.]+" \(Public Suffix List\)/);
    }
    expect(await refusedWith(await request('/CN=*.gov.uk'), 'ERR_POLICY', wild)).toMatch(/public suffix "gov\.uk"/);
    // --san goes through the same check
    expect(await refusedWith(await request('/CN=w'), 'ERR_INVALID_ARGUMENT', [...wild, '--san', '*.co.uk'])).toMatch(/public suffix "co\.uk"/);
    const out = join(dir, 'wild.pem');
    const r = await hapki(['sign', await request('/CN=*.shop.example.com'), '--ca', ca, '--ca-storepass', 'env:CAPASS', '--allow-wildcard', '--out', out], { env, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/san: {6}DNS:\*\.shop\.example\.com\n/);
  });

  // regression: an IPv4-mapped IPv6 address was signed (one host under two spellings: an IPv4
  // constraint or policy does not see it); and a leaf request asking for keyCertSign, cRLSign or
  // nameConstraints was signed as a leaf without a word, while CA:TRUE was refused
  it('an IPv4-mapped IPv6 SAN, CN, URI host or --san, 0.0.0.0, :: and 255.255.255.255, and a leaf request asking for keyCertSign, cRLSign or nameConstraints: ERR_POLICY', async () => {
    const any = ['--allow-any-name'];
    expect(await refusedWith(await request('/CN=m.example.com', ['-addext', 'subjectAltName=IP:::ffff:10.0.0.1']), 'ERR_POLICY', any)).toMatch(/IPv4-mapped IPv6 address: write the IPv4 address/);
    expect(await refusedWith(await request('/CN=::ffff:10.0.0.1'), 'ERR_POLICY', any)).toMatch(/IPv4-mapped/);
    expect(await refusedWith(await request('/CN=m.example.com'), 'ERR_INVALID_ARGUMENT', [...any, '--san', 'ip:0:0:0:0:0:FFFF:0a00:0001'])).toMatch(/IPv4-mapped/);
    // the same for a URI's address host; and the unspecified and broadcast addresses name no host
    expect(await refusedWith(await request('/CN=m.example.com', ['-addext', 'subjectAltName=DNS:m.example.com,URI:https://[::ffff:10.0.0.1]/x']), 'ERR_POLICY', any)).toMatch(/has a host that is an IPv4-mapped/);
    for (const address of ['0.0.0.0', '::', '255.255.255.255']) {
      expect(await refusedWith(await request('/CN=m.example.com', ['-addext', `subjectAltName=DNS:m.example.com,IP:${address}`]), 'ERR_POLICY', any), address).toMatch(/unspecified or the broadcast address/);
    }
    const asks: [string, RegExp][] = [
      ['keyUsage=digitalSignature,keyCertSign', /\(keyUsage keyCertSign\)/],
      ['keyUsage=critical,cRLSign', /\(keyUsage cRLSign\)/],
      ['nameConstraints=permitted;DNS:example.com', /\(nameConstraints\)/],
    ];
    for (const [ext, message] of asks) {
      for (const profile of ['server', 'client', 'token']) {
        const text = await refusedWith(await request('/CN=m.example.com', ['-addext', ext]), 'ERR_POLICY', ['--profile', profile]);
        expect(text, `${ext} ${profile}`).toMatch(message);
        expect(text).toMatch(/--profile ca or --allow-ca/);
      }
    }
    // what a leaf has is still signed; --allow-ca signs the request as the profile says (no keyCertSign)
    const plain = await hapki(['sign', await request('/CN=ku.example.com', ['-addext', 'keyUsage=digitalSignature,keyEncipherment']), '--ca', ca, '--ca-storepass', 'env:CAPASS', '--out', join(dir, 'ku.pem')], { env, cwd: dir });
    expect(plain.code, plain.stderr).toBe(0);
    const out = join(dir, 'allowed-ca.pem');
    const allowed = await hapki(['sign', await request('/CN=kcs.example.com', ['-addext', 'keyUsage=keyCertSign']), '--ca', ca, '--ca-storepass', 'env:CAPASS', '--allow-ca', '--out', out], { env, cwd: dir });
    expect(allowed.code, allowed.stderr).toBe(0);
    const text = (await openssl(['x509', '-in', out, '-noout', '-ext', 'keyUsage,basicConstraints'])).stdout;
    expect(text).toMatch(/CA:FALSE/);
    expect(text).not.toMatch(/Certificate Sign/);
  });

  // regression: A-labels were only checked to decode: "xn--pple-43d.com" ("аpple" with a Cyrillic
  // "а") and emoji labels, which IDNA2008 disallows, were signed
  it('A-labels: a homograph mixing Latin and Cyrillic, an emoji or symbol label, a non-canonical encoding: ERR_POLICY; a real IDN is signed', async () => {
    const any = ['--allow-any-name'];
    expect(await refusedWith(await request('/CN=m', ['-addext', 'subjectAltName=DNS:xn--pple-43d.com']), 'ERR_POLICY', any)).toMatch(/A-label "xn--pple-43d" that mixes letters of look-alike scripts/);
    expect(await refusedWith(await request('/CN=xn--ls8h.example.com'), 'ERR_POLICY', any)).toMatch(/A-label "xn--ls8h" that holds symbols/);
    expect(await refusedWith(await request('/CN=m'), 'ERR_INVALID_ARGUMENT', [...any, '--san', 'xn--n3h.example.com'])).toMatch(/IDNA2008/);
    const idn = await hapki(['sign', await request('/CN=xn--mnchen-3ya.example.com'), '--ca', ca, '--ca-storepass', 'env:CAPASS', '--out', join(dir, 'idn.pem')], { env, cwd: dir });
    expect(idn.code, idn.stderr).toBe(0);
  });

  // regression: a request whose subject had 3,000 OU attributes (a 60 kB name) was signed
  it('a subject of more than 32 attributes, in the request or --subject: refused; 32 are signed', async () => {
    const ous = (n: number): string => Array.from({ length: n }, (_, i) => `/OU=u${i}`).join('');
    expect(await refusedWith(await request(`/CN=m.example.com${ous(32)}`), 'ERR_POLICY')).toMatch(/the subject has 33 attributes, more than the 32/);
    expect(await refusedWith(await request(`/CN=m.example.com${ous(3000)}`), 'ERR_POLICY')).toMatch(/3001 attributes/);
    const typed = Array.from({ length: 40 }, (_, i) => `OU=u${i}`).join(',');
    expect(await refusedWith(await request('/CN=m.example.com'), 'ERR_INVALID_ARGUMENT', ['--subject', `CN=m.example.com,${typed}`])).toMatch(/41 attributes/);
    const r = await hapki(['sign', await request(`/CN=many.example.com${ous(31)}`), '--ca', ca, '--ca-storepass', 'env:CAPASS', '--out', join(dir, 'many.pem')], { env, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  });

  // regression: a PEM file of two requests was signed as its first alone (openssl req shows the
  // first, other tools the last: the reviewed request and the signed one could differ)
  it('a file holding two requests (PEM): ERR_CSR_FORMAT, on a file and on standard input', async () => {
    const two = join(dir, 'two.csr');
    writeFileSync(two, readFileSync(await request('/CN=first.example.com'), 'utf8') + readFileSync(await request('/CN=second.example.com'), 'utf8'));
    expect(await refusedWith(two, 'ERR_CSR_FORMAT')).toMatch(/holds 2 certificate requests/);
    const piped = await hapki(['sign', '-', '--ca', ca, '--ca-storepass', 'env:CAPASS', '--out', join(dir, 'piped.pem')], { env, cwd: dir, input: readFileSync(two, 'utf8') });
    expect(piped.stderr).toMatch(ONE_LINE_ERROR('ERR_CSR_FORMAT'));
    expect(existsSync(join(dir, 'piped.pem'))).toBe(false);
  });

  it('signs the honest request', async () => {
    const r = await hapki(['sign', await request('/CN=good.example.com/O=Example/C=DE'), '--ca', ca, '--ca-storepass', 'env:CAPASS', '--san', 'ip:10.0.0.5', '--out', join(dir, 'good.pem')], { env, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/san: {6}DNS:good\.example\.com, IP:10\.0\.0\.5\n/);
  });
});

describe('ca init --ca', () => {
  it('refuses a sub-CA with the issuing CA\'s own name as one coded line, writing nothing', async () => {
    const out = join(dir, 'sub.p12');
    const r = await hapki(['ca', 'init', '--subject', 'CN=Attack Root CA,O=Example', '--ca', ca, '--ca-storepass', 'env:CAPASS', '--out', out, '--outpass', 'env:CAPASS'], { env, cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_POLICY'));
    expect(existsSync(out)).toBe(false);
  });

  // regression: certificates the CA makes itself skipped its name policy that sign applies
  it('a sub-CA or a token certificate named outside the CA\'s policy (a host name, an e-mail address) is refused; one inside is made', async () => {
    const cases = [
      ['ca', 'init', '--subject', 'CN=www.bank.test', '--kty', 'ec'],
      ['ca', 'init', '--subject', 'CN=Sub CA,E=pki@bank.test', '--kty', 'ec'],
      ['token', 'issue', '--subject', 'CN=www.bank.test', '--kty', 'ec'],
    ];
    for (const [i, args] of cases.entries()) {
      const out = join(dir, `outside${i}.p12`);
      const r = await hapki([...args, '--ca', ca, '--ca-storepass', 'env:CAPASS', '--out', out, '--outpass', 'env:CAPASS'], { env, cwd: dir });
      expect(r.stderr, args.join(' ')).toMatch(ONE_LINE_ERROR('ERR_POLICY'));
      expect(r.stderr).toMatch(/outside this CA's policy/);
      expect(r.stderr).not.toMatch(/--allow-any-name/);
      expect(existsSync(out)).toBe(false);
    }
    const inside = await hapki(['token', 'issue', '--subject', 'CN=token.example.com', '--kty', 'ec', '--ca', ca, '--ca-storepass', 'env:CAPASS', '--out', join(dir, 'inside.p12'), '--outpass', 'env:CAPASS'], { env, cwd: dir });
    expect(inside.code, inside.stderr).toBe(0);
  });
});

describe('keys a CA does not certify', () => {
  it('P-192, secp256k1, brainpoolP256r1, explicit curve parameters and DSA: ERR_UNSUPPORTED_ALGORITHM naming the key', async () => {
    const cases: [string[], RegExp][] = [
      [['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-192'], /EC P-192/],
      [['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1'], /EC secp256k1/],
      [['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:brainpoolP256r1'], /EC brainpoolP256r1/],
      [['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-pkeyopt', 'ec_param_enc:explicit'], /EC with explicit parameters/],
    ];
    for (const [genpkey, message] of cases) {
      const key = join(dir, `k${++counter}.key`);
      await openssl(['genpkey', ...genpkey, '-out', key]);
      expect(await refusedWith(await request('/CN=odd.example.com', [], key), 'ERR_UNSUPPORTED_ALGORITHM')).toMatch(message);
    }
    const params = join(dir, 'dsa.params');
    const dsaKey = join(dir, 'dsa.key');
    await openssl(['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:2048', '-out', params]);
    await openssl(['genpkey', '-paramfile', params, '-out', dsaKey]);
    expect(await refusedWith(await request('/CN=dsa.example.com', [], dsaKey), 'ERR_UNSUPPORTED_ALGORITHM')).toMatch(/DSA/);
  });
});

describe('EdDSA keys of small order', () => {
  // DER by hand: no private key has such a public key, so no tool makes the request; the
  // "signature" R = identity, S = 0 verifies over any message under these keys (node:crypto, openssl)
  const der = (...parts: number[][]): number[] => parts.flat();
  const tlv = (tag: number, body: number[]): number[] => [tag, ...(body.length < 128 ? [body.length] : [0x81, body.length]), ...body];
  const forged = (oidLast: number, point: number[], signatureLength: number): Uint8Array => {
    const alg = tlv(0x30, [0x06, 0x03, 0x2b, 0x65, oidLast]);
    const spki = tlv(0x30, der(alg, tlv(0x03, [0, ...point])));
    const subject = tlv(0x30, tlv(0x31, tlv(0x30, der([0x06, 0x03, 0x55, 0x04, 0x03], tlv(0x0c, [...Buffer.from('forged.example.com')])))));
    const info = tlv(0x30, der([0x02, 0x01, 0x00], subject, spki, [0xa0, 0x00]));
    const identity = Array.from({ length: signatureLength / 2 }, (_, i) => (i === 0 ? 1 : 0));
    return Uint8Array.from(tlv(0x30, der(info, alg, tlv(0x03, [0, ...identity, ...new Array<number>(signatureLength / 2).fill(0)]))));
  };
  const y = (value: bigint, bytes: number): number[] => Array.from({ length: bytes }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn));
  const p25519 = (1n << 255n) - 19n;
  const y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022n;

  it('an Ed25519 identity key with a forged signature, and the other small-order and non-canonical points: ERR_WEAK_KEY', async () => {
    const cases: [number[], RegExp][] = [
      [y(1n, 32), /small order/],
      [y(p25519 - 1n, 32), /small order/],
      [y(0n, 32), /small order/],
      [y(y8, 32), /small order/],
      [y(p25519 - y8, 32), /small order/],
      [y(p25519 + 1n, 32), /not canonically encoded/],
    ];
    for (const [point, message] of cases) {
      const csr = join(dir, `ed${++counter}.der`);
      writeFileSync(csr, forged(0x70, point, 64));
      expect(await refusedWith(csr, 'ERR_WEAK_KEY')).toMatch(message);
    }
    // Ed448's identity, too (openssl does not verify its forgery, hapki does not rely on that)
    const csr = join(dir, `ed${++counter}.der`);
    writeFileSync(csr, forged(0x71, y(1n, 57), 114));
    expect(await refusedWith(csr, 'ERR_WEAK_KEY')).toMatch(/Ed448 public key is a point of small order/);
  });

  it('an openssl Ed25519 request still signs', async () => {
    const key = join(dir, 'ed25519.key');
    await openssl(['genpkey', '-algorithm', 'ED25519', '-out', key]);
    const out = join(dir, 'ed-ok.pem');
    const r = await hapki(['sign', await request('/CN=ed.example.com', [], key), '--ca', ca, '--ca-storepass', 'env:CAPASS', '--out', out], { env, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  });
});

describe('extended key usages a request asks for', () => {
  const signs = async (csr: string, extra: string[] = []): Promise<void> => {
    const out = join(dir, `eku${++counter}.pem`);
    const r = await hapki(['sign', csr, '--ca', ca, '--ca-storepass', 'env:CAPASS', '--out', out, ...extra], { env, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  };

  it('anyExtendedKeyUsage, codeSigning or OCSPSigning in a server request: ERR_POLICY naming the purpose, never silently dropped', async () => {
    for (const [eku, name] of [['anyExtendedKeyUsage', /anyExtendedKeyUsage/], ['codeSigning', /codeSigning/], ['serverAuth,OCSPSigning', /extended key usage OCSPSigning, which the server profile/]] as const) {
      const csr = await request('/CN=eku.example.com', ['-addext', `extendedKeyUsage=${eku}`]);
      const message = await refusedWith(csr, 'ERR_POLICY');
      expect(message).toMatch(name);
      expect(message).not.toMatch(/--profile/);
    }
  });

  it('serverAuth and clientAuth: refused for a server certificate with the profile that gives both named; that profile signs it', async () => {
    const csr = await request('/CN=both.example.com', ['-addext', 'extendedKeyUsage=serverAuth,clientAuth']);
    expect(await refusedWith(csr, 'ERR_POLICY')).toMatch(/clientAuth, which the server profile does not give .*--profile server-client/);
    await signs(csr, ['--profile', 'server-client']);
  });

  // Regression: a sub-CA request with an EKU (as BR 7.1.2.2 asks of constrained sub-CAs), signed
  // with --profile ca, was told "sign it with --profile server-client", which then refused it for
  // CA:TRUE with "sign it with --profile ca": each refusal named the other as the way out
  it('a sub-CA request with an extendedKeyUsage, --profile ca: ERR_POLICY naming no leaf profile as the way out', async () => {
    const csr = await request('/CN=Sub CA/O=Example', ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-addext', 'extendedKeyUsage=serverAuth,clientAuth']);
    const message = await refusedWith(csr, 'ERR_POLICY', ['--profile', 'ca']);
    expect(message).toMatch(/extended key usage serverAuth, clientAuth, which the ca profile does not give .*re-create the request without it/);
    expect(message).not.toMatch(/--profile/);
  });

  it('a request asking for what its profile gives signs', async () => {
    await signs(await request('/CN=srv.example.com', ['-addext', 'extendedKeyUsage=serverAuth']));
    await signs(await request('/CN=cli.example.com', ['-addext', 'extendedKeyUsage=clientAuth']), ['--profile', 'client']);
  });
});

describe('the CN beside the SANs (CA/B BR 7.1.4.3)', () => {
  it('a CN a client or a URL parser reads as a foreign host or address is judged as that name: ERR_POLICY naming it', async () => {
    const cases: [string, RegExp][] = [
      ['/CN=bücher.evil.com', /DNS:xn--bcher-kva\.evil\.com/],
      ['/CN=evil。com', /DNS:evil\.com/],
      ['/CN=evil．com', /DNS:evil\.com/],
      ['/CN=evil.com:443', /DNS:evil\.com/],
      ['/CN=https:\\/\\/evil.com\\/', /DNS:evil\.com/],
      ['/CN=[::1]', /IP:::1/],
      ['/CN=admin@evil.com', /email:admin@evil\.com/],
    ];
    for (const [subject, name] of cases) {
      const csr = await request(subject, ['-utf8', '-addext', 'subjectAltName=DNS:ok.example.com']);
      expect(await refusedWith(csr, 'ERR_POLICY'), subject).toMatch(name);
    }
  });

  it("a keytool request with a descriptive CN signs with --san and a warning; a CA set with --strict-cn refuses it, and --no-strict-cn signs it again", async () => {
    const store = join(dir, 'gw.jks');
    await keytool(['-genkeypair', '-keystore', store, '-storepass', 'changeit', '-alias', 'msas1', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=Example Gateway, O=Example', '-validity', '30']);
    const csr = join(dir, 'gw.csr');
    await keytool(['-certreq', '-keystore', store, '-storepass', 'changeit', '-alias', 'msas1', '-file', csr]);
    const signOnce = async (): Promise<Awaited<ReturnType<typeof hapki>>> => hapki(['sign', csr, '--ca', ca, '--ca-storepass', 'env:CAPASS', '--san', 'lbrhost.example.com', '--out', join(dir, `gw${++counter}.pem`)], { env, cwd: dir });
    const first = await signOnce();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/warning: the subject's CN is not one of the subject alternative names \(CA\/B BR 7\.1\.4\.3/);
    expect((await hapki(['ca', 'set', '--ca', ca, '--strict-cn'], { env, cwd: dir })).stdout).toMatch(/strict cn: +yes/);
    try {
      expect(await refusedWith(csr, 'ERR_POLICY', ['--san', 'lbrhost.example.com'])).toMatch(/CN is not one of the subject alternative names/);
      // a CN that is a host name still signs: it becomes a SAN beside --san
      const host = await request('/CN=msas1.example.com');
      const out = join(dir, `gw${++counter}.pem`);
      const r = await hapki(['sign', host, '--ca', ca, '--ca-storepass', 'env:CAPASS', '--san', 'lbrhost.example.com', '--out', out], { env, cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/warning: the subject's CN/);
      expect((await openssl(['x509', '-in', out, '-noout', '-ext', 'subjectAltName'])).stdout).toMatch(/DNS:msas1\.example\.com, DNS:lbrhost\.example\.com/);
    } finally {
      expect((await hapki(['ca', 'set', '--ca', ca, '--no-strict-cn'], { env, cwd: dir })).stdout).toMatch(/strict cn: +no/);
    }
    expect((await signOnce()).code).toBe(0);
  });
});

describe('invisible characters in a subject', () => {
  it('a leading byte order mark (which a UTF-8 decoder drops unless told not to), a tag character and a noncharacter: ERR_POLICY', async () => {
    for (const o of ['\ufeffExample', 'Ex\u{e0041}ample', 'Ex\ufffeample']) {
      const csr = await request(`/CN=bom.example.com/O=${o}`, ['-utf8']);
      expect(await refusedWith(csr, 'ERR_POLICY')).toMatch(/O value with control or invisible formatting characters/);
    }
  });
});
