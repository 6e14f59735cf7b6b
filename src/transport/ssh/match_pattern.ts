/**
 * OpenSSH's match_pattern, as ssh_config Host lines and known_hosts patterns use it: `*` any run,
 * `?` one character, case as given (callers lower-case host names). No regular expression is
 * built from the pattern.
 */
export function globMatch(pattern: string, text: string): boolean {
  // iterative with one backtrack point: linear in practice, never exponential
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
