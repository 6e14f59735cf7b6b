#!/usr/bin/env node
// Bundles the CLI (dist/cli/main.js as tsc wrote it, and what it imports) into dist/bin/: one entry
// file, hapki.js, and one chunk per lazily loaded command group, so that `hapki list` reads a handful
// of files instead of resolving and loading about a hundred modules. Run by `npm run build` after
// tsc and command_index.mjs; the library (dist/index.js and the rest of dist/) is left as tsc wrote
// it. Native and optional packages (ssh2, pkcs11js) stay outside and load from node_modules.
import { build } from 'esbuild';
import { copyFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bin');
rmSync(outdir, { recursive: true, force: true });

/** Replaces one expression in one dist module as it goes into the bundle (failing if it is gone). */
function rewrite(b, filter, from, to, prefix = '') {
  b.onLoad({ filter }, async (args) => {
    const text = await readFile(args.path, 'utf8');
    if (!text.includes(from)) throw new Error(`bundle_cli: ${from} not found in ${args.path}`);
    return { contents: prefix + text.replace(from, to), loader: 'js' };
  });
}

const relocate = {
  name: 'relocate-file-urls',
  setup(b) {
    // a file the CLI finds beside its own modules, by import.meta.url: from dist/bin it is elsewhere
    rewrite(b, /[\\/]dist[\\/]audit[\\/]scan[\\/]read_pool\.js$/, "new URL('./read_worker.js', import.meta.url)", "new URL('../audit/scan/read_worker.js', import.meta.url)");
    // the library requires yaml lazily (import('hapki') must not load it); in the bundle it is part of
    // the chunk of the commands that read YAML, one file instead of yaml's forty
    rewrite(b, /[\\/]dist[\\/]lib[\\/]yaml\.js$/, "createRequire(import.meta.url)('yaml')", '__bundledYaml', "import * as __bundledYaml from 'yaml';\n");
  },
};

await build({
  entryPoints: { hapki: join(root, 'dist', 'cli', 'main.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ssh2', 'pkcs11js'],
  // CommonJS dependencies (commander, the X.509 stack) require() Node's modules
  banner: { js: "import { createRequire as __hapkiCreateRequire } from 'node:module';\nconst require = __hapkiCreateRequire(import.meta.url);" },
  chunkNames: 'chunk-[hash]',
  legalComments: 'none',
  // smaller to read and compile at every start; names are kept, so stack traces still say where
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  plugins: [relocate],
});
copyFileSync(join(root, 'dist', 'cli', 'command_index.json'), join(outdir, 'command_index.json'));
