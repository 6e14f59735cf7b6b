#!/usr/bin/env node
// npm run conformance: the full x509-limbo suite and NIST PKITS section 4 through hapki's validator.
// Prints, per namespace (limbo) and section (PKITS), "N passed, M failed" and every disagreement
// with its reason. Exits non-zero only on a regression: a disagreement not listed, with its reason,
// in conformance/expected.json. Data: ../shared/interop (limbo, PKITS case list) and Debian's
// python3-cryptography-vectors (PKITS certificates and CRLs).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { validatePath } from '../dist/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = process.env.HAPKI_SHARED_INTEROP ?? join(ROOT, '..', 'shared', 'interop');
const LIMBO = join(SHARED, 'x509-limbo', 'limbo-full.json.gz');
const PKITS_CASES = join(SHARED, 'pkits', 'pkits-cases.json');
const PKITS_DATA = process.env.HAPKI_PKITS_DATA ?? '/usr/lib/python3/dist-packages/cryptography_vectors/x509/PKITS_data';
const EXPECTED = join(ROOT, 'conformance', 'expected.json');
const SLOW_MS = 100;

const NIST_POLICY = (n) => `2.16.840.1.101.3.2.1.48.${n}`;
const ANY_POLICY = '2.5.29.32.0';
const policyOid = (name) => (name === 'anyPolicy' ? ANY_POLICY : NIST_POLICY(Number(/NIST-test-policy-(\d+)/.exec(name)[1])));

const expected = JSON.parse(readFileSync(EXPECTED, 'utf8'));
let regressions = 0;
const slow = [];

/** PEM blocks of one label, decoded (hapki's validator then reads the DER strictly). */
function pemBlocks(text, label) {
  const out = [];
  for (const m of text.matchAll(new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g'))) out.push(new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
  return out;
}
const pem = (text) => pemBlocks(text, 'CERTIFICATE');
const pemCrls = (text) => pemBlocks(text, 'X509 CRL');

// per case: the CPU time of this process (main thread and GC helpers), which a machine shared with
// other jobs does not inflate as it does wall time
async function timed(id, fn) {
  const cpu = process.cpuUsage();
  let verdict;
  try {
    const result = await fn();
    verdict = { valid: result.valid, code: result.code ?? 'OK', reason: result.reason ?? '' };
  } catch (error) {
    // an input hapki refuses to read is a rejection, as for any validator; anything else is a bug
    verdict = { valid: false, code: `threw ${error?.code ?? error?.name ?? 'error'}`, reason: String(error?.message ?? error).slice(0, 200) };
    if (!error?.code || error.code === 'ERR_INTERNAL') verdict.bug = true;
  }
  const used = process.cpuUsage(cpu);
  const ms = (used.user + used.system) / 1000;
  if (ms > SLOW_MS) slow.push({ id, ms });
  return verdict;
}

function report(suite, groups, known) {
  let agree = 0;
  let total = 0;
  const listed = new Set();
  console.log(`\n== ${suite} ==`);
  for (const [group, results] of [...groups].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) {
    const failed = results.filter((r) => !r.agree);
    agree += results.length - failed.length;
    total += results.length;
    console.log(`${group}: ${results.length - failed.length} passed, ${failed.length} failed`);
    for (const r of failed) {
      const why = known[r.id];
      listed.add(r.id);
      const got = r.verdict.valid ? 'accepted' : `rejected (${r.verdict.code}: ${r.verdict.reason})`;
      if (why && !r.verdict.bug) console.log(`  - ${r.id}: expected ${r.expect ? 'accept' : 'reject'}, ${got}; known: ${why}`);
      else {
        regressions++;
        console.log(`  ! ${r.id}: expected ${r.expect ? 'accept' : 'reject'}, ${got}; NOT IN conformance/expected.json`);
      }
    }
  }
  for (const id of Object.keys(known)) if (!listed.has(id)) console.log(`  note: ${id} is listed as a disagreement but now agrees; remove it from conformance/expected.json`);
  console.log(`${suite}: ${agree}/${total} agree`);
  return { agree, total };
}

// limbo's webpki:: cases test the CA/Browser Forum profile: they run with profile 'webpki', the rest with RFC 5280 alone
// and its rfc5280:: cases test RFC 5280 to the letter, the CAs' MUSTs included: they run with strict (openssl's -x509_strict)
const PROFILE = (c) => (process.env.LIMBO_PROFILE_ALL ? 'webpki' : c.id.startsWith('webpki::') ? 'webpki' : undefined);

async function runLimbo() {
  if (!existsSync(LIMBO)) {
    console.log(`limbo: ${LIMBO} not found`);
    return false;
  }
  const cases = JSON.parse(gunzipSync(readFileSync(LIMBO)).toString('utf8')).testcases;
  const groups = new Map();
  for (const c of cases) {
    const parts = c.id.split('::');
    const group = parts[0] === 'bettertls' ? `${parts[0]}::${parts[1]}` : parts[0];
    const verdict = await timed(c.id, () => {
      const [leaf] = pem(c.peer_certificate, 'peer');
      const name = c.expected_peer_name;
      return validatePath(leaf, {
        trusted: c.trusted_certs.flatMap((p) => pem(p, 'trusted')),
        untrusted: c.untrusted_intermediates.flatMap((p) => pem(p, 'untrusted')),
        purpose: c.extended_key_usage.includes('clientAuth') || c.validation_kind === 'CLIENT' ? 'client' : 'server',
        ...(c.validation_time ? { at: new Date(c.validation_time) } : {}),
        ...(name && name.kind !== 'RFC822' ? { hostname: name.value } : {}),
        ...(c.max_chain_depth === null ? {} : { maxIntermediates: c.max_chain_depth }),
        ...(c.crls?.length ? { crls: c.crls.flatMap(pemCrls), crlRequired: true } : {}),
        ...(PROFILE(c) ? { profile: PROFILE(c) } : {}),
        ...(c.id.startsWith('rfc5280::') ? { strict: true } : {}),
      });
    });
    const expect = c.expected_result === 'SUCCESS';
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push({ id: c.id, expect, verdict, agree: verdict.valid === expect });
  }
  return report('x509-limbo (full)', groups, expected.limbo ?? {});
}

async function runPkits() {
  if (!existsSync(PKITS_CASES) || !existsSync(PKITS_DATA)) {
    console.log(`PKITS: ${existsSync(PKITS_CASES) ? PKITS_DATA : PKITS_CASES} not found (apt-get install python3-cryptography-vectors)`);
    return false;
  }
  const { cases, time } = JSON.parse(readFileSync(PKITS_CASES, 'utf8'));
  const file = (dir, name, ext) => new Uint8Array(readFileSync(join(PKITS_DATA, dir, `${name}.${ext}`)));
  const groups = new Map();
  for (const c of cases) {
    const certs = c.certs.map((n) => file('certs', n, 'crt'));
    const s = c.settings;
    const verdict = await timed(c.id, () =>
      validatePath(certs[certs.length - 1], {
        trusted: [certs[0]],
        untrusted: certs.slice(1, -1),
        at: new Date(time),
        crls: c.crls.map((n) => file('crls', n, 'crl')),
        crlRequired: true,
        policy: {
          ...(s.SetInitialPolicySet ? { initialPolicySet: s.SetInitialPolicySet.split(',').map(policyOid) } : {}),
          requireExplicitPolicy: Boolean(s.SetInitialExplicitPolicy),
          inhibitPolicyMapping: Boolean(s.SetInitialPolicyMappingInhibit),
          inhibitAnyPolicy: Boolean(s.SetInitialInhibitAnyPolicy),
        },
      }),
    );
    if (!groups.has(c.section)) groups.set(c.section, []);
    groups.get(c.section).push({ id: c.id, expect: c.should_validate, verdict, agree: verdict.valid === c.should_validate });
  }
  return report('NIST PKITS section 4', groups, expected.pkits ?? {});
}

const started = performance.now();
const limbo = await runLimbo();
const pkits = await runPkits();
const seconds = ((performance.now() - started) / 1000).toFixed(1);
slow.sort((a, b) => b.ms - a.ms);
console.log(`\n${slow.length} cases took over ${SLOW_MS} ms of CPU${slow.length ? `: ${slow.slice(0, 10).map((s) => `${s.id} ${s.ms.toFixed(0)} ms`).join(', ')}` : ''}`);
console.log(`summary: limbo ${limbo ? `${limbo.agree}/${limbo.total}` : 'not run'}, PKITS ${pkits ? `${pkits.agree}/${pkits.total}` : 'not run'}, ${seconds} s, ${regressions} regressions`);
if (!limbo || !pkits) {
  console.log('conformance data missing: nothing judged');
  process.exitCode = 1;
} else if (regressions > 0) process.exitCode = 1;
