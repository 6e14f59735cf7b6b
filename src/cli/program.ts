import { Command } from 'commander';
import type { CliContext } from './context.js';
import { EXIT_CODES_HELP } from './exit_codes.js';
import { LIMITS } from '../limits.js';
import { addSshOptions, SSH_HELP } from './ssh_cli.js';
import { configureCliWritePath } from './write_path.js';

export const VERSION = '0.1.0';

type Register = (program: Command, ctx: CliContext) => void;

/**
 * Each command's module is loaded only when that command runs (all of them for the top-level
 * help): `hapki list` then never loads the X.509 and WebCrypto libraries issuing needs, which
 * take most of a start's time.
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

export async function buildProgram(ctx: CliContext, argv: readonly string[]): Promise<Command> {
  const program = new Command('hapki')
    .description('certificates and keystores for high-availability gateway clusters')
    .version(VERSION)
    .option('-q, --quiet', 'print only the result and errors: no notes, warnings or progress on stderr')
    .option('--verbose', 'on an error, also print its cause and stack trace (as HAPKI_DEBUG=1)')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: ctx.io.stdout, writeErr: ctx.io.stderr })
    .option('--max-iterations <n>', `key-derivation rounds one keystore derivation may ask for (default ${LIMITS.iterationsPerDerivation}, as keytool; a file may ask for ${LIMITS.fileIterationsFactor} times it in all)`)
    .option('--lock-timeout <seconds>', 'wait this long for another hapki process holding a file this command changes (default 30)')
    .hook('preAction', (command) => configureCliWritePath(ctx, command.opts<{ lockTimeout?: string }>().lockTimeout))
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
  const asked = askedCommand(argv);
  // completion describes every command, so it needs them all
  const names = asked !== undefined && asked !== 'completion' && Object.hasOwn(COMMANDS, asked) ? [asked] : Object.keys(COMMANDS);
  for (const name of names) (await COMMANDS[name]!())(program, ctx);
  return program;
}

/** The command the arguments name (the first word that is not an option), if any. */
export function askedCommand(argv: readonly string[]): string | undefined {
  return argv.slice(2).find((arg) => !arg.startsWith('-'));
}
