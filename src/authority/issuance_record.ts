import { createHash } from 'node:crypto';
import { issuedUnder } from '../cert/certificate_signature.js';
import { basicConstraintsOf, BASIC_CONSTRAINTS_OID } from '../cert/basic_constraints.js';
import { formatName } from '../cert/format_name.js';
import { readTbs } from '../cert/tbs.js';
import { formatGeneralNames } from '../cert/general_names.js';
import { InvalidArgumentError, NotFoundError, UsageError } from '../errors.js';
import { toHex } from '../lib/bytes.js';
import type { FileChange } from '../txn/change_set.js';
import { escapeText } from '../text/escape.js';
import { caFiles, keepsCaFiles, readOptionalText, requireCaFile, updateCaFile } from './ca_files.js';

export const REVOCATION_REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', 'privilegeWithdrawn'] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];
/** CRLReason codes (RFC 5280 5.3.1). */
export const REASON_CODES: Readonly<Record<RevocationReason, number>> = { unspecified: 0, keyCompromise: 1, cACompromise: 2, affiliationChanged: 3, superseded: 4, cessationOfOperation: 5, certificateHold: 6, privilegeWithdrawn: 9 };

/** One certificate the CA signed. */
export interface IssuedRecord {
  type: 'issued';
  /** Lower-case hex without leading zeros. */
  serial: string;
  subject: string;
  names: string[];
  notBefore: string;
  notAfter: string;
  sha256: string;
  profile: string;
  /** When it was signed, ISO 8601. */
  at: string;
  /** The command that signed it: sign, ca init, token issue, apply; "unrecorded" for one signed outside the record, added when revoked. */
  by: string;
}

export interface RevokedRecord {
  type: 'revoked';
  serial: string;
  reason: RevocationReason;
  at: string;
}

export interface CrlRecord {
  type: 'crl';
  number: number;
  at: string;
  nextUpdate: string;
}

export type RecordLine = IssuedRecord | RevokedRecord | CrlRecord;

/** A certificate of the record with its revocation, if any. */
export interface IssuedCertificate extends IssuedRecord {
  revoked?: { reason: RevocationReason; at: string };
}

export function normalizeSerial(text: string): string {
  const hex = text.trim().toLowerCase().replace(/^0x/, '').replace(/:/g, '');
  if (!/^[0-9a-f]+$/.test(hex)) throw new InvalidArgumentError(`serial "${escapeText(text)}" is not hexadecimal`);
  return hex.replace(/^0+(?=.)/, '');
}

/** The record line for a certificate just signed. */
export function issuedRecordOf(certificate: Uint8Array, profile: string, by: string, at = new Date()): IssuedRecord {
  const tbs = readTbs(certificate);
  const san = tbs.extensions.get('2.5.29.17');
  return {
    type: 'issued',
    serial: normalizeSerial(toHex(tbs.serial)),
    subject: formatName(tbs.subject),
    names: san ? formatGeneralNames(san.value) : [],
    notBefore: tbs.notBefore.toISOString(),
    notAfter: tbs.notAfter.toISOString(),
    sha256: createHash('sha256').update(certificate).digest('hex'),
    profile,
    at: at.toISOString(),
    by,
  };
}

/** Appends certificates the CA keystore at this path has signed to its record. */
export async function recordIssued(caKeystorePath: string, records: readonly IssuedRecord[]): Promise<void> {
  if (records.length === 0) return;
  await appendLines(caKeystorePath, records);
}

export async function readRecord(caKeystorePath: string): Promise<RecordLine[]> {
  const path = caFiles(caKeystorePath).record;
  return parseRecord(await readOptionalText(path), path);
}

function parseRecord(text: string | undefined, path: string): RecordLine[] {
  if (text === undefined) return [];
  return text.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new InvalidArgumentError(`${escapeText(path)}:${i + 1}: not a record line (one JSON object per line)`);
    }
    const problem = recordLineProblem(parsed);
    if (problem) throw new InvalidArgumentError(`${escapeText(path)}:${i + 1}: not a record line as hapki writes them (${problem})`);
    return [parsed as RecordLine];
  });
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
const isTime = (v: unknown): boolean => typeof v === 'string' && ISO_TIME.test(v) && !Number.isNaN(Date.parse(v));
// the record writes serials as normalizeSerial does; RFC 5280 serials are at most 20 octets
const isSerial = (v: unknown): boolean => typeof v === 'string' && /^[0-9a-f]{1,40}$/.test(v);

/**
 * What is wrong with one parsed line, or undefined. Every field a reader of the record uses is
 * checked here, once: a line edited by hand or cut short otherwise surfaced later as a crash of
 * `ca issued`, or as a CRL numbered NaN or 1e+300. Fields a later version may add are kept.
 */
function recordLineProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const o = v as Record<string, unknown>;
  switch (o.type) {
    case 'issued':
      if (!isSerial(o.serial)) return 'serial is not lower-case hexadecimal of at most 20 octets';
      if (typeof o.subject !== 'string' || typeof o.profile !== 'string' || typeof o.by !== 'string') return 'subject, profile and by must be strings';
      if (!Array.isArray(o.names) || o.names.some((n) => typeof n !== 'string')) return 'names must be a list of strings';
      if (!isTime(o.notBefore) || !isTime(o.notAfter) || !isTime(o.at)) return 'notBefore, notAfter and at must be ISO 8601 UTC times';
      if (typeof o.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(o.sha256)) return 'sha256 must be 64 hexadecimal digits';
      return undefined;
    case 'revoked':
      if (!isSerial(o.serial)) return 'serial is not lower-case hexadecimal of at most 20 octets';
      if (!REVOCATION_REASONS.includes(o.reason as RevocationReason)) return `reason must be one of ${REVOCATION_REASONS.join(', ')}`;
      if (!isTime(o.at)) return 'at must be an ISO 8601 UTC time';
      return undefined;
    case 'crl':
      if (!Number.isSafeInteger(o.number) || (o.number as number) < 1) return 'number must be a whole number from 1';
      if (!isTime(o.at) || !isTime(o.nextUpdate)) return 'at and nextUpdate must be ISO 8601 UTC times';
      return undefined;
    default:
      return 'type must be issued, revoked or crl';
  }
}

/** The certificates of the record, oldest first, each with its revocation. */
export function issuedCertificates(lines: readonly RecordLine[]): IssuedCertificate[] {
  const revoked = new Map<string, { reason: RevocationReason; at: string }>();
  for (const line of lines) {
    if (line.type !== 'revoked') continue;
    const first = revoked.get(line.serial);
    // the first revocation stands, its date too; only a reason update RFC 5280 allows replaces its
    // reason. revokeSerial judged the certificate's kind when it wrote the line (from the
    // certificate itself where it was given), so the record is replayed as a CA's would be
    if (!first) revoked.set(line.serial, { reason: line.reason, at: line.at });
    else if (reasonUpdates(first.reason, line.reason, 'ca')) revoked.set(line.serial, { reason: line.reason, at: first.at });
  }
  return lines.filter((l): l is IssuedRecord => l.type === 'issued').map((l) => {
    const r = revoked.get(l.serial);
    return r ? { ...l, revoked: r } : { ...l };
  });
}

/** What a revoked certificate is, as far as its revocation reason goes. */
export type CertificateKind = 'ca' | 'end-entity';

/** 'ca' for a certificate whose basicConstraints say cA, else 'end-entity'. */
export function certificateKind(certificate: Uint8Array): CertificateKind {
  return basicConstraintsOf(readTbs(certificate).extensions.get(BASIC_CONSTRAINTS_OID)).ca ? 'ca' : 'end-entity';
}

/**
 * Why `reason` cannot be given for a certificate of this kind (RFC 5280 5.3.1), or undefined.
 * cACompromise says a CA's key is compromised: on an end-entity certificate it would say its
 * issuer is, which the issuer's own revocation says (the root programs refuse it there; an
 * end-entity key compromise is keyCompromise). Every other reason hapki offers fits both kinds:
 * aACompromise (attribute certificates) and removeFromCRL (delta CRLs) are not offered.
 */
export function reasonProblem(reason: RevocationReason, kind: CertificateKind): string | undefined {
  if (reason === 'cACompromise' && kind !== 'ca') return 'cACompromise is for a CA certificate whose key is compromised (RFC 5280 5.3.1); for an end-entity certificate whose key is, give keyCompromise';
  return undefined;
}

/**
 * Whether a revoked certificate's reason may change to `next`: a hold (certificateHold, RFC 5280
 * 5.3.1) becomes a permanent revocation, and any other reason becomes a key compromise once the
 * key is known compromised (relying parties treat it differently; the Mozilla and CA/B rules
 * require a CA to allow that update): keyCompromise, or for a CA certificate cACompromise, the
 * more specific, to which a CA's keyCompromise may move too. A compromise is never weakened
 * (cACompromise does not become keyCompromise). Nothing else changes a revocation.
 */
export function reasonUpdates(current: RevocationReason, next: RevocationReason, kind: CertificateKind): boolean {
  if (current === next || reasonProblem(next, kind)) return false;
  if (current === 'certificateHold') return true;
  if (next === 'keyCompromise') return current !== 'cACompromise';
  return next === 'cACompromise';
}

/** What the CA at `caKeystorePath` (its keystore, or an HSM CA's certificate file) has issued, with revocations; the CA file must exist. */
export async function issuedBy(caKeystorePath: string): Promise<IssuedCertificate[]> {
  if (keepsCaFiles(caKeystorePath)) await requireCaFile(caKeystorePath);
  return issuedCertificates(await readRecord(caKeystorePath));
}

/**
 * Marks a certificate of the record revoked (the record alone; `crl` publishes it). A serial the
 * record does not hold is refused: a CA revokes what it issued. With `certificate` (DER), it must
 * be the very certificate the record holds under that serial; or, when the record has none under
 * it and `caCertificate` is given, one that CA certificate's key signed under its name (issued
 * before hapki kept the record, or by another tool with the same key, as `openssl ca -revoke`
 * takes): it is added to the record, revoked.
 */
export async function revokeSerial(
  caKeystorePath: string,
  serialText: string,
  reason: RevocationReason = 'unspecified',
  at = new Date(),
  certificate?: Uint8Array,
  caCertificate?: Uint8Array | (() => Promise<Uint8Array>),
): Promise<IssuedCertificate> {
  const serial = normalizeSerial(serialText);
  if (!REVOCATION_REASONS.includes(reason)) throw new UsageError(`--reason must be one of ${REVOCATION_REASONS.join(', ')}`);
  // the certificate is the one revoked: a serial of another (recorded as revoked beside it, added
  // as issued and not revoked) would put in the record a revocation of a certificate nobody named
  if (certificate && serialOf(certificate) !== serial) throw new InvalidArgumentError(`the certificate's serial is ${serialOf(certificate)}, not ${serial}`);
  if (keepsCaFiles(caKeystorePath)) await requireCaFile(caKeystorePath);
  const path = caFiles(caKeystorePath).record;
  // the CA certificate is read (it may need the CA's password) only for a certificate the record lacks; the record only grows
  let caCert = typeof caCertificate === 'function' ? undefined : caCertificate;
  if (certificate && typeof caCertificate === 'function' && !issuedCertificates(parseRecord(await readOptionalText(path), path)).some((c) => c.serial === serial)) caCert = await caCertificate();
  let result: IssuedCertificate | undefined;
  // judged on the record as it is under its lock: two revokes of one serial at once add one line
  await updateCaFile(path, (current) => {
    const target = issuedCertificates(parseRecord(current, path)).find((c) => c.serial === serial);
    if (!target) {
      if (!certificate || !caCert) throw new NotFoundError(`serial ${serial} is not in the issuance record of ${escapeText(caKeystorePath)}${certificate ? '' : ' (give the certificate itself, --cert, if this CA signed it before hapki kept its record)'}`);
      if (!issuedUnder(certificate, caCert)) throw new NotFoundError(`serial ${serial} is not in the issuance record of ${escapeText(caKeystorePath)}, and the certificate is not signed by this CA's key under its name`);
      // signed by this CA outside its record: recorded now, with its revocation
      refuseReason(reason, certificateKind(certificate), serial);
      // when and how it was signed is not known: its notBefore stands for the time, "unrecorded" for
      // the command; a CA certificate's profile says it is one, for a later reason update by serial
      const issued = issuedRecordOf(certificate, certificateKind(certificate) === 'ca' ? 'ca' : 'unknown', 'unrecorded', readTbs(certificate).notBefore);
      const line: RevokedRecord = { type: 'revoked', serial, reason, at: at.toISOString() };
      result = { ...issued, revoked: { reason, at: line.at } };
      return withLines(current, [issued, line]);
    }
    // revoking by certificate: that certificate, not another with its serial (another CA's, or one
    // made up to get a victim's certificate revoked)
    if (certificate && createHash('sha256').update(certificate).digest('hex') !== target.sha256) {
      throw new NotFoundError(`the certificate is not the one ${escapeText(caKeystorePath)} issued with serial ${serial} (its SHA-256 differs from the record's): another CA's certificate, or an altered one`);
    }
    // the certificate given is the recorded one; without it the record's profile tells a CA's
    const kind = certificate ? certificateKind(certificate) : target.profile === 'ca' ? 'ca' : 'end-entity';
    refuseReason(reason, kind, serial, certificate === undefined && target.profile !== 'ca');
    if (target.revoked) {
      if (!reasonUpdates(target.revoked.reason, reason, kind)) {
        result = target;
        return current ?? '';
      }
      // the reason changes (a hold made permanent, or keyCompromise learnt later); the revocation date stays
      const update: RevokedRecord = { type: 'revoked', serial, reason, at: target.revoked.at };
      result = { ...target, revoked: { reason, at: update.at } };
      return withLines(current, [update]);
    }
    const line: RevokedRecord = { type: 'revoked', serial, reason, at: at.toISOString() };
    result = { ...target, revoked: { reason, at: line.at } };
    return withLines(current, [line]);
  });
  return result!;
}

function refuseReason(reason: RevocationReason, kind: CertificateKind, serial: string, fromRecordOnly = false): void {
  const problem = reasonProblem(reason, kind);
  if (!problem) return;
  throw new InvalidArgumentError(`serial ${serial} is ${kind === 'ca' ? 'a CA' : 'an end-entity'} certificate: ${problem}${fromRecordOnly ? ' (if this CA signed it as a CA outside hapki, give the certificate, --cert)' : ''}`);
}

/** The serial of a certificate (DER), as the record writes it. */
export function serialOf(certificate: Uint8Array): string {
  return normalizeSerial(toHex(readTbs(certificate).serial));
}

/** Reserves the next CRL number (one more than the last published) and records the CRL. */
export async function nextCrlNumber(caKeystorePath: string, at: Date, nextUpdate: Date): Promise<number> {
  let number = 0;
  await updateCaFile(caFiles(caKeystorePath).record, (current) => {
    // a record that does not parse stops the CRL: skipping its lines could reuse a CRL number
    const last = parseRecord(current, caFiles(caKeystorePath).record).reduce((n, line) => (line.type === 'crl' ? Math.max(n, line.number) : n), 0);
    number = last + 1;
    const line: CrlRecord = { type: 'crl', number, at: at.toISOString(), nextUpdate: nextUpdate.toISOString() };
    return withLines(current, [line]);
  });
  return number;
}

/**
 * The change that appends certificates to the record, for a caller that commits it in one change
 * set with the files the certificates go into (apply): a kill then leaves both old or both new,
 * never keystores holding certificates the record does not know (which no rerun adds).
 */
export function recordIssuedChange(caKeystorePath: string, records: readonly IssuedRecord[]): FileChange | undefined {
  if (records.length === 0) return undefined;
  return { path: caFiles(caKeystorePath).record, action: 'update', mode: 0o644, content: (current) => withLines(current === undefined ? undefined : new TextDecoder().decode(current), records) };
}

async function appendLines(caKeystorePath: string, lines: readonly RecordLine[]): Promise<void> {
  await updateCaFile(caFiles(caKeystorePath).record, (current) => withLines(current, lines));
}

/**
 * The record with `lines` appended. Each is held to the check its readers make first: a line they
 * refuse would stop every later `ca issued`, `crl` and `revoke` on this CA (revoke --cert of a
 * certificate signed outside hapki with a serial over RFC 5280's 20 octets wrote one, and the
 * record read no more). Refused here, nothing is written, the record stays readable.
 */
function withLines(current: string | undefined, lines: readonly RecordLine[]): string {
  for (const line of lines) {
    const problem = recordLineProblem(line);
    if (problem) throw new InvalidArgumentError(`the issuance record cannot hold ${line.type === 'crl' ? `CRL number ${line.number}` : `serial ${line.serial}`} (${problem}): nothing was recorded`);
  }
  const head = current === undefined || current === '' || current.endsWith('\n') ? current ?? '' : `${current}\n`;
  return head + lines.map((l) => `${JSON.stringify(l)}\n`).join('');
}
