// node scripts/code_cache.cjs <dist/bin> <build id> [<a JKS keystore, password changeit>]
// Run by scripts/bundle_cli.mjs at build time: loads the CLI's scripts as bin/hapki.js does (keep
// the two in step), runs what a user's commands run most (`list` of the keystore, or `--help`;
// then, in a temporary directory, `csr --new-key` and `apply` of a one-node cluster), so that V8 has
// compiled what those commands run, initialises each library of hapki-deps.cjs, then writes V8's
// code cache for each script beside it, atomically (a temporary file renamed into place).
'use strict';
const { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Script } = require('node:vm');

const [dir, id, keystore] = process.argv.slice(2);
const scripts = new Map();
let deps;

function load(name) {
  const file = join(dir, `${name}.cjs`);
  // V8 keeps the name a script was compiled under in its code cache, and stack traces show that
  // name wherever the cache is used: the name within the package, not this build's directory
  const script = new Script(readFileSync(file, 'utf8'), { filename: `dist/bin/${name}.cjs` });
  scripts.set(name, script);
  const nodeRequire = createRequire(file);
  const require = (request) => (request === './hapki-deps.cjs' ? (deps ??= load('hapki-deps')) : nodeRequire(request));
  require.resolve = nodeRequire.resolve;
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, file, dir);
  return module.exports;
}

const CLUSTER = `ca:
  keystore: ca.p12
  alias: ca
  password: env:HAPKI_WARMUP_PASS
  create: { subject: "CN=Warm-up CA,O=Example", kty: rsa, bits: 2048, days: 30 }
loadBalancer:
  names: [lb.example.com]
gateway:
  name: gw
  instances:
    - name: gw1
      keystore: node.p12
      password: env:HAPKI_WARMUP_PASS
      alias: server
      hostnames: [gw1.example.com]
renewal:
  window: 7d
  days: 10
`;

async function makeCaches() {
  const { main } = load('hapki');
  const hapki = async (...args) => {
    const code = await main(['node', 'hapki', ...args]);
    if (code !== 0) throw new Error(`hapki ${args[0]} exited ${code} while warming up`);
  };
  await (keystore && existsSync(keystore) ? hapki('list', keystore, '--storepass', 'env:HAPKI_WARMUP_PASS') : hapki('--help'));
  const work = mkdtempSync(join(tmpdir(), 'hapki-warm-up-'));
  try {
    await hapki('csr', join(work, 'node.p12'), '--new-key', '--alias', 'server', '--subject', 'CN=gw1.example.com,O=Example', '--kty', 'rsa', '--bits', '2048', '--out', join(work, 'node.csr'), '--storepass', 'env:HAPKI_WARMUP_PASS');
    writeFileSync(join(work, 'cluster.yaml'), CLUSTER);
    await hapki('apply', join(work, 'cluster.yaml'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
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
