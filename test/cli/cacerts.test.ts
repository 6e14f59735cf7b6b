import { describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';
import { keytool, keytoolFingerprints } from '../helpers/tools.js';

const CACERTS = '/etc/ssl/certs/java/cacerts';

describe("Debian's Java trust store", () => {
  it('hapki list /etc/ssl/certs/java/cacerts --storepass pass:changeit lists every entry keytool lists', async () => {
    const result = await hapki(['list', CACERTS, '--storepass', 'pass:changeit', '--json']);
    expect(result.code).toBe(0);
    const listing = JSON.parse(result.stdout) as { entries: { alias: string; type: string; chain: { sha256: string }[] }[] };
    const k = await keytool(['-list', '-v', '-keystore', CACERTS, '-storepass', 'changeit']);
    const aliases = [...k.stdout.matchAll(/^Alias name: (.*)$/gm)].map((m) => m[1]);
    expect(listing.entries.length).toBeGreaterThan(50);
    expect(listing.entries.map((e) => e.alias).sort()).toEqual(aliases.sort());
    expect(listing.entries.every((e) => e.type === 'trusted-cert')).toBe(true);
    expect(listing.entries.map((e) => e.chain[0]!.sha256).sort()).toEqual(keytoolFingerprints(k.stdout).sort());
  });
});
