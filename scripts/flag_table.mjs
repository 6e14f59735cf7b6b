#!/usr/bin/env node
// Writes the README's flag-vocabulary table from the commander definitions (dist/ must be built):
//   npm run build && node scripts/flag_table.mjs            prints it
//   npm run build && node scripts/flag_table.mjs --write    replaces it in README.md
// test/cli/vocabulary.test.ts fails when a command has a flag the table does not list.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { buildProgram } = await import(join(root, 'dist', 'cli', 'program.js'));
const { deprecatedOptions } = await import(join(root, 'dist', 'cli', 'options.js'));

/** The shared words: one meaning wherever they appear. */
const VOCABULARY = {
  '--storepass': 'password of the keystore the command works on (its argument)',
  '--keypass': "that keystore's key password, where it differs from --storepass",
  '--out': 'the file written (`-`: standard output where it makes sense)',
  '--outpass': 'password protecting what --out receives (default: the source password)',
  '--out-format': 'keystore format of what is written: pkcs12, jks, jceks, pem, der (default: from the extension)',
  '--ca': 'the CA: a keystore holding the issuing key and certificate, or a `pkcs11:` URI of its key in an HSM (`import`: CA certificates)',
  '--ca-storepass': 'password of the --ca keystore',
  '--ca-keypass': 'key password of the CA entry, where it differs',
  '--ca-alias': 'the CA entry in the --ca keystore (default: its only private-key entry)',
  '--trustpass': 'password of the trust store (--trust, or the trust stores read)',
  '--json': 'print the result as JSON on stdout (messages stay on stderr)',
  '--format': '`audit` only: report format text, json, prometheus or nagios',
  '--force': 'overwrite an existing output (the old file kept as `<file>.bak`)',
  '--alias': 'the entry the command is about',
  '--at': 'judge at this date (ISO 8601) instead of now',
  '--timeout': 'give up after this long: 500ms, 5s, 2m (probe: in all; audit: per endpoint; trust check --live: per connection)',
  '--pkcs11-module': 'PKCS#11 library for `pkcs11:` key locations (default: $HAPKI_PKCS11_MODULE, else SoftHSM\'s)',
  '--pin': 'user PIN of the PKCS#11 token a `pkcs11:` location names (a password source)',
};

const io = { stdout: () => {}, stderr: () => {}, readStdin: async () => '', prompt: undefined, env: {} };
const program = await buildProgram({ io, passwords: {} }, ['node', 'hapki'], { allCommands: true });
const flags = new Map();
const old = [];
(function walk(command, path) {
  for (const sub of command.commands) {
    const name = path ? `${path} ${sub.name()}` : sub.name();
    for (const o of sub.options.filter((o) => !o.hidden)) {
      const row = flags.get(o.long) ?? { commands: [], description: o.description };
      row.commands.push(name);
      flags.set(o.long, row);
    }
    for (const [from, to] of deprecatedOptions(sub)) old.push(`\`${name} ${from}\` → \`${to}\``);
    walk(sub, name);
  }
})(program, '');

const cell = (s) => s.replace(/\|/g, '\\|').replace(/(?<!`)<([a-z0-9.:#=_-]+)>(?!`)/gi, '`<$1>`');
const core = Object.keys(VOCABULARY).filter((f) => flags.has(f));
const rest = [...flags.keys()].filter((f) => !core.includes(f)).sort();
const lines = ['| flag | meaning | commands |', '|---|---|---|'];
for (const f of [...core, ...rest]) {
  const { commands, description } = flags.get(f);
  lines.push(`| \`${f}\` | ${cell(VOCABULARY[f] ?? description)} | ${commands.length > 8 ? everyBut(commands) : commands.join(', ')} |`);
}
const table = `${lines.join('\n')}\n\nOld spellings, accepted until the next release with a warning: ${old.join(', ')}.\n`;

function everyBut(commands) {
  const missing = [...allLeaves()].filter((c) => !commands.includes(c));
  return missing.length === 0 ? 'every command' : `every command but ${missing.join(', ')}`;
}

function* allLeaves() {
  const stack = [[program, '']];
  while (stack.length) {
    const [c, p] = stack.pop();
    for (const s of c.commands) {
      const n = p ? `${p} ${s.name()}` : s.name();
      if (s.commands.length === 0) yield n;
      stack.push([s, n]);
    }
  }
}

if (process.argv.includes('--write')) {
  const file = join(root, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const re = /(<!-- flag-vocabulary:begin -->\n)[\s\S]*?(<!-- flag-vocabulary:end -->)/;
  if (!re.test(readme)) throw new Error('README.md has no <!-- flag-vocabulary:begin --> ... <!-- flag-vocabulary:end --> markers');
  writeFileSync(file, readme.replace(re, `$1${table}$2`));
} else {
  process.stdout.write(table);
}
