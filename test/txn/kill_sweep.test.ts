import { cpSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hapki, type CliResult } from '../helpers/cli.js';
import { FIXTURE_PASSWORD, FIXTURES } from '../helpers/fixtures.js';
import { createSshLab, type SshHost, type SshLab } from '../helpers/sshd.js';
import { keytool, tempDir } from '../helpers/tools.js';

/**
 * SIGKILL at each step of the write path (HAPKI_TEST_CRASH_AT) for the writing commands no other
 * file kills there: import --trusted and csr --new-key (over SSH), trust mesh --update,
 * revoke, crl, convert --force. After each kill: no hapki file beside the targets is open to
 * others (the staged content holds keys); `hapki recover` settles it; every target is all old or
 * all new; the command run again succeeds (or says its work is already there); nothing of hapki's
 * is left; keytool reads every keystore.
 */
const env = { STOREPASS: FIXTURE_PASSWORD, CAPASS: 'ca-secret-1', NODEPASS: 'node-secret-1' };
/** One file changes: no journal. Several: the journal's steps and a rename each. */
const ONE = ['staging', 'staged', 'renamed-1', 'committed'];
const SEVERAL = ['staged', 'journaled', 'renamed-1', 'committed'];

let template: string;
let lab: SshLab;
let host: SshHost;
let remoteTemplate: string;

beforeAll(async () => {
  template = tempDir('hapki-killsweep-');
  cpSync(join(FIXTURES, 'gateway.p12'), join(template, 'gw.p12'));
  cpSync(join(FIXTURES, 'gateway.jks'), join(template, 'gw.jks'));
  const run = async (args: string[]): Promise<void> => {
    const r = await hapki(args, { env, cwd: template });
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  };
  await run(['ca', 'init', '--subject', 'CN=Sweep CA', '--kty', 'ec', '--out', 'ca.p12', '--outpass', 'env:CAPASS']);
  for (const n of ['n1', 'n2', 'n3']) await run(['csr', '--new-key', '--keystore', `${n}.p12`, '--alias', n, '--kty', 'ec', '--subject', `CN=${n}.example.com`, '--storepass', 'env:NODEPASS', '--out', `${n}.csr`]);
  await run(['sign', 'n1.csr', '--ca', 'ca.p12', '--ca-storepass', 'env:CAPASS', '--allow-any-name', '--out', 'n1.pem']);
  await run(['trust', 'mesh', '--master', 'n1.p12', '--slave', 'n2.p12', '--out-dir', 'trust', '--storepass', 'env:NODEPASS']);
  lab = createSshLab();
  host = await lab.addHost('sweep');
  remoteTemplate = join(host.root, 'srv', 'template');
  mkdirSync(remoteTemplate, { recursive: true });
  cpSync(join(FIXTURES, 'gateway.jks'), join(remoteTemplate, 'gw.jks'));
}, 120_000);

afterAll(() => lab?.stop());

interface Case {
  name: string;
  /** The command, run in a copy of the template (`dir`; `remote`: its copy on the SSH host). */
  args: (dir: string, remote: string) => string[];
  /** What is checked as old or new: a keystore's aliases, a file's presence or lines. */
  state: (dir: string, remote: string) => Promise<string>;
  /** Directories hapki writes beside the targets in. */
  dirs: (dir: string, remote: string) => string[];
  /** Keystores keytool must read afterwards: path and password. */
  keystores: (dir: string, remote: string) => [string, string][];
  /** Error codes a rerun may give when the first run's work is already there. */
  already?: string[];
  /** Its change set holds several files. */
  several?: boolean;
}

const ssh = (): string[] => ['--known-hosts', lab.knownHosts, '--ssh-identity', lab.clientKey, '--ssh-user', 'root'];
const remoteArg = (path: string): string => `ssh://root@127.0.0.1:${host.port}${path}`;

async function aliases(store: string, pass: string, extra: string[] = []): Promise<string> {
  const r = await hapki(['list', store, '--storepass', `pass:${pass}`, '--json', ...extra], { env });
  if (r.code !== 0) return `unreadable: ${codeOf(r) ?? r.stderr}`;
  return (JSON.parse(r.stdout) as { entries: { alias: string }[] }).entries.map((e) => e.alias).sort().join(',');
}
const exists = (path: string): string => {
  try {
    return `${statSync(path).size > 0}`;
  } catch {
    return 'absent';
  }
};
const lines = (path: string, word: string): string => {
  try {
    return String(readFileSync(path, 'utf8').split('\n').filter((l) => l.includes(word)).length);
  } catch {
    return 'absent';
  }
};

const CASES: Case[] = [
  {
    name: 'import --trusted over SSH',
    args: (d, r) => ['import', remoteArg(join(r, 'gw.jks')), '--trusted', join(d, 'n1.pem'), '--alias', 'added', '--storepass', 'env:STOREPASS', ...ssh()],
    state: (_d, r) => aliases(remoteArg(join(r, 'gw.jks')), FIXTURE_PASSWORD, ssh()),
    dirs: (_d, r) => [r],
    keystores: (_d, r) => [[join(r, 'gw.jks'), FIXTURE_PASSWORD]],
    already: ['ERR_ALIAS_EXISTS'],
  },
  {
    name: 'csr --new-key over SSH',
    args: (_d, r) => ['csr', '--new-key', '--keystore', remoteArg(join(r, 'gw.jks')), '--alias', 'fresh', '--kty', 'ec', '--subject', 'CN=fresh.example.com', '--storepass', 'env:STOREPASS', '--out', remoteArg(join(r, 'fresh.csr')), ...ssh()],
    state: async (_d, r) => `${await aliases(remoteArg(join(r, 'gw.jks')), FIXTURE_PASSWORD, ssh())} csr:${exists(join(r, 'fresh.csr'))}`,
    dirs: (_d, r) => [r],
    keystores: (_d, r) => [[join(r, 'gw.jks'), FIXTURE_PASSWORD]],
    already: ['ERR_ALIAS_EXISTS', 'ERR_FILE_EXISTS'],
    several: true,
  },
  {
    name: 'trust mesh --update',
    args: (d) => ['trust', 'mesh', '--master', join(d, 'n1.p12'), '--slave', join(d, 'n2.p12'), '--slave', join(d, 'n3.p12'), '--out-dir', join(d, 'trust'), '--storepass', 'env:NODEPASS', '--update'],
    state: async (d) => (await Promise.all(['n1', 'n2', 'n3'].map((n) => aliases(join(d, 'trust', `${n}-truststore.p12`), env.NODEPASS)))).join(' | '),
    dirs: (d) => [join(d, 'trust')],
    // the master's, rewritten in place (the others are checked by hapki list above)
    keystores: (d) => [[join(d, 'trust', 'n1-truststore.p12'), env.NODEPASS]],
    several: true,
  },
  {
    name: 'revoke',
    args: (d) => ['revoke', '--ca', join(d, 'ca.p12'), '--cert', join(d, 'n1.pem'), '--reason', 'keyCompromise'],
    state: async (d) => lines(join(d, 'ca.p12.issued.jsonl'), '"revoked"'),
    dirs: (d) => [d],
    keystores: (d) => [[join(d, 'ca.p12'), env.CAPASS]],
  },
  {
    name: 'crl',
    args: (d) => ['crl', '--ca', join(d, 'ca.p12'), '--ca-storepass', 'env:CAPASS', '--out', join(d, 'ca.crl')],
    state: async (d) => exists(join(d, 'ca.crl')),
    dirs: (d) => [d],
    keystores: (d) => [[join(d, 'ca.p12'), env.CAPASS]],
    already: ['ERR_FILE_EXISTS'],
  },
  {
    name: 'convert --force',
    args: (d) => ['convert', join(d, 'n2.p12'), '--out', join(d, 'gw.jks'), '--out-format', 'jks', '--storepass', 'env:NODEPASS', '--outpass', 'env:STOREPASS', '--force'],
    state: (d) => aliases(join(d, 'gw.jks'), FIXTURE_PASSWORD),
    dirs: (d) => [d],
    keystores: (d) => [[join(d, 'gw.jks'), FIXTURE_PASSWORD]],
  },
];

/** hapki's own files beside the targets: names and modes. */
function hapkiFiles(dirs: string[]): { path: string; mode: number }[] {
  return dirs.flatMap((d) => {
    let names: string[] = [];
    try {
      names = readdirSync(d);
    } catch {
      return [];
    }
    return names.filter((n) => n.includes('.hapki-')).map((n) => ({ path: join(d, n), mode: statSync(join(d, n)).mode & 0o777 }));
  });
}

const modeOf = (path: string): number => statSync(path).mode & 0o777;
const codeOf = (r: CliResult): string | undefined => /\((ERR_[A-Z_]+)\)\n$/.exec(r.stderr)?.[1];

describe('SIGKILL at each write step, then recover and run again', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      let n = 0;
      const fresh = (): { dir: string; remote: string } => {
        const dir = tempDir('hapki-killsweep-run-');
        cpSync(template, dir, { recursive: true });
        const remote = join(host.root, 'srv', `run-${process.pid}-${c.name.replace(/\W+/g, '-')}-${n++}`);
        cpSync(remoteTemplate, remote, { recursive: true });
        return { dir, remote };
      };
      // the unkilled run: old and new states
      const ref = fresh();
      const old = await c.state(ref.dir, ref.remote);
      const done = await hapki(c.args(ref.dir, ref.remote), { env });
      expect(done.code, done.stderr).toBe(0);
      const next = await c.state(ref.dir, ref.remote);
      expect(next).not.toBe(old);
      let killedAt = 0;
      const steps = c.several ? SEVERAL : ONE;
      for (const step of steps) {
        const { dir, remote } = fresh();
        const killed = await hapki(c.args(dir, remote), { env: { ...env, HAPKI_TEST_CRASH_AT: step } });
        killedAt++;
        expect(killed.code, `${step}: ${killed.stderr}`).toBe(-1);
        // what the killed run left holds keys (staged stores, backups): never open wider than the
        // file it stands for (as the unkilled run left it); a lock or journal to nobody else
        for (const f of hapkiFiles(c.dirs(dir, remote))) {
          const m = /^\.(.+)\.hapki-[0-9a-f]{16}\.(?:tmp|bak\.tmp)$/s.exec(basename(f.path));
          const allowed = m ? modeOf(join(dirname(f.path) === dir ? ref.dir : dirname(f.path) === remote ? ref.remote : join(ref.dir, basename(dirname(f.path))), m[1]!)) : 0o600;
          expect(f.mode & ~allowed, `${step}: ${f.path} ${f.mode.toString(8)} (target ${allowed.toString(8)})`).toBe(0);
        }
        const recovered = await hapki(['recover', ...c.dirs(dir, remote).slice(0, 1).map((d) => (d === remote ? remoteArg(d) : d)), ...(c.dirs(dir, remote)[0] === remote ? ssh() : [])], { env });
        expect(recovered.code, `${step}: ${recovered.stderr}`).toBe(0);
        expect(hapkiFiles(c.dirs(dir, remote)), step).toEqual([]);
        const between = await c.state(dir, remote);
        expect([old, next], `${step}: ${between}`).toContain(between);
        const again = await hapki(c.args(dir, remote), { env });
        if (again.code !== 0) expect(c.already ?? [], `${step}: ${again.stderr}`).toContain(codeOf(again));
        expect(again.stderr.split('\n').filter((l) => /\(ERR_/.test(l) && !(c.already ?? []).some((code) => l.includes(code))), step).toEqual([]);
        expect(await c.state(dir, remote), step).toBe(next);
        expect(hapkiFiles(c.dirs(dir, remote)), step).toEqual([]);
        if (step === 'renamed-1') {
          for (const [store, pass] of c.keystores(dir, remote)) {
            const listed = await keytool(['-list', '-keystore', store, '-storepass', pass]);
            expect(listed.code, `${store}: ${listed.stderr}`).toBe(0);
          }
        }
      }
      expect(killedAt).toBe(steps.length);
    }, 120_000);
  }
});
