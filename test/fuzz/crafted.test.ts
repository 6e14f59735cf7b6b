import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CRAFTED } from '../../fuzz/crafted.js';
import { judge } from '../../fuzz/run_fuzz.js';
import { FUZZ_PASSWORD, targetNamed } from '../../fuzz/targets.js';
import { hapki } from '../helpers/cli.js';
import { tempDir } from '../helpers/tools.js';

// The crafted corpus (fuzz/crafted.ts): every case ends in its expected code, or reads,
// without an uncoded error, input bytes in a message, or more than 2 s of CPU. The bound is
// CPU time, not wall time, and the refusals it guards cost milliseconds: a regression here
// means seconds to minutes, as the issue measured them.
describe('crafted hostile inputs: coded, bounded', () => {
  for (const c of CRAFTED) {
    it(`${c.name} (${c.target}): ${c.expect}`, async () => {
      const input = await c.input();
      const result = await judge(targetNamed(c.target), input, { slowMs: 2000 });
      expect(result.finding).toBeUndefined();
      expect(result.outcome).toBe(c.expect);
    });
  }
});

describe('what hostile files quote reaches the terminal escaped', () => {
  const ESC = /[\u0000-\u0008\u000b-\u001f\u007f\u202e]/;
  for (const name of ['escapes-subject-der', 'escapes-subject-pem-friendlyname', 'escapes-pkcs12-alias', 'escapes-jks-alias', 'escapes-pem-label', 'time-200k-jks']) {
    it(`hapki list on ${name}: no control character on stdout or stderr`, async () => {
      const c = CRAFTED.find((x) => x.name === name)!;
      const file = join(tempDir(), `${name}.${c.target === 'jks' ? 'jks' : c.target === 'pkcs12' ? 'p12' : c.target === 'der' ? 'der' : 'pem'}`);
      writeFileSync(file, await c.input());
      const result = await hapki(['list', file, '--storepass', 'env:P'], { env: { P: FUZZ_PASSWORD } });
      expect(result.stdout + result.stderr).not.toMatch(ESC);
      expect(result.stderr).not.toContain('ERR_INTERNAL');
      if (result.code !== 0) expect(result.stderr).toMatch(/^hapki: [^\n]+ \(ERR_[A-Z_]+\)\n$/m);
      else expect(result.stdout).toMatch(/\\x1b|Keystore format/);
    });
  }
});
