import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURES, REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tools.js';

// Arguments a user or a script gets wrong: each is one coded line, bounded, with no Node warning.
const dir = tempDir('hapki-hostile-');
const env = { STOREPASS: 'changeit' };
const store = join(FIXTURES, 'gateway.p12');

async function failsWith(args: string[], code: string, exit = 1): Promise<string> {
  const result = await hapki(args, { env, cwd: dir });
  expect(result.stderr).toMatch(ONE_LINE_ERROR(code));
  expect(result.stderr).not.toMatch(/TimeoutOverflowWarning|\n\s+at /);
  expect(result.code).toBe(exit);
  return result.stderr;
}

describe('timeouts a timer cannot hold', () => {
  // regression: --timeout 30d overflowed Node's 32-bit timers, which fired after 1 ms with a
  // TimeoutOverflowWarning on stderr; a 400-digit number became Infinity
  it.each([
    ['probe --timeout 30d', ['probe', '127.0.0.1:1', '--timeout', '30d'], 'ERR_INVALID_ARGUMENT', 2],
    ['probe --timeout 400 digits', ['probe', '127.0.0.1:1', '--timeout', '9'.repeat(400)], 'ERR_INVALID_ARGUMENT', 2],
    ['verify --fetch-timeout 99999d', ['verify', join(FIXTURES, 'ca.pem'), '--trust', join(FIXTURES, 'ca.pem'), '--ocsp', '--fetch-timeout', '99999d'], 'ERR_INVALID_ARGUMENT', 2],
    ['audit --warn 400 digits', ['audit', store, '--storepass', 'env:STOREPASS', '--warn', '9'.repeat(400)], 'ERR_INVALID_ARGUMENT', 3],
    // regression: ERR_INTERNAL "lockTimeoutMs must be a non-negative number"
    ['--lock-timeout 400 digits', ['--lock-timeout', '9'.repeat(400), 'export', store, '--alias', 'server1', '--what', 'cert', '--out', 'x.pem', '--storepass', 'env:STOREPASS'], 'ERR_USAGE', 2],
  ] as const)('%s', async (_name, args, code, exit) => {
    await failsWith([...args], code, exit);
  });

  it('the longest a timer holds still works: probe --timeout 24d reaches the (closed) port', async () => {
    await failsWith(['probe', '127.0.0.1:1', '--timeout', '24d'], 'ERR_PROBE_REFUSED');
  });
});

describe('a huge argument echoed in an error is cut, not printed whole', () => {
  // regression: a 100 000-character --san was echoed in full in its one error line
  it('csr --san with 100 000 characters', async () => {
    const stderr = await failsWith(['csr', store, '--alias', 'server1', '--storepass', 'env:STOREPASS', '--out', 'x.csr', '--san', 'a'.repeat(100_000)], 'ERR_INVALID_ARGUMENT', 2);
    expect(stderr.length).toBeLessThan(1000);
    expect(stderr).toMatch(/characters cut/);
  });

  it('an unknown option 100 000 characters long', async () => {
    const stderr = await failsWith(['list', store, `--${'x'.repeat(100_000)}`], 'ERR_USAGE', 2);
    expect(stderr.length).toBeLessThan(1000);
  });
});

describe('an output naming one of the inputs is refused, and the input is left as it was', () => {
  // regression: `ca init --ca root.p12 --out root.p12 --force` replaced the root CA keystore with
  // the sub-CA (the root key only in root.p12.bak, lost at the next run); export, csr, sign and
  // token issue likewise overwrote their own input
  it.each([
    ['ca init --ca X --out X', (x: string) => ['ca', 'init', '--subject', 'CN=Sub', '--ca', x, '--ca-storepass', 'env:STOREPASS', '--out', x, '--outpass', 'env:STOREPASS', '--force']],
    ['ca init --ca X --cert-out ./X', (x: string) => ['ca', 'init', '--subject', 'CN=Sub', '--ca', x, '--ca-storepass', 'env:STOREPASS', '--out', 'sub.p12', '--cert-out', `./${x}`, '--outpass', 'env:STOREPASS', '--force']],
    ['token issue --ca X --out X', (x: string) => ['token', 'issue', '--subject', 'CN=tok', '--ca', x, '--ca-storepass', 'env:STOREPASS', '--out', x, '--outpass', 'env:STOREPASS', '--force']],
    ['export X --out X', (x: string) => ['export', x, '--alias', 'server1', '--storepass', 'env:STOREPASS', '--out', x, '--force']],
    ['export link-to-X --out X', (x: string) => ['export', 'link.p12', '--alias', 'server1', '--storepass', 'env:STOREPASS', '--out', x, '--force']],
    ['csr X --out X', (x: string) => ['csr', x, '--alias', 'server1', '--storepass', 'env:STOREPASS', '--out', x, '--force']],
    // crl replaces its output without --force: this one put a CRL where the CA key was, with no backup
    ['crl --ca X --out X', (x: string) => ['crl', '--ca', x, '--ca-storepass', 'env:STOREPASS', '--out', x]],
    ['crl --ca X --out ./X', (x: string) => ['crl', '--ca', x, '--ca-storepass', 'env:STOREPASS', '--out', `./${x}`]],
    ['convert X X', (x: string) => ['convert', x, x, '--storepass', 'env:STOREPASS', '--force']],
    ['convert link-to-X X --out-format pem', (x: string) => ['convert', 'link.p12', x, '--out-format', 'pem', '--storepass', 'env:STOREPASS', '--force']],
  ])('%s', async (_name, args) => {
    copyFileSync(store, join(dir, 'same.p12'));
    symlinkSync('same.p12', join(dir, 'link.p12'));
    try {
      const before = readFileSync(join(dir, 'same.p12'));
      await failsWith(args('same.p12'), 'ERR_USAGE', 2);
      expect(readFileSync(join(dir, 'same.p12')).equals(before)).toBe(true);
    } finally {
      (await import('node:fs')).rmSync(join(dir, 'link.p12'));
    }
  });

  it("the CA's issuance record and settings are inputs too: sign, crl, ca init and token issue refuse to write over them", async () => {
    copyFileSync(store, join(dir, 'rec-ca.p12'));
    writeFileSync(join(dir, 'rec-ca.p12.issued.jsonl'), '');
    writeFileSync(join(dir, 'rec-ca.p12.settings.json'), '{}\n');
    const csr = await hapki(['csr', store, '--alias', 'server1', '--storepass', 'env:STOREPASS', '--out', 'rec.csr', '--force'], { env, cwd: dir });
    expect(csr.code, csr.stderr).toBe(0);
    for (const side of ['rec-ca.p12.issued.jsonl', 'rec-ca.p12.settings.json']) {
      const before = readFileSync(join(dir, side));
      await failsWith(['sign', 'rec.csr', '--ca', 'rec-ca.p12', '--ca-storepass', 'env:STOREPASS', '--out', side, '--force'], 'ERR_USAGE', 2);
      await failsWith(['crl', '--ca', 'rec-ca.p12', '--ca-storepass', 'env:STOREPASS', '--out', side], 'ERR_USAGE', 2);
      await failsWith(['ca', 'init', '--subject', 'CN=Sub', '--ca', 'rec-ca.p12', '--ca-storepass', 'env:STOREPASS', '--out', 'sub2.p12', '--cert-out', side, '--outpass', 'env:STOREPASS', '--force'], 'ERR_USAGE', 2);
      await failsWith(['token', 'issue', '--subject', 'CN=tok', '--ca', 'rec-ca.p12', '--ca-storepass', 'env:STOREPASS', '--out', side, '--outpass', 'env:STOREPASS', '--force'], 'ERR_USAGE', 2);
      expect(readFileSync(join(dir, side)).equals(before), side).toBe(true);
    }
  });

  it("trust mesh: a node keystore named like another node's trust store (X-truststore.p12 beside X.p12) is not replaced by it", async () => {
    copyFileSync(store, join(dir, 'm.p12'));
    copyFileSync(store, join(dir, 'm-truststore.p12'));
    const before = readFileSync(join(dir, 'm-truststore.p12'));
    await failsWith(['trust', 'mesh', '--master', 'm.p12', '--slave', 'm-truststore.p12', '--out-dir', '.', '--storepass', 'env:STOREPASS', '--force'], 'ERR_USAGE', 2);
    expect(readFileSync(join(dir, 'm-truststore.p12')).equals(before)).toBe(true);
  });

  it('sign R --out R', async () => {
    const csr = await hapki(['csr', store, '--alias', 'server1', '--storepass', 'env:STOREPASS', '--out', 'same.csr', '--force'], { env, cwd: dir });
    expect(csr.code, csr.stderr).toBe(0);
    const before = readFileSync(join(dir, 'same.csr'));
    await failsWith(['sign', 'same.csr', '--ca', 'ca-for-sign.p12', '--out', 'same.csr', '--force'], 'ERR_USAGE', 2);
    expect(readFileSync(join(dir, 'same.csr')).equals(before)).toBe(true);
  });
});

describe('standard input as both the input and a password source', () => {
  // regression: the store password took the PEM's first line, so the user saw ERR_KEYSTORE_PASSWORD
  it('import --storepass stdin --trusted - is a usage error before the keystore is opened', async () => {
    copyFileSync(store, join(dir, 'stdin.p12'));
    const result = await hapki(['import', 'stdin.p12', '--alias', 'x', '--trusted', '-', '--storepass', 'stdin'], { env, cwd: dir, input: readFileSync(join(FIXTURES, 'ca.pem'), 'utf8') });
    expect(result.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
    expect(result.stderr).toContain('standard input is the input');
    expect(result.code).toBe(2);
  });

  it('a password from stdin with a named input still works', async () => {
    const result = await hapki(['list', store, '--storepass', 'stdin'], { env, cwd: dir, input: 'changeit\n' });
    expect(result.code, result.stderr).toBe(0);
  });
});

describe("keytool's and openssl's single-dash options", () => {
  it('are unknown options (exit 2) that say what hapki calls them', async () => {
    expect(await failsWith(['list', store, '-storepass', 'env:STOREPASS'], 'ERR_USAGE', 2)).toContain("two dashes: for -storepass, --storepass");
    expect(await failsWith(['list', '-keystore', store], 'ERR_USAGE', 2)).toContain("for -keystore, the keystore is the command's argument");
    expect(await failsWith(['csr', store, '--alias', 'server1', '-dname', 'CN=x', '--out', 'x.csr'], 'ERR_USAGE', 2)).toContain('for -dname, --subject');
    // a two-dash typo keeps commander's own suggestion
    expect(await failsWith(['list', store, '--storepas', 'env:STOREPASS'], 'ERR_USAGE', 2)).toContain('did you mean --storepass?');
  });

  // regression: `export X -alias gw -file out.pem` said "required option '--alias' not specified"
  // (commander checks required options first); -rfc was told "for -rfc, --rfc", an option hapki
  // does not have; -storepass:file and --passin (openssl's word) got no hint
  it('the habit is named even when commander would first complain of something else, and only real options are suggested', async () => {
    const keytoolLine = await failsWith(['export', store, '-alias', 'server1', '-file', 'out.pem', '-storepass', 'changeit'], 'ERR_USAGE', 2);
    expect(keytoolLine).toContain("unknown option '-alias'; hapki's options take two dashes: for -alias, --alias");
    expect(keytoolLine).not.toContain('changeit');
    const rfc = await failsWith(['list', store, '--storepass', 'env:STOREPASS', '-rfc'], 'ERR_USAGE', 2);
    // list prints no PEM: export does (keytool -list -rfc); export's own -rfc is its default PEM
    expect(rfc).toContain("unknown option '-rfc'; hapki's options take two dashes: for -rfc, nothing: hapki export <keystore> --alias <alias> --what cert --out - prints the certificate as PEM");
    expect(rfc).not.toContain('--rfc');
    expect(await failsWith(['export', store, '--alias', 'server1', '--out', 'c.pem', '-rfc'], 'ERR_USAGE', 2)).toContain('for -rfc, --out-format pem (the default)');
    expect(await failsWith(['list', store, '-storepass:file', 'pass.txt'], 'ERR_USAGE', 2)).toContain('for -storepass:file, --storepass file:PATH');
    expect(await failsWith(['list', store, '--passin', 'pass:changeit'], 'ERR_USAGE', 2)).toContain('for --passin, --storepass');
    expect(await failsWith(['verify', '-CAfile', 'ca.pem', 'leaf.pem'], 'ERR_USAGE', 2)).toContain('for -CAfile, --trust');
    expect(await failsWith(['sign', 'x.csr', '-CA', 'ca.p12', '-out', 'x.pem'], 'ERR_USAGE', 2)).toContain('for -CA, --ca');
    expect(await failsWith(['export', store, '--alias', 'server1', '--what', 'key', '--out', 'k.pem', '-nodes'], 'ERR_USAGE', 2)).toContain('for -nodes, --no-encrypt');
  });
});

describe('file names hapki cannot name faithfully', () => {
  // regression: Node decodes argv as UTF-8, so a Latin-1 name `bad\xff.jks` became
  // `bad\ufffd.jks`: list looked for another file, and export --out wrote one under a name nobody gave
  it('an argument that is not valid UTF-8 is a usage error, before anything is read or written', async () => {
    const sub = tempDir('hapki-latin1-');
    const latin1 = Buffer.concat([Buffer.from(`${sub}/caf`), Buffer.from([0xe9]), Buffer.from('.pem')]);
    // a shell script holds the raw byte: Node's own spawn would encode the argument as UTF-8
    const script = join(sub, 'run.sh');
    writeFileSync(script, Buffer.concat([Buffer.from(`exec "${process.execPath}" "${join(REPO_ROOT, 'bin', 'hapki.js')}" export "${store}" --alias server1 --what cert --storepass env:STOREPASS --out "`), latin1, Buffer.from('"\n')]));
    const r = spawnSync('sh', [script], { env: { PATH: process.env['PATH'] ?? '', STOREPASS: 'changeit' }, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^hapki: argument \d+ \(the value of --out\) is not valid UTF-8[^\n]* \(ERR_USAGE\)\n$/);
    expect(readdirSync(sub)).toEqual(['run.sh']);
  });

  // regression: `--out certs/` wrote a file named "certs" (path.resolve drops the slash); cp says "Not a directory"
  it('an output name ending in /, . or .. (or empty) names no file: ERR_UNSAFE_PATH, nothing written', async () => {
    const sub = tempDir('hapki-slash-');
    mkdirSync(join(sub, 'certs'));
    for (const out of ['nodir/', 'certs/', 'certs/.', 'certs/..', '']) {
      const r = await hapki(['export', store, '--alias', 'server1', '--what', 'cert', '--storepass', 'env:STOREPASS', '--out', out], { env, cwd: sub });
      expect(r.code, out).toBe(1);
      expect(r.stderr, out).toMatch(ONE_LINE_ERROR('ERR_UNSAFE_PATH'));
      expect(readdirSync(sub), out).toEqual(['certs']);
      expect(readdirSync(join(sub, 'certs')), out).toEqual([]);
    }
    expect((await hapki(['convert', store, 'out/', '--out-format', 'pkcs12', '--storepass', 'env:STOREPASS', '--outpass', 'env:STOREPASS'], { env, cwd: sub })).stderr).toMatch(ONE_LINE_ERROR('ERR_UNSAFE_PATH'));
    expect(readdirSync(sub)).toEqual(['certs']);
  });

  // regression: an output that is a loop of symbolic links was said to point "nowhere"
  it('a loop of symbolic links, as input or output: one coded line that says so, nothing written', async () => {
    const sub = tempDir('hapki-loop-');
    symlinkSync('loop2', join(sub, 'loop1'));
    symlinkSync('loop1', join(sub, 'loop2'));
    const out = await hapki(['export', store, '--alias', 'server1', '--what', 'cert', '--storepass', 'env:STOREPASS', '--out', 'loop1'], { env, cwd: sub });
    expect(out.stderr).toMatch(ONE_LINE_ERROR('ERR_UNSAFE_PATH'));
    expect(out.stderr).toContain('loop of links');
    const input = await hapki(['list', 'loop1', '--storepass', 'env:STOREPASS'], { env, cwd: sub });
    expect(input.stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
    expect(input.stderr).toContain('symbolic link loop');
    expect(readdirSync(sub).sort()).toEqual(['loop1', 'loop2']);
  });

  // regression: a 250-byte --out was refused as "<name>.hapki-lock: name too long", naming hapki's lock file
  it('a name too long for the files the write path stages beside it: ERR_IO about the user\'s file, before anything is written', async () => {
    const sub = tempDir('hapki-longname-');
    const name = `${'a'.repeat(240)}.pem`;
    const r = await hapki(['export', store, '--alias', 'server1', '--what', 'cert', '--storepass', 'env:STOREPASS', '--out', name], { env, cwd: sub });
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
    expect(r.stderr).toContain('the name is 244 bytes long');
    expect(r.stderr).not.toContain('hapki-lock');
    expect(readdirSync(sub)).toEqual([]);
    const fits = `${'a'.repeat(215)}.pem`;
    expect((await hapki(['export', store, '--alias', 'server1', '--what', 'cert', '--storepass', 'env:STOREPASS', '--out', fits], { env, cwd: sub })).code).toBe(0);
  });
});

describe('a CA named only for the files beside it (ca set, ca issued, revoke) must be there', () => {
  // regression: `ca set --ca typo.p12` wrote typo.p12.settings.json for a CA that does not exist,
  // and `ca issued --ca notes.txt` (or a directory) listed nothing, exit 0
  it.each([
    ['a missing file', 'typo.p12', 'ERR_FILE_NOT_FOUND'],
    ['a file that is not a keystore', 'notes.txt', 'ERR_KEYSTORE_FORMAT'],
    ['a directory', 'adir', 'ERR_IO'],
  ])('%s: a coded error naming it, nothing written', async (_name, ca, code) => {
    const sub = tempDir('hapki-ca-files-');
    writeFileSync(join(sub, 'notes.txt'), 'not a keystore\n');
    mkdirSync(join(sub, 'adir'));
    const before = readdirSync(sub).sort();
    for (const args of [['ca', 'set', '--ca', ca, '--allow-domain', 'example.com'], ['ca', 'issued', '--ca', ca], ['revoke', '--ca', ca, '--serial', '01']]) {
      const r = await hapki(args, { env, cwd: sub });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(ONE_LINE_ERROR(code));
      expect(r.stderr, args.join(' ')).toContain(ca);
      expect(readdirSync(sub).sort(), args.join(' ')).toEqual(before);
    }
  });
});

describe('a keystore that does not parse is named in the error', () => {
  it('list, verify --trust and standard input name the file they could not read', async () => {
    const sub = tempDir('hapki-unnamed-');
    writeFileSync(join(sub, 'notes.txt'), 'not a keystore\n');
    expect((await hapki(['list', 'notes.txt'], { env, cwd: sub })).stderr).toMatch(/^hapki: notes\.txt: unrecognised keystore format[^\n]*\(ERR_KEYSTORE_FORMAT\)\n$/);
    expect((await hapki(['verify', join(FIXTURES, 'ca.pem'), '--trust', 'notes.txt'], { env, cwd: sub })).stderr).toMatch(/^hapki: notes\.txt: [^\n]*\(ERR_KEYSTORE_FORMAT\)\n$/);
    expect((await hapki(['list', '-'], { env, cwd: sub, input: 'not a keystore\n' })).stderr).toMatch(/^hapki: standard input: [^\n]*\(ERR_KEYSTORE_FORMAT\)\n$/);
  });
});
