// hapki's public API: every export by name, nothing re-exported wholesale.

export {
  HapkiError,
  KeystorePasswordError,
  KeyPasswordError,
  KeystoreFormatError,
  CrlFormatError,
  OcspFormatError,
  OcspResponderError,
  OcspFetchError,
  KeystoreIntegrityError,
  UnsupportedAlgorithmError,
  UnsupportedEntryError,
  UnsupportedKeystoreError,
  AliasNotFoundError,
  DuplicateAliasError,
  KeyLockedError,
  FileExistsError,
  FileNotFoundError,
  IoError,
  RemoteIoError,
  LockedError,
  ConcurrentChangeError,
  UnsafePathError,
  RecoveryFailedError,
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
  TokenDistributeError,
  TokenDriftError,
  ClusterFileError,
  ClusterNotConvergedError,
  AuditConfigError,
  isHapkiError,
} from './errors.js';
export type { HapkiErrorCode, PathValidationErrorCode, ProbeErrorCode, TokenInstanceFailure } from './errors.js';

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
export type { ReadOptions, WriteOptions, KeystoreReader, KeystoreWriter, KeystoreEntryStream } from './keystore/codec.js';
export { aliasKey, aliasesEqual, findEntry, getEntry, uniqueAlias } from './keystore/alias.js';
export { detectFormat } from './keystore/detect.js';
export { readKeystore, readKeystoreEntries } from './keystore/read_keystore.js';
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

export type { Signer } from './crypto/signer.js';
export { nodeSigner } from './crypto/node_signer.js';
export { webCryptoSigner } from './crypto/webcrypto_signer.js';
export { generateSigningKey } from './crypto/generate_key.js';
export { createCa, createCaCertificate } from './issue/create_ca.js';
export type { CreateCaOptions, CreatedCa } from './issue/create_ca.js';
export { createCsr, createCsrForAlias, createCsrWithKeys, createCsrWithSigner } from './issue/create_csr.js';
export type { CreateCsrOptions, CreatedCsr } from './issue/create_csr.js';
export { requestWithNewKey } from './issue/create_key_entry.js';
export type { NewKeyRequestOptions, NewKeyRequest } from './issue/create_key_entry.js';
export { certificateToTrust, checkImportRequest, importChange, passwordlessStore } from './issue/import_change.js';
export type { ImportChoice, ImportOutcome, ImportRequest, KeystoreChange } from './issue/import_change.js';
export { checkCsrRequest, newKeyRequestChanges } from './issue/new_key_request_files.js';
export type { CsrRequestChoice, KeystoreToRewrite } from './issue/new_key_request_files.js';
export { signCsr, signCsrs } from './issue/sign_csr.js';
export type { SignCsrOptions, SignedCertificate, CsrToSign, BatchResult } from './issue/sign_csr.js';
export { checkSigningOptions, prepareSigning, signedFiles } from './authority/sign_requests.js';
export type { NamedRequest, RequestSigner, SignRequestsOptions, SignedRequests, SigningChoices } from './authority/sign_requests.js';
export { buildCrl, CRL_REASONS } from './issue/build_crl.js';
export type { CrlContent, CrlReason, RevokedCertificate } from './issue/build_crl.js';
export { issuerFromEntry, caEntry, assertCanIssue, signerForKey } from './issue/issuer.js';
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
export { readCertificates } from './keystore/read_certificates.js';

export { validatePath } from './trust/validate_path.js';
export { TrustAnchors } from './trust/trust_anchors.js';
export type { PathValidationOptions, PathValidationResult, PathErrorCode, CertificateRevocation } from './trust/validate_path.js';
export type { PolicyOptions } from './trust/policy_tree.js';
export { readCrl, MAX_CRL_BYTES, MAX_CRL_ENTRIES } from './revocation/crl_read.js';
export type { Crl, CrlEntry } from './revocation/crl_read.js';
export { crlsFromBytes } from './revocation/crl_bytes.js';
export { buildOcspRequest, certIdOf } from './revocation/ocsp_request.js';
export type { CertId, OcspRequest } from './revocation/ocsp_request.js';
export { readOcspResponse, MAX_OCSP_RESPONSE_BYTES } from './revocation/ocsp_read.js';
export type { OcspResponse, OcspSingleResponse } from './revocation/ocsp_read.js';
export { checkOcspResponse, OCSP_CLOCK_SKEW_MS } from './revocation/ocsp_check.js';
export type { OcspOptions, OcspCheckContext } from './revocation/ocsp_check.js';
export { postOcspRequest } from './revocation/ocsp_fetch.js';
export type { RevocationStatus, RevocationSource } from './revocation/revocation_source.js';
export { hostnameMatches, parseIpAddress } from './trust/hostname.js';
export { anchorsForPurpose, entryCertificates, storeCertificates, subjectCertificates, trustAnchorsFor, trustCertificates } from './trust/path_sources.js';
export type { CertificateSource } from './trust/path_sources.js';
export { buildTrustMesh, MESH_MODES, meshMode } from './trust/mesh.js';
export type { MeshMode, MeshRole, MeshNode, TrustMeshOptions, TrustMesh, MeshTrustStore, MeshCertificate } from './trust/mesh.js';
export { checkTrustMesh, trustAnchorsOf, trustAnchorsWithTrustOf, TRUST_CHECK_PURPOSES, trustCheckPurpose } from './trust/trust_check.js';
export { findTrustStore, meshStoreChanges, meshStoreFiles, readMeshStores, refuseExistingMeshStores } from './trust/trust_store_files.js';
export type { TrustStoreLookup } from './trust/trust_store_files.js';
export type { TrustCheckOptions, TrustCheckResult, TrustPairResult, TrustCheckPurpose } from './trust/trust_check.js';
export { probeTls, DEFAULT_PROBE_TIMEOUT_MS } from './trust/probe.js';
export type { ProbeOptions, ProbeResult } from './trust/probe.js';
export { parseProbeTarget } from './trust/probe_target.js';
export type { ProbeTarget } from './trust/probe_target.js';
export { parseDuration } from './trust/duration.js';
export { parseNodeRef, nodeKeyEntry, nodeCertificateChain, nodeStem } from './trust/node_ref.js';
export type { NodeRef } from './trust/node_ref.js';

export { checkTokenSource, issueTokenCertificate, tokenKeyUsage, DEFAULT_TOKEN_DAYS, DEFAULT_TOKEN_ALIAS } from './token/issue_token.js';
export type { IssueTokenOptions, IssuedToken, TokenSourceChoice } from './token/issue_token.js';
export { tokenFromEntry } from './token/token_from_entry.js';
export type { TokenFromEntryOptions } from './token/token_from_entry.js';
export { tokenMaterialOf, tokenKeyEntry } from './token/token_material.js';
export { keyMatchesCertificate, certificatesForKey } from './cert/key_match.js';
export type { TokenMaterial } from './token/token_material.js';
export { installToken, stageToken, activateToken, retireToken, TOKEN_STEPS, tokenStep } from './token/rotation.js';
export type { TokenStep, TokenChange, TokenTransform } from './token/rotation.js';
export { tokenState, nextAlias, previousAlias } from './token/token_state.js';
export type { TokenState, TokenKeyFacts, TokenCertificateFacts } from './token/token_state.js';
export { checkTokenConsistency } from './token/check_token.js';
export type { TokenCheckInput, TokenCheckReport, TokenInstanceReport, TokenInstanceStatus } from './token/check_token.js';
export { renderTokenCheck } from './token/check_token_text.js';
export { planTokenDistribution, distributeToken } from './token/distribute_token.js';
export type { TokenInstance, TokenDistributionOptions, TokenPlan, PlannedInstance, TokenDistribution } from './token/distribute_token.js';
export { renderTokenPlan, renderTokenDistribution } from './token/distribute_token_text.js';
export { localTokenFiles } from './token/instance_files.js';
export type { TokenFileLayer } from './token/instance_files.js';
export { parseInstanceList, instanceNames } from './token/instance_list.js';
export type { InstanceSpec } from './token/instance_list.js';

export { loadClusterFile, parseClusterFile, CLUSTER_SCHEMA } from './cluster/load_cluster_file.js';
export type { ClusterFile, ClusterCa, ClusterNode, ClusterReplication, ClusterReplicationNode, ClusterToken, ClusterStore } from './cluster/cluster_file.js';
export { parsePasswordSource, describePasswordSource, PASSWORD_SOURCE_FORMS } from './secrets/password_source.js';
export type { PasswordSource } from './secrets/password_source.js';
export { parseSecretRef, resolveSecret, describeSecretRef } from './cluster/secrets.js';
export type { SecretRef, ResolveSecretOptions } from './cluster/secrets.js';
export { planCluster } from './cluster/plan_cluster.js';
export type { PlanClusterOptions } from './cluster/plan_cluster.js';
export type { ClusterPlan, ClusterStep, ClusterStepKind, PlannedWrite } from './cluster/cluster_plan.js';
export { renderClusterPlan } from './cluster/plan_text.js';
export { applyCluster } from './cluster/apply_cluster.js';
export type { ApplyClusterOptions, AppliedCluster } from './cluster/apply_cluster.js';
export { renderApplied } from './cluster/apply_text.js';
export { createLab } from './cluster/create_lab.js';
export type { CreateLabOptions, CreatedLab } from './cluster/create_lab.js';
export { certificateState } from './cluster/certificate_state.js';
export { clusterAuditOptions } from './cluster/cluster_audit_options.js';
export { loadClusterWithSsh } from './cluster/cluster_ssh.js';

export { runAudit, DEFAULT_WARN_MS, DEFAULT_CRIT_MS } from './audit/run_audit.js';
export type { AuditOptions, AuditReport, AuditedCertificate } from './audit/run_audit.js';
export { auditOptionsFrom } from './audit/audit_options.js';
export type { AuditRequest } from './audit/audit_options.js';
export { parseAuditConfig } from './audit/config.js';
export { readAuditConfigFile } from './audit/config_file.js';
export { AUDIT_FORMATS, auditRenderer } from './audit/report/formats.js';
export type { AuditFormat } from './audit/report/formats.js';
export type { AuditConfig, PasswordRule, ParseAuditConfigOptions } from './audit/config.js';
export { passwordLookup } from './audit/passwords.js';
export type { PasswordLookup, PasswordSourceResolver } from './audit/passwords.js';
export { globMatches, globToRegExp } from './audit/glob.js';
export { parseThreshold } from './audit/duration.js';
export { parseTokenGroup, parseTrustGroup } from './audit/groups.js';
export { parseIgnoreRule } from './audit/ignore.js';
export type { IgnoreRule } from './audit/ignore.js';
export { AUDIT_CHECKS, CHECK_IDS } from './audit/rules/index.js';
export { worstSeverity, SEVERITY_EXIT_CODES } from './audit/model.js';
export type { Severity, CheckId, AuditCheck, CheckHit, Finding, CertificateLocation, AuditCertificate, AuditSource, AuditInput, TokenGroup, TrustGroup } from './audit/model.js';
export { renderAuditText } from './audit/report/text.js';
export { renderAuditJson, auditJson } from './audit/report/json.js';
export type { AuditJson } from './audit/report/json.js';
export { renderAuditPrometheus } from './audit/report/prometheus.js';

export { openKeystore, saveKeystore, updateKeystore, keystoreOutput } from './fs/keystore_file.js';
export type { SaveKeystoreOptions, UpdateKeystoreOptions } from './fs/keystore_file.js';
// The one write path (src/txn/): every command that changes files states a change set and commits it here.
export { commitChangeSet, contentHash } from './txn/change_set.js';
export type { FileChange, NewContent, CommitOptions, CommitResult } from './txn/change_set.js';
export { configureWritePath, registerTransport, DEFAULT_LOCK_TIMEOUT_MS } from './txn/config.js';
export type { WritePathSettings } from './txn/config.js';
export { recoverTree, recoverFiles } from './txn/recover_paths.js';
export type { DirectoryRecovery, RecoveredChangeSet } from './txn/recover.js';
export { LocalTransport, localTransport } from './transport/local_transport.js';
export type { FileTransport, FileInfo } from './transport/file_transport.js';
export { writeFileAtomic } from './fs/atomic_write.js';
export type { WriteFileOptions } from './fs/atomic_write.js';
export { readFileBytes } from './fs/read_file.js';

export { parsePkcs11Uri, formatPkcs11Uri, isPkcs11Uri } from './pkcs11/uri.js';
export type { Pkcs11Uri, Pkcs11ObjectType } from './pkcs11/uri.js';
export { openPkcs11Key, generatePkcs11Key, createKeyOnToken, listPkcs11Token } from './pkcs11/pkcs11_key.js';
export type { Pkcs11Access, Pkcs11Key } from './pkcs11/pkcs11_key.js';
export { openPkcs11Issuer } from './pkcs11/pkcs11_issuer.js';
export type { Pkcs11Issuer } from './pkcs11/pkcs11_issuer.js';
export { createCaOnToken, issueTokenOnToken } from './pkcs11/certify_on_token.js';
export type { CertifiedOnToken, TokenOnTokenOptions } from './pkcs11/certify_on_token.js';
export { Pkcs11Signer } from './pkcs11/pkcs11_signer.js';
export type { Pkcs11TokenSummary, Pkcs11EntrySummary } from './pkcs11/list_token.js';
export { Pkcs11Error } from './errors.js';
export type { Pkcs11ErrorCode } from './errors.js';
