// node scripts/code_cache.cjs <dist/bin> <build id> <hapki arguments...>
// Run by scripts/bundle_cli.mjs at build time: loads the CLI's scripts as bin/hapki.js does (keep
// the two in step), runs one cheap command (so that V8 has compiled what a command start runs) and
// initialises each library of hapki-deps.cjs, then writes V8's code cache for each script beside
// it, atomically (a temporary file renamed into place).
'use strict';
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const [dir, id, ...args] = process.argv.slice(2);
const scripts = new Map();
let deps;

function load(name) {
  const file = join(dir, `${name}.cjs`);
  const script = new Script(readFileSync(file, 'utf8'), { filename: file });
  scripts.set(name, script);
  const nodeRequire = createRequire(file);
  const require = (request) => (request === './hapki-deps.cjs' ? (deps ??= load('hapki-deps')) : nodeRequire(request));
  require.resolve = nodeRequire.resolve;
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, file, dir);
  return module.exports;
}

async function makeCaches() {
  const code = await load('hapki').main(['node', 'hapki', ...args]);
  if (code !== 0) throw new Error(`hapki ${args[0]} exited ${code} while warming up`);
  deps ??= load('hapki-deps');
  for (const library of Object.values(deps)) library();
  for (const [name, script] of scripts) {
    const cacheFile = join(dir, `${name}.${id}.v8cache`);
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, cacheFile);
  }
}

makeCaches().catch((error) => {
  process.stderr.write(`code_cache: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
