import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';
import { buildProgram } from '../src/cli/program.js';
import type { Command } from 'commander';
import type { CliIo } from '../src/cli/io.js';
import { HapkiError, type HapkiErrorCode } from '../src/errors.js';
import { HOSTILE_TEXT, mutateYaml, type Random } from './mutate.js';
import { loadClusterFile } from '../src/cluster/load_cluster_file.js';
import { planCluster } from '../src/cluster/plan_cluster.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = existsSync(join(HERE, '..', 'fixtures')) ? join(HERE, '..') : join(HERE, '..', '..');
/** Devices and /proc files, reached through links in the scratch directory: a write replaces the link, never the device. */
const LINKS: Readonly<Record<string, string>> = { zero: '/dev/zero', null: '/dev/null', status: '/proc/self/status', random: '/dev/urandom' };

function relink(dir: string): void {
  for (const [name, target] of Object.entries(LINKS)) {
    rmSync(join(dir, name), { force: true, recursive: true });
    symlinkSync(target, join(dir, name));
  }
}

/**
 * The CLI in-process (`main(argv, io)`), on command lines edited from valid ones: an option's
 * value replaced by a hostile one, an argument dropped, repeated or moved, an option added from
 * another command. Whatever the arguments, a run ends in success or in one coded line (not
 * ERR_INTERNAL, no stack trace), within the time limit. Every path stays inside a scratch
 * directory (or names a device or /proc file to read), and the files are restored before each run.
 */
const PASSWORD = 'changeit';

interface CliLab {
  dir: string;
  pristine: string;
  seeds: string[][];
  /** Each command's own long options (`ca init` → --subject, --out, ...), and its value-taking ones. */
  options: Map<string, { all: string[]; valued: Set<string> }>;
}

/** The options commander knows for every command: a mutant mostly uses options its command has, so it gets past the usage check. */
async function commandOptions(): Promise<Map<string, { all: string[]; valued: Set<string> }>> {
  const program = await buildProgram({ io: quietIo([], []), passwords: {} as never }, ['node', 'hapki'], { allCommands: true });
  const out = new Map<string, { all: string[]; valued: Set<string> }>();
  const walk = (command: Command, path: string): void => {
    for (const sub of command.commands) {
      const name = path ? `${path} ${sub.name()}` : sub.name();
      const options = [...sub.options, ...program.options].filter((o) => o.long !== undefined);
      out.set(name, { all: options.map((o) => o.long!), valued: new Set(options.filter((o) => o.required || o.optional).map((o) => o.long!)) });
      walk(sub, name);
    }
  };
  walk(program, '');
  return out;
}

const commandOf = (argv: readonly string[], options: CliLab['options']): string => (options.has(`${argv[0]} ${argv[1]}`) ? `${argv[0]} ${argv[1]}` : argv[0]!);

let lab: Promise<CliLab> | undefined;

function quietIo(sink: string[], out: string[]): CliIo {
  return { stdout: (t) => void out.push(t), stderr: (t) => void sink.push(t), readStdin: async () => '', prompt: undefined, env: { P: PASSWORD, EMPTY: '' }, readStdinBytes: async () => new Uint8Array(0), stdoutBytes: () => {}, stdoutIsTTY: false };
}

async function run(argv: readonly string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const sink: string[] = [];
  const out: string[] = [];
  const code = await main(['node', 'hapki', ...argv], quietIo(sink, out));
  return { code, stderr: sink.join(''), stdout: out.join('').slice(0, 100_000) };
}

function makeLab(): Promise<CliLab> {
  lab ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hapki-fuzz-cli-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const pristine = join(dir, '.pristine');
    const at = (f: string): string => join(dir, f);
    copyFileSync(join(ROOT, 'fixtures', 'gateway.jks'), at('gw.jks'));
    copyFileSync(join(ROOT, 'fixtures', 'gateway.p12'), at('gw.p12'));
    copyFileSync(join(ROOT, 'fixtures', 'ca.pem'), at('root.pem'));
    execFileSync('mkfifo', [at('fifo')]);
    relink(dir);
    const setup = [
      ['ca', 'init', '--subject', 'CN=Fuzz CLI CA,O=Fuzz', '--kty', 'ec', '--out', at('ca.p12'), '--outpass', 'env:P', '--cert-out', at('ca.pem')],
      ['csr', at('gw.p12'), '--alias', 'server1', '--storepass', 'env:P', '--out', at('gw.csr')],
      ['sign', at('gw.csr'), '--ca', at('ca.p12'), '--ca-storepass', 'env:P', '--out', at('leaf.pem'), '--san', 'lb.example.com', '--allow-any-name'],
      ['lab', at('lab')],
      // the cluster as apply leaves it: a plan of the seed has nothing to do, and each edit is judged against real state
      ['apply', at('lab/cluster.yaml')],
    ];
    for (const argv of setup) {
      const result = await run(argv);
      if (result.code !== 0) throw new Error(`cli fuzz set-up failed: hapki ${argv[0]}: ${result.stderr}`);
    }
    mkdirSync(pristine);
    for (const f of readdirSync(dir)) if (lstatSync(at(f)).isFile()) copyFileSync(at(f), join(pristine, f));
    const seeds = [
      ['list', at('gw.jks'), '--storepass', 'env:P'],
      ['list', at('gw.p12'), '--storepass', 'env:P', '--json', '-v'],
      ['export', at('gw.p12'), '--alias', 'server1', '--what', 'chain', '--out', at('out.pem'), '--storepass', 'env:P', '--force'],
      ['convert', at('gw.jks'), at('out.p12'), '--storepass', 'env:P', '--outpass', 'env:P', '--force'],
      ['csr', at('gw.p12'), '--alias', 'server1', '--storepass', 'env:P', '--out', at('out.csr'), '--san', 'lb.example.com', '--force'],
      ['sign', at('gw.csr'), '--ca', at('ca.p12'), '--ca-storepass', 'env:P', '--out', at('out.crt'), '--san', 'lb.example.com', '--days', '30', '--allow-any-name', '--force'],
      ['verify', at('leaf.pem'), '--trust', at('ca.pem'), '--host', 'lb.example.com', '--purpose', 'serverAuth'],
      ['ca', 'init', '--subject', 'CN=Another CA', '--out', at('new.p12'), '--outpass', 'env:P', '--kty', 'ec', '--days', '100', '--force'],
      ['ca', 'set', '--ca', at('ca.p12'), '--allow-domain', 'example.com', '--allow-ip', '10.0.0.0/8'],
      ['ca', 'issued', '--ca', at('ca.p12'), '--json'],
      ['revoke', '--ca', at('ca.p12'), '--cert', at('leaf.pem'), '--reason', 'keyCompromise'],
      ['crl', '--ca', at('ca.p12'), '--ca-storepass', 'env:P', '--out', at('out.crl'), '--days', '7', '--force'],
      ['import', at('gw.p12'), '--trusted', at('ca.pem'), '--alias', 'fuzz-root', '--storepass', 'env:P'],
      ['token', 'issue', '--self-signed', '--subject', 'CN=token', '--kty', 'ec', '--out', at('t.p12'), '--outpass', 'env:P', '--force'],
      ['audit', at('gw.p12'), '--storepass', 'env:P', '--format', 'json', '--warn', '30d'],
      ['plan', at('lab/cluster.yaml')],
    ];
    return { dir, pristine, seeds, options: await commandOptions() };
  })();
  return lab;
}

/** Values an option may be given instead of its own: hostile text, numbers no field holds, odd files. */
function hostileValues(dir: string): string[] {
  return [
    '', '-', '--', '-1', '0', '1e400', 'NaN', '0x10', '9'.repeat(400), HOSTILE_TEXT, 'x'.repeat(70_000), 'caf\u00e9\u202e', '*', '.',
    'env:', 'env:UNSET', 'env:EMPTY', 'file:', `file:${join(dir, 'fifo')}`, `file:${join(dir, 'zero')}`, `file:${join(dir, 'random')}`, 'fd:99', 'fd:-1', 'pass:', 'stdin',
    join(dir, 'zero'), join(dir, 'null'), join(dir, 'status'), join(dir, 'random'), dir, join(dir, 'fifo'), join(dir, 'missing', 'x.p12'), join(dir, 'gw.jks'), join(dir, 'ca.p12'),
    `${join(dir, 'gw.p12')}#server1`, 'ssh://127.0.0.1:1/x.jks', 'pkcs11:token=none;object=x', 'CN=', 'CN=a,CN=b,,', '=x', 'DNS:', 'IP:999.1.1.1', 'ip:::/0', '0.0.0.0/0',
    '2099-13-45', '30x', '1d1d', 'P-999', 'rsa', 'ed448', 'pkcs12', 'jks', 'bogus', 'serverAuth,bogus',
  ];
}

const OPTIONS_ELSEWHERE = ['--alias', '--san', '--days', '--subject', '--out', '--storepass', '--keypass', '--trust', '--ca', '--kty', '--curve', '--bits', '--format', '--profile', '--not-after', '--serial', '--reason', '--timeout', '--out-format', '--what', '--host', '--json', '--force', '--quiet', '-v', '--lock-timeout', '--max-iterations', '--ssh-config', '--known-hosts'];

export const cliTarget = {
  name: 'cli',
  seeds: async () => (await makeLab()).seeds.map((argv) => Buffer.from(JSON.stringify(argv))),
  mutate: async (seed: Uint8Array, random: Random): Promise<Uint8Array> => {
    const { dir, options } = await makeLab();
    const argv = JSON.parse(Buffer.from(seed).toString('utf8')) as string[];
    const own = options.get(commandOf(argv, options));
    const anOption = (): string => (own && random.next() < 0.85 ? random.pick(own.all) : random.pick(OPTIONS_ELSEWHERE));
    const edits = 1 + random.int(2);
    for (let e = 0; e < edits; e++) {
      const at = 1 + random.int(Math.max(1, argv.length - 1));
      switch (random.int(8)) {
        case 0:
        case 1:
        case 2: // a value replaced (options keep their names: their values are what users get wrong)
          if (argv[at] !== undefined && !argv[at]!.startsWith('--')) argv[at] = random.pick(hostileValues(dir));
          else argv.splice(at, 0, random.pick(hostileValues(dir)));
          break;
        case 3:
          argv.splice(at, 1);
          break;
        case 4:
          argv.splice(at, 0, ...argv.slice(at, at + 2));
          break;
        case 5:
        case 6: {
          // an option of the command's own, given a value when it takes one, at the end (after the positionals)
          const option = anOption();
          argv.push(option, ...(own?.valued.has(option) || random.next() < 0.2 ? [random.pick(hostileValues(dir))] : []));
          break;
        }
        default:
          argv.push(`${anOption()}=${random.pick(hostileValues(dir))}`);
      }
    }
    return Buffer.from(JSON.stringify(argv));
  },
  run: async (input: Uint8Array) => {
    const { dir, pristine } = await makeLab();
    let argv: string[];
    try {
      argv = JSON.parse(Buffer.from(input).toString('utf8')) as string[];
      if (!Array.isArray(argv) || argv.some((a) => typeof a !== 'string')) return;
    } catch {
      return; // a byte-level mutant of the JSON is not a command line
    }
    // only the scratch directory is ever named (byte-level mutants of the JSON could name others;
    // .. would have audit walk all of /tmp),
    // and relative names resolve inside it
    const named = (a: string): string | undefined => (a.startsWith('/') ? a : /^(?:--[\w-]+=|file:)(\/.*)$/.exec(a)?.[1]);
    if (argv.some((a) => { const path = named(a); return (path !== undefined && !path.startsWith(`${dir}/`) && path !== dir) || a.split(/[=:/]/).includes('..'); })) return;
    for (const f of readdirSync(pristine)) copyFileSync(join(pristine, f), join(dir, f));
    relink(dir);
    const cwd = process.cwd();
    process.chdir(dir);
    // a hang, not a slow run on a loaded machine (CPU time is judged apart): a run still going on
    // would hold its locks into the next one
    const limit = new Promise<'hang'>((resolve) => setTimeout(() => resolve('hang'), 120_000).unref());
    const result = await Promise.race([run(argv), limit]).finally(() => process.chdir(cwd));
    if (result === 'hang') throw new Error(`hapki ${argv.join(' ').slice(0, 200)}: no end within 120 s`);
    if (/ERR_INTERNAL|\n\s+at /.test(result.stderr)) throw new Error(`hapki ${argv.join(' ').slice(0, 200)}: ${result.stderr.slice(0, 300)}`);
    if (result.code === 0) return;
    // audit's exit is its verdict (Nagios: 1 warning, 2 critical, 3 unknown), its report on stdout
    if (argv[0] === 'audit' && result.stdout !== '' && !/\(ERR_[A-Z0-9_]+\)\n$/.test(result.stderr)) return;
    // -v adds the cause after the error line
    const last = result.stderr.trimEnd().split('\n').filter((line) => !line.startsWith('hapki: cause: ')).pop() ?? '';
    const code = /^hapki: .+ \((ERR_[A-Z0-9_]+)\)$/.exec(last)?.[1];
    if (!code) throw new Error(`hapki ${argv.join(' ').slice(0, 200)}: exit ${result.code} without a coded last line: ${JSON.stringify(last.slice(0, 200))}`);
    throw new HapkiError(code as HapkiErrorCode, last.slice(0, 300));
  },
};

/**
 * `plan` of a cluster file edited line by line (the lab's own, beside its keystores and secrets):
 * past the parser, into the checks of nodes, paths, passwords, names and the CA against the files.
 */
export const planTarget = {
  name: 'plan',
  // an EC CA where the lab has RSA 3072: an edit that makes the plan create the CA costs no RSA key search
  seeds: async () => [new Uint8Array(Buffer.from(readFileSync(join((await makeLab()).dir, 'lab', 'cluster.yaml'), 'utf8').replace('kty: rsa', 'kty: ec')))],
  mutate: async (seed: Uint8Array, random: Random) => {
    if (random.next() < 0.6) return mutateYaml(seed, random);
    // a value of the file replaced by a hostile one: a path, a password source, a name, a number
    const { dir } = await makeLab();
    const lines = Buffer.from(seed).toString('utf8').split('\n');
    const at = random.int(lines.length);
    lines[at] = lines[at]!.replace(/(:\s*)(\S.*)$/, (_m, head: string) => `${head}${JSON.stringify(random.pick(hostileValues(dir)))}`);
    return Buffer.from(lines.join('\n'), 'utf8');
  },
  run: async (input: Uint8Array) => {
    const { dir } = await makeLab();
    const file = join(dir, 'lab', 'fuzz-cluster.yaml');
    writeFileSync(file, input);
    return planCluster(await loadClusterFile(file));
  },
};
