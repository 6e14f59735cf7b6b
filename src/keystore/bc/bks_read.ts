import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { explicitKeyPassword } from '../key_passwords.js';
import { keyMatchesCertificate } from '../../cert/key_match.js';
import { certificateNames } from '../../cert/names.js';
import { pkcs8Algorithm, publicKeyOfPrivateKey } from '../../crypto/key_info.js';
import { derivePkcs12Key, Pkcs12KdfPurpose, pkcs12PasswordBytes } from '../../crypto/pbe/pkcs12_kdf.js';
import { checkDerivationIterations, reserveIterations, withWorkBudget } from '../../crypto/pbe/work_budget.js';
import { HapkiError, KeyPasswordError, KeystoreFormatError, KeystorePasswordError, LimitExceededError, UnsupportedAlgorithmError } from '../../errors.js';
import { LastEntryPerAlias } from '../alias.js';
import type { ReadOptions } from '../codec.js';
import { ByteReader } from '../jks/byte_reader.js';
import type { Keystore, KeystoreEntry, PrivateKeyEntry, SecretKeyEntry } from '../model.js';
import { MAX_BKS_CHAIN, MAX_BKS_COUNT_FIELD, MAX_BKS_ITERATIONS, MAX_BKS_SALT } from './bks_format.js';
import { unsupportedBouncyCastleStore } from './recognise.js';

/**
 * BouncyCastle's BKS keystore (version 2, BouncyCastle 1.47 and later; read only), as its layout
 * is described: big-endian Java DataOutput. Header: int version, int salt length, salt, int
 * iteration count. Then entries, each: byte type (1 certificate, 2 key, 3 secret, 4 sealed key;
 * 0 ends the list), UTF alias, long date (ms), int chain length and that many certificates
 * (UTF type "X.509", int length, bytes), then by type: a certificate; a key (byte kind 0
 * private / 1 public / 2 secret, UTF format, UTF algorithm, int length, bytes); or int length and
 * bytes (secret: opaque; sealed: int salt length, salt, int iterations, then the key encoding
 * encrypted with pbeWithSHAAnd3-KeyTripleDES-CBC under the key password). After the end marker,
 * HMAC-SHA-1 over the entries (from the first type byte through the end marker) with a 20-byte
 * key from the PKCS#12 KDF (SHA-1, MAC purpose) of the store password, salt and iteration count.
 */
const BKS_VERSION = 2;
const MAC_LENGTH = 20;
const TYPE = { end: 0, certificate: 1, key: 2, secret: 3, sealed: 4 } as const;
const KIND = { private: 0, public: 1, secret: 2 } as const;

/** An iteration count field: 1 to 2^24 (bks_format.ts), whether or not anything is derived from it. */
function countField(r: ByteReader, what: string): { iterations: number; what: string; offset: number } {
  const offset = r.offset;
  const iterations = r.u32(what);
  if (iterations === 0 || iterations > MAX_BKS_COUNT_FIELD) r.fail(`${what} ${iterations} outside 1 to ${MAX_BKS_COUNT_FIELD}`, offset);
  return { iterations, what, offset };
}

/** The count, checked against the BKS cap and the general one: called only where a derivation will run. */
function derivationCount(count: { iterations: number; what: string; offset: number }): number {
  if (count.iterations > MAX_BKS_ITERATIONS) {
    throw new LimitExceededError(`${count.what} ${count.iterations} outside 1 to ${MAX_BKS_ITERATIONS} (BouncyCastle writes 1,024 to 2,047) (at byte ${count.offset})`);
  }
  return checkDerivationIterations(count.iterations, count.what, count.offset);
}

export async function readBks(bytes: Uint8Array, options: ReadOptions = {}): Promise<Keystore> {
  try {
    return await withWorkBudget(() => readStore(bytes, options), undefined, options.maxIterations);
  } catch (error) {
    if (error instanceof HapkiError) throw error;
    throw new KeystoreFormatError('malformed BKS keystore', undefined, { cause: error });
  }
}

interface RawEntry {
  type: number;
  alias: string;
  created: Date;
  chain: Uint8Array[];
  certificate?: Uint8Array;
  key?: EncodedKey;
  data?: Uint8Array;
  /** Where `data` starts in the file, so that messages about it give file offsets. */
  dataOffset?: number;
  offset: number;
}

interface EncodedKey {
  kind: number;
  format: string;
  algorithm: string;
  encoded: Uint8Array;
}

async function readStore(bytes: Uint8Array, options: ReadOptions): Promise<Keystore> {
  const r = new ByteReader(bytes);
  const version = r.u32('BKS version');
  if (version !== BKS_VERSION) {
    // versions 0 and 1 (BouncyCastle before 1.47) keyed their MAC differently: not read
    if (version < BKS_VERSION) throw unsupportedBouncyCastleStore('BKS', `version ${version}, from BouncyCastle before 1.47`);
    r.fail(`BKS version ${version}, expected ${BKS_VERSION}`, 0);
  }
  const salt = saltOf(r, 'store salt');
  const storeCount = countField(r, 'BKS store iteration count');
  const entriesStart = r.position;
  const raw: RawEntry[] = [];
  // BouncyCastle loads a BKS into a Hashtable keyed by the alias as it is (case counts): the last entry under an alias wins
  const last = new LastEntryPerAlias((alias) => alias);
  for (;;) {
    const offset = r.offset;
    const type = r.u8('entry type');
    if (type === TYPE.end) break;
    const entry = readEntry(r, type, offset);
    last.add(raw.length, entry.alias);
    raw.push(entry);
  }
  const entriesEnd = r.position;
  const mac = r.bytesView(MAC_LENGTH, 'store MAC');
  if (r.remaining > 0) r.fail(`${r.remaining} unexpected bytes after the store MAC`);

  const warnings: string[] = [];
  let integrityChecked = false;
  if (options.password !== undefined) {
    const iterations = derivationCount(storeCount);
    // every count the file shows, before the first derivation: the MAC's, and three blocks (a 24-byte key, an IV) per sealed key
    reserveIterations([
      { iterations, what: 'BKS MAC iteration count', offset: storeCount.offset },
      ...raw.filter((e, i) => e.type === TYPE.sealed && !options.certificatesOnly && last.keeps(i, e.alias)).map((e) => ({ ...sealedHeader(e).count, derivations: 3 })),
    ]);
    const key = await derivePkcs12Key('sha1', pkcs12PasswordBytes(options.password), salt, iterations, Pkcs12KdfPurpose.mac, MAC_LENGTH);
    const expected = createHmac('sha1', key).update(bytes.subarray(entriesStart, entriesEnd)).digest();
    if (!timingSafeEqual(expected, mac)) throw new KeystorePasswordError();
    integrityChecked = true;
  } else {
    const keyPasswordGiven = !options.certificatesOnly && (options.keyPassword !== undefined || Object.keys(options.keyPasswords ?? {}).length > 0);
    warnings.push(
      keyPasswordGiven
        ? 'read without the store password: the BKS integrity check was skipped; keys are opened with the key password given'
        : 'read without the store password: the BKS integrity check was skipped and keys stay sealed',
    );
  }
  warnings.push(...last.warnings());

  const entries: KeystoreEntry[] = [];
  for (const [i, entry] of raw.entries()) {
    if (!last.keeps(i, entry.alias)) continue;
    const built = await buildEntry(entry, options, warnings);
    if (built) entries.push(built);
  }
  return { format: 'BKS', entries, integrityChecked, warnings };
}

function saltOf(r: ByteReader, what: string): Uint8Array {
  const at = r.offset;
  const length = r.u32(`${what} length`);
  if (length === 0 || length > MAX_BKS_SALT) r.fail(`${what} of ${length} bytes`, at);
  return r.bytesCopy(length, what);
}

function readEntry(r: ByteReader, type: number, offset: number): RawEntry {
  if (type > TYPE.sealed) r.fail(`unknown BKS entry type ${type}`, offset);
  const alias = r.utf('alias');
  const millis = r.i64('entry date');
  const created = new Date(Number(millis));
  const chainAt = r.offset;
  const chainLength = r.u32('chain length');
  if (chainLength > MAX_BKS_CHAIN) r.fail(`a chain of ${chainLength} certificates`, chainAt);
  const chain: Uint8Array[] = [];
  for (let i = 0; i < chainLength; i++) chain.push(readCertificate(r));
  const entry: RawEntry = { type, alias, created, chain, offset };
  if (type === TYPE.certificate) entry.certificate = readCertificate(r);
  else if (type === TYPE.key) entry.key = readKey(r);
  else {
    entry.dataOffset = r.offset + 4;
    entry.data = r.lengthPrefixed(type === TYPE.sealed ? 'sealed key' : 'secret');
  }
  return entry;
}

function readCertificate(r: ByteReader): Uint8Array {
  const at = r.offset;
  const type = r.utf('certificate type');
  if (type !== 'X.509') r.fail('a certificate of a type other than X.509', at);
  const der = r.lengthPrefixed('certificate').slice();
  certificateNames(der);
  return der;
}

function readKey(r: ByteReader): EncodedKey {
  const kind = r.u8('key kind');
  const format = r.utf('key format');
  const algorithm = r.utf('key algorithm');
  const encoded = r.lengthPrefixed('key').slice();
  return { kind, format, algorithm, encoded };
}

async function buildEntry(entry: RawEntry, options: ReadOptions, warnings: string[]): Promise<KeystoreEntry | undefined> {
  const created = Number.isFinite(entry.created.getTime()) ? { created: entry.created } : {};
  if (entry.type === TYPE.certificate) return { type: 'trusted-cert', alias: entry.alias, certificate: entry.certificate!, ...created };
  if (entry.type === TYPE.secret) {
    warnings.push(`entry "${entry.alias}" is an opaque BKS secret (no algorithm): left out`);
    return undefined;
  }
  let key = entry.key;
  let password: string | undefined;
  if (entry.type === TYPE.sealed) {
    const opened = await openSealed(entry, options);
    if (!opened) {
      const sealed = { format: 'BKS' as const, data: entry.data!, reason: options.password === undefined || options.certificatesOnly ? ('no-password' as const) : ('wrong-password' as const) };
      if (options.password !== undefined && !options.certificatesOnly) warnings.push(`key "${entry.alias}" stays sealed: the store password does not open it (give --keypass)`);
      // what the key is shows only once it is open: one with a chain is a private key
      if (entry.chain.length > 0) return { type: 'private-key', alias: entry.alias, chain: entry.chain, ...created, sealed };
      return { type: 'secret-key', alias: entry.alias, algorithm: 'unknown', ...created, sealed };
    }
    key = opened.key;
    password = opened.password;
  }
  const own = password !== undefined && password !== options.password ? { password } : {};
  if (key!.kind === KIND.private) {
    if (key!.format !== 'PKCS#8' && key!.format !== 'PKCS8') throw new KeystoreFormatError(`private key "${entry.alias}" in format ${key!.format}, expected PKCS#8`, entry.offset);
    // reading for the certificates alone (an audit), a key in the clear is neither checked nor kept
    if (options.certificatesOnly) return { type: 'private-key', alias: entry.alias, chain: entry.chain, ...created };
    checkPrivateKey(key!.encoded, entry);
    const result: PrivateKeyEntry = { type: 'private-key', alias: entry.alias, key: key!.encoded, chain: entry.chain, ...created, ...own };
    return result;
  }
  if (key!.kind === KIND.secret) {
    if (key!.algorithm.trim() === '') throw new KeystoreFormatError(`secret key "${entry.alias}" names no algorithm`, entry.offset);
    const result: SecretKeyEntry = { type: 'secret-key', alias: entry.alias, algorithm: key!.algorithm, key: key!.encoded, ...created, ...own };
    return result;
  }
  if (key!.kind === KIND.public) {
    warnings.push(`entry "${entry.alias}" is a public key alone, which hapki's keystores do not hold: left out`);
    return undefined;
  }
  // BouncyCastle itself fails such a store ("key type not recognised")
  throw new KeystoreFormatError(`key "${entry.alias}" of unknown kind ${key!.kind} (0 private, 1 public, 2 secret)`, entry.offset);
}

/**
 * The private key is a PKCS#8 key hapki can load, and the key of the first certificate of its
 * chain: a store whose key does not parse, or belongs to another certificate, is damaged, and
 * must not be listed as a key nor copied on by convert.
 */
function checkPrivateKey(pkcs8: Uint8Array, entry: RawEntry): void {
  try {
    pkcs8Algorithm(pkcs8);
  } catch (cause) {
    throw new KeystoreFormatError(`private key "${entry.alias}" is not a valid PKCS#8 key`, entry.offset, { cause });
  }
  let matches: boolean;
  try {
    const leaf = entry.chain[0];
    // with no chain (BouncyCastle writes none for a private key), the key must still load
    matches = leaf ? keyMatchesCertificate(pkcs8, leaf) : publicKeyOfPrivateKey(pkcs8).length > 0;
  } catch (cause) {
    if (cause instanceof UnsupportedAlgorithmError) throw new UnsupportedAlgorithmError(cause.algorithm, `private key "${entry.alias}" could not be loaded`);
    throw new KeystoreFormatError(`private key "${entry.alias}" could not be loaded`, entry.offset, { cause });
  }
  if (!matches) throw new KeystoreFormatError(`private key "${entry.alias}" does not belong to the first certificate of its chain`, entry.offset);
}

/** A sealed key's salt and iteration count (in the clear) and its ciphertext. */
function sealedHeader(entry: RawEntry): { salt: Uint8Array; count: { iterations: number; what: string; offset: number }; ciphertext: Uint8Array } {
  const r = new ByteReader(entry.data!, entry.dataOffset ?? 0);
  const salt = saltOf(r, `salt of key "${entry.alias}"`);
  const count = countField(r, 'BKS key iteration count');
  derivationCount(count);
  return { salt, count, ciphertext: r.rest() };
}

/** The sealed key decrypted with the key password given for it, else the store password; undefined if neither opens it. */
async function openSealed(entry: RawEntry, options: ReadOptions): Promise<{ key: EncodedKey; password: string } | undefined> {
  if (options.certificatesOnly) return undefined;
  const explicit = explicitKeyPassword(options, entry.alias);
  const candidates = [...new Set([explicit, options.password].filter((p): p is string => p !== undefined))];
  // no password, no derivation: the key stays sealed, whatever count it asks for
  if (candidates.length === 0) return undefined;
  const { salt, count, ciphertext } = sealedHeader(entry);
  const iterations = count.iterations;
  for (const password of candidates) {
    const pass = pkcs12PasswordBytes(password);
    const key = await derivePkcs12Key('sha1', pass, salt, iterations, Pkcs12KdfPurpose.key, 24);
    const iv = await derivePkcs12Key('sha1', pass, salt, iterations, Pkcs12KdfPurpose.iv, 8);
    let plain: Uint8Array;
    try {
      const decipher = createDecipheriv('des-ede3-cbc', key, iv);
      plain = new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
    } catch {
      continue; // bad padding: not this password
    }
    try {
      const inner = new ByteReader(plain, 0);
      const decoded = readKey(inner);
      if (inner.remaining > 0) continue;
      return { key: decoded, password };
    } catch {
      // padding that happened to check out under a wrong password
    }
  }
  if (explicit !== undefined) throw new KeyPasswordError(entry.alias);
  return undefined;
}
