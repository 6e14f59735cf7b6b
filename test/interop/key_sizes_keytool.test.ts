import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';
import { keytool, tempDir } from '../helpers/tools.js';

// regression: `list --json` gave key sizes of its own where keytool's differ: Ed25519 and X25519
// 256 (keytool: 255), Ed448 456 (448), DES 64 (56), DESede 192 (168, or 112 for -keysize 112).
// keytool's numbers are read from keytool itself: "-list -v" for key pairs ("Subject Public Key
// Algorithm: 448-bit Ed448 key"), "-genseckey -v" for secret keys ("Generated 56-bit DES secret key";
// keytool -list -v shows no size for a secret key).
const dir = tempDir('hapki-key-sizes-');
const STOREPASS = 'changeit';

const PAIRS: [alias: string, args: string[]][] = [
  ['ed25519', ['-keyalg', 'Ed25519']],
  ['ed448', ['-keyalg', 'Ed448']],
  ['x25519', ['-keyalg', 'X25519', '-signer', 'ed25519']],
  ['x448', ['-keyalg', 'X448', '-signer', 'ed448']],
  ['ec', ['-keyalg', 'EC', '-groupname', 'secp521r1']],
  ['rsa', ['-keyalg', 'RSA', '-keysize', '2048']],
  ['dsa', ['-keyalg', 'DSA', '-keysize', '2048']],
];
const SECRETS: [alias: string, algorithm: string, size: string][] = [
  ['des', 'DES', '56'],
  ['desede', 'DESede', '168'],
  ['desede2', 'DESede', '112'],
  ['aes', 'AES', '192'],
  ['hmac', 'HmacSHA384', '384'],
];

describe.each(['PKCS12', 'JCEKS'] as const)('%s made by keytool: hapki list --json gives the sizes keytool gives', (type) => {
  const file = join(dir, `sizes.${type.toLowerCase()}`);
  const common = ['-keystore', file, '-storetype', type, '-storepass', STOREPASS, '-keypass', STOREPASS];
  const keytoolBits = new Map<string, number>();

  beforeAll(async () => {
    for (const [alias, args] of PAIRS) {
      const r = await keytool(['-genkeypair', '-alias', alias, ...args, '-dname', `CN=${alias}`, ...common]);
      expect(r.code, r.stderr).toBe(0);
    }
    for (const [alias, algorithm, size] of SECRETS) {
      const r = await keytool(['-genseckey', '-v', '-alias', alias, '-keyalg', algorithm, '-keysize', size, ...common]);
      expect(r.code, r.stderr).toBe(0);
      const said = /Generated (\d+)-bit/.exec(r.stdout + r.stderr);
      expect(said, r.stdout + r.stderr).not.toBeNull();
      keytoolBits.set(alias, Number(said![1]));
    }
    const listing = await keytool(['-list', '-v', '-keystore', file, '-storetype', type, '-storepass', STOREPASS]);
    expect(listing.code, listing.stderr).toBe(0);
    // each entry's block: its alias, then its first certificate's "Subject Public Key Algorithm" (the key's own)
    for (const block of listing.stdout.split(/^Alias name: /m).slice(1)) {
      const alias = block.split('\n')[0]!.trim();
      const size = /Subject Public Key Algorithm: (\d+)-bit/.exec(block);
      if (size) keytoolBits.set(alias, Number(size[1]));
    }
  }, 120_000);

  it('every key pair and secret key', async () => {
    const r = await hapki(['list', file, '--json', '--storepass', 'env:P'], { env: { P: STOREPASS } });
    expect(r.code, r.stderr).toBe(0);
    const listed = (JSON.parse(r.stdout) as { entries: { alias: string; bits?: number }[] }).entries;
    const hapkiBits = new Map(listed.map((e) => [e.alias, e.bits]));
    expect(keytoolBits.size).toBe(PAIRS.length + SECRETS.length);
    expect(hapkiBits).toEqual(keytoolBits);
    // the numbers this guards, spelled out
    expect([hapkiBits.get('ed25519'), hapkiBits.get('x25519'), hapkiBits.get('ed448'), hapkiBits.get('x448')]).toEqual([255, 255, 448, 448]);
    expect([hapkiBits.get('des'), hapkiBits.get('desede'), hapkiBits.get('desede2')]).toEqual([56, 168, 112]);
  });
});
