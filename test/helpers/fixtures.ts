import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(REPO_ROOT, 'fixtures');
/** Test data written by other projects, vendored with their licences (fixtures/interop/README.md): what `npm test` uses. */
export const INTEROP = join(FIXTURES, 'interop');
/** The larger suites beside the checkout (full limbo, PKITS): only `npm run conformance` may use them. */
export const SHARED_INTEROP = join(REPO_ROOT, '..', 'shared', 'interop');
export const FIXTURE_PASSWORD = 'changeit';

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}
