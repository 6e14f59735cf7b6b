#!/usr/bin/env node
// Bundles the CLI (dist/cli/main.js as tsc wrote it, and what it imports) into two CommonJS scripts
// in dist/bin/, and writes V8's code cache for each beside it, so that `hapki list` reads and
// compiles (from the cache: without parsing) one file instead of resolving, loading and compiling
// a hundred ES modules:
// - hapki.cjs: hapki's own code and commander. Each command's code (an `import()` in
//   src/cli/program.ts) becomes a lazily initialised part of it, run only when that command runs.
// - hapki-deps.cjs: the libraries only some commands use (the WebCrypto provider and the X.509
//   and ASN.1 stack under it, yaml), read only when a command first uses one of them, each
//   initialised on first use. `hapki list` never reads this file.
// bin/hapki.js loads them (with their caches, or without if V8 refuses a cache, e.g. under another
// Node version). Run by `npm run build` after tsc and command_index.mjs; the library (dist/index.js
// and the rest of dist/) is left as tsc wrote it. Native and optional packages (ssh2, pkcs11js)
// stay outside and load from node_modules.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const finalDir = join(root, 'dist', 'bin');
// built beside dist/bin and swapped in at the end: a hapki started meanwhile finds the old build whole
const outdir = `${finalDir}.${process.pid}.tmp`;
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
process.on('exit', () => rmSync(outdir, { recursive: true, force: true }));

/** The packages hapki's code imports that go into hapki-deps.cjs (what they import goes with them). */
// (in the order the warm-up initialises them: @peculiar/x509 needs reflect-metadata first)
const DEPS = new Set(['reflect-metadata', '@peculiar/x509', '@peculiar/webcrypto', 'yaml']);
/** How hapki.cjs asks bin/hapki.js for hapki-deps.cjs (the require() it passes knows this name). */
const DEPS_REQUEST = './hapki-deps.cjs';

/** Replaces one expression in one dist module as it goes into the bundle (failing if it is gone). */
function rewrite(b, filter, from, to) {
  b.onLoad({ filter }, async (args) => {
    const text = await readFile(args.path, 'utf8');
    if (!text.includes(from)) throw new Error(`bundle_cli: ${from} not found in ${args.path}`);
    return { contents: text.replace(from, to), loader: 'js' };
  });
}

const seen = new Set();
const relocate = {
  name: 'hapki-cli',
  setup(b) {
    // a file the CLI finds beside its own modules, by import.meta.url: from dist/bin it is elsewhere
    rewrite(b, /[\\/]dist[\\/]audit[\\/]scan[\\/]read_pool\.js$/, "new URL('./read_worker.js', import.meta.url)", "new URL('../audit/scan/read_worker.js', import.meta.url)");
    // the library requires yaml lazily (import('hapki') must not load it); the CLI does the same,
    // from hapki-deps.cjs
    rewrite(b, /[\\/]dist[\\/]lib[\\/]yaml\.js$/, "createRequire(import.meta.url)('yaml')", "require('yaml')");
    // ssh2 stays in node_modules (native parts): required where a command needs it, as a script
    // cannot import()
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes("import('ssh2')")) return undefined;
      return { contents: text.replaceAll("(await import('ssh2')).default", "require('ssh2')"), loader: 'js' };
    });
    // commander requires node:child_process (and so node:net and node:dgram) at load, for the
    // executable subcommands hapki has none of: its spawn() loads it if ever called
    b.onResolve({ filter: /^node:child_process$/ }, (args) => (/[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-child-process' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({ contents: "let loaded; module.exports = { spawn: (...args) => (loaded ??= require('node:child_process')).spawn(...args) };", loader: 'js' }));
    // a library of hapki-deps.cjs, as hapki's code imports it: that library from there, on first use
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (!DEPS.has(args.path) || /[\\/]node_modules[\\/]/.test(args.importer)) return undefined;
      seen.add(args.path);
      return { path: args.path, namespace: 'hapki-deps' };
    });
    b.onLoad({ filter: /.*/, namespace: 'hapki-deps' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(DEPS_REQUEST)})[${JSON.stringify(args.path)}]();`, loader: 'js' }));
    b.onResolve({ filter: /^\.\/hapki-deps\.cjs$/ }, (args) => ({ path: args.path, external: true }));
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  legalComments: 'none',
  // smaller to read and compile; names are kept, so stack traces still say where
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  write: false,
  metafile: true,
};
const cli = await build({
  ...common,
  entryPoints: [join(root, 'dist', 'cli', 'main.js')],
  outfile: join(outdir, 'hapki.cjs'),
  external: ['ssh2', 'pkcs11js'],
  // the CLI finds files beside itself (command_index.json, the audit's worker) by import.meta.url
  define: { 'import.meta.url': '__hapkiModuleUrl' },
  plugins: [relocate],
});
const missing = [...DEPS].filter((name) => !seen.has(name));
if (missing.length > 0) throw new Error(`bundle_cli: hapki no longer imports ${missing.join(', ')}: update DEPS`);
// the libraries of hapki-deps.cjs the CLI's code still asks for once esbuild has left out the code
// no command runs (@peculiar/x509, imported by library functions the CLI does not call, is not)
const kept = new Set(Object.values(cli.metafile.outputs).flatMap((o) => Object.keys(o.inputs)));
const used = [...DEPS].filter((name) => kept.has(`hapki-deps:${name}`));
// each a function that initialises it on first use
const deps = await build({
  ...common,
  stdin: { contents: `module.exports = {${used.map((name) => `\n  ${JSON.stringify(name)}: () => require(${JSON.stringify(name)}),`).join('')}\n};`, resolveDir: root, loader: 'js' },
  outfile: join(outdir, 'hapki-deps.cjs'),
});

const texts = { hapki: cli.outputFiles[0].text, 'hapki-deps': deps.outputFiles[0].text };
// an import() left in a script would fail at run time: esbuild leaves one only for a module outside
for (const [name, result] of [['hapki', cli], ['hapki-deps', deps]]) {
  const left = Object.values(result.metafile.outputs).flatMap((o) => o.imports).filter((i) => i.kind === 'dynamic-import');
  if (left.length > 0) throw new Error(`bundle_cli: ${name}.cjs would import() ${left.map((i) => i.path).join(', ')}`);
}
// the build's identity names the code caches, so that a cache never meets another build's script
// (V8 itself only compares the source's length)
const id = createHash('sha256').update(texts.hapki).update(texts['hapki-deps']).digest('hex').slice(0, 16);
for (const [name, text] of Object.entries(texts)) {
  // a script whose value is the module's function, wrapped as Node wraps a CommonJS module: one
  // wrapper for bin/hapki.js and the code cache alike (V8 keeps a cache only for the same source)
  // (esbuild's "use strict", when it wrote one, stays the function's first statement)
  const strict = text.startsWith('"use strict";') ? '"use strict";' : '';
  const banner = name === 'hapki' ? "const __hapkiModuleUrl = require('node:url').pathToFileURL(__filename).href;" : '';
  const body = `${strict}${banner}${text.slice(strict.length)}`;
  writeFileSync(join(outdir, `${name}.cjs`), `// hapki-build ${id}: run by bin/hapki.js (see scripts/bundle_cli.mjs)\n(function (exports, require, module, __filename, __dirname) {${body}\n})`);
}
copyFileSync(join(root, 'dist', 'cli', 'command_index.json'), join(outdir, 'command_index.json'));

// V8's code caches: made by loading the scripts as bin/hapki.js does in a child process that runs
// the commands users run most (V8 caches the functions that ran as well), written atomically beside
// them. A build without them still works: the scripts are compiled at each start.
const made = spawnSync(process.execPath, [join(root, 'scripts', 'code_cache.cjs'), outdir, id, join(root, 'fixtures', 'gateway.jks')], {
  env: { ...process.env, HAPKI_WARMUP_PASS: 'changeit' },
  encoding: 'utf8',
});
// without them the CLI still runs (each start compiles the scripts, about 35 ms more): say so, go on
if (made.status !== 0) process.stderr.write(`bundle_cli: warning: the code caches were not made (exit ${made.status}); the CLI runs without them: ${String(made.stderr).trim().split('\n')[0]}\n`);
rmSync(finalDir, { recursive: true, force: true });
renameSync(outdir, finalDir);
