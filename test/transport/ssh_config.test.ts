import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homedir, userInfo } from 'node:os';
import { parseClusterFile } from '../../src/cluster/load_cluster_file.js';
import { useClusterSsh } from '../../src/cluster/cluster_ssh.js';
import { closeSshConnections, sharedSshPool, SshPool } from '../../src/transport/ssh/pool.js';
import { defaultSshConfigFiles, loadSshConfig } from '../../src/transport/ssh/ssh_config.js';
import { defaultKnownHostsFiles } from '../../src/transport/ssh/ssh_options.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURE_PASSWORD, FIXTURES, REPO_ROOT } from '../helpers/fixtures.js';
import { createSshLab, type SshHost, type SshLab } from '../helpers/sshd.js';
import { tempDir } from '../helpers/tools.js';

const MINIMAL = `ca:
  keystore: ca/ca.p12
  password: env:CAPASS
gateway:
  name: msas
  instances:
    - name: msas1
      keystore: gw/msas1.jks
      password: env:P
`;

/** A config made of these lines, read as --ssh-config reads it. */
function configOf(text: string): ReturnType<typeof loadSshConfig> {
  const dir = tempDir('hapki-sshcfg-');
  const file = join(dir, 'config');
  writeFileSync(file, text);
  return loadSshConfig([{ path: file, required: true }]);
}

describe('ssh_config as ssh reads it', () => {
  it('takes the first value of each keyword from the blocks that match, IdentityFile adding up', () => {
    const config = configOf(
      [
        '# a comment',
        'Host gw1 gw2',
        '  HostName 10.0.0.1',
        '  User deploy',
        '  IdentityFile ~/.ssh/gw_ed25519',
        'Host gw?',
        '  Port 2222',
        '  User other',
        'Host *.example.com !bad.example.com',
        '  User web',
        'Host *',
        '  User=fallback',
        '  IdentityFile "/keys/a key"',
        '  StrictHostKeyChecking accept-new',
        '  ConnectTimeout 7',
        '  ServerAliveInterval 4',
        '  ServerAliveCountMax 5',
      ].join('\n'),
    );
    const gw1 = config.lookup('gw1');
    expect(gw1).toMatchObject({ hostName: '10.0.0.1', user: 'deploy', port: 2222, strictHostKeyChecking: 'accept-new', connectTimeoutSeconds: 7, serverAliveIntervalSeconds: 4, serverAliveCountMax: 5 });
    expect(gw1.identityFiles).toHaveLength(2);
    expect(gw1.identityFiles[0]).toMatch(/\/\.ssh\/gw_ed25519$/);
    expect(gw1.identityFiles[1]).toBe('/keys/a key');
    expect(config.lookup('GW3')).toMatchObject({ hostName: 'GW3', user: 'other', port: 2222 });
    expect(config.lookup('www.example.com').user).toBe('web');
    expect(config.lookup('bad.example.com').user).toBe('fallback');
    expect(config.lookup('gw10').port).toBeUndefined();
  });

  it('expands %h in HostName and IdentityFile, and reads ProxyJump lists', () => {
    const config = configOf('Host *.int\n  HostName %h.corp\n  IdentityFile /k/%h-%r\n  User u\n  ProxyJump bastion,ops@b2:2200\n');
    expect(config.lookup('db.int')).toMatchObject({ hostName: 'db.int.corp', identityFiles: ['/k/db.int.corp-u'], proxyJump: ['bastion', 'ops@b2:2200'] });
    expect(configOf('Host x\n  ProxyJump none\n').lookup('x').proxyJump).toEqual([]);
  });

  it('leaves a Match block out with a warning, and takes Match all', () => {
    const config = configOf('Match host gw1 exec "true"\n  User matched\nMatch all\n  Port 2022\n');
    const gw1 = config.lookup('gw1');
    expect(gw1.user).toBeUndefined();
    expect(gw1.port).toBe(2022);
    expect(gw1.warnings.join('\n')).toMatch(/Match blocks are not evaluated/);
    expect(configOf('Match final all\n  User everyone\n').lookup('gw1')).toMatchObject({ user: 'everyone', warnings: [] });
  });

  it('refuses ProxyCommand, a bad port, a bad StrictHostKeyChecking, an unclosed quote: ERR_SSH_CONFIG with the line', () => {
    expect(() => configOf('Host gw1\n  ProxyCommand nc %h %p\n').lookup('gw1')).toThrow(expect.objectContaining({ code: 'ERR_SSH_CONFIG', message: expect.stringMatching(/:2: ProxyCommand is not supported/) }));
    expect(() => configOf('Host gw1\n  Port 99999\n').lookup('gw1')).toThrow(expect.objectContaining({ code: 'ERR_SSH_CONFIG' }));
    expect(() => configOf('StrictHostKeyChecking maybe\n').lookup('x')).toThrow(expect.objectContaining({ code: 'ERR_SSH_CONFIG' }));
    expect(() => configOf('IdentityFile "/a b\n')).toThrow(expect.objectContaining({ code: 'ERR_SSH_CONFIG' }));
    // a block for another host is not where the bad value is used
    expect(configOf('Host other\n  ProxyCommand nc %h %p\n').lookup('gw1').proxyJump).toBeUndefined();
  });

  it('follows Include (globs, relative to the including file\'s place), and refuses a loop or a hostile file with ERR_SSH_CONFIG, never a hang', () => {
    const dir = tempDir('hapki-sshcfg-inc-');
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(join(dir, 'conf.d', '10-gw.conf'), 'Host gw1\n  User included\n', { mode: 0o644 });
    writeFileSync(join(dir, 'conf.d', '20-all.conf'), 'Host *\n  Port 2200\n', { mode: 0o644 });
    writeFileSync(join(dir, 'config'), `Include ${dir}/conf.d/*.conf\nHost gw1\n  User later\n`);
    const config = loadSshConfig([{ path: join(dir, 'config'), required: true }]);
    expect(config.lookup('gw1')).toMatchObject({ user: 'included', port: 2200 });

    writeFileSync(join(dir, 'loop'), `Include ${dir}/loop2\n`, { mode: 0o644 });
    writeFileSync(join(dir, 'loop2'), `Include ${dir}/loop\n`, { mode: 0o644 });
    expect(() => loadSshConfig([{ path: join(dir, 'loop'), required: true }])).toThrow(expect.objectContaining({ code: 'ERR_SSH_CONFIG', message: expect.stringMatching(/loops back/) }));
    writeFileSync(join(dir, 'self'), `Include ${dir}/self\n`, { mode: 0o644 });
    expect(() => loadSshConfig([{ path: join(dir, 'self'), required: true }])).toThrow(expect.objectContaining({ code: 'ERR_SSH_CONFIG' }));

    writeFileSync(join(dir, 'huge'), `${'# padding\n'.repeat(40_000)}`);
    expect(() => loadSshConfig([{ path: join(dir, 'huge'), required: true }])).toThrow(expect.objectContaining({ code: 'ERR_SSH_CONFIG', message: expect.stringMatching(/too large/) }));
    writeFileSync(join(dir, 'binary'), Buffer.from([0x48, 0x6f, 0x73, 0x74, 0x20, 0x00, 0xff, 0xfe]));
    expect(() => loadSshConfig([{ path: join(dir, 'binary'), required: true }])).toThrow(expect.objectContaining({ code: 'ERR_SSH_CONFIG', message: expect.stringMatching(/not a text file/) }));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(() => loadSshConfig([{ path: join(dir, 'fifo'), required: true }])).toThrow(expect.objectContaining({ code: 'ERR_SSH_CONFIG', message: expect.stringMatching(/not a regular file/) }));
    symlinkSync('/dev/zero', join(dir, 'zero'));
    expect(() => loadSshConfig([{ path: join(dir, 'zero'), required: true }])).toThrow(expect.objectContaining({ code: 'ERR_SSH_CONFIG' }));
    writeFileSync(join(dir, 'incfifo'), `Include ${dir}/fifo\n`);
    expect(() => loadSshConfig([{ path: join(dir, 'incfifo'), required: true }])).toThrow(expect.objectContaining({ code: 'ERR_SSH_CONFIG' }));
    expect(() => loadSshConfig([{ path: join(dir, 'absent'), required: true }])).toThrow(expect.objectContaining({ code: 'ERR_SSH_CONFIG' }));
    expect(loadSshConfig([{ path: join(dir, 'absent'), required: false }]).lookup('gw1').identityFiles).toEqual([]);
  });

  it('keeps a file included under a Host block that does not apply out, even its own Host * blocks (as ssh)', () => {
    const dir = tempDir('hapki-sshcfg-scope-');
    writeFileSync(join(dir, 'lab.conf'), 'Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n');
    writeFileSync(join(dir, 'config'), `Host lab\n  Include ${dir}/lab.conf\nHost *\n  User ops\n`);
    const config = loadSshConfig([{ path: join(dir, 'config'), required: true }]);
    expect(config.lookup('lab')).toMatchObject({ strictHostKeyChecking: 'no', userKnownHostsFiles: ['/dev/null'], user: 'ops' });
    const other = config.lookup('prod');
    expect(other.strictHostKeyChecking).toBeUndefined();
    expect(other.userKnownHostsFiles).toBeUndefined();
    expect(other.user).toBe('ops');
  });

  // as ssh: whoever may write the user's configuration could point a host at their own known_hosts
  it('refuses a user configuration (or a file it includes) another user owns or may write', () => {
    const dir = tempDir('hapki-sshcfg-perm-');
    const file = join(dir, 'config');
    writeFileSync(file, 'Host gw1\n  User deploy\n', { mode: 0o600 });
    expect(loadSshConfig([{ path: file, required: false, checkOwner: true }]).lookup('gw1').user).toBe('deploy');
    chmodSync(file, 0o664);
    expect(() => loadSshConfig([{ path: file, required: false, checkOwner: true }])).toThrow(expect.objectContaining({ code: 'ERR_SSH_CONFIG', message: expect.stringMatching(/bad owner or permissions/) }));
    chmodSync(file, 0o600);
    chownSync(file, 1234, 1234);
    expect(() => loadSshConfig([{ path: file, required: false, checkOwner: true }])).toThrow(expect.objectContaining({ code: 'ERR_SSH_CONFIG' }));
    // named with --ssh-config (ssh -F): not checked, as ssh does not
    expect(loadSshConfig([{ path: file, required: true }]).lookup('gw1').user).toBe('deploy');
    const inc = join(dir, 'top');
    writeFileSync(inc, `Include ${file}\n`);
    expect(() => loadSshConfig([{ path: inc, required: true }])).toThrow(expect.objectContaining({ code: 'ERR_SSH_CONFIG', message: expect.stringMatching(/bad owner or permissions/) }));
  });

  // as ssh (readconf.c): the files read by default are skipped when they cannot be opened at all;
  // an Include that exists but cannot be opened, and a file named with -F, stop it
  it('skips a default configuration it cannot open (unreadable, a looping link, a directory), as ssh; an unreadable Include or -F file is still refused', () => {
    const dir = tempDir('hapki-sshcfg-unread-');
    chmodSync(dir, 0o755);
    const loop = join(dir, 'loop');
    symlinkSync(loop, loop);
    expect(loadSshConfig([{ path: loop, required: false, checkOwner: true }]).lookup('gw1').identityFiles).toEqual([]);
    expect(() => loadSshConfig([{ path: loop, required: true }])).toThrow(expect.objectContaining({ code: 'ERR_SSH_CONFIG' }));
    mkdirSync(join(dir, 'asdir'), { mode: 0o755 });
    expect(loadSshConfig([{ path: join(dir, 'asdir'), required: false, checkOwner: true }]).lookup('gw1').identityFiles).toEqual([]);
    // as an unprivileged user (root reads any file): a config of mode 000, beside a good system file
    writeFileSync(join(dir, 'unreadable'), 'Host gw1\n  User secret\n', { mode: 0o000 });
    writeFileSync(join(dir, 'system'), 'Host gw1\n  User fromsystem\n', { mode: 0o644 });
    writeFileSync(join(dir, 'inc'), `Include ${join(dir, 'unreadable')}\n`, { mode: 0o644 });
    const script = `const { loadSshConfig } = await import(${JSON.stringify(join(REPO_ROOT, 'dist', 'transport', 'ssh', 'ssh_config.js'))});
const d = ${JSON.stringify(dir)};
const out = { user: loadSshConfig([{ path: d + '/unreadable', required: false, checkOwner: true }, { path: d + '/system', required: false }]).lookup('gw1').user };
for (const [name, files] of [['named', [{ path: d + '/unreadable', required: true }]], ['include', [{ path: d + '/inc', required: false, checkOwner: true }]]]) {
  try { loadSshConfig(files); out[name] = 'read'; } catch (e) { out[name] = e.code; }
}
console.log(JSON.stringify(out));`;
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', cwd: dir });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ user: 'fromsystem', named: 'ERR_SSH_CONFIG', include: 'ERR_SSH_CONFIG' });
  });

  it('takes at most 100 IdentityFile lines for a host, a repeated file once, as ssh', () => {
    const lines = (n: number, name = (i: number) => `/keys/k${i}`): string => `Host gw1\n${Array.from({ length: n }, (_, i) => `  IdentityFile ${name(i)}\n`).join('')}`;
    expect(configOf(lines(100)).lookup('gw1').identityFiles).toHaveLength(100);
    expect(() => configOf(lines(101)).lookup('gw1')).toThrow(expect.objectContaining({ code: 'ERR_SSH_CONFIG', message: expect.stringMatching(/:102: too many identity files \(at most 100/) }));
    expect(configOf(lines(500, (i) => `/keys/k${i % 3}`)).lookup('gw1').identityFiles).toEqual(['/keys/k0', '/keys/k1', '/keys/k2']);
    // lines in blocks for other hosts do not count
    expect(configOf(`Host other\n${lines(150).split('\n').slice(1).join('\n')}\nHost gw1\n  IdentityFile /k\n`).lookup('gw1').identityFiles).toEqual(['/k']);
  });

  it('matches a long hostile pattern in linear time (no backtracking blow-up)', () => {
    const config = configOf(`Host ${'*a'.repeat(2000)}b\n  User slow\n`);
    expect(config.lookup('a'.repeat(5000)).user).toBeUndefined();
  });
});

describe('hapki over ssh:// with an ssh_config (real sshd)', () => {
  let lab: SshLab;
  let gw: SshHost;
  let jump: SshHost;
  let closed: SshHost;
  let dir: string;
  const env = { STOREPASS: FIXTURE_PASSWORD };

  beforeAll(async () => {
    lab = createSshLab();
    gw = await lab.addHost('gw');
    jump = await lab.addHost('jump');
    closed = await lab.addHost('closed', { config: ['AllowTcpForwarding no'] });
    mkdirSync(join(gw.root, 'opt', 'msas'), { recursive: true });
    copyFileSync(join(FIXTURES, 'gateway.p12'), join(gw.root, 'opt', 'msas', 'gw.p12'));
    dir = tempDir('hapki-sshcfg-cli-');
  });

  afterAll(() => lab?.stop());

  /** A config file naming the lab's hosts by alias. */
  function writeConfig(name: string, lines: string[]): string {
    const file = join(dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  const hostBlock = (alias: string, host: SshHost, more: string[] = []): string[] => [
    `Host ${alias}`,
    '  HostName 127.0.0.1',
    `  Port ${host.port}`,
    ...more,
  ];
  const common = (): string[] => ['Host *', '  User root', `  IdentityFile ${lab.clientKey}`, `  UserKnownHostsFile ${lab.knownHosts}`, '  IdentitiesOnly yes'];

  it('reaches a Host alias with its HostName, Port, User, IdentityFile and UserKnownHostsFile', async () => {
    const config = writeConfig('plain', [...hostBlock('gw1', gw), ...common()]);
    const run = await hapki(['list', `ssh://gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', config, '--json'], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ entries: expect.any(Array) });
    // the option before the command name, as the other global options go
    const before = await hapki(['--ssh-config', config, 'list', `ssh://gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS'], { env });
    expect(before.stderr).toBe('');
    expect(before.code).toBe(0);
    // the scp form too
    const scp = await hapki(['list', `gw1:${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', config], { env });
    expect(scp.code).toBe(0);
  });

  it('lets explicit options win: --ssh-user over User, a location\'s user and port over the config\'s', async () => {
    const config = writeConfig('wronguser', [...hostBlock('gw1', gw, ['  User nosuchuser']), ...common()]);
    const refused = await hapki(['list', `ssh://gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', config], { env });
    expect(refused.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_AUTH'));
    expect(refused.stderr).toContain('ssh://nosuchuser@gw1');
    const flag = await hapki(['list', `ssh://gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', config, '--ssh-user', 'root'], { env });
    expect(flag.code).toBe(0);
    const inLocation = await hapki(['list', `ssh://root@gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', config], { env });
    expect(inLocation.code).toBe(0);
    const badPort = writeConfig('badport', [...hostBlock('gw1', jump), ...common()]);
    // the config's port is jump's; the location's port is gw's, and wins
    const ported = await hapki(['list', `ssh://gw1:${gw.port}${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', badPort], { env });
    expect(ported.code).toBe(0);
  });

  it('takes StrictHostKeyChecking no as accept-new, with a warning: a changed key is still refused', async () => {
    const known = join(dir, 'known_hosts_changed');
    // gw's port listed with jump's key: a changed host key
    writeFileSync(known, `[127.0.0.1]:${gw.port} ssh-ed25519 ${jump.hostKey}\n`);
    const config = writeConfig('nocheck', [...hostBlock('gw1', gw, ['  StrictHostKeyChecking no', `  UserKnownHostsFile ${known}`]), ...common()]);
    const run = await hapki(['list', `ssh://gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', config], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/StrictHostKeyChecking no .* taken as accept-new/);
    expect(run.stderr).toMatch(/\(ERR_SSH_HOST_KEY_MISMATCH\)\n$/);
    // a host never seen is added, as accept-new does
    const fresh = join(dir, 'known_hosts_fresh');
    writeFileSync(fresh, '');
    const added = writeConfig('nocheck2', [...hostBlock('gw1', gw, ['  StrictHostKeyChecking no', `  UserKnownHostsFile ${fresh}`]), ...common()]);
    const ok = await hapki(['list', `ssh://gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', added], { env });
    expect(ok.code).toBe(0);
    expect(readFileSync(fresh, 'utf8')).toContain(gw.hostKey);
    // the default (no StrictHostKeyChecking) stays strict
    writeFileSync(fresh, '');
    const strict = writeConfig('strict', [...hostBlock('gw1', gw, [`  UserKnownHostsFile ${fresh}`]), ...common()]);
    const unknown = await hapki(['list', `ssh://gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', strict], { env });
    expect(unknown.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_HOST_UNKNOWN'));
  });

  it('checks the host key under HostKeyAlias when one is given', async () => {
    const known = join(dir, 'known_alias');
    writeFileSync(known, `gw-alias ssh-ed25519 ${gw.hostKey}\n`);
    const config = writeConfig('alias', [...hostBlock('gw1', gw, ['  HostKeyAlias gw-alias', `  UserKnownHostsFile ${known}`]), ...hostBlock('gw2', gw, [`  UserKnownHostsFile ${known}`]), ...common()]);
    const aliased = await hapki(['list', `ssh://gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', config], { env });
    expect(aliased.stderr).toBe('');
    expect(aliased.code).toBe(0);
    const plain = await hapki(['list', `ssh://gw2${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', config], { env });
    expect(plain.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_HOST_UNKNOWN'));
  });

  it('never turns accept-new into no checking: with UserKnownHostsFile none or /dev/null an unknown host is refused, no system file written', async () => {
    const global = join(dir, 'global_known_hosts');
    writeFileSync(global, '');
    for (const [name, user, strict] of [['devnull', '/dev/null', 'no'], ['none', 'none', 'accept-new']] as const) {
      const config = writeConfig(`nouser-${name}`, [...hostBlock('gw1', gw, [`  UserKnownHostsFile ${user}`, `  GlobalKnownHostsFile ${global}`, `  StrictHostKeyChecking ${strict}`]), ...common()]);
      for (let i = 0; i < 2; i++) {
        const run = await hapki(['list', `ssh://gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', config], { env });
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/\n(hapki: [^\n]+ \(ERR_SSH_HOST_UNKNOWN\)\n)$/);
        expect(run.stderr).toMatch(/^hapki: warning: [^\n]*is not applied: the ssh configuration keeps no known_hosts file of the user's/);
      }
      expect(readFileSync(global, 'utf8')).toBe('');
    }
    // --accept-new-host-keys likewise: no file of the user's to add to, so not into the global one
    const flagged = writeConfig('nouser-flag', [...hostBlock('gw1', gw, ['  UserKnownHostsFile none', `  GlobalKnownHostsFile ${global}`]), ...common()]);
    const run = await hapki(['list', `ssh://gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', flagged, '--accept-new-host-keys'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^hapki: warning: [^\n]*--accept-new-host-keys is not applied[^\n]*\nhapki: [^\n]+ \(ERR_SSH_HOST_UNKNOWN\)\n$/);
    expect(readFileSync(global, 'utf8')).toBe('');
    // a GlobalKnownHostsFile /dev/null with the user's file: accept-new adds to the user's, as before
    const fresh = join(dir, 'known_hosts_user_only');
    writeFileSync(fresh, '');
    const config = writeConfig('nouser-global-devnull', [...hostBlock('gw1', gw, [`  UserKnownHostsFile ${fresh}`, '  GlobalKnownHostsFile /dev/null', '  StrictHostKeyChecking accept-new']), ...common()]);
    const ok = await hapki(['list', `ssh://gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', config], { env });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(readFileSync(fresh, 'utf8')).toContain(gw.hostKey);
  });

  it('goes through ProxyJump hosts (one, then two hops), each checked against known_hosts', async () => {
    const config = writeConfig('jump', [...hostBlock('gw1', gw, ['  ProxyJump bastion']), ...hostBlock('gw2', gw, ['  ProxyJump bastion,bastion2']), ...hostBlock('bastion', jump), ...hostBlock('bastion2', jump), ...hostBlock('gw3', gw, ['  ProxyJump shut']), ...hostBlock('shut', closed), ...common()]);
    for (const alias of ['gw1', 'gw2']) {
      const run = await hapki(['list', `ssh://${alias}${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', config], { env });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
    // a jump host that forwards nothing: the connection really goes through it
    const refused = await hapki(['list', `ssh://gw3${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', config], { env });
    expect(refused.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_CONNECT'));
    expect(refused.stderr).toContain('jump host ssh://root@shut');
    // a jump host whose key is unknown is refused before anything goes through it
    const known = join(dir, 'known_gw_only');
    writeFileSync(known, `${gw.knownHostsLine}\n`);
    const strict = writeConfig('jumpstrict', [...hostBlock('gw1', gw, ['  ProxyJump bastion', `  UserKnownHostsFile ${lab.knownHosts}`]), ...hostBlock('bastion', jump, [`  UserKnownHostsFile ${known}`]), ...common()]);
    const unknown = await hapki(['list', `ssh://gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', strict], { env });
    expect(unknown.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_HOST_UNKNOWN'));
    expect(unknown.stderr).toContain('bastion');
    // and the host reached through a known jump host is checked too: the tunnel vouches for nothing
    const jumpOnly = join(dir, 'known_jump_only');
    writeFileSync(jumpOnly, `${jump.knownHostsLine}\n`);
    const tunnelled = writeConfig('jumptarget', [...hostBlock('gw1', gw, ['  ProxyJump bastion', `  UserKnownHostsFile ${jumpOnly}`]), ...hostBlock('bastion', jump, [`  UserKnownHostsFile ${lab.knownHosts}`]), ...common()]);
    const target = await hapki(['list', `ssh://gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', tunnelled], { env });
    expect(target.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_HOST_UNKNOWN'));
    expect(target.stderr).toContain('gw1');
    expect(target.stderr).not.toContain('bastion');
  });

  it('refuses a ProxyJump loop and a hostile config with one coded line', async () => {
    const loop = writeConfig('jumploop', [...hostBlock('a1', gw, ['  ProxyJump a2']), ...hostBlock('a2', gw, ['  ProxyJump a1']), ...common()]);
    const looped = await hapki(['list', `ssh://a1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', loop], { env });
    expect(looped.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_CONFIG'));
    const inc = writeConfig('incloop', [`Include ${join(dir, 'incloop')}`]);
    const included = await hapki(['list', `ssh://gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', inc], { env });
    expect(included.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_CONFIG'));
    const missing = await hapki(['list', `ssh://gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', join(dir, 'absent')], { env });
    expect(missing.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_CONFIG'));
  });

  // as ssh: ~ and ~/.ssh are the account's home (getpwuid), not $HOME; under sudo with HOME kept
  // (or HOME pointed at a directory someone else made) the account's own configuration is read
  it('takes ~/.ssh from the account entry, not $HOME; --ssh-config none reads none', async () => {
    const home = tempDir('hapki-sshcfg-home-');
    mkdirSync(join(home, '.ssh'));
    // a config in $HOME that would stop every command, and would point gw1 somewhere
    writeFileSync(join(home, '.ssh', 'config'), `Host *\n  ProxyCommand nc %h %p\n`, { mode: 0o600 });
    const flags = ['--storepass', 'env:STOREPASS', '--known-hosts', lab.knownHosts, '--ssh-identity', lab.clientKey, '--ssh-user', 'root'];
    const run = await hapki(['list', `ssh://127.0.0.1:${gw.port}${gw.root}/opt/msas/gw.p12`, ...flags], { env: { ...env, HOME: home } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const saved = process.env['HOME'];
    process.env['HOME'] = home;
    try {
      expect(defaultSshConfigFiles()[0]).toBe(join(userInfo().homedir, '.ssh', 'config'));
      expect(defaultKnownHostsFiles()[0]).toBe(join(userInfo().homedir, '.ssh', 'known_hosts'));
      const config = loadSshConfig([{ path: writeConfig('tilde', ['Host gw1', '  IdentityFile ~/.ssh/gw_key', '  UserKnownHostsFile ~/.ssh/kh']), required: true }]).lookup('gw1');
      expect(config.identityFiles).toEqual([join(userInfo().homedir, '.ssh', 'gw_key')]);
      expect(config.userKnownHostsFiles).toEqual([join(userInfo().homedir, '.ssh', 'kh')]);
      // Regression: a cluster file's ssh: files took ~ from $HOME, ssh_config from the account
      // entry; one rule now (src/lib/account_home.ts), so both name the same key
      const cluster = parseClusterFile(`${MINIMAL}ssh:\n  identity: ~/.ssh/gw_key\n  knownHosts: ~/.ssh/kh\n  config: ~/.ssh/config\n`, '/etc/hapki/cluster.yaml');
      expect(cluster.ssh).toMatchObject({ identity: config.identityFiles[0], knownHosts: config.userKnownHostsFiles?.[0], config: defaultSshConfigFiles()[0] });
    } finally {
      if (saved === undefined) delete process.env['HOME'];
      else process.env['HOME'] = saved;
    }
    const none = await hapki(['list', `ssh://gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', 'none'], { env: { ...env, HOME: home } });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/\(ERR_SSH_CONNECT\)\n$/);
  });

  // Regression: the agent's keys were offered first, and sshd stops after MaxAuthTries (6)
  // refused keys: with an agent holding many keys the named one was never tried (ERR_SSH_AUTH).
  it('offers the named key before an agent holding many other keys', async () => {
    const sock = join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 50 && !existsSync(sock); i++) execFileSync('sleep', ['0.1']);
      for (let i = 0; i < 8; i++) {
        const key = join(dir, `other${i}`);
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
        execFileSync('ssh-add', ['-q', key], { env: { SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      }
      const flags = ['--storepass', 'env:STOREPASS', '--ssh-config', 'none', '--known-hosts', lab.knownHosts, '--ssh-user', 'root'];
      const named = await hapki(['list', `ssh://127.0.0.1:${gw.port}${gw.root}/opt/msas/gw.p12`, ...flags, '--ssh-identity', lab.clientKey], { env: { ...env, SSH_AUTH_SOCK: sock } });
      expect(named.stderr).toBe('');
      expect(named.code).toBe(0);
      const config = writeConfig('agentcfg', [...hostBlock('gw1', gw), 'Host *', '  User root', `  IdentityFile ${lab.clientKey}`, `  UserKnownHostsFile ${lab.knownHosts}`]);
      const configured = await hapki(['list', `ssh://gw1${gw.root}/opt/msas/gw.p12`, '--storepass', 'env:STOREPASS', '--ssh-config', config], { env: { ...env, SSH_AUTH_SOCK: sock } });
      expect(configured.stderr).toBe('');
      expect(configured.code).toBe(0);
    } finally {
      agent.kill('SIGKILL');
    }
  });

  it('takes the cluster file\'s ssh: config: (a ~ path from the home directory), under the command line\'s', async () => {
    const config = writeConfig('cluster_cfg', [...hostBlock('gw1', gw), ...common()]);
    const cluster = parseClusterFile(`ssh: { config: cluster_cfg, identity: ~/.ssh/ops }\n${MINIMAL}`, join(dir, 'cluster.yaml'));
    expect(cluster.ssh).toEqual({ config, identity: join(homedir(), '.ssh', 'ops') });
    expect(parseClusterFile(`ssh: { config: none }\n${MINIMAL}`, join(dir, 'cluster.yaml')).ssh).toEqual({ config: false });
    const pool = sharedSshPool();
    try {
      pool.configure({ config: false });
      await useClusterSsh({ ...cluster, ssh: { config } });
      // the command line said none: the cluster's file is not read, gw1 is not an alias
      expect(pool.options.config).toBe(false);
      await closeSshConnections();
      const fresh = new SshPool();
      fresh.configureDefaults({ config });
      try {
        const t = fresh.transport({ host: 'gw1' });
        expect(t.location).toBe('ssh://root@gw1:' + gw.port);
        expect((await t.lstat(`${gw.root}/opt/msas/gw.p12`))?.type).toBe('file');
      } finally {
        await fresh.close();
      }
    } finally {
      await closeSshConnections();
    }
  });
});
