import { readFileSync } from 'node:fs';
import { Command, Help } from 'commander';
import type { CliContext } from './context.js';
import { EXIT_CODES_HELP } from './exit_codes.js';
import { LIMITS } from '../limits.js';
import { addSshOptions, SSH_HELP } from './ssh_cli.js';
import { checkOptionValues } from './option_values.js';
import { claimStdinInputs } from './stdin_claim.js';
import { configureCliWritePath } from './write_path.js';

export const VERSION = '0.1.0';

type Register = (program: Command, ctx: CliContext) => void;

/**
 * Each command's module is loaded only when that command runs: `hapki list` never loads what
 * issuing or an SSH transport needs. The top-level help loads none of them: it shows the names
 * and summaries the build wrote into command_index.json (or, without it, loads them all).
 */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  list: async () => (await import('./commands/list.js')).registerList,
  export: async () => (await import('./commands/export.js')).registerExport,
  convert: async () => (await import('./commands/convert.js')).registerConvert,
  ca: async () => (await import('./commands/ca.js')).registerCa,
  csr: async () => (await import('./commands/csr.js')).registerCsr,
  sign: async () => (await import('./commands/sign.js')).registerSign,
  import: async () => (await import('./commands/import.js')).registerImport,
  verify: async () => (await import('./commands/verify.js')).registerVerify,
  trust: async () => (await import('./commands/trust.js')).registerTrust,
  probe: async () => (await import('./commands/probe.js')).registerProbe,
  plan: async () => (await import('./commands/plan.js')).registerPlan,
  apply: async () => (await import('./commands/apply.js')).registerApply,
  lab: async () => (await import('./commands/lab.js')).registerLab,
  audit: async () => (await import('./commands/audit.js')).registerAudit,
  token: async () => (await import('./commands/token.js')).registerToken,
  completion: async () => (await import('./commands/completion.js')).registerCompletion,
  recover: async () => (await import('./commands/recover.js')).registerRecover,
  revoke: async () => (await import('./commands/revoke.js')).registerRevoke,
  crl: async () => (await import('./commands/crl.js')).registerCrl,
};

export async function buildProgram(ctx: CliContext, argv: readonly string[], options: { allCommands?: boolean } = {}): Promise<Command> {
  const program = new Command('hapki')
    .description('certificates and keystores for high-availability gateway clusters')
    .version(VERSION)
    .option('-q, --quiet', 'print only the result and errors: no notes, warnings or progress on stderr')
    .option('-v, --verbose', 'on an error, also print its cause and stack trace (as HAPKI_DEBUG=1); list shows every entry in full with or without it, so keytool\'s list -v works as typed')
    .exitOverride()
    // a usage error is reported like any other failure, one coded line (main's report)
    .configureOutput({ writeOut: ctx.io.stdout, writeErr: ctx.io.stderr, outputError: () => {} })
    .option('--max-iterations <n>', `key-derivation rounds one keystore derivation may ask for (default ${LIMITS.iterationsPerDerivation}, as keytool; a file may ask for ${LIMITS.fileIterationsFactor} times it in all)`)
    .option('--lock-timeout <seconds>', 'wait this long for another hapki process holding a file this command changes (default 30)')
    .hook('preAction', (command) => configureCliWritePath(ctx, command.opts<{ lockTimeout?: string }>().lockTimeout))
    .hook('preAction', (_program, action) => checkOptionValues(action))
    .hook('preAction', (_program, action) => claimStdinInputs(ctx, action))
    .addHelpText(
      'after',
      `
Examples:
  hapki list gateway.jks --storepass env:STOREPASS
  hapki csr gateway.jks --alias msas1 --storepass env:STOREPASS --out msas1.csr
  hapki sign msas1.csr --ca ca.p12 --ca-storepass env:CAPASS --san lbrhost.example.com --out msas1.pem
  hapki import gateway.jks --alias msas1 --reply msas1.pem --storepass env:STOREPASS
  hapki convert store.jks store.p12 --storepass env:STOREPASS
${SSH_HELP}
${EXIT_CODES_HELP}`,
    );
  addSshOptions(program, ctx);
  const words = commandWords(argv, valueOptions(program));
  // `hapki help sign` is about sign
  const asked = words[0] === 'help' ? words[1] : words[0];
  if (asked !== undefined && asked !== 'completion' && Object.hasOwn(COMMANDS, asked)) {
    (await COMMANDS[asked]!())(program, ctx);
    return program;
  }
  // completion describes every command, so it needs them all; the top-level help (and an unknown
  // command's error) only needs each command's name and summary
  const index = options.allCommands || asked === 'completion' ? undefined : readCommandIndex();
  if (index) addCommandStubs(program, index);
  else for (const load of Object.values(COMMANDS)) (await load())(program, ctx);
  return program;
}

/** The command the arguments name (the first word that is not an option or an option's value), if any. */
export function askedCommand(argv: readonly string[]): string | undefined {
  return commandWords(argv, GLOBAL_VALUE_OPTIONS)[0];
}

/** The global options that take a value: the word after them is not a command. */
const GLOBAL_VALUE_OPTIONS = new Set(['--max-iterations', '--lock-timeout', '--ssh-user', '--ssh-identity', '--ssh-identity-password', '--ssh-password', '--known-hosts', '--ssh-config']);

function valueOptions(program: Command): Set<string> {
  return new Set([...GLOBAL_VALUE_OPTIONS, ...program.options.filter((o) => o.required || o.optional).flatMap((o) => (o.long ? [o.long] : []))]);
}

function commandWords(argv: readonly string[], takesValue: ReadonlySet<string>): string[] {
  const words: string[] = [];
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (arg.startsWith('-')) {
      if (takesValue.has(arg)) i++;
      continue;
    }
    words.push(arg);
  }
  return words;
}

/** One top-level command as the top-level help shows it; dist/cli/command_index.json is written at build time. */
export interface CommandSummary {
  name: string;
  term: string;
  description: string;
}

function readCommandIndex(): CommandSummary[] | undefined {
  try {
    const index = JSON.parse(readFileSync(new URL('./command_index.json', import.meta.url), 'utf8')) as CommandSummary[];
    // an index from another build, naming other commands, is not used
    const names = new Set(index.map((c) => c.name));
    return Object.keys(COMMANDS).every((n) => names.has(n)) && names.size === Object.keys(COMMANDS).length ? index : undefined;
  } catch {
    return undefined;
  }
}

function addCommandStubs(program: Command, index: readonly CommandSummary[]): void {
  const terms = new Map(index.map((c) => [c.name, c.term]));
  for (const command of index) program.command(command.name).description(command.description);
  const standard = new Help();
  program.configureHelp({ subcommandTerm: (command) => terms.get(command.name()) ?? standard.subcommandTerm(command) });
}

/** Each top-level command's help term and summary, for the index the build writes. */
export async function commandIndex(ctx: CliContext): Promise<CommandSummary[]> {
  const program = await buildProgram(ctx, ['node', 'hapki'], { allCommands: true });
  const help = program.createHelp();
  return program.commands.map((command) => ({ name: command.name(), term: help.subcommandTerm(command), description: help.subcommandDescription(command) }));
}
