import { describe, expect, it } from 'vitest';
import { pemArmor, pemBlocks } from '../../../src/keystore/pem/pem_blocks.js';
import { readPem } from '../../../src/keystore/pem/read.js';
import { writePem } from '../../../src/keystore/pem/write.js';
import { emptyKeystore, type Keystore, type PrivateKeyEntry } from '../../../src/keystore/model.js';
import { readKeystore } from '../../../src/keystore/read_keystore.js';
import { fixture, FIXTURE_PASSWORD } from '../../helpers/fixtures.js';

/** The bundle as text, the way the writer built it before it wrote into one exact-size buffer. */
function asText(store: Keystore): string {
  let out = '';
  for (const entry of store.entries) {
    const attributes = `Bag Attributes\n    friendlyName: ${entry.alias}\n`;
    if (entry.type === 'trusted-cert') out += attributes + pemArmor('CERTIFICATE', entry.certificate);
    else if (entry.type === 'private-key') {
      out += attributes + pemArmor('PRIVATE KEY', entry.key!);
      entry.chain.forEach((cert, i) => (out += (i === 0 ? attributes : '') + pemArmor('CERTIFICATE', cert)));
    }
  }
  return out;
}

describe('writePem into one exact-size buffer', () => {
  it('writes the same bytes as the text it stands for: every base64 line length, non-ASCII aliases, a key with its chain', async () => {
    const source = await readKeystore(fixture('gateway.p12'), { password: FIXTURE_PASSWORD });
    const key = source.entries.find((e) => e.type === 'private-key') as PrivateKeyEntry;
    const store = emptyKeystore('PEM');
    store.entries.push({ ...key, alias: 'clé serveur 🔑', chain: [key.chain[0]!, key.chain[0]!] });
    // lengths 1..200 cover every remainder mod 3 and lines that end exactly at 64 characters
    for (let n = 1; n <= 200; n++) store.entries.push({ type: 'trusted-cert', alias: n % 7 === 0 ? `ünï-${n}\ud800` : `ca-${n}`, certificate: Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff) });
    const written = await writePem(store);
    expect(Buffer.from(written).equals(Buffer.from(new TextEncoder().encode(asText(store))))).toBe(true);
    // and the blocks read back as what was written
    const blocks = [...pemBlocks(written)];
    expect(blocks).toHaveLength(1 + 2 + 200);
    expect(blocks[3]!.der).toEqual(Uint8Array.of(1 & 0xff));
    expect(blocks[202]!.der).toEqual(Uint8Array.from({ length: 200 }, (_, i) => (i * 37 + 200) & 0xff));
  });

  it('an encrypted key reads back with the password, its chain paired', async () => {
    const source = await readKeystore(fixture('gateway.p12'), { password: FIXTURE_PASSWORD });
    const key = source.entries.find((e) => e.type === 'private-key') as PrivateKeyEntry;
    const store = emptyKeystore('PEM');
    store.entries.push({ ...key, alias: 'server' });
    const back = await readPem(await writePem(store, { password: 'pw-1234' }), { password: 'pw-1234' });
    const entry = back.entries[0] as PrivateKeyEntry;
    expect(entry.alias).toBe('server');
    expect(Buffer.from(entry.key!).equals(Buffer.from(key.key!))).toBe(true);
    expect(entry.chain).toEqual(key.chain);
  });
});
