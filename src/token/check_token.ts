import type { Keystore } from '../keystore/model.js';
import { nextAlias, previousAlias, tokenState, type TokenCertificateFacts, type TokenState } from './token_state.js';

/** One instance to check: its keystore as read, or why it could not be read. */
export interface TokenCheckInput {
  name: string;
  store?: Keystore;
  error?: { code: string; message: string };
}

export type TokenInstanceStatus = 'ok' | 'differs' | 'missing' | 'not-a-key' | 'key-mismatch' | 'expired' | 'unreadable';

export interface TokenInstanceReport {
  name: string;
  /** How the instance's key entry compares with the majority's. */
  status: TokenInstanceStatus;
  state?: TokenState;
  /** Everything wrong with this instance, the staged and previous copies included; empty when it agrees. */
  problems: string[];
  /** False when the store was read without its password (JKS, JCEKS): certificates unverified. */
  integrityChecked?: boolean;
}

export interface TokenCheckReport {
  ok: boolean;
  alias: string;
  /** The key entry certificate most instances hold (none on a tie). */
  majority?: TokenCertificateFacts;
  instances: TokenInstanceReport[];
  /** The token certificate that expires first, and where. */
  firstToExpire?: { name: string; sha256: string; notAfter: string };
}

/**
 * Whether every instance holds the identical token: the same key entry certificate (and so the
 * same public key), a key that belongs to it where the key could be opened, and the same staged
 * (`<alias>-next`) and previous (`<alias>-previous`) trusted copies, or none of them everywhere.
 * Identical is not enough: a token certificate outside its validity at `at` (default now), a
 * staged copy that has expired, or one that is already the active certificate (the leftover of an
 * activation done by hand) is a problem too, on every instance that holds it.
 */
export function checkTokenConsistency(inputs: readonly TokenCheckInput[], alias: string, options: { at?: Date } = {}): TokenCheckReport {
  const at = (options.at ?? new Date()).toISOString();
  const reports: TokenInstanceReport[] = inputs.map((input) => {
    if (!input.store) return { name: input.name, status: 'unreadable', problems: [`unreadable: ${input.error?.message ?? 'no keystore'}${input.error ? ` (${input.error.code})` : ''}`] };
    return { name: input.name, status: 'ok', state: tokenState(input.store, alias), problems: [], integrityChecked: input.store.integrityChecked };
  });
  const readable = reports.filter((r) => r.state);
  const majorityKey = majority(readable.map((r) => r.state!.key?.sha256));
  const distinctKeys = new Set(readable.map((r) => r.state!.key?.sha256).filter((k) => k !== undefined)).size;
  const majorityFacts = readable.find((r) => r.state!.key?.sha256 === majorityKey)?.state!.key;
  for (const report of readable) {
    const state = report.state!;
    if (state.wrongEntry) {
      report.status = 'not-a-key';
      report.problems.push(`"${alias}" is ${state.wrongEntry === 'no-certificate' ? 'a key without a certificate' : `a ${state.wrongEntry} entry`}, not the token key entry`);
    } else if (!state.key) {
      report.status = 'missing';
      report.problems.push(`no "${alias}" entry`);
    } else if (state.key.keyMatches === false) {
      report.status = 'key-mismatch';
      report.problems.push(`the private key of "${alias}" does not belong to its certificate`);
    } else if (state.key.notAfter < at) {
      report.status = 'expired';
      report.problems.push(`the token certificate of "${alias}" expired on ${state.key.notAfter}: tokens it signs are rejected`);
    } else if (state.key.notBefore > at) {
      report.status = 'expired';
      report.problems.push(`the token certificate of "${alias}" is not valid before ${state.key.notBefore}`);
    } else if (majorityKey !== undefined && state.key.sha256 !== majorityKey) {
      report.status = 'differs';
      report.problems.push(`"${alias}" is ${short(state.key.sha256)} where the majority has ${short(majorityKey)}`);
    } else if (majorityKey === undefined && distinctKeys > 1) {
      // two against two (or one against one): blaming either side would be a guess
      report.status = 'differs';
      report.problems.push(`"${alias}" is ${short(state.key.sha256)}, and no copy is held by a majority of the instances`);
    }
  }
  for (const report of readable) {
    const { key, next } = report.state!;
    if (next && key && next.sha256 === key.sha256) report.problems.push(`"${nextAlias(alias)}" is stale: it is the active certificate already (left over from an activation); distribute --activate again removes it`);
    else if (next && next.notAfter < at) report.problems.push(`"${nextAlias(alias)}" is stale: the staged certificate expired on ${next.notAfter}`);
  }
  for (const [label, pick] of [[nextAlias(alias), (s: TokenState) => s.next?.sha256], [previousAlias(alias), (s: TokenState) => s.previous?.sha256]] as const) {
    const common = majority(readable.map((r) => pick(r.state!) ?? 'none'));
    for (const report of readable) {
      const own = pick(report.state!) ?? 'none';
      if (common === undefined) report.problems.push(`"${label}" is ${describe(own)}, and no copy is held by a majority of the instances`);
      else if (own !== common) report.problems.push(`"${label}" is ${describe(own)} where the majority has ${describe(common)}`);
    }
  }
  const keyed = readable.filter((r) => r.state!.key).map((r) => ({ name: r.name, sha256: r.state!.key!.sha256, notAfter: r.state!.key!.notAfter }));
  const firstToExpire = keyed.reduce<(typeof keyed)[number] | undefined>((first, k) => (!first || k.notAfter < first.notAfter ? k : first), undefined);
  return {
    ok: reports.length > 0 && reports.every((r) => r.problems.length === 0),
    alias,
    ...(majorityFacts ? { majority: majorityFacts } : {}),
    instances: reports,
    ...(firstToExpire ? { firstToExpire } : {}),
  };
}

/** The most frequent defined value; none when the most frequent are tied. */
function majority(values: readonly (string | undefined)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  const top = Math.max(0, ...counts.values());
  const leaders = [...counts].filter(([, count]) => count === top);
  return leaders.length === 1 ? leaders[0]![0] : undefined;
}

export function short(sha256: string): string {
  return sha256.slice(0, 16);
}

function describe(value: string): string {
  return value === 'none' ? 'absent' : short(value);
}
