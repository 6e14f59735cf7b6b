import { KeyPasswordError, KeystoreIntegrityError, KeystorePasswordError, UnsupportedAlgorithmError } from '../../errors.js';
import { explicitKeyPassword } from '../key_passwords.js';
import { aliasKey, LastEntryPerAlias } from '../alias.js';
import type { KeystoreEntryStream, ReadOptions } from '../codec.js';
import type { Keystore, KeystoreEntry, PrivateKeyEntry, SecretKeyEntry } from '../model.js';
import { ByteReader } from './byte_reader.js';
import { readEncryptedKey, recoverPrivateKey } from './encrypted_key.js';
import { DIGEST_LENGTH, ENTRY_TAG, JCEKS_MAGIC, JKS_MAGIC, MIN_ENTRY_LENGTH } from './format.js';
import { keystoreDigestMatches } from './integrity.js';
import { readSealedObject, unsealSecretKey, type SealedObjectFields } from './sealed_object.js';
import { budgetScope, reserveIterations, withWorkBudget } from '../../crypto/pbe/work_budget.js';
import { LimitExceededError } from '../../errors.js';
import { pbeParametersFromNode } from './pbe_md5_des3.js';
import { sealedObjectParameters } from './sealed_object.js';

type JavaFormat = 'JKS' | 'JCEKS';

/** Reads a JKS keystore (magic 0xFEEDFEED, versions 1 and 2). */
export async function readJks(bytes: Uint8Array, options: ReadOptions = {}): Promise<Keystore> {
  return collect(await streamJks(bytes, options));
}

/**
 * Reads a JCEKS keystore (magic 0xCECECECE). Like the JDK's JCEKS loader it also accepts a JKS
 * file, which is then reported (and would be written back) as JKS.
 */
export async function readJceks(bytes: Uint8Array, options: ReadOptions = {}): Promise<Keystore> {
  return collect(await streamJceks(bytes, options));
}

/** readJks entry by entry: the structure and the digest are checked first, then each entry is read and opened as it is asked for. */
export async function streamJks(bytes: Uint8Array, options: ReadOptions = {}): Promise<KeystoreEntryStream> {
  return withWorkBudget(async () => openJavaKeystore(bytes, options, ['JKS']), undefined, options.maxIterations);
}

/** readJceks entry by entry (see streamJks). */
export async function streamJceks(bytes: Uint8Array, options: ReadOptions = {}): Promise<KeystoreEntryStream> {
  return withWorkBudget(async () => openJavaKeystore(bytes, options, ['JCEKS', 'JKS']), undefined, options.maxIterations);
}

function collect(stream: KeystoreEntryStream): Keystore {
  const { count: _count, entries, ...rest } = stream;
  return { ...rest, entries: [...entries] };
}

interface RawKeyEntry {
  tag: typeof ENTRY_TAG.privateKey;
  alias: string;
  created: Date;
  offset: number;
  protectedKey: Uint8Array;
  chain: Uint8Array[];
}

interface RawCertEntry {
  tag: typeof ENTRY_TAG.trustedCert;
  alias: string;
  created: Date;
  certificate: Uint8Array;
}

interface RawSecretEntry {
  tag: typeof ENTRY_TAG.secretKey;
  alias: string;
  created: Date;
  offset: number;
  raw: Uint8Array;
  sealed: SealedObjectFields;
}

type RawEntry = RawKeyEntry | RawCertEntry | RawSecretEntry;

/** Dates a Date can hold (±8.64e15 ms); anything else is a damaged timestamp. */
const MAX_TIME = 8_640_000_000_000_000n;

function openJavaKeystore(bytes: Uint8Array, options: ReadOptions, accepted: readonly JavaFormat[]): KeystoreEntryStream {
  const r: ByteReader = new ByteReader(bytes);
  const { format, version, count } = readHeader(r, accepted);

  // First pass: every entry's structure, checked; kept are the key entries (few, and needed
  // before any key is opened) and where each alias last occurs. The entries are read again
  // and opened in the second pass, one at a time, as they are asked for.
  const keyEntries: RawEntry[] = [];
  const last = new LastEntryPerAlias((alias) => aliasKey(format, alias));
  for (let i = 0; i < count; i++) {
    const entry = readEntry(r, format, version);
    if (entry.tag !== ENTRY_TAG.trustedCert) keyEntries.push(entry);
    last.add(i, entry.alias);
  }

  const bodyLength = r.position;
  if (r.remaining < DIGEST_LENGTH) r.fail(`truncated: ${r.remaining} of the ${DIGEST_LENGTH} digest bytes present`);
  if (r.remaining > DIGEST_LENGTH) r.fail(`${r.remaining - DIGEST_LENGTH} unexpected bytes after the keystore digest`, bodyLength + DIGEST_LENGTH);

  if (!options.certificatesOnly) reserveIterations(keyEntries.flatMap(visibleCount));

  const warnings: string[] = [];
  let integrityChecked = false;
  const password = options.password;
  if (password === undefined) {
    warnings.push(`integrity of ${format} keystore not checked: no password given`);
  } else {
    const body = bytes.subarray(0, bodyLength);
    const stored = bytes.subarray(bodyLength, bodyLength + DIGEST_LENGTH);
    if (!keystoreDigestMatches(password, body, stored)) {
      throw passwordConfirmedByAKey(keyEntries, password)
        ? new KeystoreIntegrityError(`${format} keystore digest does not match although a key opens with the password: the file was modified`)
        : new KeystorePasswordError(`${format} keystore was tampered with, or the password was incorrect`);
    }
    integrityChecked = true;
  }

  // Java keystores are hash tables keyed by the lower-cased alias: the last entry under an alias wins
  warnings.push(...last.warnings());

  const inBudget = budgetScope();
  function* entries(): Generator<KeystoreEntry> {
    const again = new ByteReader(bytes);
    readHeader(again, accepted);
    for (let i = 0; i < count; i++) {
      const entry = readEntry(again, format, version);
      if (!last.keeps(i, entry.alias)) continue;
      yield inBudget(() => openEntry(entry, format, options));
    }
  }
  return { format, count: last.size, entries: entries(), integrityChecked, warnings };
}

function readHeader(r: ByteReader, accepted: readonly JavaFormat[]): { format: JavaFormat; version: number; count: number } {
  const magic = r.u32('magic number');
  const format: JavaFormat | undefined = magic === JKS_MAGIC ? 'JKS' : magic === JCEKS_MAGIC ? 'JCEKS' : undefined;
  if (!format || !accepted.includes(format)) {
    const expected = accepted.map((f) => (f === 'JKS' ? 'JKS (0xFEEDFEED)' : 'JCEKS (0xCECECECE)')).join(' or ');
    r.fail(`not a ${expected} keystore: magic 0x${magic.toString(16).padStart(8, '0')}`, 0);
  }
  const version = r.u32('version');
  if (version !== 1 && version !== 2) r.fail(`unsupported ${format} version ${version}`, 4);
  const countAt = r.offset;
  const count = r.u32('entry count');
  if (count > (r.remaining - DIGEST_LENGTH) / MIN_ENTRY_LENGTH) {
    r.fail(`entry count ${count} cannot fit in the ${r.remaining} bytes left`, countAt);
  }
  return { format, version, count };
}

/** The rounds a JCEKS key will cost to open (two MD5 chains of its count), known before any is derived. */
function visibleCount(entry: RawEntry): { iterations: number; what: string; offset: number; derivations: number }[] {
  try {
    if (entry.tag === ENTRY_TAG.secretKey) {
      return [{ iterations: sealedObjectParameters(entry.sealed, entry.offset).iterations, what: 'PBE iteration count', offset: entry.offset, derivations: 2 }];
    }
    if (entry.tag === ENTRY_TAG.privateKey) {
      const info = readEncryptedKey(entry.protectedKey, entry.offset + 4);
      if (info.protection === 'pbe') {
        return [{ iterations: pbeParametersFromNode(info.parameters!, entry.offset + 4).iterations, what: 'PBE iteration count', offset: entry.offset, derivations: 2 }];
      }
    }
  } catch (error) {
    if (error instanceof LimitExceededError) throw error;
    // a damaged entry fails where it is opened
  }
  return [];
}

/**
 * One entry. Its certificates and keys are views into the file's bytes, not copies: a store is
 * mostly its certificates, so holding them as views costs the file once, where copies cost it
 * twice while the store is read (and a conversion held both).
 */
function readEntry(r: ByteReader, format: JavaFormat, version: number): RawEntry {
  const tagAt = r.offset;
  const tag = r.u32('entry tag');
  const alias = r.utf('alias');
  const timeAt = r.offset;
  const millis = r.i64('creation date');
  if (millis > MAX_TIME || millis < -MAX_TIME) r.fail(`creation date ${millis} out of range`, timeAt);
  const created = new Date(Number(millis));

  if (tag === ENTRY_TAG.privateKey) {
    const offset = r.offset;
    const protectedKey = r.lengthPrefixed('protected private key');
    const chainAt = r.offset;
    const chainLength = r.u32('certificate chain length');
    if (chainLength > r.remaining / 4) r.fail(`certificate chain length ${chainLength} cannot fit in the bytes left`, chainAt);
    const chain: Uint8Array[] = [];
    for (let i = 0; i < chainLength; i++) chain.push(readCertificate(r, version));
    return { tag, alias, created, offset, protectedKey, chain };
  }
  if (tag === ENTRY_TAG.trustedCert) {
    return { tag, alias, created, certificate: readCertificate(r, version) };
  }
  if (tag === ENTRY_TAG.secretKey && format === 'JCEKS') {
    const offset = r.offset;
    // The serialized object has no length prefix: its own structure says where it ends.
    const { sealed, length } = readSealedObject(r.rest(), offset);
    const rawObject = r.bytesView(length, 'sealed secret key');
    return { tag, alias, created, offset, raw: rawObject, sealed };
  }
  return r.fail(`unknown ${format} entry type ${tag}`, tagAt);
}

function readCertificate(r: ByteReader, version: number): Uint8Array {
  const typeAt = r.offset;
  const type = version === 2 ? r.utf('certificate type') : 'X.509';
  const certificate = r.lengthPrefixed('certificate');
  if (type !== 'X.509') throw new UnsupportedAlgorithmError(type, `certificate type at byte ${typeAt}`);
  return certificate;
}

function openEntry(entry: RawEntry, format: JavaFormat, options: ReadOptions): KeystoreEntry {
  if (entry.tag === ENTRY_TAG.trustedCert) {
    return { type: 'trusted-cert', alias: entry.alias, certificate: entry.certificate, created: entry.created };
  }
  const explicit = explicitKeyPassword(options, entry.alias);
  // The explicit password first; the store password too, since most keys share it.
  const candidates = options.certificatesOnly ? [] : [...new Set([explicit, options.password].filter((p): p is string => p !== undefined))];

  if (entry.tag === ENTRY_TAG.privateKey) {
    const result: PrivateKeyEntry = { type: 'private-key', alias: entry.alias, chain: entry.chain, created: entry.created };
    if (candidates.length === 0 || (options.privateKeysSealed && explicit === undefined)) {
      result.sealed = { format, data: entry.protectedKey, reason: candidates.length === 0 ? 'no-password' : 'not-opened' };
      return result;
    }
    const info = readEncryptedKey(entry.protectedKey, entry.offset + 4);
    for (const password of candidates) {
      const key = recoverPrivateKey(info, password, entry.offset + 4);
      if (key) {
        result.key = key;
        if (password !== options.password) result.password = password;
        return result;
      }
    }
    if (explicit !== undefined) throw new KeyPasswordError(entry.alias);
    result.sealed = { format, data: entry.protectedKey, reason: 'wrong-password' };
    return result;
  }

  const result: SecretKeyEntry = { type: 'secret-key', alias: entry.alias, algorithm: 'unknown', created: entry.created };
  if (candidates.length === 0) {
    result.sealed = { format, data: entry.raw, reason: 'no-password' };
    return result;
  }
  for (const password of candidates) {
    const key = unsealSecretKey(entry.sealed, password, entry.offset);
    if (key) {
      result.algorithm = key.algorithm;
      result.key = key.key;
      if (password !== options.password) result.password = password;
      return result;
    }
  }
  if (explicit !== undefined) throw new KeyPasswordError(entry.alias);
  result.sealed = { format, data: entry.raw, reason: 'wrong-password' };
  return result;
}

/**
 * A digest mismatch means a wrong password or a modified file; if a key's own check opens with
 * the same password, the password is right and the file was changed. Only Sun-protected keys
 * are asked: their SHA-1 check value is conclusive and costs nothing, where a PBE guess costs
 * hundreds of thousands of MD5 rounds on what may be an attacker's iteration count.
 */
function passwordConfirmedByAKey(entries: readonly RawEntry[], password: string): boolean {
  for (const entry of entries) {
    if (entry.tag !== ENTRY_TAG.privateKey) continue;
    try {
      const info = readEncryptedKey(entry.protectedKey, entry.offset + 4);
      if (info.protection === 'sun' && recoverPrivateKey(info, password, entry.offset + 4)) return true;
    } catch {
      // A damaged entry cannot confirm anything.
    }
  }
  return false;
}
