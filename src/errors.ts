import { printable } from './text/printable.js';

/** Why a certification path is invalid: one code per rule (see validatePath). */
export type PathValidationErrorCode =
  | 'ERR_CHAIN_UNTRUSTED'
  | 'ERR_CHAIN_EXPIRED'
  | 'ERR_CHAIN_NOT_YET_VALID'
  | 'ERR_CHAIN_SIGNATURE'
  | 'ERR_NOT_CA'
  | 'ERR_KEY_USAGE'
  | 'ERR_PATHLEN'
  | 'ERR_PURPOSE'
  | 'ERR_NAME_CONSTRAINTS'
  | 'ERR_HOSTNAME_MISMATCH'
  | 'ERR_UNKNOWN_CRITICAL_EXTENSION'
  | 'ERR_CERT_MALFORMED'
  | 'ERR_WEAK_KEY'
  | 'ERR_WEAK_SIGNATURE'
  | 'ERR_POLICY'
  | 'ERR_REVOKED'
  | 'ERR_REVOCATION_UNKNOWN'
  | 'ERR_OCSP_FORMAT'
  | 'ERR_OCSP_RESPONDER'
  | 'ERR_OCSP_FETCH'
  | 'ERR_OCSP_INVALID';

/** Why a TLS probe got no usable connection. */
export type ProbeErrorCode = 'ERR_PROBE_HANDSHAKE' | 'ERR_PROBE_CLIENT_CERT_REJECTED' | 'ERR_PROBE_TIMEOUT' | 'ERR_PROBE_REFUSED' | 'ERR_PROBE_DNS';

/** Why a PKCS#11 key location could not be used (see src/pkcs11). */
export type Pkcs11ErrorCode =
  | 'ERR_PKCS11_UNAVAILABLE'
  | 'ERR_PKCS11_MODULE'
  | 'ERR_PKCS11_URI'
  | 'ERR_PKCS11_TOKEN_NOT_FOUND'
  | 'ERR_PKCS11_PIN'
  | 'ERR_PKCS11_OBJECT_NOT_FOUND'
  | 'ERR_PKCS11_OBJECT_EXISTS'
  | 'ERR_PKCS11_DEVICE';

/** Why a remote location could not be reached or used; the message names the host. */
export type SshErrorCode =
  | 'ERR_SSH_LOCATION'
  | 'ERR_SSH_CONFIG'
  | 'ERR_SSH_CONNECT'
  | 'ERR_SSH_HOST_UNKNOWN'
  | 'ERR_SSH_HOST_KEY_MISMATCH'
  | 'ERR_SSH_AUTH'
  | 'ERR_SSH_SUDO'
  | 'ERR_SSH_PERMISSION'
  | 'ERR_SSH_COMMAND'
  | 'ERR_NODE_RESTART'
  | 'ERR_NODE_HEALTH';

/**
 * Every failure hapki reports carries a stable `code`; messages may be reworded, codes may not.
 * Misuse of the library API (a wrong argument type) throws a plain TypeError instead.
 */
export type HapkiErrorCode =
  | 'ERR_KEYSTORE_PASSWORD'
  | 'ERR_KEY_PASSWORD'
  | 'ERR_KEYSTORE_FORMAT'
  | 'ERR_CRL_FORMAT'
  | 'ERR_CRL_FETCH'
  | 'ERR_KEYSTORE_INTEGRITY'
  | 'ERR_UNSUPPORTED_ALGORITHM'
  | 'ERR_UNSUPPORTED_ENTRY'
  | 'ERR_UNSUPPORTED_KEYSTORE'
  | 'ERR_ALIAS_NOT_FOUND'
  | 'ERR_DUPLICATE_ALIAS'
  | 'ERR_KEY_LOCKED'
  | 'ERR_FILE_EXISTS'
  | 'ERR_FILE_NOT_FOUND'
  | 'ERR_IO'
  | 'ERR_LOCKED'
  | 'ERR_CONCURRENT_CHANGE'
  | 'ERR_UNSAFE_PATH'
  | 'ERR_RECOVERY_FAILED'
  | 'ERR_PASSWORD_SOURCE'
  | 'ERR_PASSWORD_REQUIRED'
  | 'ERR_USAGE'
  | 'ERR_CSR_SIGNATURE'
  | 'ERR_POLICY'
  | 'ERR_KEY_MISMATCH'
  | 'ERR_ALIAS_EXISTS'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_MESH_NO_CA'
  | 'ERR_TRUST_CHECK_FAILED'
  | 'ERR_TOKEN_DISTRIBUTE_FAILED'
  | 'ERR_TOKEN_DRIFT'
  | 'ERR_CLUSTER_FILE'
  | 'ERR_CLUSTER_NOT_CONVERGED'
  | 'ERR_AUDIT_CONFIG'
  | 'ERR_CSR_FORMAT'
  | 'ERR_NOT_FOUND'
  | SshErrorCode
  | PathValidationErrorCode
  | ProbeErrorCode
  | Pkcs11ErrorCode;

export class HapkiError extends Error {
  readonly code: HapkiErrorCode;

  constructor(code: HapkiErrorCode, message: string, options?: { cause?: unknown }) {
    // messages quote names and values from input files: never their control characters
    super(printable(message), options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class KeystorePasswordError extends HapkiError {
  constructor(message = 'keystore password was incorrect', options?: { cause?: unknown }) {
    super('ERR_KEYSTORE_PASSWORD', message, options);
  }
}

export class KeyPasswordError extends HapkiError {
  readonly alias: string;

  constructor(alias: string, options?: { cause?: unknown }) {
    super('ERR_KEY_PASSWORD', `key password for alias "${alias}" was incorrect`, options);
    this.alias = alias;
  }
}

/** Bytes that are not a well-formed CRL, or one over hapki's size limits. */
export class CrlFormatError extends HapkiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CRL_FORMAT', message, options);
  }
}

/** Bytes that are not a well-formed OCSP response (RFC 6960), or one over hapki's size limits. */
export class OcspFormatError extends HapkiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_OCSP_FORMAT', message, options);
  }
}

/** The OCSP responder answered with an error status (malformedRequest, internalError, tryLater, sigRequired, unauthorized). */
export class OcspResponderError extends HapkiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_OCSP_RESPONDER', message, options);
  }
}

/** An OCSP responder could not be reached or asked: not http://, a redirect, an HTTP error, too large, too slow. */
export class OcspFetchError extends HapkiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_OCSP_FETCH', message, options);
  }
}

/** A CRL could not be fetched from a distribution point: not http://, a redirect, an HTTP error, too large, too slow. */
export class CrlFetchError extends HapkiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CRL_FETCH', message, options);
  }
}

/**
 * A cause's message for a KeystoreFormatError that wraps it with an offset of its own: the cause's
 * "(at byte N)", relative to the piece it read, is left off so the line names one offset, the file's.
 */
export function causeWithoutOffset(cause: unknown): string {
  const message = (cause as Error)?.message ?? String(cause);
  return cause instanceof KeystoreFormatError && cause.offset !== undefined ? message.replace(/ \(at byte \d+\)$/, '') : message;
}

export class KeystoreFormatError extends HapkiError {
  /** Byte offset in the input where the problem was found, when known. */
  readonly offset: number | undefined;

  constructor(message: string, offset?: number, options?: { cause?: unknown }) {
    super('ERR_KEYSTORE_FORMAT', offset === undefined ? message : `${message} (at byte ${offset})`, options);
    this.offset = offset;
  }
}

/**
 * A keystore or key that would cost more than hapki's bounds allow (src/limits.ts): an iteration
 * count, an RSA number. A format error (the file is refused as hostile or corrupt), refused
 * before the work it would cost.
 */
export class LimitExceededError extends KeystoreFormatError {}

export class KeystoreIntegrityError extends HapkiError {
  constructor(message = 'keystore integrity check failed: the file was tampered with or is corrupt', options?: { cause?: unknown }) {
    super('ERR_KEYSTORE_INTEGRITY', message, options);
  }
}

/**
 * An algorithm, type or class name read from a file, fit for a message: a short plain name as
 * it is, anything else (bytes of a damaged or hostile file) only by its length, so the file's
 * content is not echoed.
 */
function nameFromFile(name: string): string {
  return name.length <= 128 && /^[A-Za-z0-9 _.,:;/()#+=*?<>[\]$-]*$/.test(name) ? name : `(a name of ${name.length} characters hapki does not print)`;
}

export class UnsupportedAlgorithmError extends HapkiError {
  /** The OID or algorithm name that is not supported. */
  readonly algorithm: string;

  constructor(algorithm: string, context?: string) {
    super('ERR_UNSUPPORTED_ALGORITHM', `unsupported algorithm ${nameFromFile(algorithm)}${context ? ` (${context})` : ''}`);
    this.algorithm = algorithm;
  }
}

/**
 * A keystore format hapki recognises but does not read (BouncyCastle's BKS, UBER and BCFKS): the
 * message names it and the keytool command that converts it to PKCS#12.
 */
export class UnsupportedKeystoreError extends HapkiError {
  /** The format's name, as BouncyCastle's KeyStore type: BKS, UBER, BCFKS. */
  readonly format: string;

  constructor(format: string, message: string) {
    super('ERR_UNSUPPORTED_KEYSTORE', message);
    this.format = format;
  }
}

/** An entry the target format cannot hold (a secret key into PEM, for one). */
export class UnsupportedEntryError extends HapkiError {
  constructor(message: string) {
    super('ERR_UNSUPPORTED_ENTRY', message);
  }
}

const MAX_ALIASES_SHOWN = 20;
const MAX_ALIAS_CHARS = 64;

export class AliasNotFoundError extends HapkiError {
  readonly alias: string;
  readonly available: readonly string[];

  constructor(alias: string, available: readonly string[]) {
    // the aliases come from the file: each cut short, and no more than a screenful of them
    const shown = available.slice(0, MAX_ALIASES_SHOWN).map((a) => (a.length > MAX_ALIAS_CHARS ? `${a.slice(0, MAX_ALIAS_CHARS).replace(/[\ud800-\udbff]$/, '')}...` : a));
    const more = available.length > MAX_ALIASES_SHOWN ? ` and ${available.length - MAX_ALIASES_SHOWN} more` : '';
    const list = available.length === 0 ? 'the keystore is empty' : `aliases present: ${shown.join(', ')}${more}`;
    super('ERR_ALIAS_NOT_FOUND', `alias "${alias}" not found; ${list}`);
    this.alias = alias;
    this.available = available;
  }
}

export class DuplicateAliasError extends HapkiError {
  readonly alias: string;

  constructor(alias: string) {
    super('ERR_DUPLICATE_ALIAS', `alias "${alias}" occurs more than once`);
    this.alias = alias;
  }
}

/** A private key that is still encrypted because no (or no correct) password was given. */
export class KeyLockedError extends HapkiError {
  readonly alias: string;

  constructor(alias: string) {
    super('ERR_KEY_LOCKED', `private key of alias "${alias}" is locked: the keystore was opened without its password`);
    this.alias = alias;
  }
}

export class FileExistsError extends HapkiError {
  readonly path: string;

  constructor(path: string) {
    super('ERR_FILE_EXISTS', `${path} already exists (use --force to overwrite)`);
    this.path = path;
  }
}

export class FileNotFoundError extends HapkiError {
  readonly path: string;

  constructor(path: string, options?: { cause?: unknown }) {
    super('ERR_FILE_NOT_FOUND', `${path}: no such file`, options);
    this.path = path;
  }
}

export class IoError extends HapkiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_IO', message, options);
  }
}

/**
 * An I/O failure on another host (a full disk, a read-only filesystem, a directory where a file
 * was expected): ERR_IO, with the host it happened on, so that commands over many hosts report it
 * as that host's problem rather than folding it into their own error.
 */
export class RemoteIoError extends IoError {
  readonly host: string;

  constructor(host: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.host = host;
  }
}

/** Another process holds the lock on a file a change set needs, past the lock timeout. */
export class LockedError extends HapkiError {
  readonly path: string;
  readonly holder: string;

  constructor(path: string, holder: string) {
    super('ERR_LOCKED', `${path} is locked by ${holder} (waited; see --lock-timeout)`);
    this.path = path;
    this.holder = holder;
  }
}

/** A file changed (by its hash) between the read a change was computed from and the commit. */
export class ConcurrentChangeError extends HapkiError {
  readonly path: string;

  constructor(path: string) {
    super('ERR_CONCURRENT_CHANGE', `${path} changed since it was read (another program wrote it): nothing written; run the command again`);
    this.path = path;
  }
}

/** A path whose symbolic link or directory belongs to another user, or a non-regular file where one is written. */
export class UnsafePathError extends HapkiError {
  readonly path: string;

  constructor(path: string, reason: string) {
    super('ERR_UNSAFE_PATH', `${path}: ${reason}`);
    this.path = path;
  }
}

/** An interrupted change set that could be neither finished nor undone. */
export class RecoveryFailedError extends HapkiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_RECOVERY_FAILED', message, options);
  }
}

export class PasswordSourceError extends HapkiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_PASSWORD_SOURCE', message, options);
  }
}

export class PasswordRequiredError extends HapkiError {
  constructor(message: string) {
    super('ERR_PASSWORD_REQUIRED', message);
  }
}

export class UsageError extends HapkiError {
  constructor(message: string) {
    super('ERR_USAGE', message);
  }
}

export function isHapkiError(value: unknown): value is HapkiError {
  return value instanceof HapkiError;
}

/** A certificate request whose self-signature does not verify: altered, or not made with its key. */
export class CsrSignatureError extends HapkiError {
  constructor(message = 'the certificate request signature does not verify: it was altered or not signed with its own key') {
    super('ERR_CSR_SIGNATURE', message);
  }
}

/** A certificate request whose content is malformed: an extension that does not match its schema, a bad value. */
export class CsrFormatError extends HapkiError {
  constructor(message: string) {
    super('ERR_CSR_FORMAT', message);
  }
}

/** A request key no certificate may carry: an RSA exponent or modulus that breaks RSA, an EC point off its curve. */
/** A signature over a hash hapki does not accept (MD5, SHA-1) where one is required. */
export class WeakSignatureError extends HapkiError {
  constructor(message: string) {
    super('ERR_WEAK_SIGNATURE', message);
  }
}

export class WeakKeyError extends HapkiError {
  constructor(message: string) {
    super('ERR_WEAK_KEY', message);
  }
}

/** Something asked for by name or number that the store does not hold (a serial in the issuance record). */
export class NotFoundError extends HapkiError {
  constructor(message: string) {
    super('ERR_NOT_FOUND', message);
  }
}

/** Issuance refused by policy (weak key, a CA asked for, an issuer that is not a CA); the message says why. */
export class PolicyError extends HapkiError {
  constructor(message: string) {
    super('ERR_POLICY', message);
  }
}

/** A certificate whose public key is not the one of the private key it is meant for. */
export class KeyMismatchError extends HapkiError {
  constructor(message: string) {
    super('ERR_KEY_MISMATCH', message);
  }
}

/** A chain that does not end in a trusted root, or whose signatures do not link up. */
export class ChainUntrustedError extends HapkiError {
  constructor(message: string) {
    super('ERR_CHAIN_UNTRUSTED', message);
  }
}

export class AliasExistsError extends HapkiError {
  readonly alias: string;

  constructor(alias: string, message = `alias "${alias}" already exists`) {
    super('ERR_ALIAS_EXISTS', message);
    this.alias = alias;
  }
}

/** A value hapki cannot use: a malformed name, date, SAN or certificate request. */
export class InvalidArgumentError extends HapkiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_ARGUMENT', message, options);
  }
}

/** A CA-mode trust mesh for a node whose chain has no CA above its certificate (self-signed, or the chain not installed). */
export class MeshNoCaError extends HapkiError {
  readonly node: string;

  constructor(node: string, message: string) {
    super('ERR_MESH_NO_CA', message);
    this.node = node;
  }
}

/** At least one node of a mesh does not trust a peer it must; the pairs were printed before. */
export class TrustCheckFailedError extends HapkiError {
  constructor(message: string) {
    super('ERR_TRUST_CHECK_FAILED', message);
  }
}

/** A TLS probe that did not get as far as a usable connection: refused, timed out, not TLS, our certificate rejected. */
export class ProbeError extends HapkiError {
  constructor(code: ProbeErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A PKCS#11 key location that could not be used: binding missing, module, token, PIN, object, device; `code` says which. */
export class Pkcs11Error extends HapkiError {
  constructor(code: Pkcs11ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A certification path that failed validation; `code` says which rule (see validatePath). */
export class PathValidationError extends HapkiError {
  constructor(code: PathValidationErrorCode, message: string) {
    super(code, message);
  }
}


/** One instance's part in a failed token distribution: what went wrong there, with its own code. */
export interface TokenInstanceFailure {
  instance: string;
  code: string;
  message: string;
}

/**
 * A token distribution that did not happen: an instance could not be prepared (nothing was
 * written), or a write or read-back failed (every instance written was restored). `failures`
 * says which instance failed and why; `restoreFailed` lists instances that could not be put back.
 */
export class TokenDistributeError extends HapkiError {
  readonly phase: 'prepare' | 'write' | 'verify';
  readonly failures: readonly TokenInstanceFailure[];
  /** Kept for callers of the former restore-on-failure: always empty, the write is one change set. */
  readonly restoreFailed: readonly string[];

  constructor(phase: 'prepare' | 'write' | 'verify', failures: readonly TokenInstanceFailure[], restoreFailed: readonly string[] = [], options?: { cause?: unknown }) {
    const what = failures.map((f) => `${f.instance}: ${f.message} (${f.code})`).join('; ');
    const outcome = phase === 'prepare' ? 'nothing was written' : phase === 'write' ? 'no instance was changed (all or nothing)' : 'every instance was written, but one does not read back as planned';
    super('ERR_TOKEN_DISTRIBUTE_FAILED', `token not distributed: ${what}; ${outcome}`, options);
    this.phase = phase;
    this.failures = failures;
    this.restoreFailed = restoreFailed;
  }
}

/** The instances of a cluster do not all hold the same token certificate; the table was printed before. */
export class TokenDriftError extends HapkiError {
  constructor(message: string) {
    super('ERR_TOKEN_DRIFT', message);
  }
}

/** A cluster file that does not parse or does not fit the schema; the message points at the line. */
export class ClusterFileError extends HapkiError {
  /** The cluster file, as given. */
  readonly file: string;
  /** Every problem found, "cluster.yaml:12: gateway.instances[1].keystore: required"; the message holds the first. */
  readonly problems: readonly string[];

  constructor(file: string, problems: readonly string[]) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    super('ERR_CLUSTER_FILE', `${problems[0] ?? `${file}: invalid cluster file`}${more}`);
    this.file = file;
    this.problems = problems;
  }
}

/** An apply that wrote everything it planned, yet a fresh plan still finds changes to make. */
export class ClusterNotConvergedError extends HapkiError {
  readonly remaining: readonly string[];

  constructor(remaining: readonly string[]) {
    super('ERR_CLUSTER_NOT_CONVERGED', `the cluster did not converge: after applying, ${remaining.length} change${remaining.length === 1 ? ' is' : 's are'} still planned: ${remaining.join('; ')}`);
    this.remaining = remaining;
  }
}

/** An audit configuration file hapki cannot use: bad YAML, an unknown key, a wrong type; `line` is 1-based. */
export class AuditConfigError extends HapkiError {
  readonly line: number | undefined;

  constructor(message: string, line?: number) {
    super('ERR_AUDIT_CONFIG', message);
    this.line = line;
  }
}

/** A failure reaching or using a remote host over SSH; `host` is how it was named ("user@host:port"). */
export class SshError extends HapkiError {
  readonly host: string;

  constructor(code: SshErrorCode, host: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.host = host;
  }
}

/** A location string that is not a usable `ssh://[user@]host[:port]/absolute/path`. */
export class SshLocationError extends SshError {
  constructor(message: string) {
    super('ERR_SSH_LOCATION', '', message);
  }
}

/** An ssh_config file (~/.ssh/config, --ssh-config) hapki cannot use: unreadable, too large, binary, a bad line, an Include loop. */
export class SshConfigError extends SshError {
  constructor(message: string) {
    super('ERR_SSH_CONFIG', '', message);
  }
}

/** The TCP connection or the SSH handshake failed, or the connection dropped mid-operation. */
export class SshConnectError extends SshError {
  constructor(host: string, why: string, options?: { cause?: unknown }) {
    super('ERR_SSH_CONNECT', host, `${host}: ${why}`, options);
  }
}

/** The host's key is in no known_hosts file: its fingerprint is given to check out of band. */
export class SshHostUnknownError extends SshError {
  readonly fingerprint: string;

  constructor(host: string, keyType: string, fingerprint: string, knownHosts: string) {
    super('ERR_SSH_HOST_UNKNOWN', host, `${host}: host key is not known (${keyType} ${fingerprint}); check the fingerprint, then add it to ${knownHosts} or rerun with --accept-new-host-keys`);
    this.fingerprint = fingerprint;
  }
}

/** The host presented a key other than the one known_hosts holds for it. */
export class SshHostKeyMismatchError extends SshError {
  readonly fingerprint: string;

  constructor(host: string, keyType: string, fingerprint: string, knownHosts: string, why = 'differs from the one') {
    super('ERR_SSH_HOST_KEY_MISMATCH', host, `${host}: HOST KEY CHANGED: the ${keyType} key presented (${fingerprint}) ${why} in ${knownHosts}; refusing to connect`);
    this.fingerprint = fingerprint;
  }
}

/** Every authentication method offered was refused. */
export class SshAuthError extends SshError {
  constructor(host: string, tried: string, options?: { cause?: unknown }) {
    super('ERR_SSH_AUTH', host, `${host}: authentication refused (tried ${tried})`, options);
  }
}

/** `sudo -n` on the host would not run the SFTP server (no rule allows it without a password). */
export class SshSudoError extends SshError {
  constructor(host: string, why: string) {
    super('ERR_SSH_SUDO', host, `${host}: sudo -n failed: ${why}`);
  }
}

/** The remote user may not read or write a path (use --sudo when a service user owns it). */
export class SshPermissionError extends SshError {
  readonly path: string;

  constructor(host: string, path: string, action: string) {
    super('ERR_SSH_PERMISSION', host, `${host}: permission denied to ${action} ${path} (run with --sudo, or ssh.sudo: true, if a service user owns it)`);
    this.path = path;
  }
}

/** A command run over SSH (restart:) failed, or did not finish in time. */
export class SshCommandError extends SshError {
  constructor(host: string, message: string) {
    super('ERR_SSH_COMMAND', host, `${host}: ${message}`);
  }
}

/** A node's before:, restart: or after: command failed or hung; the rollout stopped at this node. */
export class NodeRestartError extends HapkiError {
  readonly node: string;

  constructor(node: string, message: string) {
    super('ERR_NODE_RESTART', `${node}: ${message}`);
    this.node = node;
  }
}

/** A restarted node's endpoint never presented its new certificate with a chain to the cluster CA. */
export class NodeHealthError extends HapkiError {
  readonly node: string;

  constructor(node: string, message: string) {
    super('ERR_NODE_HEALTH', `${node}: ${message}`);
    this.node = node;
  }
}
