import type { Command } from 'commander';

/** keytool's and openssl's words whose hapki option is not just the same word with two dashes. */
const HABIT_HINTS: Readonly<Record<string, string>> = {
  keystore: 'the keystore is the command\'s argument (csr --new-key: --keystore)',
  srckeystore: "the keystore is the command's argument",
  destkeystore: '--out',
  file: '--out, or the input file as the argument (import: --reply or --trusted)',
  outfile: '--out',
  infile: 'the input file as the argument',
  in: 'the input file as the argument',
  storetype: '--out-format',
  deststoretype: '--out-format',
  srcstoretype: 'nothing: hapki tells the format from the content',
  srcstorepass: '--storepass',
  deststorepass: '--outpass',
  passin: '--storepass',
  passout: '--outpass',
  dname: '--subject',
  subj: '--subject',
  keyalg: '--kty',
  keysize: '--bits',
  validity: '--days',
  ext: '--san',
  cafile: '--trust',
  noprompt: 'nothing: hapki never prompts without a terminal',
  nodes: '--no-encrypt',
  noenc: '--no-encrypt',
  nokeys: '--what cert (or chain)',
  nocerts: '--what key',
  name: '--alias',
  srcalias: '--alias',
  destalias: '--alias',
  certfile: '--ca (import) or --untrusted (verify)',
  untrusted: '--untrusted',
  newkey: '--new-key with --kty and --bits',
  addext: '--san',
  trustcacerts: 'nothing: the chain is built from --ca and the trusted entries',
  rfc: '--out-format pem (the default)',
};

/** What to say instead where the command has none of the options the habit's hint names. */
const ELSEWHERE: Readonly<Record<string, string>> = {
  storetype: "nothing: hapki tells a keystore's format from its content",
  srcstoretype: "nothing: hapki tells a keystore's format from its content",
  keystore: "the keystore is the command's argument",
  file: 'the input file as the argument',
  infile: 'the input file as the argument',
  in: 'the input file as the argument',
  rfc: 'nothing: hapki export <keystore> --alias <alias> --what cert --out - prints the certificate as PEM',
};

/** Every long option of the loaded commands (the asked one, and the program's own). */
function longOptions(program: Command | undefined): Set<string> {
  const out = new Set<string>();
  const walk = (command: Command): void => {
    for (const o of command.options) if (o.long) out.add(o.long);
    command.commands.forEach(walk);
  };
  if (program) walk(program);
  return out;
}

/**
 * The first word of the command line in a keytool or openssl habit: `-storepass`, `-alias gw`,
 * `-storepass:file pw`, or `--passin`, `--file` (words hapki spells otherwise). Commander reads
 * one dash as a cluster of short options, and may first complain of something else (a required
 * `--alias` "not specified" when `-alias` was given).
 */
function habitWord(argv: readonly string[], known: ReadonlySet<string>): { given: string; word: string; kind?: string } | undefined {
  for (const arg of argv.slice(2)) {
    if (arg === '--') return undefined;
    const m = /^(-{1,2})([a-z][a-z0-9-]*?)(?::(file|env))?$/i.exec(arg);
    if (!m || known.has(arg)) continue;
    const [, dashes, word, kind] = m;
    const lower = word!.toLowerCase();
    if (dashes === '-' && word!.length >= 2) return { given: arg, word: lower, ...(kind ? { kind } : {}) };
    if (dashes === '--' && Object.hasOwn(HABIT_HINTS, lower) && !known.has(`--${lower}`)) return { given: arg, word: lower };
    // keytool's -storepass:env NAME with hapki's two dashes
    if (dashes === '--' && kind && known.has(`--${lower}`)) return { given: arg, word: lower, kind };
  }
  return undefined;
}

/**
 * A usage error's one line, told in hapki's words when the command line shows a keytool or
 * openssl habit (README "Exit codes and errors"). Undefined when there is none.
 */
export function habitMessage(argv: readonly string[], program: Command | undefined): string | undefined {
  const known = longOptions(program);
  const habit = habitWord(argv, known);
  if (!habit) return undefined;
  const own = known.has(`--${habit.word}`) ? `--${habit.word}` : undefined;
  let hint = Object.hasOwn(HABIT_HINTS, habit.word) && !(own && habit.word !== 'keystore') ? HABIT_HINTS[habit.word]! : own;
  // a hint names only options the command has: `list --storetype` is not told of export's --out-format
  const offered = hint === undefined || hint.startsWith('nothing') ? [] : [...hint.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]);
  if (offered.length > 0 && !offered.some((o) => known.has(o))) hint = Object.hasOwn(ELSEWHERE, habit.word) ? ELSEWHERE[habit.word] : undefined;
  if (hint !== undefined && habit.kind) hint = `${hint} ${habit.kind === 'file' ? 'file:PATH' : 'env:NAME'}`;
  const lead = `unknown option '${habit.given}'`;
  if (hint === undefined) return `${lead}; hapki has no such option (its options take two dashes)`;
  return habit.given.startsWith('--') ? `${lead}; for ${habit.given}, ${hint}` : `${lead}; hapki's options take two dashes: for ${habit.given}, ${hint}`;
}
