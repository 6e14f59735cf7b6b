import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/limits.js';
import { validatePath } from '../../src/trust/validate_path.js';
import { OpensslCa } from '../helpers/openssl_ca.js';
import { tempDir } from '../helpers/tools.js';

// a CA with more name constraint subtrees than hapki checks is refused unread, with a code
const dir = tempDir('hapki-nc-bounds-');
let ca: OpensslCa;
const der = (name: string): Uint8Array => new Uint8Array(Buffer.from(readFileSync(ca.path(name), 'latin1').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));

beforeAll(async () => {
  ca = new OpensslCa(dir);
  const subtrees = (n: number): string => Array.from({ length: n }, (_, i) => `permitted;DNS:d${i}.example.com`).join(',');
  appendFileSync(
    join(dir, 'openssl-ext.cnf'),
    `[ca_many]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign\nnameConstraints = critical,${subtrees(LIMITS.nameConstraintSubtrees + 1)}\n` +
      `[ca_limit]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign\nnameConstraints = critical,permitted;DNS:example.com,${subtrees(LIMITS.nameConstraintSubtrees - 1)}\n`,
  );
  await ca.root('root');
  await ca.issued('many', 'ca_many', 'root');
  await ca.issued('limit', 'ca_limit', 'root');
  await ca.issued('leaf_many', 'server', 'many');
  await ca.issued('leaf_limit', 'server', 'limit');
}, 60_000);

describe('name constraint bounds', () => {
  it(`a CA with ${LIMITS.nameConstraintSubtrees + 1} subtrees fails with ERR_NAME_CONSTRAINTS; one with ${LIMITS.nameConstraintSubtrees} is checked`, async () => {
    const many = await validatePath(der('leaf_many'), { trusted: [der('root')], untrusted: [der('many')] });
    expect(many).toMatchObject({ valid: false, code: 'ERR_NAME_CONSTRAINTS' });
    expect(many.reason).toContain(`${LIMITS.nameConstraintSubtrees + 1} name constraint subtrees`);
    const limit = await validatePath(der('leaf_limit'), { trusted: [der('root')], untrusted: [der('limit')], hostname: 'gw.example.com' });
    expect(limit.valid, limit.reason).toBe(true);
  });
});
