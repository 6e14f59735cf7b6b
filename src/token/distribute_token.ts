import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { sha256Hex } from '../crypto/digest.js';
import { HapkiError, InvalidArgumentError, PasswordRequiredError, TokenDistributeError, type TokenInstanceFailure } from '../errors.js';
import type { ReadOptions } from '../keystore/codec.js';
import type { KeystoreFormat } from '../keystore/model.js';
import { readKeystore } from '../keystore/read_keystore.js';
import { writeKeystore } from '../keystore/write_keystore.js';
import { localTokenFiles, type TokenFileLayer } from './instance_files.js';
import { activateToken, installToken, retireToken, stageToken, type TokenChange, type TokenStep, type TokenTransform } from './rotation.js';
import type { TokenMaterial } from './token_material.js';
import { tokenState, type TokenState } from './token_state.js';

/** One physical instance keystore of the logical cluster. */
export interface TokenInstance {
  /** How reports call it (its file name, usually). */
  name: string;
  path: string;
  /** Its store password; its keys (the token's too) are protected with it. */
  password?: string;
  /** The token entry's own key password (JKS, JCEKS), where it has one. */
  keyPassword?: string;
}

export interface TokenDistributionOptions {
  /** The token's alias in every instance keystore. */
  alias: string;
  /** Default "install". */
  step?: TokenStep;
  /** The token key and chain; not needed to retire. */
  material?: TokenMaterial;
}

export interface PlannedInstance {
  instance: TokenInstance;
  format: KeystoreFormat;
  /** The file as it was read, to restore it from. */
  original: Uint8Array;
  /** The new file; undefined when the step is already done there. */
  bytes?: Uint8Array;
  changes: TokenChange[];
  warnings: string[];
  /** What a read-back must find: the token entries, and this many entries in all. */
  expected: TokenState;
  expectedEntries: number;
}

export interface TokenPlan {
  alias: string;
  step: TokenStep;
  /** SHA-256 of the token certificate being distributed. */
  certificate?: string;
  instances: PlannedInstance[];
}

export type InstanceOutcome = 'written' | 'unchanged';

export interface TokenDistribution {
  plan: TokenPlan;
  outcomes: { name: string; path: string; outcome: InstanceOutcome }[];
}

/**
 * Reads every instance and prepares its new contents, writing nothing: a wrong password, an
 * unreadable file, a directory we cannot write in, or a store the step cannot apply to fails
 * here, for all instances at once, with ERR_TOKEN_DISTRIBUTE_FAILED naming each. A dry run
 * stops here.
 */
export async function planTokenDistribution(instances: readonly TokenInstance[], options: TokenDistributionOptions, files: TokenFileLayer = localTokenFiles()): Promise<TokenPlan> {
  const step = options.step ?? 'install';
  const material = options.material;
  if (step !== 'retire' && !material) throw new TypeError(`the ${step} step needs the token material`);
  if (instances.length === 0) throw new InvalidArgumentError('no instance keystores given');
  if (options.alias.trim() === '') throw new InvalidArgumentError('the token alias is empty');
  // one file under two names (a symbolic link, ./a.jks and a.jks) must not be written twice
  const paths = instances.map((i) => sameFileKey(i.path));
  const twice = paths.find((p, i) => paths.indexOf(p) !== i);
  if (twice) throw new InvalidArgumentError(`${twice} is named twice`);
  const planned: PlannedInstance[] = [];
  const failures: TokenInstanceFailure[] = [];
  for (const instance of instances) {
    try {
      planned.push(await planInstance(instance, step, options.alias, material, files));
    } catch (error) {
      failures.push(failureOf(instance, error));
    }
  }
  if (step === 'retire' && failures.length === 0) failures.push(...retireBlockers(planned, options.alias, material));
  if (failures.length > 0) throw new TokenDistributeError('prepare', failures);
  return { alias: options.alias, step, ...(material ? { certificate: sha256Hex(material.chain[0]!) } : {}), instances: planned };
}

/**
 * Writes a plan, all or nothing: each changed instance is backed up (`<file>.bak`), replaced
 * atomically and read back (the same token certificate, a key that belongs to it, every entry
 * there). If any write or read-back fails, every instance already written is restored to its
 * original bytes and ERR_TOKEN_DISTRIBUTE_FAILED says which instance failed and why.
 */
export async function distributeToken(plan: TokenPlan, files: TokenFileLayer = localTokenFiles()): Promise<TokenDistribution> {
  const touched: PlannedInstance[] = [];
  const outcomes: TokenDistribution['outcomes'] = [];
  for (const p of plan.instances) {
    if (!p.bytes) {
      outcomes.push({ name: p.instance.name, path: p.instance.path, outcome: 'unchanged' });
      continue;
    }
    try {
      await files.backup(p.instance.path);
      await files.write(p.instance.path, p.bytes);
      // a write that failed left the file as it was (atomic): only a written one needs restoring
      touched.push(p);
      await verifyReadBack(p, plan.alias, files);
      outcomes.push({ name: p.instance.name, path: p.instance.path, outcome: 'written' });
    } catch (error) {
      const restoreFailed: string[] = [];
      for (const t of touched.reverse()) {
        try {
          await files.restore(t.instance.path, t.original);
        } catch {
          restoreFailed.push(t.instance.name);
        }
      }
      throw new TokenDistributeError('write', [failureOf(p.instance, error)], restoreFailed, { cause: error });
    }
  }
  return { plan, outcomes };
}

async function planInstance(instance: TokenInstance, step: TokenStep, alias: string, material: TokenMaterial | undefined, files: TokenFileLayer): Promise<PlannedInstance> {
  const original = await files.read(instance.path);
  const store = await readKeystore(original, readOptions(instance, alias));
  if (instance.password === undefined && store.format !== 'PEM') throw new PasswordRequiredError(`a ${store.format} keystore needs its store password to be rewritten`);
  const t = transform(store, step, alias, material);
  const planned: PlannedInstance = { instance, format: store.format, original, changes: t.changes, warnings: t.warnings, expected: tokenState(t.store, alias), expectedEntries: t.store.entries.length };
  if (t.changes.length === 0) return planned;
  const bytes = await writeKeystore(t.store, instance.password === undefined ? {} : { password: instance.password });
  // decode what we are about to write, so that a codec problem stops the plan and not the write
  const decoded = await readKeystore(bytes, readOptions(instance, alias));
  assertState(tokenState(decoded, alias), planned, decoded.entries.length);
  await files.assertWritable(instance.path);
  planned.bytes = bytes;
  return planned;
}

function transform(store: Parameters<typeof retireToken>[0], step: TokenStep, alias: string, material: TokenMaterial | undefined): TokenTransform {
  switch (step) {
    case 'install':
      return installToken(store, material!, alias);
    case 'stage':
      return stageToken(store, material!.chain[0]!, alias);
    case 'activate':
      return activateToken(store, material!, alias);
    case 'retire':
      return retireToken(store, alias);
  }
}

/** Retiring the previous certificate before every instance has switched would break those that have not. */
function retireBlockers(planned: readonly PlannedInstance[], alias: string, material: TokenMaterial | undefined): TokenInstanceFailure[] {
  const wanted = material ? sha256Hex(material.chain[0]!) : planned[0]?.expected.key?.sha256;
  return planned
    .filter((p) => p.expected.key?.sha256 === undefined || p.expected.key.sha256 !== wanted)
    .map((p) => ({ instance: p.instance.name, code: 'ERR_TOKEN_DRIFT', message: `"${alias}" is ${p.expected.key ? p.expected.key.sha256.slice(0, 16) : 'missing'}, not ${wanted?.slice(0, 16) ?? 'the activated token'}: activate everywhere before retiring` }));
}

async function verifyReadBack(p: PlannedInstance, alias: string, files: TokenFileLayer): Promise<void> {
  const store = await readKeystore(await files.read(p.instance.path), readOptions(p.instance, alias));
  assertState(tokenState(store, alias), p, store.entries.length);
}

function assertState(found: TokenState, { expected, expectedEntries }: Pick<PlannedInstance, 'expected' | 'expectedEntries'>, entries: number): void {
  const problems: string[] = [];
  if (found.key?.sha256 !== expected.key?.sha256) problems.push(`key entry certificate ${found.key?.sha256 ?? 'missing'}, expected ${expected.key?.sha256 ?? 'none'}`);
  if (expected.key?.keyMatches === true && found.key?.keyMatches !== true) problems.push('the key does not belong to the certificate, or could not be opened');
  if (found.next?.sha256 !== expected.next?.sha256) problems.push(`staged copy ${found.next?.sha256 ?? 'missing'}, expected ${expected.next?.sha256 ?? 'none'}`);
  if (found.previous?.sha256 !== expected.previous?.sha256) problems.push(`previous copy ${found.previous?.sha256 ?? 'missing'}, expected ${expected.previous?.sha256 ?? 'none'}`);
  if (entries !== expectedEntries) problems.push(`${entries} entries, expected ${expectedEntries}`);
  if (problems.length > 0) throw new HapkiError('ERR_TOKEN_DISTRIBUTE_FAILED', `read back differs: ${problems.join('; ')}`);
}

function readOptions(instance: TokenInstance, alias: string): ReadOptions {
  return {
    ...(instance.password === undefined ? {} : { password: instance.password }),
    ...(instance.keyPassword === undefined ? {} : { keyPasswords: { [alias]: instance.keyPassword } }),
  };
}

function failureOf(instance: TokenInstance, error: unknown): TokenInstanceFailure {
  if (error instanceof HapkiError) return { instance: instance.name, code: error.code, message: error.message };
  if (error instanceof TypeError) throw error;
  return { instance: instance.name, code: 'ERR_INTERNAL', message: (error as Error)?.message ?? String(error) };
}

function sameFileKey(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}
