import { InvalidArgumentError } from '../errors.js';
import { LIMITS } from '../limits.js';

/**
 * Glob patterns for file paths, as the audit configuration matches keystores to passwords:
 * `*` any run of characters within one path segment, `?` one such character, `**` as a whole
 * segment any number of segments (none included). Everything else is literal. Node 20 has no
 * glob matcher to rely on, and shell-style brace or class syntax would only invite surprises in
 * a file of password rules.
 */
export function globToRegExp(pattern: string): RegExp {
  const problem = globProblem(pattern);
  if (problem) throw new InvalidArgumentError(`glob pattern ${problem}`);
  const segments = pattern.split('/');
  let source = '';
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (segment === '**') {
      // "a/**/b" matches a/b, a/x/b, a/x/y/b; a trailing "**" matches everything below
      source += last ? '.*' : '(?:[^/]*/)*';
      continue;
    }
    // a run of stars in a segment means one star: "a***b" must not become a backtracking regex
    source += segment.replace(/\*{2,}/g, '*').replace(/[\\^$.+()[\]{}|]|\*|\?/g, (ch) => (ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : `\\${ch}`));
    if (!last) source += '/';
  }
  return new RegExp(`^${source}$`);
}

/**
 * Why a glob is refused, if it is: patterns come from configuration files, and thousands of
 * wildcards would make a regular expression that exhausts memory to compile or time to match.
 */
export function globProblem(pattern: string): string | undefined {
  if (pattern.length > LIMITS.globChars) return `of ${pattern.length} characters: more than ${LIMITS.globChars}`;
  const wildcards = pattern.match(/[*?]+/g)?.length ?? 0;
  if (wildcards > LIMITS.globWildcards) return `with ${wildcards} wildcards: more than ${LIMITS.globWildcards}`;
  return undefined;
}

export function globMatches(pattern: string, path: string): boolean {
  return globToRegExp(pattern).test(path);
}
