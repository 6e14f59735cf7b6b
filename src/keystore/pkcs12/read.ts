import { certificateNames } from '../../cert/names.js';
import { explicitKeyPassword } from '../key_passwords.js';
import { readDer, Tag, TagClass, type DerNode } from '../../asn1/der_reader.js';
import { OID } from '../../asn1/oids.js';
import { decryptPrivateKeyInfo } from '../../crypto/pbe/encrypted_private_key_info.js';
import { decryptWithAlgorithm, PbeDecryptError } from '../../crypto/pbe/pbe.js';
import {
  HapkiError,
  KeyPasswordError,
  KeystoreFormatError,
  KeystoreIntegrityError,
  KeystorePasswordError,
  UnsupportedAlgorithmError,
} from '../../errors.js';
import { concatBytes } from '../../lib/bytes.js';
import { groupBy } from '../../lib/multimap.js';
import { contentKey } from '../../crypto/digest.js';
import type { ReadOptions } from '../codec.js';
import type { Keystore, KeystoreEntry, PrivateKeyEntry, SealedKey, SecretKeyEntry } from '../model.js';
import { buildChain } from '../../cert/chain.js';
import { parseMacData, verifyMac } from './mac.js';
import { secretKeyAlgorithmName } from './secret_key_algorithms.js';
import { readSafeContents, type BagAttributes, type SafeBag } from './safe_bags.js';
import { reserveIterations, withWorkBudget } from '../../crypto/pbe/work_budget.js';
import { visibleIterations } from '../../crypto/pbe/visible_iterations.js';
import { CertificateKeyIndex } from '../../cert/key_match.js';

/** What the password situation allows after the MAC step. */
interface Unlock {
  /** Passwords to try on encrypted contents and keys, best first; none when the MAC refused all. */
  candidates: (string | null)[];
  /** A MAC verified with candidates[0]: decryption failures are corruption, not a wrong password. */
  macVerified: boolean;
  /** The caller gave a password (otherwise failures leave things sealed or skipped). */
  passwordGiven: boolean;
  /** The MAC is HMAC-SHA-1, as legacy writers make it. */
  legacyMac?: boolean;
}

/**
 * Reads a PKCS#12 (PFX) file. The MAC is checked before anything is decrypted; a wrong password
 * throws KeystorePasswordError. Without options.password the empty and the absent password are
 * tried, as OpenSSL does; if neither opens the MAC, that is a password error too.
 */
export async function readPkcs12(bytes: Uint8Array, options: ReadOptions = {}): Promise<Keystore> {
  try {
    return await withWorkBudget(() => readPfx(bytes, options), undefined, options.maxIterations);
  } catch (error) {
    if (error instanceof HapkiError) throw error;
    // Anything else is a bug meeting hostile input; it must still surface as a format error,
    // without the message of whatever library threw it.
    throw new KeystoreFormatError('malformed PKCS#12 file', undefined, { cause: error });
  }
}

async function readPfx(bytes: Uint8Array, options: ReadOptions): Promise<Keystore> {
  const warnings: string[] = [];
  const pfx = readDer(bytes, 'PKCS#12 file');
  const fields = pfx.sequence('PFX');
  const version = pfx.child(0, 'PFX version').integer('PFX version');
  if (version !== 3) throw new KeystoreFormatError(`PFX version ${version}, expected 3`, fields[0]!.offset);
  const authSafe = pfx.child(1, 'authSafe');
  const macNode = fields[2];
  if (fields.length > 3) throw new KeystoreFormatError('unexpected field in PFX', fields[3]!.offset);
  const authSafeBytes = readAuthSafe(authSafe);
  reserveIterations(visibleIterations(authSafe, macNode));

  const unlock = await checkMac(macNode, authSafeBytes, options.password, warnings);
  const contentInfos = readDer(authSafeBytes, 'AuthenticatedSafe').sequence('AuthenticatedSafe');
  if (!unlock.macVerified && unlock.passwordGiven && macNode) {
    throw await diagnoseMacFailure(contentInfos, unlock.candidates);
  }

  const bags: SafeBag[] = [];
  for (const contentInfo of contentInfos) bags.push(...(await readContentInfo(contentInfo, unlock, warnings, options.consumeInput ?? false)));
  const entries = await buildEntries(bags, unlock, options, warnings);
  // certificates in the clear, and no MAC or one under the empty or absent password: what a JVM opens without a password
  const first = unlock.candidates[0];
  const emptyMac: '' | null | undefined = macNode && unlock.macVerified && (first === '' || first === null) ? (first === null ? null : '') : undefined;
  const plain = (!macNode || emptyMac !== undefined) && contentInfos.every((c) => c.child(0, 'content type').oid('content type') === OID.data) && entries.every((e) => e.type === 'trusted-cert');
  const protection = plain ? { legacy: false, unprotected: true, ...(emptyMac === undefined ? {} : { macPassword: emptyMac }) } : { legacy: unlock.legacyMac ?? false };
  return { format: 'PKCS12', entries, integrityChecked: unlock.macVerified, warnings, protection };
}

function readAuthSafe(authSafe: DerNode): Uint8Array {
  authSafe.sequence('authSafe ContentInfo');
  const type = authSafe.child(0, 'authSafe content type').oid('authSafe content type');
  if (type === OID.signedData) throw new UnsupportedAlgorithmError(type, 'PKCS#12 public-key integrity mode (signedData)');
  if (type !== OID.data) throw new UnsupportedAlgorithmError(type, 'PKCS#12 authSafe content type');
  return authSafe.child(1, 'authSafe content').explicit(0, 'authSafe content').octets('authSafe content');
}

async function checkMac(macNode: DerNode | undefined, content: Uint8Array, password: string | undefined, warnings: string[]): Promise<Unlock> {
  const passwordGiven = password !== undefined;
  // "" and the absent password differ in the PKCS#12 KDF; writers disagree on which an empty password means.
  const candidates: (string | null)[] = password === undefined || password === '' ? ['', null] : [password];
  if (!macNode) {
    warnings.push('the file has no MAC: its integrity cannot be checked');
    return { candidates, macVerified: false, passwordGiven };
  }
  const mac = parseMacData(macNode);
  for (const candidate of candidates) {
    if (await verifyMac(mac, content, candidate)) {
      return { candidates: [candidate, ...candidates.filter((c) => c !== candidate)], macVerified: true, passwordGiven, legacyMac: mac.hash === 'sha1' };
    }
  }
  // Unlike JKS, a PKCS#12 keeps its certificates encrypted too: without the password there is
  // nothing worth listing, so say the password is needed instead of showing an empty store.
  if (!passwordGiven) throw new KeystorePasswordError('the PKCS#12 keystore is password-protected and no password was given');
  return { candidates, macVerified: false, passwordGiven };
}

/**
 * The MAC alone cannot tell a wrong password from a damaged file. If the password decrypts
 * the contents, the MAC (or what it covers outside the ciphertext) was altered.
 */
async function diagnoseMacFailure(contentInfos: DerNode[], candidates: (string | null)[]): Promise<HapkiError> {
  try {
    for (const contentInfo of contentInfos) {
      if (contentInfo.child(0).oid() !== OID.encryptedData) continue;
      const { algorithm, ciphertext } = readEncryptedData(contentInfo);
      for (const candidate of candidates) {
        try {
          const plaintext = await decryptWithAlgorithm(algorithm, ciphertext, candidate);
          readDer(plaintext, 'SafeContents').sequence('SafeContents');
          return new KeystoreIntegrityError('the MAC does not match although the password decrypts the contents: the file was altered');
        } catch {
          // Not this candidate.
        }
      }
      break;
    }
  } catch {
    // A structure too broken to diagnose: report the password, the likelier cause.
  }
  return new KeystorePasswordError();
}

/** `consume`: the caller gave up the file's bytes, and the contents may be decrypted over their ciphertext (ReadOptions.consumeInput). */
async function readContentInfo(contentInfo: DerNode, unlock: Unlock, warnings: string[], consume: boolean): Promise<SafeBag[]> {
  contentInfo.sequence('ContentInfo');
  const type = contentInfo.child(0, 'content type').oid('content type');
  if (type === OID.data) {
    const data = contentInfo.child(1, 'content').explicit(0, 'content').octets('data content');
    return readSafeContents(data, warnings);
  }
  if (type === OID.envelopedData) {
    throw new UnsupportedAlgorithmError(type, 'PKCS#12 public-key privacy mode (envelopedData)');
  }
  if (type !== OID.encryptedData) throw new UnsupportedAlgorithmError(type, 'PKCS#12 AuthenticatedSafe content type');
  const { algorithm, ciphertext } = readEncryptedData(contentInfo);
  for (const [i, candidate] of unlock.candidates.entries()) {
    let plaintext: Uint8Array;
    // over the ciphertext only with the password the MAC confirmed, and only for the last try
    // (a failed try leaves garbage behind)
    const inPlace = consume && unlock.macVerified && i === unlock.candidates.length - 1;
    try {
      plaintext = await decryptWithAlgorithm(algorithm, ciphertext, candidate, { inPlace });
    } catch (error) {
      if (error instanceof PbeDecryptError) continue;
      throw error;
    }
    try {
      return readSafeContents(plaintext, warnings, 'decrypted SafeContents');
    } catch (error) {
      // Without a verified MAC, garbage from a wrong password is likelier than a corrupt file.
      if (unlock.macVerified || !(error instanceof KeystoreFormatError)) throw error;
    }
  }
  if (unlock.macVerified) {
    throw new KeystoreFormatError('encrypted contents do not decrypt although the password opened the MAC', contentInfo.offset);
  }
  if (unlock.passwordGiven) throw new KeystorePasswordError();
  warnings.push('skipped encrypted contents (certificates, usually): the keystore password is needed to read them');
  return [];
}

function readEncryptedData(contentInfo: DerNode): { algorithm: DerNode; ciphertext: Uint8Array } {
  const encryptedData = contentInfo.child(1, 'content').explicit(0, 'EncryptedData');
  encryptedData.sequence('EncryptedData');
  encryptedData.child(0, 'EncryptedData version').integer('EncryptedData version');
  const info = encryptedData.child(1, 'EncryptedContentInfo');
  info.sequence('EncryptedContentInfo');
  const innerType = info.child(0, 'encrypted content type').oid('encrypted content type');
  if (innerType !== OID.data) throw new UnsupportedAlgorithmError(innerType, 'encrypted content type');
  const algorithm = info.child(1, 'content encryption algorithm');
  const content = info.child(2, 'encrypted content');
  // [0] IMPLICIT OCTET STRING: primitive in DER, constructed in the BER old writers emit.
  content.expect(0, 'encryptedContent [0]', TagClass.context);
  const ciphertext = content.constructed ? content.children.map((c) => c.expect(Tag.octetString, 'encryptedContent chunk').stringBytes()) : [content.content];
  return { algorithm, ciphertext: ciphertext.length === 1 ? ciphertext[0]! : concatBytes(ciphertext) };
}

interface KeyItem {
  index: number;
  alias: string;
  attributes: BagAttributes;
  bag: Extract<SafeBag, { kind: 'key' | 'shrouded-key' | 'secret' }>;
}

interface CertItem {
  index: number;
  der: Uint8Array;
  attributes: BagAttributes;
  alias?: string;
}

async function buildEntries(bags: SafeBag[], unlock: Unlock, options: ReadOptions, warnings: string[]): Promise<KeystoreEntry[]> {
  const aliases = new AliasAllocator(warnings);
  const keys: KeyItem[] = [];
  const certs: CertItem[] = [];
  // The JDK numbers unnamed entries "1", "2", ... in bag order, counting keys and certificates
  // with its trusted attribute; hapki numbers the other loose certificates after those.
  bags.forEach((bag, index) => {
    if (bag.kind === 'cert') {
      certificateNames(bag.der);
      const item: CertItem = { index, der: bag.der, attributes: bag.attributes };
      if (bag.attributes.trusted) item.alias = aliases.take(bag.attributes.friendlyName);
      certs.push(item);
    } else {
      keys.push({ index, alias: aliases.take(bag.attributes.friendlyName), attributes: bag.attributes, bag });
    }
  });

  const pool = certs.map((c) => c.der);
  const trustedCerts = new Set(certs.filter((c) => c.attributes.trusted).map((c) => c.der));
  const consumed = new Set<CertItem>();
  const byKey = new CertificateKeyIndex(certs, (c) => c.der);
  // by object and by localKeyId, once: a file of thousands of keys must not look through every certificate for each
  const itemsOf = groupBy(certs, (c) => c.der);
  const byLocalKeyId = groupBy(
    certs.filter((c) => c.attributes.localKeyId),
    (c) => contentKey(c.attributes.localKeyId!),
  );
  const placed: { index: number; entry: KeystoreEntry }[] = [];
  for (const item of keys) {
    if (item.bag.kind === 'secret') {
      placed.push({ index: item.index, entry: await secretEntry(item, unlock, options) });
      continue;
    }
    const id = item.attributes.localKeyId;
    // the certificate the key's localKeyId names (the key's own is matched only once it is open)
    const named = id ? byLocalKeyId.get(contentKey(id))?.[0] : undefined;
    const entry = await privateKeyEntry(item, unlock, options, named !== undefined);
    const leaf = named ?? (entry.key ? byKey.forKey(entry.key)[0] : undefined);
    let index = item.index;
    if (leaf) {
      // OpenSSL writes certificates before keys; the entry sits where its first bag does.
      index = Math.min(index, leaf.index);
      entry.chain = buildChain(leaf.der, pool, { lastResort: (der) => trustedCerts.has(der) });
      for (const der of entry.chain) for (const c of itemsOf.get(der) ?? []) consumed.add(c);
    } else {
      warnings.push(`private key "${item.alias}" has no certificate in the file`);
    }
    placed.push({ index, entry });
  }

  // by content, in sets: a store of thousands of certificates must not compare each with each
  const seen = new Set<string>();
  const consumedBytes = new Set([...consumed].map((c) => contentKey(c.der)));
  for (const cert of certs) {
    const trusted = cert.attributes.trusted;
    const id = contentKey(cert.der);
    if (!trusted && (consumed.has(cert) || seen.has(id))) continue;
    if (!trusted && consumedBytes.has(id)) continue;
    seen.add(id);
    const alias = cert.alias ?? aliases.take(cert.attributes.friendlyName);
    placed.push({ index: cert.index, entry: { type: 'trusted-cert', alias, certificate: cert.der } });
  }
  return placed.sort((a, b) => a.index - b.index).map((p) => p.entry);
}

/**
 * The entry's creation date where its localKeyId is the JDK's "Time <ms>" (keytool shows it as
 * the creation date): kept, so that rewriting the store does not make every entry new today.
 */
function createdAt(item: KeyItem): { created?: Date } {
  const id = item.attributes.localKeyId;
  if (!id || id.length < 6 || id.length > 25) return {};
  const match = /^Time (\d{1,16})$/.exec(String.fromCharCode(...id));
  if (!match) return {};
  const created = new Date(Number(match[1]));
  return Number.isFinite(created.getTime()) ? { created } : {};
}

/** `described`: a certificate for the key is known without opening it (ReadOptions.privateKeysSealed may then leave it sealed). */
async function privateKeyEntry(item: KeyItem, unlock: Unlock, options: ReadOptions, described: boolean): Promise<PrivateKeyEntry> {
  const entry: PrivateKeyEntry = { type: 'private-key', alias: item.alias, chain: [], ...createdAt(item) };
  if (item.bag.kind === 'key') {
    entry.key = item.bag.pkcs8;
    return entry;
  }
  const encrypted = (item.bag as { encrypted: Uint8Array }).encrypted;
  const explicit = explicitKeyPassword(options, item.alias);
  if (options.privateKeysSealed && described && explicit === undefined && !options.certificatesOnly) {
    entry.sealed = { format: 'PKCS12', data: encrypted, reason: 'not-opened' };
    return entry;
  }
  const opened = await openSealed(item.alias, encrypted, unlock, options, (data, password) => decryptPrivateKeyInfo(data, password));
  if ('sealed' in opened) entry.sealed = opened.sealed;
  else {
    entry.key = opened.key;
    if (opened.password !== undefined) entry.password = opened.password;
  }
  return entry;
}

async function secretEntry(item: KeyItem, unlock: Unlock, options: ReadOptions): Promise<SecretKeyEntry> {
  const bag = item.bag as Extract<SafeBag, { kind: 'secret' }>;
  // Until the key is decrypted its algorithm is unknown; the JDK stores it inside the ciphertext.
  const entry: SecretKeyEntry = { type: 'secret-key', alias: item.alias, algorithm: 'unknown', ...createdAt(item) };
  let info: Uint8Array;
  if (bag.plain) {
    info = bag.plain;
  } else {
    const opened = await openSealed(item.alias, bag.encrypted!, unlock, options, (data, password) => decryptPrivateKeyInfo(data, password));
    if ('sealed' in opened) {
      entry.sealed = opened.sealed;
      return entry;
    }
    info = opened.key;
    if (opened.password !== undefined) entry.password = opened.password;
  }
  const node = readDer(info, 'secret key info');
  node.sequence('secret key info');
  const algorithm = node.child(1, 'secret key algorithm').child(0, 'secret key algorithm').oid('secret key algorithm');
  entry.algorithm = secretKeyAlgorithmName(algorithm);
  entry.key = node.child(2, 'secret key').octets('secret key');
  return entry;
}

type Opened = { key: Uint8Array; password?: string } | { sealed: SealedKey };

/**
 * Decrypts an entry's key: with the key password the caller named for it, then with the store
 * password (ERR_KEY_PASSWORD if a named one and the store's both fail); a key that the store
 * password alone does not open stays sealed,
 * since PKCS#12 allows a key password of its own (`openssl pkcs12 -twopass`).
 */
async function openSealed(
  alias: string,
  data: Uint8Array,
  unlock: Unlock,
  options: ReadOptions,
  decrypt: (data: Uint8Array, password: string | null) => Promise<Uint8Array>,
): Promise<Opened> {
  if (options.certificatesOnly) return { sealed: { format: 'PKCS12', data, reason: 'no-password' } };
  const explicit = explicitKeyPassword(options, alias);
  if (explicit !== undefined) {
    for (const candidate of explicit === '' ? ['', null] : [explicit]) {
      const key = await tryDecrypt(decrypt, data, candidate);
      if (key) return explicit === options.password ? { key } : { key, password: explicit };
    }
  }
  // The store password too, as for JKS/JCEKS: most keys share it, and keytool ignores -keypass
  // for PKCS#12, so a --keypass carried over from a JKS script must not lock the keys out.
  for (const candidate of unlock.candidates) {
    if (explicit !== undefined && candidate === explicit) continue;
    const key = await tryDecrypt(decrypt, data, candidate);
    if (key) return { key };
  }
  if (explicit !== undefined) throw new KeyPasswordError(alias);
  const reason = unlock.macVerified || unlock.passwordGiven ? 'wrong-password' : 'no-password';
  return { sealed: { format: 'PKCS12', data, reason } };
}

async function tryDecrypt(
  decrypt: (data: Uint8Array, password: string | null) => Promise<Uint8Array>,
  data: Uint8Array,
  password: string | null,
): Promise<Uint8Array | undefined> {
  try {
    return await decrypt(data, password);
  } catch (error) {
    if (error instanceof PbeDecryptError) return undefined;
    throw error;
  }
}

/** Unique aliases, compared case-insensitively as the JDK does. */
class AliasAllocator {
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(private readonly warnings: string[]) {}

  take(friendlyName: string | undefined): string {
    let alias = friendlyName;
    if (alias === undefined || alias === '') {
      do alias = String(++this.counter);
      while (this.used.has(alias));
    } else if (this.used.has(alias.toLowerCase())) {
      const base = alias;
      let n = 2;
      while (this.used.has(`${base} (${n})`.toLowerCase())) n++;
      alias = `${base} (${n})`;
      this.warnings.push(`two entries are named "${base}"; the second is listed as "${alias}"`);
    }
    this.used.add(alias.toLowerCase());
    return alias;
  }
}
