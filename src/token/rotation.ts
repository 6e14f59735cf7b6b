import { sha256Hex } from '../crypto/digest.js';
import { InvalidArgumentError, KeyPasswordError, UsageError } from '../errors.js';
import { aliasKey } from '../keystore/alias.js';
import type { Keystore, KeystoreEntry, PrivateKeyEntry } from '../keystore/model.js';
import { bytesEqual } from '../lib/bytes.js';
import { keyMatchesCertificate } from '../cert/key_match.js';
import type { TokenMaterial } from './token_material.js';
import { nextAlias, previousAlias } from './token_state.js';

/**
 * The steps of putting a token on an instance. `install` puts the key entry in place at once;
 * a rotation without an outage is `stage` (peers learn the new certificate as `<alias>-next`),
 * `activate` (the key entry switches, the old certificate stays as `<alias>-previous`), and
 * `retire` (the old certificate goes). Each step is idempotent.
 */
export const TOKEN_STEPS = ['install', 'stage', 'activate', 'retire'] as const;
export type TokenStep = (typeof TOKEN_STEPS)[number];

/**
 * The step a distribution asks for (ERR_USAGE, worded as `hapki token distribute`'s flags): at
 * most one of stage, activate and retire, none meaning install; every step but retire needs the
 * token keystore (`token`: whether it is named).
 */
export function tokenStep(choice: { stage?: boolean; activate?: boolean; retire?: boolean; token?: unknown }): TokenStep {
  const steps = (['stage', 'activate', 'retire'] as const).filter((s) => choice[s]);
  if (steps.length > 1) throw new UsageError('give one of --stage, --activate and --retire');
  const step: TokenStep = steps[0] ?? 'install';
  if (choice.token === undefined && step !== 'retire') throw new UsageError('name the token keystore');
  return step;
}

export interface TokenChange {
  alias: string;
  entry: 'private-key' | 'trusted-cert';
  action: 'added' | 'replaced' | 'removed';
  /** SHA-256 of the certificate before and after. */
  before?: string;
  after?: string;
}

export interface TokenTransform {
  /** A new store; the input is left as it was. No changes means the step was already done. */
  store: Keystore;
  changes: TokenChange[];
  warnings: string[];
}

/** Puts the token key entry under `alias`, replacing whatever key entry was there. */
export function installToken(store: Keystore, material: TokenMaterial, alias: string): TokenTransform {
  const t = begin(store);
  const before = currentKey(store, alias);
  if (before !== undefined && before !== sha256Hex(material.chain[0]!)) {
    t.warnings.push(`"${alias}" replaced without staging: tokens minted with the old key stop verifying here (stage, activate, retire avoids that)`);
  }
  setKeyEntry(t, alias, material);
  return t;
}

/** Adds the new certificate as the trusted entry `<alias>-next`, unless the key entry already is it. */
export function stageToken(store: Keystore, certificate: Uint8Array, alias: string): TokenTransform {
  const t = begin(store);
  if (currentKey(store, alias) === sha256Hex(certificate)) {
    t.warnings.push(`"${alias}" already holds this certificate: nothing to stage`);
    return t;
  }
  setTrusted(t, nextAlias(alias), certificate);
  return t;
}

/**
 * Switches the key entry to the new key and chain, keeps the certificate it held as the trusted
 * entry `<alias>-previous`, and drops the staged `<alias>-next` copy, which the key entry now holds.
 */
export function activateToken(store: Keystore, material: TokenMaterial, alias: string): TokenTransform {
  const t = begin(store);
  const leaf = material.chain[0]!;
  const fingerprint = sha256Hex(leaf);
  const existing = keyEntryAt(store, alias);
  const staged = trustedAt(store, nextAlias(alias));
  if (existing && existing.chain[0] && sha256Hex(existing.chain[0]) !== fingerprint) {
    if (!staged || sha256Hex(staged.certificate) !== fingerprint) t.warnings.push(`"${alias}" activated without being staged: peers may reject tokens minted with the new key until they have it`);
    setTrusted(t, previousAlias(alias), existing.chain[0]);
  }
  setKeyEntry(t, alias, material);
  if (staged && sha256Hex(staged.certificate) === fingerprint) remove(t, nextAlias(alias));
  else if (staged) t.warnings.push(`"${nextAlias(alias)}" holds another certificate than the one activated: left in place`);
  return t;
}

/** Removes the trusted entry `<alias>-previous`: tokens minted with the old key no longer verify. */
export function retireToken(store: Keystore, alias: string): TokenTransform {
  const t = begin(store);
  if (trustedAt(store, previousAlias(alias))) remove(t, previousAlias(alias));
  return t;
}

function begin(store: Keystore): TokenTransform {
  return { store: { ...store, entries: [...store.entries], warnings: [] }, changes: [], warnings: [] };
}

function indexOf(store: Keystore, alias: string): number {
  const key = aliasKey(store.format, alias);
  return store.entries.findIndex((e) => aliasKey(store.format, e.alias) === key);
}

function keyEntryAt(store: Keystore, alias: string): PrivateKeyEntry | undefined {
  const entry = store.entries[indexOf(store, alias)];
  if (entry && entry.type !== 'private-key') throw new InvalidArgumentError(`"${alias}" is a ${entry.type} entry, not the token's private key: remove or rename it first`);
  return entry;
}

function trustedAt(store: Keystore, alias: string): Extract<KeystoreEntry, { type: 'trusted-cert' }> | undefined {
  const entry = store.entries[indexOf(store, alias)];
  if (entry && entry.type !== 'trusted-cert') throw new InvalidArgumentError(`"${alias}" is a ${entry.type} entry, where the token's trusted copy belongs: remove or rename it first`);
  return entry;
}

function currentKey(store: Keystore, alias: string): string | undefined {
  const leaf = keyEntryAt(store, alias)?.chain[0];
  return leaf ? sha256Hex(leaf) : undefined;
}

function setKeyEntry(t: TokenTransform, alias: string, material: TokenMaterial): void {
  const store = t.store;
  const i = indexOf(store, alias);
  const existing = keyEntryAt(store, alias);
  const after = sha256Hex(material.chain[0]!);
  const before = existing?.chain[0] ? sha256Hex(existing.chain[0]) : undefined;
  // a key that cannot be opened cannot be shown to be the token's, nor rewritten under its own
  // password: the same certificate over another key must not pass as "unchanged"
  if (existing?.sealed?.reason === 'wrong-password') throw new KeyPasswordError(alias);
  // the same certificate means the same public key: a matching key is the same key, however encoded
  if (existing && before === after && chainsEqual(existing.chain, material.chain) && existing.key && keyMatchesCertificate(existing.key, existing.chain[0]!)) return;
  // JKS and JCEKS keys may have their own password; the new key keeps the old entry's
  const own = (store.format === 'JKS' || store.format === 'JCEKS') && existing?.password !== undefined ? { password: existing.password } : {};
  const entry: PrivateKeyEntry = { type: 'private-key', alias: existing?.alias ?? alias, key: material.key, chain: [...material.chain], created: new Date(), ...own };
  if (i >= 0) store.entries[i] = entry;
  else store.entries.push(entry);
  t.changes.push({ alias: entry.alias, entry: 'private-key', action: existing ? 'replaced' : 'added', ...(before ? { before } : {}), after });
}

function setTrusted(t: TokenTransform, alias: string, certificate: Uint8Array): void {
  const store = t.store;
  const existing = trustedAt(store, alias);
  const after = sha256Hex(certificate);
  const before = existing ? sha256Hex(existing.certificate) : undefined;
  if (before === after) return;
  const entry: KeystoreEntry = { type: 'trusted-cert', alias: existing?.alias ?? alias, certificate, created: new Date() };
  const i = indexOf(store, alias);
  if (i >= 0) store.entries[i] = entry;
  else store.entries.push(entry);
  t.changes.push({ alias: entry.alias, entry: 'trusted-cert', action: existing ? 'replaced' : 'added', ...(before ? { before } : {}), after });
}

function remove(t: TokenTransform, alias: string): void {
  const i = indexOf(t.store, alias);
  if (i < 0) return;
  const [entry] = t.store.entries.splice(i, 1);
  t.changes.push({ alias: entry!.alias, entry: 'trusted-cert', action: 'removed', ...(entry!.type === 'trusted-cert' ? { before: sha256Hex(entry!.certificate) } : {}) });
}

function chainsEqual(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((der, i) => bytesEqual(der, b[i]!));
}
