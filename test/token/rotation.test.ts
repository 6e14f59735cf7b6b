import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/crypto/digest.js';
import type { Keystore } from '../../src/keystore/model.js';
import { checkTokenConsistency } from '../../src/token/check_token.js';
import { renderTokenCheck } from '../../src/token/check_token_text.js';
import { issueTokenCertificate } from '../../src/token/issue_token.js';
import { activateToken, installToken, retireToken, stageToken } from '../../src/token/rotation.js';
import type { TokenMaterial } from '../../src/token/token_material.js';
import { instanceStore, tokenMaterial } from './fixtures.js';

let oldToken: TokenMaterial;
let newToken: TokenMaterial;
let base: Keystore;

beforeAll(async () => {
  [oldToken, newToken, base] = await Promise.all([tokenMaterial('CN=old-token'), tokenMaterial('CN=new-token'), instanceStore('JKS', 'node1')]);
});

const aliases = (s: Keystore): string[] => s.entries.map((e) => `${e.alias}:${e.type}`);
const fp = (m: TokenMaterial): string => sha256Hex(m.chain[0]!);

describe('token rotation transforms', () => {
  it('does not take a token entry it cannot open for the token: the same certificate over a sealed key is ERR_KEY_PASSWORD, not "unchanged"', () => {
    const installed = installToken(base, oldToken, 'token').store;
    const sealed: Keystore = {
      ...installed,
      entries: installed.entries.map((e) =>
        e.alias === 'token' && e.type === 'private-key' ? { type: 'private-key', alias: 'token', chain: e.chain, sealed: { format: 'JKS', data: new Uint8Array(8), reason: 'wrong-password' } } : e,
      ),
    };
    expect(() => installToken(sealed, oldToken, 'token')).toThrow(expect.objectContaining({ code: 'ERR_KEY_PASSWORD' }));
  });

  it('installs the key entry beside the others, leaving the input store alone, and is idempotent', () => {
    const t = installToken(base, oldToken, 'token');
    expect(aliases(t.store)).toEqual(['ssl:private-key', 'token:private-key']);
    expect(aliases(base)).toEqual(['ssl:private-key']);
    expect(t.changes).toEqual([{ alias: 'token', entry: 'private-key', action: 'added', after: fp(oldToken) }]);
    expect(installToken(t.store, oldToken, 'TOKEN').changes).toEqual([]);
  });

  it('stages, activates and retires, each step idempotent, keeping the old certificate until retired', () => {
    const installed = installToken(base, oldToken, 'token').store;
    const staged = stageToken(installed, newToken.chain[0]!, 'token');
    expect(aliases(staged.store)).toEqual(['ssl:private-key', 'token:private-key', 'token-next:trusted-cert']);
    expect(stageToken(staged.store, newToken.chain[0]!, 'token').changes).toEqual([]);

    const active = activateToken(staged.store, newToken, 'token');
    expect(active.warnings).toEqual([]);
    expect(aliases(active.store)).toEqual(['ssl:private-key', 'token:private-key', 'token-previous:trusted-cert']);
    expect(active.changes.map((c) => `${c.alias} ${c.action}`)).toEqual(['token-previous added', 'token replaced', 'token-next removed']);
    const previous = active.store.entries[2]!;
    expect(previous.type === 'trusted-cert' && sha256Hex(previous.certificate)).toBe(fp(oldToken));
    expect(activateToken(active.store, newToken, 'token').changes).toEqual([]);
    expect(stageToken(active.store, newToken.chain[0]!, 'token').changes).toEqual([]);

    const retired = retireToken(active.store, 'token');
    expect(aliases(retired.store)).toEqual(['ssl:private-key', 'token:private-key']);
    expect(retireToken(retired.store, 'token').changes).toEqual([]);
  });

  it('warns when a key is activated without being staged, or replaced outright', () => {
    const installed = installToken(base, oldToken, 'token').store;
    expect(activateToken(installed, newToken, 'token').warnings.join()).toContain('without being staged');
    expect(installToken(installed, newToken, 'token').warnings.join()).toContain('replaced without staging');
  });

  it('refuses an alias held by another kind of entry: ERR_INVALID_ARGUMENT', () => {
    const wrong = stageToken(base, oldToken.chain[0]!, 'ssl').store;
    expect(() => installToken(wrong, oldToken, 'ssl-next')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('checkTokenConsistency', () => {
  it('passes when every instance holds the same token and the same staged copy', () => {
    const a = stageToken(installToken(base, oldToken, 'token').store, newToken.chain[0]!, 'token').store;
    const report = checkTokenConsistency([{ name: 'a', store: a }, { name: 'b', store: a }], 'token');
    expect(report.ok).toBe(true);
    expect(report.majority?.sha256).toBe(fp(oldToken));
  });

  it('names the instance that differs, the one that lacks the token, and one whose staged copy is missing', () => {
    const good = installToken(base, oldToken, 'token').store;
    const other = installToken(base, newToken, 'token').store;
    const staged = stageToken(good, newToken.chain[0]!, 'token').store;
    const report = checkTokenConsistency(
      [
        { name: 'n1', store: good },
        { name: 'n2', store: good },
        { name: 'n3', store: other },
        { name: 'n4', store: base },
        { name: 'n5', store: staged },
        { name: 'n6', error: { code: 'ERR_KEYSTORE_PASSWORD', message: 'keystore password was incorrect' } },
      ],
      'token',
    );
    expect(report.ok).toBe(false);
    expect(report.instances.map((r) => [r.name, r.status])).toEqual([['n1', 'ok'], ['n2', 'ok'], ['n3', 'differs'], ['n4', 'missing'], ['n5', 'ok'], ['n6', 'unreadable']]);
    expect(report.instances[4]!.problems).toEqual([`"token-next" is ${fp(newToken).slice(0, 16)} where the majority has absent`]);
    const text = renderTokenCheck(report);
    expect(text).toContain(`n3: "token" is ${fp(newToken).slice(0, 16)} where the majority has ${fp(oldToken).slice(0, 16)}`);
    expect(text).toContain('n4: no "token" entry');
    expect(text).toMatch(/^n5 +drift /m);
    expect(text).toContain('first to expire:');
  });
});

describe('token check with no majority', () => {
  it('blames neither of two instances that disagree, and fails', () => {
    const one = installToken(base, oldToken, 'token').store;
    const other = installToken(base, newToken, 'token').store;
    const report = checkTokenConsistency([{ name: 'a', store: one }, { name: 'b', store: other }], 'token');
    expect(report.ok).toBe(false);
    expect(report.majority).toBeUndefined();
    expect(report.instances.map((i) => i.status)).toEqual(['differs', 'differs']);
    expect(report.instances[0]!.problems.join()).toMatch(/no copy is held by a majority/);
  });
});

describe('token check: identical is not enough', () => {
  const DAY = 86_400_000;
  it('fails a token that has expired everywhere (status expired), and one not valid yet', async () => {
    const one = installToken(base, oldToken, 'token').store;
    const later = new Date(Date.now() + 800 * DAY);
    const report = checkTokenConsistency([{ name: 'a', store: one }, { name: 'b', store: one }], 'token', { at: later });
    expect(report.ok).toBe(false);
    expect(report.instances.map((i) => i.status)).toEqual(['expired', 'expired']);
    expect(report.instances[0]!.problems.join()).toMatch(/^the token certificate of "token" expired on \d{4}-/);
    expect(renderTokenCheck(report)).toMatch(/^a +expired /m);
    const early = checkTokenConsistency([{ name: 'a', store: one }], 'token', { at: new Date(Date.now() - 2 * DAY) });
    expect(early.instances[0]!.problems.join()).toMatch(/is not valid before/);
    expect(checkTokenConsistency([{ name: 'a', store: one }, { name: 'b', store: one }], 'token').ok).toBe(true);
  });

  it('fails a staged copy that is stale: the active certificate already, or expired', async () => {
    // "-next" left behind after the key entry was switched by hand
    const leftover = installToken(stageToken(installToken(base, oldToken, 'token').store, newToken.chain[0]!, 'token').store, newToken, 'token').store;
    const report = checkTokenConsistency([{ name: 'a', store: leftover }, { name: 'b', store: leftover }], 'token');
    expect(report.ok).toBe(false);
    expect(report.instances[0]!.problems).toEqual([expect.stringMatching(/^"token-next" is stale: it is the active certificate already/)]);
    // and activating again clears it
    const cleared = activateToken(leftover, newToken, 'token').store;
    expect(checkTokenConsistency([{ name: 'a', store: cleared }, { name: 'b', store: cleared }], 'token').ok).toBe(true);
    const brief = await issueTokenCertificate({ subject: 'CN=brief-token', key: { kty: 'ec', curve: 'P-256' }, days: 1 });
    const staged = stageToken(installToken(base, oldToken, 'token').store, brief.entry.chain[0]!, 'token').store;
    const stale = checkTokenConsistency([{ name: 'a', store: staged }, { name: 'b', store: staged }], 'token', { at: new Date(Date.now() + 3 * DAY) });
    expect(stale.instances.map((i) => [i.status, i.problems])).toEqual([
      ['ok', [expect.stringMatching(/^"token-next" is stale: the staged certificate expired on /)]],
      ['ok', [expect.stringMatching(/^"token-next" is stale/)]],
    ]);
    expect(stale.ok).toBe(false);
  });
});
