import { describe, expect, it } from 'vitest';
import { parsePkcs11Uri } from '../../src/pkcs11/uri.js';
import { commandLineWithoutSecrets } from '../../src/secrets/process_title.js';

describe('commandLineWithoutSecrets', () => {
  // regression: attribute names of a PKCS#11 URI are read in any case (PIN-VALUE=1234 is the PIN),
  // but only a lower-case pin-value was masked, so such a PIN stayed in /proc/<pid>/cmdline
  it('masks a pin-value whatever the case of its name, as the URI reader takes it', () => {
    for (const name of ['pin-value', 'PIN-VALUE', 'Pin-Value']) {
      const uri = `pkcs11:token=ca;object=k?${name}=1234&module-name=softhsm2`;
      expect(parsePkcs11Uri(uri).pinValue).toBe('1234');
      const title = commandLineWithoutSecrets(['node', 'hapki.js', 'ca', 'issue', '--ca-key', uri]);
      expect(title).toBe(`hapki ca issue --ca-key pkcs11:token=ca;object=k?${name}=…&module-name=softhsm2`);
      expect(title).not.toContain('1234');
    }
  });
});
