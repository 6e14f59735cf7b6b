#!/usr/bin/env node
// Bundles the CLI (dist/cli/main.js as tsc wrote it, and what it imports) into dist/bin/: one entry
// file, hapki.js, and one chunk per lazily loaded command group, so that `hapki list` reads a handful
// of files instead of resolving and loading about a hundred modules. Run by `npm run build` after
// tsc and command_index.mjs; the library (dist/index.js and the rest of dist/) is left as tsc wrote
// it. Native and optional packages (ssh2, pkcs11js) stay outside and load from node_modules.
import { build } from 'esbuild';
import { copyFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bin');
rmSync(outdir, { recursive: true, force: true });

// files the CLI finds beside its own modules, by import.meta.url: from dist/bin they are elsewhere
const relocate = {
  name: 'relocate-file-urls',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]audit[\\/]scan[\\/]read_pool\.js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(args.path, 'utf8');
      const from = "new URL('./read_worker.js', import.meta.url)";
      if (!text.includes(from)) throw new Error(`bundle_cli: ${from} not found in read_pool.js`);
      return { contents: text.replace(from, "new URL('../audit/scan/read_worker.js', import.meta.url)"), loader: 'js' };
    });
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
  external: ['ssh2', 'pkcs11js', 'yaml'],
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
