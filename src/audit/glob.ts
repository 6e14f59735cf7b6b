/**
 * Glob patterns for file paths, as the audit configuration matches keystores to passwords:
 * `*` any run of characters within one path segment, `?` one such character, `**` as a whole
 * segment any number of segments (none included). Everything else is literal. Node 20 has no
 * glob matcher to rely on, and shell-style brace or class syntax would only invite surprises in
 * a file of password rules.
 */
export function globToRegExp(pattern: string): RegExp {
  const segments = pattern.split('/');
  let source = '';
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (segment === '**') {
      // "a/**/b" matches a/b, a/x/b, a/x/y/b; a trailing "**" matches everything below
      source += last ? '.*' : '(?:[^/]*/)*';
      continue;
    }
    source += segment.replace(/[\\^$.+()[\]{}|]|\*|\?/g, (ch) => (ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : `\\${ch}`));
    if (!last) source += '/';
  }
  return new RegExp(`^${source}$`);
}

export function globMatches(pattern: string, path: string): boolean {
  return globToRegExp(pattern).test(path);
}
