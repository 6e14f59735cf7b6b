import { realpathSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import { formatLocation, parseLocation } from '../transport/location.js';
import { sha256Hex } from '../crypto/digest.js';
import { commitChangeSet, type FileChange } from '../txn/change_set.js';
import { HapkiError, InvalidArgumentError, PasswordRequiredError, RemoteIoError, SshError, TokenDistributeError, type TokenInstanceFailure } from '../errors.js';
import type { ReadOptions } from '../keystore/codec.js';
import type { KeystoreFormat } from '../keystore/model.js';
import { readKeystore } from '../keystore/read_keystore.js';
import { rewriteKeystore } from '../keystore/write_keystore.js';
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
  /** The file as it was read. */
  original: Uint8Array;
  /** SHA-256 of the file on disk, where `original` is not it (apply plans over instances it changes itself). */
  sha256?: string;
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
      // a host that cannot be reached, or whose disk fails, concerns the whole command: its own code and host, not the token's
      if (error instanceof SshError || error instanceof RemoteIoError) throw error;
      failures.push(failureOf(instance, error));
    }
  }
  if (step === 'retire' && failures.length === 0) failures.push(...retireBlockers(planned, options.alias, material));
  if (failures.length > 0) throw new TokenDistributeError('prepare', failures);
  return { alias: options.alias, step, ...(material ? { certificate: sha256Hex(material.chain[0]!) } : {}), instances: planned };
}

/**
 * Writes a plan, all or nothing, as one change set (src/txn/): every changed instance is locked,
 * checked to be still the file the plan read (ERR_CONCURRENT_CHANGE otherwise), staged, journaled
 * and renamed, its old file kept as `<file>.bak`; a process killed part way is finished or undone
 * by the next hapki command touching an instance, or by `hapki recover`. Then each is read back
 * (the same token certificate, a key that belongs to it, every entry there).
 * `alongside` are more files to commit in the same change set (apply's other keystores).
 */
export async function distributeToken(plan: TokenPlan, files: TokenFileLayer = localTokenFiles(), alongside: readonly FileChange[] = []): Promise<TokenDistribution> {
  const changed = plan.instances.filter((p) => p.bytes);
  try {
    await commitChangeSet([...changed.map(instanceChange), ...alongside]);
  } catch (error) {
    if (error instanceof HapkiError && PASS_THROUGH.has(error.code)) throw error;
    // a host refused or dropped the connection, or its disk failed: its own code and host name stay on top
    if (error instanceof SshError || error instanceof RemoteIoError) throw error;
    const at = (error as { path?: string }).path;
    const failed = changed.find((p) => at !== undefined && (p.instance.path === at || resolve(p.instance.path) === resolve(at)));
    // not one instance's fault (a disk full, a read-only file system, a file committed alongside): its own error says it best
    if (!failed && error instanceof HapkiError) throw error;
    throw new TokenDistributeError('write', [failed ? failureOf(failed.instance, error) : failureOf(changed[0]!.instance, error)], [], { cause: error });
  }
  for (const p of changed) {
    try {
      await verifyReadBack(p, plan.alias, files);
    } catch (error) {
      if (error instanceof SshError || error instanceof RemoteIoError) throw error;
      throw new TokenDistributeError('verify', [failureOf(p.instance, error)], [], { cause: error });
    }
  }
  return { plan, outcomes: plan.instances.map((p) => ({ name: p.instance.name, path: p.instance.path, outcome: p.bytes ? 'written' : 'unchanged' })) };
}

/** Lock and recovery problems concern the whole command, not one instance. */
const PASS_THROUGH = new Set(['ERR_LOCKED', 'ERR_RECOVERY_FAILED']);

/** One instance as a change: rewritten in place (owner, group and mode kept), if it is still what the plan read. */
export function instanceChange(p: PlannedInstance): FileChange {
  return { path: p.instance.path, action: 'update', content: p.bytes!, expectedSha256: p.sha256 ?? sha256Hex(p.original), backup: true, private: true };
}

async function planInstance(instance: TokenInstance, step: TokenStep, alias: string, material: TokenMaterial | undefined, files: TokenFileLayer): Promise<PlannedInstance> {
  const original = await files.read(instance.path);
  const store = await readKeystore(original, readOptions(instance, alias));
  if (instance.password === undefined && store.format !== 'PEM') throw new PasswordRequiredError(`a ${store.format} keystore needs its store password to be rewritten`);
  const t = transform(store, step, alias, material);
  const planned: PlannedInstance = { instance, format: store.format, original, changes: t.changes, warnings: t.warnings, expected: tokenState(t.store, alias), expectedEntries: t.store.entries.length };
  if (t.changes.length === 0) return planned;
  const bytes = await rewriteKeystore(t.store, instance.password);
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
  // a keystore on another host: its location with the path normalised (./a.jks, x/../a.jks), never
  // a local path made of it (the message named "<cwd>/ssh:/host/..."); a link there to another
  // instance's file is found by the change set, which resolves each target on its host
  const location = parseLocation(path);
  if (location.kind === 'ssh') return formatLocation({ ...location, path: posix.normalize(location.path) });
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}
