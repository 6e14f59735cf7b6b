import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isHapkiError } from '../../src/errors.js';
import { readCertificates } from '../../src/keystore/read_certificates.js';
import { utf8 } from '../../src/lib/bytes.js';
import { validatePath, type PathValidationOptions } from '../../src/trust/validate_path.js';
import { INTEROP, REPO_ROOT } from '../helpers/fixtures.js';

/**
 * Runs every x509-limbo case through validatePath. A case that needs a feature hapki does not
 * implement is counted as unsupported (never as passed); every disagreement must be listed below
 * with its reason, so that a new one fails this test.
 */
const LIMBO = join(INTEROP, 'x509-limbo', 'limbo.json');
const RESULTS = join(REPO_ROOT, 'test', 'interop', 'limbo-results.json');

interface PeerName {
  kind: 'DNS' | 'IP' | 'RFC822';
  value: string;
}

interface LimboCase {
  id: string;
  features: string[];
  conflicts_with: string[];
  validation_kind: 'SERVER' | 'CLIENT';
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
  validation_time: string | null;
  expected_peer_name: PeerName | null;
  extended_key_usage: string[];
  expected_result: 'SUCCESS' | 'FAILURE';
  max_chain_depth: number | null;
}

/** Features whose cases hapki does not judge, and why. */
const UNSUPPORTED_FEATURES: Readonly<Record<string, string>> = {
  'has-crl': 'revocation (CRLs) is not checked',
  'has-policy-constraints': 'certificate policies are not processed',
  'has-cert-policies': 'certificate policies are not processed',
  'no-cert-policies': 'certificate policies are not processed',
  'pedantic-public-suffix-wildcard': 'no public suffix list: wildcards need only two labels after them',
  'pedantic-webpki-eku': 'RFC 5280 EKU rules: an absent EKU allows every purpose, anyExtendedKeyUsage is accepted',
  'pedantic-serial-number': 'serial number encoding rules are not enforced (old roots break them)',
  'pedantic-rfc5280': 'strict RFC 5280 profile rule beyond what openssl and Java enforce',
  'rfc5280-incompatible-with-webpki': 'where RFC 5280 and the web PKI disagree hapki follows the web PKI',
};

/** Single cases that conflict with another case whose profile hapki follows. */
const UNSUPPORTED_CASES: Readonly<Record<string, string>> = {
  'webpki::ca-as-leaf': 'conflicts with rfc5280::ca-as-leaf: hapki accepts a CA certificate as a leaf, as RFC 5280 does',
};

/** Cases where hapki's answer differs from limbo's, each with the reason it is so. */
const AKI_SKI = 'RFC 5280 key identifier issuance rule, not enforced by openssl (without -x509_strict) or Java; internal CAs often omit it';
const ROOT_AKI = 'CABF rule for the shape of a root\'s AKI; openssl and Java accept such roots, and anchors are trusted as given';
const CN_RULE = 'CABF issuance rule that the CN copy a SAN; hapki ignores the CN, which internal PKIs fill with other text';
const KNOWN_DISAGREEMENTS: Readonly<Record<string, string>> = {
  'rfc5280::aki::leaf-missing-aki': AKI_SKI,
  'rfc5280::aki::intermediate-missing-aki': AKI_SKI,
  'rfc5280::ski::root-missing-ski': `${AKI_SKI} (2 of 144 roots in Debian's ca-certificates lack an SKI)`,
  'rfc5280::ski::intermediate-missing-ski': AKI_SKI,
  'rfc5280::root-non-critical-basic-constraints': 'a trusted root with a non-critical basicConstraints is accepted, as by openssl and Java (3 of 144 Debian roots have one)',
  'webpki::aki::root-with-aki-missing-keyidentifier': ROOT_AKI,
  'webpki::aki::root-with-aki-authoritycertissuer': ROOT_AKI,
  'webpki::aki::root-with-aki-authoritycertserialnumber': ROOT_AKI,
  'webpki::aki::root-with-aki-all-fields': ROOT_AKI,
  'webpki::aki::root-with-aki-ski-mismatch': ROOT_AKI,
  'webpki::cn::ipv4-hex-mismatch': CN_RULE,
  'webpki::cn::ipv4-leading-zeros-mismatch': CN_RULE,
  'webpki::cn::ipv6-uppercase-mismatch': CN_RULE,
  'webpki::cn::ipv6-uncompressed-mismatch': CN_RULE,
  'webpki::cn::ipv6-non-rfc5952-mismatch': CN_RULE,
  'webpki::cn::punycode-not-in-san': CN_RULE,
  'webpki::cn::utf8-vs-punycode-mismatch': CN_RULE,
  'webpki::cn::not-in-san': CN_RULE,
  'webpki::cn::case-mismatch': CN_RULE,
  'webpki::san::san-critical-with-nonempty-subject': 'CABF rule against a critical SAN beside a subject; RFC 5280, openssl and Java allow it',
};

/** The agreements reached when this test was written; a regression lowers them and fails. */
const MIN_AGREEMENTS = 166;

function pemCerts(pem: string, what: string): Uint8Array[] {
  return readCertificates(utf8(pem), what);
}

function unsupportedReason(c: LimboCase): string | undefined {
  for (const f of c.features ?? []) if (UNSUPPORTED_FEATURES[f]) return UNSUPPORTED_FEATURES[f];
  if (UNSUPPORTED_CASES[c.id]) return UNSUPPORTED_CASES[c.id];
  if (c.expected_peer_name?.kind === 'RFC822') return 'e-mail peer names are not checked';
  return undefined;
}

async function judge(c: LimboCase): Promise<{ valid: boolean; code: string }> {
  try {
    const [leaf] = pemCerts(c.peer_certificate, 'peer');
    const options: PathValidationOptions = {
      trusted: c.trusted_certs.flatMap((p) => pemCerts(p, 'trusted')),
      untrusted: c.untrusted_intermediates.flatMap((p) => pemCerts(p, 'untrusted')),
      purpose: c.extended_key_usage.includes('clientAuth') || c.validation_kind === 'CLIENT' ? 'client' : 'server',
      ...(c.validation_time ? { at: new Date(c.validation_time) } : {}),
      ...(c.expected_peer_name ? { hostname: c.expected_peer_name.value } : {}),
      ...(c.max_chain_depth === null ? {} : { maxIntermediates: c.max_chain_depth }),
    };
    const result = await validatePath(leaf!, options);
    return { valid: result.valid, code: result.code ?? 'OK' };
  } catch (error) {
    // an input hapki refuses to read is a rejection, as it is for any validator
    if (isHapkiError(error)) return { valid: false, code: `threw ${error.code}` };
    throw error;
  }
}

describe('x509-limbo', () => {
  it('agrees with every supported case, except the listed disagreements', async () => {
    const cases = (JSON.parse(readFileSync(LIMBO, 'utf8')) as { testcases: LimboCase[] }).testcases;
    const disagreements: { id: string; expected: string; got: string }[] = [];
    const unsupported: { id: string; reason: string }[] = [];
    let agree = 0;
    for (const c of cases) {
      const reason = unsupportedReason(c);
      if (reason) {
        unsupported.push({ id: c.id, reason });
        continue;
      }
      const { valid, code } = await judge(c);
      if (valid === (c.expected_result === 'SUCCESS')) agree++;
      else disagreements.push({ id: c.id, expected: c.expected_result, got: code });
    }
    const summary = {
      total: cases.length,
      agree,
      disagree: disagreements.length,
      unsupported: unsupported.length,
      disagreements: disagreements.map((d) => ({ ...d, why: KNOWN_DISAGREEMENTS[d.id] ?? 'UNEXPLAINED' })),
      unsupportedCases: unsupported,
    };
    writeFileSync(RESULTS, `${JSON.stringify(summary, null, 2)}\n`);
    expect(disagreements.filter((d) => !KNOWN_DISAGREEMENTS[d.id])).toEqual([]);
    expect(agree).toBeGreaterThanOrEqual(MIN_AGREEMENTS);
    expect(agree + disagreements.length + unsupported.length).toBe(cases.length);
  });
});
