import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { emptyKeystore, type KeystoreFormat } from '../../src/keystore/model.js';
import { readKeystore } from '../../src/keystore/read_keystore.js';
import { writeKeystore } from '../../src/keystore/write_keystore.js';
import { hapki, type CliResult } from '../helpers/cli.js';
import { fixture, FIXTURE_PASSWORD } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tools.js';

// Memory, the bound of issue 15: a large store is read within a small multiple of its size. The
// JavaScript heap is capped (--max-old-space-size), which V8 enforces whatever the machine's
// load; the readers used to keep a parsed tree of every PKCS#12 bag at once and needed more than
// 200 MB of heap for this 19 MB store. Peak resident memory, which counts buffers outside that
// heap and the garbage V8 has not yet freed, is bounded too: Node's own ~50 MB with room to
// spare, and 3.5 times the file. Measured at 93-130 MB for these 18-25 MB stores (2.2-3.6 times
// the input above Node's own), where the code before this bound took 170-230 MB: a JKS listed
// holding every certificate, a conversion holding the input, a copy of it, the ciphertext, the
// output and the staged file read back.
const HEAP_MB = 64;
const RSS_BASE_MB = 96;
const RSS_PER_INPUT_BYTE = 3.5;
const ENTRIES = 20_000;
const dir = tempDir('hapki-large-store-');

// the child reports its own peak resident set (kilobytes) as it exits
const RSS_PROBE = join(dir, 'rss_probe.cjs');
writeFileSync(RSS_PROBE, "process.on('exit', () => process.stderr.write(`maxrss ${process.resourceUsage().maxRSS}\\n`));\n");

function run(args: string[]): Promise<CliResult> {
  return hapki(args, { cwd: dir, env: { P: FIXTURE_PASSWORD }, nodeArgs: [`--max-old-space-size=${HEAP_MB}`, '--require', RSS_PROBE] });
}

/** Peak RSS of a run, in bytes, against the bound for an input of that file's size. */
function expectRssWithinBound(stderr: string, input: string, perInputByte = RSS_PER_INPUT_BYTE): void {
  const kb = /maxrss (\d+)/.exec(stderr)?.[1];
  expect(kb, 'the child reported its peak RSS').toBeDefined();
  const bound = RSS_BASE_MB * 1024 * 1024 + perInputByte * statSync(join(dir, input)).size;
  expect(Number(kb) * 1024).toBeLessThan(bound);
}

beforeAll(async () => {
  const source = await readKeystore(fixture('gateway.p12'), { password: FIXTURE_PASSWORD });
  const key = source.entries.find((e) => e.type === 'private-key')!;
  const certificate = key.type === 'private-key' ? key.chain[0]! : new Uint8Array();
  for (const format of ['PKCS12', 'PEM'] as KeystoreFormat[]) {
    const store = emptyKeystore(format);
    store.entries.push(key);
    for (let i = 0; i < ENTRIES; i++) store.entries.push({ type: 'trusted-cert', alias: `ca-${i}`, certificate: certificate.slice() });
    writeFileSync(join(dir, `big.${format.toLowerCase()}`), await writeKeystore(store, { password: FIXTURE_PASSWORD, format }));
  }
}, 120_000);

describe(`a store of ${ENTRIES} entries with the heap capped at ${HEAP_MB} MB`, () => {
  it('PKCS#12 (about 19 MB): list reads every entry', async () => {
    expect(statSync(join(dir, 'big.pkcs12')).size).toBeGreaterThan(10_000_000);
    const r = await run(['list', 'big.pkcs12', '--storepass', 'env:P']);
    expect(r.stderr).not.toMatch(/heap out of memory/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Keystore format: PKCS12, ${ENTRIES + 1} entries`);
    expectRssWithinBound(r.stderr, 'big.pkcs12');
  }, 180_000);

  it('PEM: list reads every entry', async () => {
    const r = await run(['list', 'big.pem', '--storepass', 'env:P']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Keystore format: PEM, ${ENTRIES + 1} entries`);
    expectRssWithinBound(r.stderr, 'big.pem');
  }, 180_000);

  it('PKCS#12 converted to JKS and back to PKCS#12; the JKS listed', async () => {
    const there = await run(['convert', 'big.pkcs12', 'big.jks', '--storepass', 'env:P', '--outpass', 'env:P']);
    expect(there.code).toBe(0);
    expectRssWithinBound(there.stderr, 'big.pkcs12');
    const back = await run(['convert', 'big.jks', 'back.p12', '--storepass', 'env:P', '--outpass', 'env:P']);
    expect(back.code).toBe(0);
    expect(back.stderr).toContain(`wrote ${ENTRIES + 1} of ${ENTRIES + 1} entries`);
    expectRssWithinBound(back.stderr, 'big.jks');
    // a JKS lists entry by entry, never holding the store
    const listed = await run(['list', 'big.jks', '--storepass', 'env:P']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`Keystore format: JKS, ${ENTRIES + 1} entries`);
    expectRssWithinBound(listed.stderr, 'big.jks');
    // --json too is written as it goes, each piece waiting for the pipe: holding it took 150 MB here
    const json = await run(['list', 'big.jks', '--storepass', 'env:P', '--json']);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { entries: unknown[] }).entries).toHaveLength(ENTRIES + 1);
    expectRssWithinBound(json.stderr, 'big.jks', 1.5);
  }, 180_000);
});
