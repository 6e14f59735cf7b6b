#!/bin/sh
":" //; unset NODE_EXTRA_CA_CERTS; exec node "$0" "$@"
// The two lines above are read by the shell when this file is run as a program (`hapki ...`, a
// bin link, npx): it starts Node on this same file without NODE_EXTRA_CA_CERTS, and Node reads
// them as a comment and a no-op string. Node 20 reads and parses the file that variable names
// (often a system's whole CA bundle) before running any script, about 60 ms on a 2-core machine:
// more than hapki's own start. hapki never uses Node's default trust: its TLS handshakes check
// the peer against the anchors they are given, the probe's default anchors are tls.rootCertificates
// (which the variable does not change), and revocation data is fetched over http:// only. So the
// variable changes nothing hapki does, and `node bin/hapki.js` works the same, only slower to start.
//
// Runs the CLI: dist/bin/hapki.cjs, hapki's code as one script, and dist/bin/hapki-deps.cjs, the
// libraries some commands use, read when a command first needs one (scripts/bundle_cli.mjs). Each
// is compiled with the V8 code cache the build wrote beside it, so that a start reads one file and
// compiles little. A cache V8 refuses (another Node version, other V8 flags) or a missing one
// costs only the compilation; nothing is written at run time. Built-in modules are taken with
// process.getBuiltinModule: no module graph to link before the CLI starts.
const { readFileSync } = process.getBuiltinModule('node:fs');
const { createRequire } = process.getBuiltinModule('node:module');
const { join } = process.getBuiltinModule('node:path');
const { Script } = process.getBuiltinModule('node:vm');

const dir = join(import.meta.dirname, '..', 'dist', 'bin');
let deps;

/** Runs one script of dist/bin as Node runs a CommonJS module, and returns its exports. */
function load(name) {
  const file = join(dir, `${name}.cjs`);
  const source = readFileSync(file, 'utf8');
  // the cache is named after the build it belongs to (the script's first line)
  const build = /^\/\/ hapki-build ([0-9a-f]+)/.exec(source)?.[1];
  let cachedData;
  try {
    if (build) cachedData = readFileSync(join(dir, `${name}.${build}.v8cache`));
  } catch {
    // no cache: V8 compiles the script
  }
  const nodeRequire = createRequire(file);
  const require = (id) => (id === './hapki-deps.cjs' ? (deps ??= load('hapki-deps')) : nodeRequire(id));
  require.resolve = nodeRequire.resolve;
  const module = { exports: {} };
  new Script(source, { filename: file, cachedData }).runInThisContext()(module.exports, require, module, file, dir);
  return module.exports;
}

process.exitCode = await load('hapki').main(process.argv);
