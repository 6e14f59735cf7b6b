import { EMPTY_NAME_POLICY, isEmptyPolicy, mergeNamePolicies, parseNamePolicy, type NamePolicy } from '../issue/name_policy.js';
import { keepsCaFiles } from './ca_files.js';
import { issuanceExtensions, type ExtraExtension, type IssuanceRules } from '../issue/issuance_checks.js';
import type { Issuer } from '../issue/issuer.js';
import { readCaSettings } from './ca_settings.js';
import type { FileChange } from '../txn/change_set.js';
import { commitChangeSet } from '../txn/change_set.js';
import { issuedRecordOf, recordIssuedChange } from './issuance_record.js';
import { keystoreOutput } from '../fs/keystore_file.js';
import type { Keystore } from '../keystore/model.js';
import { pemArmor } from '../keystore/pem/pem_blocks.js';

/** What the signer adds for one run to the CA's own settings. */
export interface CaRulesInput extends Omit<IssuanceRules, 'crlUrl' | 'caIssuersUrl' | 'strictCommonName'> {
  allowDomains?: readonly string[];
  allowIps?: readonly string[];
}

export const NO_POLICY_WARNING = 'this CA has no name policy, so any name is signed: set one with "hapki ca set --allow-domain/--allow-ip" or give --allow-domain';

/**
 * The rules a CA signs under: its settings beside the keystore (name policy, CRL and AIA URLs)
 * with the run's own additions, and the warning to give when no policy restricts the names.
 */
export async function caSigningRules(caKeystorePath: string, input: CaRulesInput = {}): Promise<{ rules: IssuanceRules; warnings: string[] }> {
  const settings = keepsCaFiles(caKeystorePath) ? await readCaSettings(caKeystorePath) : { policy: EMPTY_NAME_POLICY };
  const { allowDomains, allowIps, ...rest } = input;
  const namePolicy = mergeNamePolicies(settings.policy, input.namePolicy, parseNamePolicy({ domains: allowDomains ?? [], ipRanges: allowIps ?? [] }, { strict: true }));
  const rules: IssuanceRules = { ...rest, namePolicy, ...(settings.crlUrl ? { crlUrl: settings.crlUrl } : {}), ...(settings.caIssuersUrl ? { caIssuersUrl: settings.caIssuersUrl } : {}), ...(settings.strictCommonName ? { strictCommonName: true } : {}) };
  return { rules, warnings: isEmptyPolicy(namePolicy) && !input.allowAnyName ? [NO_POLICY_WARNING] : [] };
}

/**
 * The change that appends what the CA just signed to its issuance record, to commit in one change
 * set with the files that hold the certificates: a kill leaves both or neither. Undefined for an
 * HSM CA (a pkcs11: URI), which has no keystore file to keep a record beside.
 */
export function signedRecordChange(caKeystorePath: string, certificates: readonly Uint8Array[], profile: string, by: string): FileChange | undefined {
  if (!keepsCaFiles(caKeystorePath)) return undefined;
  return recordIssuedChange(caKeystorePath, certificates.map((c) => issuedRecordOf(c, profile, by)));
}

/** A CA opened to sign a certificate it makes itself: its issuer, and where its files are (`caFilesBase`). */
export interface SigningCa {
  issuer: Issuer;
  filesBase: string;
}

/** What a certificate maker adds to sign as a CA; nothing for a self-signed certificate. */
export type CaSigning = { issuer: Issuer; extraExtensions: ExtraExtension[]; namePolicy: NamePolicy } | Record<string, never>;

/** What a CA made, and the line for its issuance record (none for a self-signed certificate or an HSM CA). */
export interface Certified<T> {
  made: T;
  /** Commit with the files that hold `made` (or at once, when it goes elsewhere): until then, nothing records it. */
  record: FileChange | undefined;
}

/**
 * Makes a certificate not from a request (a sub-CA of `ca init --ca`, a token certificate): with
 * a CA, `make` is given its issuer, its name policy and the extensions `sign` writes too (CRL and
 * AIA URLs, a sub-CA's name constraints), and what it makes comes with the change appending it to
 * the CA's issuance record; without one, it signs itself.
 */
export async function certifyWith<T extends { certificate: Uint8Array }>(ca: SigningCa | undefined, profile: 'ca' | 'token', by: string, make: (signing: CaSigning) => Promise<T>): Promise<Certified<T>> {
  if (ca === undefined) return { made: await make({}), record: undefined };
  const { rules } = await caSigningRules(ca.filesBase);
  const made = await make({ issuer: ca.issuer, extraExtensions: issuanceExtensions(profile, rules), namePolicy: rules.namePolicy ?? EMPTY_NAME_POLICY });
  return { made, record: signedRecordChange(ca.filesBase, [made.certificate], profile, by) };
}

/** Where a certified keystore goes: its file, its password, and a PEM copy of its certificate where asked. */
export interface CertifiedOutputs {
  path: string;
  password?: string;
  force: boolean;
  /** The certificate alone, PEM, to hand out (a CA's trust anchor). */
  certificatePath?: string;
}

/**
 * The change set for what certifyWith made into a new keystore: the keystore, the certificate as
 * PEM where asked, and the CA's record of it, so that all of them are written or none.
 */
export async function certifiedKeystoreChanges(certified: Certified<{ store: Keystore; certificate: Uint8Array }>, out: CertifiedOutputs): Promise<FileChange[]> {
  const { made, record } = certified;
  return [
    await keystoreOutput(out.path, made.store, { ...(out.password === undefined ? {} : { password: out.password }), force: out.force }),
    ...(out.certificatePath ? [{ path: out.certificatePath, action: 'write' as const, content: pemArmor('CERTIFICATE', made.certificate), force: out.force, backup: true }] : []),
    ...(record ? [record] : []),
  ];
}

/**
 * certifyWith for what is made in an HSM rather than written to files: the objects are on the
 * token once `make` returns, so the CA's record of the certificate is committed at once.
 */
export async function certifyRecorded<T extends { certificate: Uint8Array }>(ca: SigningCa | undefined, profile: 'ca' | 'token', by: string, make: (signing: CaSigning) => Promise<T>): Promise<T> {
  const { made, record } = await certifyWith(ca, profile, by, make);
  if (record) await commitChangeSet([record]);
  return made;
}
