// hapki's public API: every export by name, nothing re-exported wholesale.

export {
  HapkiError,
  KeystorePasswordError,
  KeyPasswordError,
  KeystoreFormatError,
  KeystoreIntegrityError,
  UnsupportedAlgorithmError,
  UnsupportedEntryError,
  AliasNotFoundError,
  DuplicateAliasError,
  KeyLockedError,
  FileExistsError,
  FileNotFoundError,
  IoError,
  PasswordSourceError,
  PasswordRequiredError,
  UsageError,
  CsrSignatureError,
  PolicyError,
  KeyMismatchError,
  ChainUntrustedError,
  AliasExistsError,
  InvalidArgumentError,
  PathValidationError,
  MeshNoCaError,
  TrustCheckFailedError,
  ProbeError,
  isHapkiError,
} from './errors.js';
export type { HapkiErrorCode, PathValidationErrorCode, ProbeErrorCode } from './errors.js';

export { KEYSTORE_FORMATS, emptyKeystore } from './keystore/model.js';
export type {
  Keystore,
  KeystoreEntry,
  KeystoreFormat,
  PrivateKeyEntry,
  TrustedCertEntry,
  SecretKeyEntry,
  SealedKey,
  EntryType,
} from './keystore/model.js';
export type { ReadOptions, WriteOptions, KeystoreReader, KeystoreWriter } from './keystore/codec.js';
export { aliasKey, aliasesEqual, findEntry, getEntry, uniqueAlias } from './keystore/alias.js';
export { detectFormat } from './keystore/detect.js';
export { readKeystore } from './keystore/read_keystore.js';
export type { ReadKeystoreOptions } from './keystore/read_keystore.js';
export { writeKeystore } from './keystore/write_keystore.js';
export { readPkcs12 } from './keystore/pkcs12/read.js';
export { writePkcs12 } from './keystore/pkcs12/write.js';
export { readJks, readJceks } from './keystore/jks/read.js';
export { writeJks, writeJceks } from './keystore/jks/write.js';
export { readPem } from './keystore/pem/read.js';
export { writePem } from './keystore/pem/write.js';
export { readDerStore } from './keystore/der/read.js';
export { writeDerStore } from './keystore/der/write.js';
export { convertKeystore } from './keystore/convert.js';
export type { Conversion, SkippedEntry } from './keystore/convert.js';
export { exportEntry, EXPORT_PARTS } from './keystore/export_entry.js';
export type { ExportPart } from './keystore/export_entry.js';
export { unlockedKey } from './keystore/unlocked_key.js';
export { summarizeKeystore, summarizeEntry } from './keystore/summary.js';
export type { KeystoreSummary, EntrySummary } from './keystore/summary.js';

export { describeCertificate, certificatePublicKey } from './cert/describe.js';
export { parseCertificate } from './cert/parse_certificate.js';
export { formatName } from './cert/format_name.js';
export { encodeName } from './cert/dn.js';
export type { CertificateSummary } from './cert/describe.js';
export { buildChain } from './cert/chain.js';
export { describePrivateKey, describePublicKey, publicKeyOfPrivateKey, publicKeysEqual } from './crypto/key_info.js';
export type { KeyDescription } from './crypto/key_info.js';
export { sha256Hex } from './crypto/digest.js';
export { decryptPrivateKeyInfo, encryptPrivateKeyInfo } from './crypto/pbe/encrypted_private_key_info.js';

export { defaultCrypto } from './crypto/provider.js';
export type { WebCrypto, WebCryptoKey, WebCryptoKeyPair } from './crypto/provider.js';
export { generateKeyPair, importSigningKey, exportPkcs8, exportSpki, signingAlgorithm, parseKeySpec, KEY_TYPES, EC_CURVES } from './crypto/keys.js';
export type { KeySpec, KeyType, EcCurve, SigningAlgorithm } from './crypto/keys.js';

export { createCa } from './issue/create_ca.js';
export type { CreateCaOptions, CreatedCa } from './issue/create_ca.js';
export { createCsr, createCsrWithKeys } from './issue/create_csr.js';
export type { CreateCsrOptions, CreatedCsr } from './issue/create_csr.js';
export { requestWithNewKey } from './issue/create_key_entry.js';
export type { NewKeyRequestOptions, NewKeyRequest } from './issue/create_key_entry.js';
export { signCsr } from './issue/sign_csr.js';
export type { SignCsrOptions, SignedCertificate } from './issue/sign_csr.js';
export { issuerFromEntry, caEntry, assertCanIssue } from './issue/issuer.js';
export type { Issuer } from './issue/issuer.js';
export { installReply, normalizeFingerprint } from './issue/install_reply.js';
export type { InstallReplyOptions, InstalledReply } from './issue/install_reply.js';
export { addTrustedCertificate } from './issue/add_trusted.js';
export type { AddTrustedOptions, AddedTrusted } from './issue/add_trusted.js';
export { parseSan, mergeSans, formatSan, isDnsName } from './issue/san.js';
export type { SubjectAltName, SanType, SanSources } from './issue/san.js';
export { PROFILES, PROFILE_DEFINITIONS, profileKeyUsage } from './issue/profiles.js';
export type { ProfileName, Profile } from './issue/profiles.js';
export { randomSerial } from './issue/serial.js';
export { readCertificates } from './issue/read_certificates.js';

export { validatePath } from './trust/validate_path.js';
export type { PathValidationOptions, PathValidationResult, PathErrorCode } from './trust/validate_path.js';
export { hostnameMatches, parseIpAddress } from './trust/hostname.js';
export { entryCertificates, storeCertificates } from './trust/path_sources.js';
export { buildTrustMesh, MESH_MODES } from './trust/mesh.js';
export type { MeshMode, MeshRole, MeshNode, TrustMeshOptions, TrustMesh, MeshTrustStore, MeshCertificate } from './trust/mesh.js';
export { checkTrustMesh, trustAnchorsOf, TRUST_CHECK_PURPOSES } from './trust/trust_check.js';
export type { TrustCheckOptions, TrustCheckResult, TrustPairResult, TrustCheckPurpose } from './trust/trust_check.js';
export { probeTls, DEFAULT_PROBE_TIMEOUT_MS } from './trust/probe.js';
export type { ProbeOptions, ProbeResult } from './trust/probe.js';
export { parseProbeTarget } from './trust/probe_target.js';
export type { ProbeTarget } from './trust/probe_target.js';
export { parseDuration } from './trust/duration.js';
export { parseNodeRef, nodeKeyEntry, nodeCertificateChain, nodeStem } from './trust/node_ref.js';
export type { NodeRef } from './trust/node_ref.js';

export { openKeystore, saveKeystore } from './fs/keystore_file.js';
export type { SaveKeystoreOptions } from './fs/keystore_file.js';
export { writeFileAtomic } from './fs/atomic_write.js';
export type { WriteFileOptions } from './fs/atomic_write.js';
export { readFileBytes } from './fs/read_file.js';
