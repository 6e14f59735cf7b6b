import { createRequire } from 'node:module';
import type * as Tldts from 'tldts';

/**
 * The Public Suffix List (ICANN and private sections), from the `tldts` package, loaded the first
 * time a wildcard name is judged: no other name needs it, and neither `import('hapki')` nor the
 * CLI's start reads its 200 kB. Required, not imported, so the checks stay synchronous; the CLI's
 * bundle leaves it in node_modules.
 */
let loaded: typeof Tldts | undefined;
function tldts(): typeof Tldts {
  return (loaded ??= createRequire(import.meta.url)('tldts') as typeof Tldts);
}

/**
 * Whether `domain` (ASCII, labels already checked) is itself a public suffix: a name under which
 * unrelated parties register their own names ("com", "co.uk", "github.io", "s3.amazonaws.com"), so
 * that a wildcard over it ("*.co.uk") would cover other people's domains. CA/Browser Forum Baseline
 * Requirements 3.2.2.6: a CA refuses such a wildcard, and clients refuse to match it. Only the
 * list's own rules count, not its default rule for unknown top-level domains: "corp.internal" is
 * not one, "internal" is left to the two-labels rule.
 */
export function isPublicSuffix(domain: string): boolean {
  const name = domain.toLowerCase().replace(/\.$/, '');
  const parsed = tldts().parse(name, { allowPrivateDomains: true, extractHostname: false, detectIp: false, validateHostname: false, mixedInputs: false });
  return (parsed.isIcann === true || parsed.isPrivate === true) && parsed.publicSuffix === name;
}
