import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { tempDir } from '../helpers/tools.js';

// README "Exit codes": whatever the command, a command line that is wrong in itself — an unknown
// option, a missing value, a bad number, choice, date, duration, name, SAN, key, fingerprint,
// serial, URL or range, options that conflict — is a usage error: exit 2 (audit: 3), one coded
// line, nothing on stdout, nothing written. The code says which (ERR_USAGE or ERR_INVALID_ARGUMENT).
// regression: --kty foo, --subject garbage, --san 'a b', --trust-root zz, --timeout soon,
// --serial zz, --allow-ip 1.2.3, --not-after in the past were exit 1 while --days x was exit 2.
const dir = tempDir('hapki-optvals-');
const env = { P: 'secret-1234' };
const ca = ['--ca', 'ca.p12', '--ca-storepass', 'env:P'];
const newCa = ['ca', 'init', '--subject', 'CN=Root', '--out', 'root.p12', '--outpass', 'env:P'];
const csr = ['csr', 'gw.jks', '--alias', 'gw', '--storepass', 'env:P', '--out', 'gw.csr'];
const sign = ['sign', 'gw.csr', ...ca, '--out', 'gw.pem'];
const token = ['token', 'issue', '--self-signed', '--subject', 'CN=token', '--out', 't.p12', '--outpass', 'env:P'];

const ROWS: readonly (readonly [string, readonly string[], string])[] = [
  ['unknown option', ['list', 'gw.jks', '--bogus'], 'ERR_USAGE'],
  ['missing value', ['list', 'gw.jks', '--storepass'], 'ERR_USAGE'],
  ['missing required option', ['export', 'gw.jks', '--alias', 'gw', '--what', 'cert'], 'ERR_USAGE'],
  ['bad enum: export --what', ['export', 'gw.jks', '--alias', 'gw', '--what', 'bogus', '--out', 'x.pem'], 'ERR_USAGE'],
  ['bad enum: convert --out-format', ['convert', 'gw.jks', 'x.p12', '--out-format', 'bogus'], 'ERR_USAGE'],
  ['bad password source', [...newCa.slice(0, -1), 'bogus'], 'ERR_USAGE'],
  ['ca init --subject', ['ca', 'init', '--subject', 'garbage', '--out', 'root.p12', '--outpass', 'env:P'], 'ERR_INVALID_ARGUMENT'],
  ['ca init --kty', [...newCa, '--kty', 'foo'], 'ERR_INVALID_ARGUMENT'],
  ['ca init --bits', [...newCa, '--bits', 'abc'], 'ERR_INVALID_ARGUMENT'],
  ['ca init --bits too small', [...newCa, '--bits', '1024'], 'ERR_INVALID_ARGUMENT'],
  ['ca init --curve', [...newCa, '--kty', 'ec', '--curve', 'P-1'], 'ERR_INVALID_ARGUMENT'],
  ['ca init --days x', [...newCa, '--days', 'x'], 'ERR_USAGE'],
  ['ca init --days beyond 100 years', [...newCa, '--days', '99999'], 'ERR_INVALID_ARGUMENT'],
  ['ca init --path-len', [...newCa, '--path-len', '-1'], 'ERR_USAGE'],
  ['ca set --allow-domain', ['ca', 'set', '--ca', 'ca.p12', '--allow-domain', 'bad domain'], 'ERR_INVALID_ARGUMENT'],
  ['ca set --allow-ip', ['ca', 'set', '--ca', 'ca.p12', '--allow-ip', '300.1.1.1/8'], 'ERR_INVALID_ARGUMENT'],
  ['ca set --crl-url', ['ca', 'set', '--ca', 'ca.p12', '--crl-url', 'notaurl'], 'ERR_INVALID_ARGUMENT'],
  ['ca set --aia-url', ['ca', 'set', '--ca', 'ca.p12', '--aia-url', 'file:///etc/passwd'], 'ERR_INVALID_ARGUMENT'],
  ['csr --san', [...csr, '--san', 'bad name!'], 'ERR_INVALID_ARGUMENT'],
  ['csr --subject', [...csr, '--subject', 'garbage'], 'ERR_INVALID_ARGUMENT'],
  // regression: csr made requests a CA refuses (a 100 000-character CN; openssl refuses over 64)
  ['csr --subject CN over 64 characters', [...csr, '--subject', `CN=${'a'.repeat(100_000)}`], 'ERR_INVALID_ARGUMENT'],
  ['csr --subject multi-valued RDN', [...csr, '--subject', 'CN=a.example.com+CN=evil.example.com'], 'ERR_INVALID_ARGUMENT'],
  ['csr --subject lower-case C', [...csr, '--subject', 'CN=a.example.com,C=de'], 'ERR_INVALID_ARGUMENT'],
  ['ca init --subject CN over 64 characters', ['ca', 'init', '--subject', `CN=${'a'.repeat(65)}`, '--out', 'root.p12', '--outpass', 'env:P'], 'ERR_INVALID_ARGUMENT'],
  ['csr --new-key --kty', ['csr', '--new-key', '--keystore', 'n.jks', '--alias', 'n', '--subject', 'CN=n', '--kty', 'foo', '--storepass', 'env:P', '--out', 'n.csr'], 'ERR_INVALID_ARGUMENT'],
  ['csr --store-format', ['csr', '--new-key', '--keystore', 'n.jks', '--alias', 'n', '--subject', 'CN=n', '--store-format', 'zz', '--storepass', 'env:P', '--out', 'n.csr'], 'ERR_USAGE'],
  ['sign --profile', [...sign, '--profile', 'bogus'], 'ERR_USAGE'],
  ['sign --days', [...sign, '--days', '0'], 'ERR_USAGE'],
  ['sign --not-after not a date', [...sign, '--not-after', '2027-13-45'], 'ERR_USAGE'],
  // regression: JavaScript rolled 2027-02-30 over to March 2 and signed; --path-len was dropped from a leaf
  ['sign --not-after not on the calendar', [...sign, '--not-after', '2027-02-30'], 'ERR_USAGE'],
  ['sign --not-after hour 24', [...sign, '--not-after', '2027-06-30T24:00:00Z'], 'ERR_USAGE'],
  ['sign --path-len without --profile ca', [...sign, '--path-len', '2'], 'ERR_USAGE'],
  ['sign --not-after in the past', [...sign, '--not-after', '2020-01-01'], 'ERR_INVALID_ARGUMENT'],
  ['sign --days and --not-after', [...sign, '--days', '5', '--not-after', '2099-01-01'], 'ERR_USAGE'],
  ['sign --san', [...sign, '--san', 'bad name!'], 'ERR_INVALID_ARGUMENT'],
  ['sign --subject', [...sign, '--subject', 'garbage'], 'ERR_INVALID_ARGUMENT'],
  ['sign --allow-ip', [...sign, '--allow-ip', '1.2.3'], 'ERR_INVALID_ARGUMENT'],
  ['sign --out and --out-dir', [...sign, '--out-dir', 'certs'], 'ERR_USAGE'],
  ['import --trust-root', ['import', 'gw.jks', '--alias', 'gw', '--reply', 'gw.pem', '--storepass', 'env:P', '--trust-root', 'zz'], 'ERR_INVALID_ARGUMENT'],
  ['import --reply and --trusted', ['import', 'gw.jks', '--alias', 'gw', '--reply', 'gw.pem', '--trusted', 'ca.pem', '--storepass', 'env:P'], 'ERR_USAGE'],
  ['verify --purpose', ['verify', 'gw.pem', '--trust', 'ca.pem', '--purpose', 'bogus'], 'ERR_USAGE'],
  ['verify --at', ['verify', 'gw.pem', '--trust', 'ca.pem', '--at', 'notadate'], 'ERR_USAGE'],
  ['verify --fetch-timeout', ['verify', 'gw.pem', '--trust', 'ca.pem', '--fetch-timeout', 'soon'], 'ERR_INVALID_ARGUMENT'],
  ['verify --hostname with a space', ['verify', 'gw.pem', '--trust', 'ca.pem', '--hostname', 'a b'], 'ERR_INVALID_ARGUMENT'],
  ['verify --hostname empty', ['verify', 'gw.pem', '--trust', 'ca.pem', '--hostname', ''], 'ERR_INVALID_ARGUMENT'],
  ['probe --servername with a newline', ['probe', '127.0.0.1:1', '--servername', 'a\nb'], 'ERR_INVALID_ARGUMENT'],
  ['verify --policy', ['verify', 'gw.pem', '--trust', 'ca.pem', '--policy', 'abc'], 'ERR_USAGE'],
  ['trust mesh --mode', ['trust', 'mesh', '--master', 'a.jks', '--slave', 'b.jks', '--out-dir', 'td', '--mode', 'bogus', '--storepass', 'env:P'], 'ERR_USAGE'],
  ['trust mesh --parallel', ['trust', 'mesh', '--master', 'a.jks', '--slave', 'b.jks', '--out-dir', 'td', '--parallel', '0', '--storepass', 'env:P'], 'ERR_USAGE'],
  ['probe port', ['probe', 'host:99999'], 'ERR_INVALID_ARGUMENT'],
  ['probe --timeout', ['probe', '127.0.0.1:1', '--timeout', 'soon'], 'ERR_INVALID_ARGUMENT'],
  ['probe --at', ['probe', '127.0.0.1:1', '--at', 'x'], 'ERR_USAGE'],
  ['plan --parallel', ['plan', 'cluster.yaml', '--parallel', 'x'], 'ERR_USAGE'],
  ['apply --batch', ['apply', 'cluster.yaml', '--batch', 'x'], 'ERR_USAGE'],
  ['token issue --kty', [...token, '--kty', 'bad'], 'ERR_INVALID_ARGUMENT'],
  ['token issue --days', [...token, '--days', 'x'], 'ERR_USAGE'],
  ['token issue two sources', [...token, ...ca], 'ERR_USAGE'],
  ['token distribute two steps', ['token', 'distribute', 't.p12', '--to', 'gw.jks', '--stage', '--activate'], 'ERR_USAGE'],
  ['revoke --serial', ['revoke', '--ca', 'ca.p12', '--serial', 'zz'], 'ERR_INVALID_ARGUMENT'],
  ['revoke --reason', ['revoke', '--ca', 'ca.p12', '--serial', '01', '--reason', 'bogus'], 'ERR_USAGE'],
  ['crl --days', ['crl', ...ca, '--out', 'c.crl', '--days', '99999'], 'ERR_INVALID_ARGUMENT'],
  ['completion', ['completion', 'fish'], 'ERR_USAGE'],
  ['--max-iterations', ['--max-iterations', 'x', 'list', 'gw.jks'], 'ERR_USAGE'],
  ['--lock-timeout', ['--lock-timeout', 'x', 'list', 'gw.jks'], 'ERR_USAGE'],
];

describe('a wrong command line is a usage error (exit 2) in every command', () => {
  it.each(ROWS)('%s', async (_name, args, code) => {
    // a directory of its own: one row that writes cannot make the next ones fail
    const cwd = tempDir('hapki-optval-');
    const r = await hapki(args, { env, cwd });
    expect(r.stderr).toMatch(ONE_LINE_ERROR(code));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('audit keeps the monitoring convention: the same mistakes are UNKNOWN (3)', async () => {
    for (const args of [['audit', '.', '--warn', 'soon'], ['audit', '.', '--bogus'], ['audit', '.', '--at', 'x']]) {
      const r = await hapki(args, { env, cwd: dir });
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.stderr, args.join(' ')).toMatch(/^hapki: [^\n]+ \(ERR_[A-Z_]+\)\n$/);
    }
  });
});
