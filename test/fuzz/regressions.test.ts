import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge } from '../../fuzz/run_fuzz.js';
import { targetNamed } from '../../fuzz/targets.js';
import { FIXTURES } from '../helpers/fixtures.js';

const DIR = join(FIXTURES, 'fuzz-regressions');
const MANIFEST = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { file: string; target: string; expect: string; found: string }[];

describe('fuzz regressions: every input that ever failed, now coded and bounded', () => {
  for (const entry of MANIFEST) {
    it(`${entry.file} (${entry.target}): ${entry.expect}, found by ${entry.found}`, async () => {
      const result = await judge(targetNamed(entry.target), new Uint8Array(readFileSync(join(DIR, entry.file))), { slowMs: 2000 });
      expect(result.finding).toBeUndefined();
      expect(result.outcome).toBe(entry.expect);
    });
  }
});
