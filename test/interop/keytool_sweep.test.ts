import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';
import { keytool, keytoolFingerprints, tempDir } from '../helpers/tools.js';

/**
 * Faults an interop sweep over keytool-made stores found: each case is made by keytool and judged
 * by keytool, never by hapki's own reader.
 */
const dir = tempDir();
const env = { STOREPASS: 'changeit' };
const at = (name: string): string => join(dir, name);
const store = at('chain.p12');
const ks = (...args: string[]): string[] => [...args, '-keystore', store, '-storetype', 'PKCS12', '-storepass', 'changeit', '-keypass', 'changeit'];

describe('keytool stores with a chain whose CAs share a common name', () => {
  beforeAll(async () => {
    // root and intermediate are both "CN=Example CA" (as a re-keyed or cross-signed CA often is)
    await keytool(ks('-genkeypair', '-alias', 'root', '-keyalg', 'EC', '-dname', 'CN=Example CA,O=Root', '-ext', 'bc:c', '-validity', '60'));
    await keytool(ks('-genkeypair', '-alias', 'int', '-keyalg', 'EC', '-dname', 'CN=Example CA,O=Issuing', '-validity', '60'));
    await keytool(ks('-genkeypair', '-alias', 'gw', '-keyalg', 'EC', '-dname', 'CN=gw1.example.com', '-validity', '60'));
    const intCsr = (await keytool(ks('-certreq', '-alias', 'int'))).stdout;
    const intCert = (await keytool(ks('-gencert', '-alias', 'root', '-ext', 'bc:c=ca:true', '-rfc', '-validity', '50'), intCsr)).stdout;
    await keytool(ks('-importcert', '-noprompt', '-alias', 'int'), intCert);
    const gwCsr = (await keytool(ks('-certreq', '-alias', 'gw'))).stdout;
    const gwCert = (await keytool(ks('-gencert', '-alias', 'int', '-rfc', '-validity', '40'), gwCsr)).stdout;
    await keytool(ks('-importcert', '-noprompt', '-alias', 'gw'), gwCert);
    expect((await keytool(ks('-list', '-v', '-alias', 'gw'))).stdout).toMatch(/Certificate chain length: 3/);
  });

  it.each(['jks', 'jceks', 'pkcs12'])('export --what chain to %s keeps every certificate under its own alias', async (format) => {
    const out = at(`chain-out.${format}`);
    const result = await hapki(['export', store, '--alias', 'gw', '--what', 'chain', '--out-format', format, '--out', out, '--storepass', 'env:STOREPASS'], { env });
    expect(result.code, result.stderr).toBe(0);
    const listing = (await keytool(['-list', '-v', '-keystore', out, '-storetype', format.toUpperCase(), '-storepass', 'changeit'])).stdout;
    expect(listing.match(/Entry type: trustedCertEntry/g)).toHaveLength(3);
    const chain = keytoolFingerprints((await keytool(ks('-list', '-v', '-alias', 'gw'))).stdout);
    expect(new Set(keytoolFingerprints(listing))).toEqual(new Set(chain));
    expect(listing).toMatch(/Alias name: gw\n/);
    expect(listing).toMatch(/Alias name: example-ca\n/);
    expect(listing).toMatch(/Alias name: example-ca-2\n/);
  });
});
