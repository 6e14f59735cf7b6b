import { existsSync } from 'node:fs';
import { Pkcs11Error } from '../errors.js';
import { CK, loadBinding, type Pkcs11Module } from './binding.js';
import { deviceError, pkcs11Code } from './device_error.js';
import type { Pkcs11Uri } from './uri.js';

/**
 * Where SoftHSM's module lives on Debian and Ubuntu: the fallback when no module is named, so
 * that a SoftHSM setup works without configuration. Any other HSM's module must be named.
 */
export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

const MODULE_DIRS = ['/usr/lib/x86_64-linux-gnu/pkcs11', '/usr/lib/aarch64-linux-gnu/pkcs11', '/usr/lib/pkcs11', '/usr/lib/softhsm', '/usr/local/lib/softhsm'];

/**
 * The module to load: the one given (--pkcs11-module), the URI's module-path or module-name,
 * HAPKI_PKCS11_MODULE, else SoftHSM's where Debian installs it.
 */
export function resolveModulePath(uri: Pkcs11Uri, given: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  if (given) return given;
  if (uri.modulePath) return uri.modulePath;
  if (uri.moduleName) {
    const name = uri.moduleName;
    const candidates = MODULE_DIRS.flatMap((dir) => [`${dir}/${name}`, `${dir}/lib${name}.so`, `${dir}/${name}.so`]);
    const found = candidates.find((path) => existsSync(path));
    if (!found) throw new Pkcs11Error('ERR_PKCS11_MODULE', `PKCS#11 module "${name}" not found in ${MODULE_DIRS.join(', ')}: give its path with --pkcs11-module`);
    return found;
  }
  const fromEnv = env.HAPKI_PKCS11_MODULE;
  if (fromEnv) return fromEnv;
  if (existsSync(SOFTHSM_MODULE)) return SOFTHSM_MODULE;
  throw new Pkcs11Error('ERR_PKCS11_MODULE', 'no PKCS#11 module named: give --pkcs11-module <path> or set HAPKI_PKCS11_MODULE (SoftHSM\'s /usr/lib/softhsm/libsofthsm2.so is taken when present)');
}

interface LoadedModule {
  module: Pkcs11Module;
  users: number;
}

const loadedModules = new Map<string, LoadedModule>();

/** A PKCS#11 module, loaded and initialised once per process however many tokens use it. */
export async function acquireModule(path: string): Promise<Pkcs11Module> {
  const binding = await loadBinding();
  const known = loadedModules.get(path);
  if (known) {
    known.users++;
    return known.module;
  }
  if (!existsSync(path)) throw new Pkcs11Error('ERR_PKCS11_MODULE', `PKCS#11 module ${path}: no such file`);
  const module = new binding.PKCS11();
  try {
    module.load(path);
  } catch (error) {
    throw new Pkcs11Error('ERR_PKCS11_MODULE', `PKCS#11 module ${path} could not be loaded (not a PKCS#11 library for this machine?)`, { cause: error });
  }
  try {
    module.C_Initialize({ flags: CK.CKF_OS_LOCKING_OK });
  } catch (error) {
    if (pkcs11Code(error) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
      safely(() => module.close());
      throw new Pkcs11Error('ERR_PKCS11_MODULE', `PKCS#11 module ${path} failed to initialise (${deviceError(error)})`, { cause: error });
    }
  }
  loadedModules.set(path, { module, users: 1 });
  return module;
}

/** Gives a module back; the last user finalises and unloads it. */
export function releaseModule(module: Pkcs11Module): void {
  for (const [path, entry] of loadedModules) {
    if (entry.module !== module) continue;
    if (--entry.users > 0) return;
    loadedModules.delete(path);
    safely(() => module.C_Finalize());
    safely(() => module.close());
    return;
  }
}

function safely(action: () => void): void {
  try {
    action();
  } catch {
    // tearing down: the first failure is the one to report
  }
}
