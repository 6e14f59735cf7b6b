import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(REPO_ROOT, 'fixtures');
/** Test data written by other projects; CI clones the repo with shared/ beside it. */
export const SHARED_INTEROP = join(REPO_ROOT, '..', 'shared', 'interop');
export const FIXTURE_PASSWORD = 'changeit';

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}
