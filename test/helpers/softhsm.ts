import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { mustRun, tempDir } from './tools.js';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';
export const USER_PIN = '123456';
const SO_PIN = '87654321';

export interface SoftHsm {
  /** SOFTHSM2_CONF for this test file's own token directory. */
  conf: string;
  module: string;
  env: Record<string, string>;
  /** Initialises a fresh token with the user PIN USER_PIN. */
  initToken(label: string): Promise<void>;
}

/**
 * A SoftHSM of the test file's own: a config pointing at a token directory in a temp dir. HSM
 * support is optional for users but not for these tests: if the binding did not install or
 * build, or SoftHSM is missing, this fails loudly (scripts/setup.sh installs SoftHSM).
 */
export function softHsm(): SoftHsm {
  if (!existsSync(SOFTHSM_MODULE)) throw new Error(`SoftHSM is not installed (${SOFTHSM_MODULE} missing): run scripts/setup.sh`);
  const require = createRequire(import.meta.url);
  try {
    require('pkcs11js');
  } catch (error) {
    throw new Error(`the optional dependency pkcs11js did not install or its native build failed; the PKCS#11 tests need it (npm ci with python3, make and g++): ${String(error)}`);
  }
  const dir = tempDir('hapki-softhsm-');
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens, { mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const env = { SOFTHSM2_CONF: conf };
  return {
    conf,
    module: SOFTHSM_MODULE,
    env,
    async initToken(label: string) {
      await mustRunEnv('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', USER_PIN, '--so-pin', SO_PIN], env);
    },
  };
}

async function mustRunEnv(cmd: string, args: string[], env: Record<string, string>): Promise<void> {
  const saved = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = env.SOFTHSM2_CONF;
  try {
    await mustRun(cmd, args);
  } finally {
    if (saved === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = saved;
  }
}
