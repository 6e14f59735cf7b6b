#!/usr/bin/env node
// Compares hapki with keytool and openssl on the same work, in one run, as ratios of medians.
// Not a test: timings vary by machine; the ratio within one run is what means something.
// Usage: npm run build && node test/bench/compare.mjs [--runs N]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
const work = mkdtempSync(join(tmpdir(), 'hapki-bench-'));
const P = 'changeit';
const hapki = (...args) => ['node', [join(root, 'bin', 'hapki.js'), ...args]];
const fixture = (name) => join(root, 'fixtures', name);
let n = 0;
const out = (ext) => join(work, `out-${n++}.${ext}`);

function time(make) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const [cmd, args] = make();
    const start = performance.now();
    execFileSync(cmd, args, { stdio: 'ignore', env: { ...process.env, STOREPASS: P } });
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const tasks = [
  {
    work: 'list a PKCS#12 keystore',
    hapki: () => hapki('list', fixture('gateway.p12'), '--storepass', 'env:STOREPASS'),
    keytool: () => ['keytool', ['-list', '-v', '-keystore', fixture('gateway.p12'), '-storetype', 'PKCS12', '-storepass', P]],
    openssl: () => ['openssl', ['pkcs12', '-in', fixture('gateway.p12'), '-passin', `pass:${P}`, '-nokeys', '-info']],
  },
  {
    work: 'list a JKS keystore',
    hapki: () => hapki('list', fixture('gateway.jks'), '--storepass', 'env:STOREPASS'),
    keytool: () => ['keytool', ['-list', '-v', '-keystore', fixture('gateway.jks'), '-storetype', 'JKS', '-storepass', P]],
  },
  {
    work: 'convert JKS to PKCS#12',
    hapki: () => hapki('convert', fixture('gateway.jks'), out('p12'), '--storepass', 'env:STOREPASS'),
    keytool: () => ['keytool', ['-importkeystore', '-srckeystore', fixture('gateway.jks'), '-srcstoretype', 'JKS', '-srcstorepass', P, '-destkeystore', out('p12'), '-deststoretype', 'PKCS12', '-deststorepass', P, '-noprompt']],
  },
  {
    work: 'convert PKCS#12 to legacy PKCS#12',
    hapki: () => hapki('convert', fixture('gateway.p12'), out('p12'), '--legacy', '--storepass', 'env:STOREPASS'),
    openssl: () => ['sh', ['-c', `openssl pkcs12 -in ${fixture('gateway.p12')} -passin pass:${P} -nodes | openssl pkcs12 -export -legacy -passout pass:${P} -out ${out('p12')}`]],
  },
  {
    work: 'export a private key to PEM',
    hapki: () => hapki('export', fixture('gateway.p12'), '--alias', 'server1', '--what', 'key', '--no-encrypt', '--out', out('pem'), '--storepass', 'env:STOREPASS'),
    openssl: () => ['openssl', ['pkcs12', '-in', fixture('gateway.p12'), '-passin', `pass:${P}`, '-nocerts', '-nodes', '-out', out('pem')]],
  },
];

console.log(`median of ${RUNS} runs each, milliseconds; ratio = other tool / hapki (above 1: hapki is faster)\n`);
console.log(['work', 'hapki', 'keytool', 'ratio', 'openssl', 'ratio'].join('\t'));
try {
  for (const task of tasks) {
    const h = time(task.hapki);
    const k = task.keytool ? time(task.keytool) : undefined;
    const o = task.openssl ? time(task.openssl) : undefined;
    const cell = (v) => (v === undefined ? '-' : v.toFixed(0));
    const ratio = (v) => (v === undefined ? '-' : (v / h).toFixed(2));
    console.log([task.work, cell(h), cell(k), ratio(k), cell(o), ratio(o)].join('\t'));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
