import { buildChain } from '../cert/chain.js';
import { certificatePublicKey, describeCertificate, type CertificateSummary } from '../cert/describe.js';
import { signatureMadeBy, weakSignatureOf } from '../cert/certificate_signature.js';
import { formatName } from '../cert/format_name.js';
import { certificateNames, isSelfIssued } from '../cert/names.js';
import { publicKeyOfPrivateKey, publicKeysEqual } from '../crypto/key_info.js';
import type { WebCrypto } from '../crypto/provider.js';
import { ChainUntrustedError, InvalidArgumentError, KeyMismatchError, WeakSignatureError } from '../errors.js';
import { getEntry, uniqueAlias } from '../keystore/alias.js';
import type { Keystore, PrivateKeyEntry, TrustedCertEntry } from '../keystore/model.js';
import { nameFor } from '../keystore/pair_keys.js';
import { unlockedKey } from '../keystore/unlocked_key.js';
import { bytesEqual } from '../lib/bytes.js';

export interface InstallReplyOptions {
  /** The private-key entry the reply is for. */
  alias: string;
  /** The CA reply: the new certificate, alone or in a bundle with its issuers (any order). */
  reply: readonly Uint8Array[];
  /** More CA certificates to build the chain from (--ca). */
  caCertificates?: readonly Uint8Array[];
  /** SHA-256 fingerprint (hex, colons and case ignored) confirming a root the keystore does not yet trust. */
  trustRoot?: string;
  /** Asks whether to trust such a root (a terminal prompt); without it, and without trustRoot, it is refused. */
  confirmRoot?: (root: CertificateSummary) => Promise<boolean>;
  /** Accept SHA-1 signatures in the chain (as `verify --allow-sha1`); MD5, MD4 and MD2 never. */
  allowSha1?: boolean;
  now?: Date;
}

export interface InstalledReply {
  /** A copy of the store with the entry's new chain; the input store is left as it was. */
  store: Keystore;
  /** The entry's new chain, leaf first. */
  chain: Uint8Array[];
  /** The alias the newly trusted root was added under, when it was confirmed here. */
  addedRootAlias?: string;
  /** The entry held this very chain already: `store` is the input store, unchanged. */
  unchanged: boolean;
}

/**
 * Installs a CA reply into a private-key entry, as `keytool -importcert` does: the reply must
 * certify the entry's own key; the chain, built from the reply, the given CA certificates and the
 * keystore's trusted entries, must link up by signature and end in a root the keystore trusts, or
 * one the caller confirms (by fingerprint, or by asking). Never trusts a root silently.
 */
export async function installReply(store: Keystore, options: InstallReplyOptions, _crypto?: WebCrypto): Promise<InstalledReply> {
  const entry = getEntry(store, options.alias);
  if (entry.type !== 'private-key') throw new InvalidArgumentError(`entry "${options.alias}" is a ${entry.type} entry: a CA reply goes into a private-key entry`);
  const publicKey = publicKeyOfPrivateKey(unlockedKey(entry));
  const leaf = options.reply.find((der) => publicKeysEqual(certificatePublicKey(der), publicKey));
  if (!leaf) throw new KeyMismatchError(`the reply certifies another key: no certificate in it matches the private key of "${entry.alias}"`);
  const trusted = store.entries.filter((e): e is TrustedCertEntry => e.type === 'trusted-cert').map((e) => e.certificate);
  const chain = buildChain(leaf, [...options.reply, ...(options.caCertificates ?? []), ...trusted]);
  verifyLinks(chain);
  const anchorAt = chain.findIndex((der, i) => i > 0 && trusted.some((t) => bytesEqual(t, der)));
  const anchored = anchorAt > 0;
  refuseWeakLinks(chain.slice(0, anchored ? anchorAt : chain.length - 1), options.allowSha1 ?? false);
  let addedRoot: TrustedCertEntry | undefined;
  if (!anchored) {
    const root = chain[chain.length - 1]!;
    await confirmRoot(root, options);
    addedRoot = { type: 'trusted-cert', alias: uniqueAlias(store, nameFor(root, 'root-ca')), certificate: root, created: options.now ?? new Date() };
  }
  // the same reply installed again (a rerun script, an Ansible task): nothing to write
  if (!addedRoot && chain.length === entry.chain.length && chain.every((der, i) => bytesEqual(der, entry.chain[i]!))) return { store, chain, unchanged: true };
  const updated: PrivateKeyEntry = { ...entry, chain };
  const entries = store.entries.map((e) => (e === entry ? updated : e));
  if (addedRoot) entries.push(addedRoot);
  return { store: { ...store, entries, warnings: [] }, chain, ...(addedRoot ? { addedRootAlias: addedRoot.alias } : {}), unchanged: false };
}

/** Each certificate must be signed by the next; a self-signed root by itself. */
function verifyLinks(chain: readonly Uint8Array[]): void {
  for (let i = 0; i < chain.length; i++) {
    const names = certificateNames(chain[i]!);
    const signer = i + 1 < chain.length ? certificateNames(chain[i + 1]!) : isSelfIssued(names) ? names : undefined;
    if (!signer) return;
    if (!signatureMadeBy(chain[i]!, signer.spki)) {
      const subject = formatName(names.subject);
      throw new ChainUntrustedError(`"${subject}" is not signed by ${signer === names ? 'its own key' : `"${formatName(signer.subject)}"`}: the chain does not link up`);
    }
  }
}

/**
 * The chain below its trust anchor must be signed with sound hashes, as path validation asks
 * (ERR_WEAK_SIGNATURE): a SHA-1 or MD5 signature can be forged by a collision, so a reply whose
 * leaf or intermediate carries one proves nothing (keytool only warns). The anchor's own
 * signature, a root's self-signature included, is not checked: RFC 5280 trusts the anchor for
 * its key, not its signature. `below` is the chain from the leaf up to, not including, the anchor.
 */
function refuseWeakLinks(below: readonly Uint8Array[], allowSha1: boolean): void {
  for (const der of below) {
    const weak = weakSignatureOf(der);
    if (!weak || (weak.weakness === 'sha1' && allowSha1)) continue;
    const subject = formatName(certificateNames(der).subject);
    throw new WeakSignatureError(`the signature on "${subject}" in the reply chain uses ${weak.name}, a broken hash: ask the CA to sign it with SHA-256 or better${weak.weakness === 'sha1' ? ' (--allow-sha1 accepts SHA-1)' : ''}`);
  }
}

async function confirmRoot(root: Uint8Array, options: InstallReplyOptions): Promise<void> {
  const summary = describeCertificate(root);
  if (!isSelfIssued(certificateNames(root))) {
    throw new ChainUntrustedError(`the chain ends at "${summary.subject}", whose issuer "${summary.issuer}" is not in the reply, the CA certificates given, or the keystore`);
  }
  if (options.trustRoot !== undefined) {
    const wanted = normalizeFingerprint(options.trustRoot);
    if (wanted !== summary.sha256) throw new ChainUntrustedError(`root "${summary.subject}" has SHA-256 fingerprint ${summary.sha256}, not the ${wanted} given to trust`);
    return;
  }
  if (options.confirmRoot && (await options.confirmRoot(summary))) return;
  throw new ChainUntrustedError(
    `root "${summary.subject}" (SHA-256 ${summary.sha256}) is not trusted in the keystore: check the fingerprint and confirm it with --trust-root, or add the root first with --trusted`,
  );
}

/** A SHA-256 fingerprint as hapki prints them: lower-case hex without colons. */
export function normalizeFingerprint(text: string): string {
  const hex = text.replace(/[\s:]/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new InvalidArgumentError(`"${text}" is not a SHA-256 fingerprint (64 hex digits, colons allowed)`);
  return hex;
}

