import type { WebCrypto } from '../crypto/provider.js';
import { HapkiError, UsageError } from '../errors.js';
import type { Issuer } from '../issue/issuer.js';
import { DEFAULT_PROFILE, isProfileName, PROFILES } from '../issue/profiles.js';
import { signCsrs, type BatchResult, type SignCsrOptions, type SignedCertificate } from '../issue/sign_csr.js';
import { pemArmor } from '../keystore/pem/pem_blocks.js';
import type { FileChange } from '../txn/change_set.js';
import { caSigningRules, signedRecordChange, type CaRulesInput } from './issue_with_ca.js';

/** A request of a batch, named by where it came from (its file), so that its refusal says which. */
export interface NamedRequest {
  name: string;
  csr: Uint8Array;
}

/** What one run signs with: the request options and the run's additions to the CA's name policy. */
export interface SignRequestsOptions extends Omit<SignCsrOptions, 'namePolicy' | 'crlUrl' | 'caIssuersUrl'>, CaRulesInput {
  /** Each PEM holds the CA chain after the certificate. */
  chain?: boolean;
  /** Who signed, for the issuance record (default "sign"). */
  by?: string;
}

/** A batch that was signed in full. */
export interface SignedRequests {
  issued: SignedCertificate[];
  /**
   * The change appending the batch to the CA's issuance record: commit it in one change set with
   * the files the PEMs go to (commitChangeSet), or on its own before handing the PEMs out.
   */
  record: FileChange | undefined;
  /** The PEM to write for each request, in order. */
  pems: string[];
  /** What to tell the user: the CA's missing name policy, then each request's own warnings. */
  warnings: string[];
}

/** A CA's signing rules, read before its key is opened; `sign` issues a whole batch under them. */
export interface RequestSigner {
  sign(requests: readonly NamedRequest[], issuer: Issuer, reportFailure?: (error: Error) => void, crypto?: WebCrypto): Promise<SignedRequests>;
}

/**
 * What `hapki sign` does for a batch of requests to the CA whose files are at `caFilesBase`: its
 * settings (name policy, CRL and AIA URLs) are read now; `sign` then issues every request or none
 * (the first refusal is thrown, the others given to `reportFailure`) and returns their PEMs with
 * the change that appends them to the CA's issuance record.
 */
export async function prepareSigning(caFilesBase: string, options: SignRequestsOptions): Promise<RequestSigner> {
  checkSigningOptions(options);
  const { chain, by, allowDomains, allowIps, ...rest } = options;
  const caRules = await caSigningRules(caFilesBase, { ...rest, allowDomains: allowDomains ?? [], allowIps: allowIps ?? [] });
  const signOptions: SignCsrOptions = { ...rest, ...caRules.rules };
  return {
    async sign(requests, issuer, reportFailure = () => {}, crypto) {
      const results = await signCsrs(requests.map(({ csr }) => ({ csr, options: signOptions })), issuer, crypto);
      const issued = allSucceeded(requests.map((r) => r.name), results, reportFailure);
      const record = signedRecordChange(caFilesBase, issued.map((signed) => signed.certificate), options.profile ?? 'server', by ?? 'sign');
      const warnings = issued.some((signed) => signed.sans.length > 0) ? [...caRules.warnings] : [];
      // an HSM CA named by its URI alone has no file to keep a record beside: say so before it matters (revoke)
      if (!record && issued.length > 0) warnings.push('this CA keeps no issuance record (a pkcs11: CA keeps it beside its certificate file, given as --ca-cert): `hapki revoke` and `hapki ca issued` will not know these certificates');
      for (const [i, signed] of issued.entries()) for (const w of signed.warnings) warnings.push(requests.length > 1 ? `${requests[i]!.name}: ${w}` : w);
      const pems = issued.map((signed) => (chain ? signed.chain : [signed.certificate]).map((der) => pemArmor('CERTIFICATE', der)).join(''));
      return { issued, record, pems, warnings };
    },
  };
}

/**
 * The files a signed batch goes to: each PEM to its output (in the order of the requests), then
 * the lines of the CA's issuance record; committed in one change set, all or none.
 */
export function signedFiles(signed: Pick<SignedRequests, 'pems' | 'record'>, outputs: readonly string[], options: { force: boolean; createParents: boolean }): FileChange[] {
  const files = outputs.map((path, i): FileChange => ({ path, action: 'write', content: signed.pems[i]!, force: options.force, backup: true, createParents: options.createParents }));
  return signed.record ? [...files, signed.record] : files;
}

/** What {@link checkSigningOptions} looks at: whether each is given (and the profile's name). */
export interface SigningChoices {
  profile?: string;
  days?: unknown;
  notAfter?: unknown;
  sans?: readonly unknown[];
  replaceSans?: boolean;
  pathLength?: unknown;
}

/**
 * The consistency of a signing request, before anything is read (ERR_USAGE, worded as `hapki
 * sign`'s flags): a known profile, --days or --not-after, --replace-san with a --san, --path-len
 * only for a CA. Each check fires only for what `options` holds, in this order, so a caller that
 * learns the request as it goes checks it as far as it knows it;
 * prepareSigning checks the whole request.
 */
export function checkSigningOptions(options: SigningChoices): void {
  if (options.profile !== undefined && !isProfileName(options.profile)) throw new UsageError(`--profile must be one of ${PROFILES.join(', ')}`);
  if (options.days !== undefined && options.notAfter !== undefined) throw new UsageError('give --days or --not-after, not both');
  if (options.replaceSans && (options.sans ?? []).length === 0) throw new UsageError('--replace-san needs at least one --san');
  if (options.pathLength !== undefined && options.profile !== 'ca') throw new UsageError(`--path-len constrains a CA certificate: give it with --profile ca, not ${options.profile ?? DEFAULT_PROFILE}`);
}

/**
 * The certificates of a batch when every request succeeded. Otherwise each refusal is named by
 * its request, the ones after the first go to `report`, and the first is thrown (its code decides
 * the exit status).
 */
function allSucceeded(names: readonly string[], results: readonly BatchResult[], report: (error: Error) => void): SignedCertificate[] {
  const failed = results.flatMap((r, i) => (r.ok ? [] : [failureOf(names[i]!, r.error)]));
  for (const extra of failed.slice(1)) report(extra);
  if (failed.length > 0) throw failed[0];
  return results.flatMap((r) => (r.ok ? [r.signed] : []));
}

/** A failure of one request of a batch: the same code, its name said first. */
function failureOf(name: string, error: Error): Error {
  return error instanceof HapkiError ? new HapkiError(error.code, `${name}: ${error.message}`, { cause: error }) : error;
}
