import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, closeSync, constants, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURES, REPO_ROOT } from '../helpers/fixtures.js';
import { commandLineWithoutSecrets } from '../../src/secrets/process_title.js';
import { opensslKeyAndCert } from '../helpers/keys.js';
import { openssl, tempDir } from '../helpers/tools.js';

const dir = tempDir();
const store = join(FIXTURES, 'gateway.p12');

describe('password sources', () => {
  it('env:NAME', async () => {
    const r = await hapki(['list', store, '--storepass', 'env:P'], { env: { P: 'changeit' } });
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });

  it('file:PATH reads the first line only', async () => {
    const file = join(dir, 'pass.txt');
    writeFileSync(file, 'changeit\nsecond line\n', { mode: 0o600 });
    expect(await hapki(['list', store, '--storepass', `file:${file}`])).toMatchObject({ code: 0, stderr: '' });
  });

  // regression: a password file anyone on the host could read, or another user could rewrite,
  // was used without a word (ssh refuses such key files; hapki warns, existing deployments keep working)
  it('file:PATH open to group or others, or owned by another user: one warning naming the option and the file, never the password; still read', async () => {
    const file = join(dir, 'open.pass');
    writeFileSync(file, 'changeit\n', { mode: 0o600 });
    const quiet = await hapki(['list', store, '--storepass', `file:${file}`]);
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      chmodSync(file, mode);
      const r = await hapki(['list', store, '--storepass', `file:${file}`]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(quiet.stdout);
      expect(r.stderr).toMatch(new RegExp(`^hapki: warning: --storepass \\(password for [^\n]*\\): the password file ${file.replace(/[.]/g, '\\.')} is open to [a-z ]+ \\(mode 0${mode.toString(8)}\\): chmod 600 it\n$`));
      expect(r.stderr).not.toContain('changeit');
    }
    // the same file for two options: warned once
    const twice = await hapki(['convert', store, join(dir, 'open-out.p12'), '--storepass', `file:${file}`, '--outpass', `file:${file}`]);
    expect(twice.code, twice.stderr).toBe(0);
    expect(twice.stderr.match(/warning: .*the password file/g)).toHaveLength(1);
    chmodSync(file, 0o600);
    // as root (the test machine), a file of nobody's
    expect(process.getuid?.()).toBe(0);
    chownSync(file, 65534, 65534);
    const foreign = await hapki(['list', store, '--storepass=file:' + file]);
    expect(foreign.code).toBe(0);
    expect(foreign.stderr).toMatch(/^hapki: warning: --storepass \(password for [^\n]*\): the password file [^\n]+ belongs to another user \(uid 65534\)[^\n]*\n$/);
    chownSync(file, 0, 0);
    expect((await hapki(['list', store, '--storepass', `file:${file}`])).stderr).toBe('');
  });

  it('an audit configuration holding pass: sources and open to others warns about its mode, never the password', async () => {
    const config = join(dir, 'audit-pass.yaml');
    writeFileSync(config, `passwords:\n  - match: "${store}"\n    password: pass:changeit\n`);
    chmodSync(config, 0o644);
    const open = await hapki(['audit', store, '--config', config]);
    expect(open.code, open.stderr).toBe(0);
    expect(open.stderr).toContain(`hapki: warning: ${config} holds passwords itself (pass:) and is open to group and others (mode 0644): chmod 600 it\n`);
    // the pass: warning names where the password is: the file, not the process list
    expect(open.stderr).toContain(`hapki: warning: password for keystores matching ${store} is written in the file that names it (pass:); prefer env: or file:\n`);
    expect(open.stderr).not.toContain('process list');
    expect(open.stderr).not.toContain('changeit');
    chmodSync(config, 0o600);
    expect((await hapki(['audit', store, '--config', config])).stderr).not.toContain('holds passwords itself');
  });

  it('an instance list (--instances) holding pass: sources and open to others warns about its mode; its relative file: sources are the list\'s', async () => {
    const sub = join(dir, 'instances');
    mkdirSync(join(sub, 'secrets'), { recursive: true });
    copyFileSync(store, join(sub, 'gw.p12'));
    writeFileSync(join(sub, 'secrets', 'gw.pass'), 'changeit\n', { mode: 0o600 });
    const list = join(sub, 'list.txt');
    writeFileSync(list, 'gw.p12 pass:changeit\n');
    chmodSync(list, 0o644);
    // token check fails (no token there); --verbose keeps the warnings before its error
    const open = await hapki(['token', 'check', '--instances', list, '--verbose']);
    expect(open.stderr).toContain(`hapki: warning: ${list} holds passwords itself (pass:) and is open to group and others (mode 0644): chmod 600 it\n`);
    expect(open.stdout + open.stderr).not.toContain('changeit');
    // run from elsewhere, file:secrets/gw.pass is the list's secrets/gw.pass: the store opens (its entries are listed)
    writeFileSync(list, 'gw.p12 file:secrets/gw.pass\n');
    const relative = await hapki(['token', 'check', '--instances', list], { cwd: dir });
    expect(relative.stderr).not.toContain('ERR_PASSWORD_SOURCE');
    expect(relative.stderr).not.toContain('holds passwords itself');
    expect(relative.stdout).toMatch(/gw\.p12\s+missing/);
  });

  it('--ssh-identity open to others gets the same one-line warning (ssh refuses such a key), never its content', async () => {
    const key = join(dir, 'id_test');
    writeFileSync(key, '-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n', { mode: 0o644 });
    chmodSync(key, 0o644);
    const r = await hapki(['list', store, '--storepass', 'env:P', '--ssh-identity', key], { env: { P: 'changeit' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^hapki: warning: --ssh-identity: the key file [^\n]*id_test is open to group and others \(mode 0644\): chmod 600 it\n$/);
    chmodSync(key, 0o600);
    expect((await hapki(['list', store, '--storepass', 'env:P', '--ssh-identity', key], { env: { P: 'changeit' } })).stderr).toBe('');
  });

  it('fd:N', async () => {
    const file = join(dir, 'pass-fd.txt');
    writeFileSync(file, 'changeit\n');
    const fd = openSync(file, 'r');
    const r = await hapki(['list', store, '--storepass', 'fd:3'], { stdio: ['pipe', 'pipe', 'pipe', fd] });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  // regression: the first option read the whole descriptor, the second got an empty password
  it('fd:N named by two options: one line each, in order; too few lines is ERR_PASSWORD_SOURCE and nothing is written', async () => {
    const file = join(dir, 'pass-fd-two.txt');
    writeFileSync(file, 'changeit\nnewpass-fd\n');
    const out = join(dir, 'from-fd.p12');
    const r = await hapki(['convert', store, out, '--storepass', 'fd:3', '--outpass', 'fd:3'], { stdio: ['pipe', 'pipe', 'pipe', openSync(file, 'r')] });
    expect(r.code, r.stderr).toBe(0);
    expect((await hapki(['list', out, '--storepass', 'env:P'], { env: { P: 'newpass-fd' } })).code).toBe(0);
    const one = join(dir, 'pass-fd-one.txt');
    writeFileSync(one, 'changeit\n');
    const short = await hapki(['convert', store, join(dir, 'from-fd-short.p12'), '--storepass', 'fd:3', '--outpass', 'fd:3'], { stdio: ['pipe', 'pipe', 'pipe', openSync(one, 'r')] });
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(ONE_LINE_ERROR('ERR_PASSWORD_SOURCE'));
    expect(short.stderr).toContain('fd 3 has no more lines');
    expect(existsSync(join(dir, 'from-fd-short.p12'))).toBe(false);
  });

  // regression: fd:0 is standard input, but only `stdin` was kept from taking the input's first
  // line (-): the PEM's first line became the password and the import failed as a wrong password
  it('fd:0 is standard input: refused beside an input read from -, and shares stdin\'s lines', async () => {
    const ca = join(FIXTURES, 'ca.pem');
    const copy = join(dir, 'fd0.p12');
    copyFileSync(store, copy);
    const r = await hapki(['import', copy, '--alias', 'x', '--trusted', '-', '--storepass', 'fd:0'], { input: readFileSync(ca, 'utf8') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
    expect(r.stderr).toContain('standard input is the input');
    const out = join(dir, 'from-fd0.p12');
    const both = await hapki(['convert', store, out, '--storepass', 'fd:0', '--outpass', 'stdin'], { input: 'changeit\nnewpass-0\n' });
    expect(both.code, both.stderr).toBe(0);
    expect((await hapki(['list', out, '--storepass', 'env:P'], { env: { P: 'newpass-0' } })).code).toBe(0);
  });

  it('stdin, one line per option in order', async () => {
    const out = join(dir, 'from-stdin.p12');
    const r = await hapki(['convert', store, out, '--storepass', 'stdin', '--outpass', 'stdin'], { input: 'changeit\nnewpass\n' });
    expect(r.code).toBe(0);
    // regression: the newline ending the last line was taken for an empty line, handed to the next option
    const short = await hapki(['convert', store, join(dir, 'from-stdin-short.p12'), '--storepass', 'stdin', '--outpass', 'stdin'], { input: 'changeit\n' });
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(ONE_LINE_ERROR('ERR_PASSWORD_SOURCE'));
    expect(short.stderr).toContain('standard input has no more lines');
    expect((await hapki(['list', out, '--storepass', 'env:P'], { env: { P: 'newpass' } })).code).toBe(0);
  });

  it('pass:LITERAL works but warns, and the warning does not repeat the password', async () => {
    const r = await hapki(['list', store, '--storepass', 'pass:changeit']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*process list/);
    expect(r.stderr).not.toContain('changeit');
  });

  // regression: a pass: password stayed in /proc/<pid>/cmdline (ps, for every user) for the whole run
  it('pass:LITERAL and a pin-value leave the process list once hapki runs: the title shows pass:… instead', async () => {
    const fifo = join(dir, 'title.fifo');
    execFileSync('mkfifo', [fifo]);
    const out = join(dir, 'title.p12');
    // the output password comes from the FIFO: hapki waits there, running, while its title is read
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'hapki.js'), 'convert', store, out, '--storepass', 'pass:changeit', '--keypass', 'pass:changeit', '--outpass', `file:${fifo}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // opening the FIFO for writing succeeds once hapki has opened it for reading
    let writer: number | undefined;
    for (let i = 0; writer === undefined && i < 1000; i++) {
      try {
        writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    expect(writer, stderr).toBeDefined();
    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').replace(/\0+/g, ' ').trim();
    writeSync(writer!, 'new-title-pass\n');
    closeSync(writer!);
    expect(await exited, stderr).toBe(0);
    expect(cmdline).not.toContain('changeit');
    expect(cmdline).toBe(`hapki convert ${store} ${out} --storepass pass:… --keypass pass:… --outpass file:${fifo}`);
    expect(commandLineWithoutSecrets(['node', 'hapki.js', 'list', 'pkcs11:token=ca;object=k?pin-value=1234', '--storepass=pass:x', '--storepass-for', 'a.p12=pass:y'])).toBe('hapki list pkcs11:token=ca;object=k?pin-value=… --storepass=pass:… --storepass-for a.p12=pass:…');
    expect(commandLineWithoutSecrets(['node', 'hapki.js', 'list', 'a.p12', '--storepass', 'env:P'])).toBeUndefined();
  });

  it('a bad source is ERR_PASSWORD_SOURCE and never echoes what was given', async () => {
    const unset = await hapki(['list', store, '--storepass', 'env:NOT_SET_ANYWHERE']);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toMatch(ONE_LINE_ERROR('ERR_PASSWORD_SOURCE'));
    const bare = await hapki(['list', store, '--storepass', 'hunter2']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
    expect(bare.stderr).not.toContain('hunter2');
    const endless = await hapki(['list', store, '--storepass', 'file:/dev/zero']);
    expect(endless.code).toBe(1);
    expect(endless.stderr).toMatch(ONE_LINE_ERROR('ERR_PASSWORD_SOURCE'));
    const missing = await hapki(['list', store, '--storepass', `file:${join(dir, 'absent')}`]);
    expect(missing.stderr).toMatch(ONE_LINE_ERROR('ERR_PASSWORD_SOURCE'));
  });

  it('an empty password never protects something new: every new-password option refuses it, and nothing is written', async () => {
    const empty = join(dir, 'empty.pass');
    writeFileSync(empty, '\n');
    const env = { P: 'changeit', EMPTY: '' };
    const at = (f: string): string => join(dir, f);
    copyFileSync(store, at('slave.p12'));
    const refused = [
      ['export', store, '--alias', 'server1', '--out', at('e-key.pem'), '--storepass', 'env:P', '--outpass', 'env:EMPTY'],
      ['convert', store, at('e-conv.p12'), '--storepass', 'env:P', '--outpass', `file:${empty}`],
      ['convert', store, at('e-conv.jks'), '--storepass', 'env:P', '--keypass-out', 'server1=env:EMPTY'],
      ['ca', 'init', '--subject', 'CN=Empty CA', '--kty', 'ec', '--out', at('e-ca.p12'), '--outpass', 'env:EMPTY'],
      ['token', 'issue', '--self-signed', '--kty', 'ec', '--subject', 'CN=tok', '--out', at('e-tok.p12'), '--outpass', 'env:EMPTY'],
      ['csr', '--new-key', '--kty', 'ec', '--subject', 'CN=n.example.com', '--keystore', at('e-new.p12'), '--alias', 'n', '--storepass', 'env:EMPTY', '--out', at('e-new.csr')],
      ['trust', 'mesh', '--master', store, '--slave', at('slave.p12'), '--out-dir', at('e-trust'), '--storepass', 'env:P', '--outpass', 'env:EMPTY'],
    ];
    for (const args of refused) {
      // --quiet: no warnings (an EC token key's), only the error
      const r = await hapki(['--quiet', ...args], { env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_PASSWORD_SOURCE'));
      expect(r.stderr).toContain('empty');
    }
    for (const f of ['e-key.pem', 'e-conv.p12', 'e-conv.jks', 'e-ca.p12', 'e-tok.p12', 'e-new.p12', 'e-new.csr', 'e-trust']) expect(existsSync(at(f)), f).toBe(false);
    // a key in the clear is still there for the asking
    const clear = await hapki(['export', store, '--alias', 'server1', '--what', 'key', '--out', at('clear.pem'), '--storepass', 'env:P', '--no-encrypt'], { env });
    expect(clear.code, clear.stderr).toBe(0);
  });

  // regression: `--storepass stdin` at a terminal waited with no prompt for lines until Ctrl-D, echoing the password
  it('stdin (or fd:0) when standard input is the terminal asks without echo, one question per option', async () => {
    let err = '';
    const asked: string[] = [];
    const io: CliIo = {
      stdout: () => undefined,
      stderr: (t) => void (err += t),
      readStdin: () => Promise.reject(new Error('read standard input with echo')),
      prompt: async (question) => (asked.push(question), 'changeit'),
      env: {},
    };
    const code = await main(['node', 'hapki', 'list', store, '--storepass', 'stdin'], io);
    expect(code, err).toBe(0);
    const zero = await main(['node', 'hapki', 'list', store, '--storepass', 'fd:0'], io);
    expect(zero, err).toBe(0);
    expect(asked).toEqual(['password for ' + store + ': ', 'password for ' + store + ': ']);
    // a new password from stdin at a terminal is asked twice, as a prompt is
    asked.length = 0;
    const made = await main(['node', 'hapki', 'ca', 'init', '--subject', 'CN=Stdin CA', '--kty', 'ec', '--out', join(dir, 'stdin-tty-ca.p12'), '--outpass', 'stdin'], io);
    expect(made, err).toBe(0);
    expect(asked).toEqual(['output password: ', 'output password again: ']);
  });

  // regression: a store under the empty password gave its PEM/DER output '' to inherit, which the
  // writers take for "no encryption": the key went out in the clear with no --no-encrypt and no
  // warning, and convert said "1 key under the output password"
  it('a PEM or DER key from a store under the empty password is written in the clear only with the warning', async () => {
    const { key, cert } = await opensslKeyAndCert(dir, 'empty-pass', 'p256');
    const source = join(dir, 'empty-pass.p12');
    await openssl(['pkcs12', '-export', '-inkey', key, '-in', cert, '-name', 'a', '-passout', 'pass:', '-out', source]);
    const env = { EMPTY: '' };
    for (const args of [
      ['export', source, '--alias', 'a', '--out', join(dir, 'empty-pass-export.pem'), '--storepass', 'env:EMPTY'],
      ['export', source, '--alias', 'a', '--what', 'key', '--out-format', 'der', '--out', join(dir, 'empty-pass-export.der'), '--storepass', 'env:EMPTY'],
      ['convert', source, join(dir, 'empty-pass-convert.pem'), '--storepass', 'env:EMPTY'],
    ]) {
      const r = await hapki(args, { env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('hapki: warning: no password to encrypt the private key with: writing it unencrypted (file mode 0600)\n');
      expect(r.stderr).not.toContain('under the output password');
    }
  });

  it('a new password asked at a terminal is asked twice; two different answers write nothing', async () => {
    const answers = ['new-secret', 'new-secrex'];
    let err = '';
    const io: CliIo = { stdout: () => undefined, stderr: (t) => void (err += t), readStdin: async () => '', prompt: async () => answers.shift() ?? '', env: {} };
    const out = join(dir, 'asked-twice.p12');
    const code = await main(['node', 'hapki', 'ca', 'init', '--subject', 'CN=Asked CA', '--kty', 'ec', '--out', out], io);
    expect(code, err).toBe(1);
    expect(err).toMatch(/differ \(ERR_PASSWORD_SOURCE\)/);
    expect(existsSync(out)).toBe(false);
    const same = ['new-secret', 'new-secret'];
    const ok = await main(['node', 'hapki', 'ca', 'init', '--subject', 'CN=Asked CA', '--kty', 'ec', '--out', out], { ...io, prompt: async () => same.shift() ?? '' });
    expect(ok).toBe(0);
    expect((await hapki(['list', out, '--storepass', 'env:P'], { env: { P: 'new-secret' } })).code).toBe(0);
  });
});
