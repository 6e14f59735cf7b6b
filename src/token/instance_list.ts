import { basename, isAbsolute, resolve } from 'node:path';
import { InvalidArgumentError } from '../errors.js';

/** One physical instance of a logical cluster, as an instance list names it. */
export interface InstanceSpec {
  /** The instance keystore, absolute (or as given, when the base is relative). */
  path: string;
  /** Where its store password comes from: pass:, env:, file:, fd: or stdin; none to use the default. */
  passwordSource?: string;
  /** Line number in the list, for messages. */
  line: number;
}

/**
 * Reads an instance list: one instance per line, `<keystore path> [<password source>]`
 * ("/opt/msas/node1/gateway.jks env:NODE1_PASS"); `#` starts a comment, blank lines are ignored,
 * and relative paths, a `file:` source's too, are relative to `baseDir` (the list's own directory). A path with spaces
 * is written in double quotes.
 */
export function parseInstanceList(text: string, baseDir: string): InstanceSpec[] {
  const specs: InstanceSpec[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = i + 1;
    const fields = splitFields(stripComment(raw), line);
    if (fields.length === 0) continue;
    if (fields.length > 2) throw new InvalidArgumentError(`instance list line ${line}: expected "<keystore> [<password source>]", found ${fields.length} fields`);
    const [path, passwordSource] = fields as [string, string | undefined];
    specs.push({ path: isAbsolute(path) ? path : resolve(baseDir, path), line, ...(passwordSource === undefined ? {} : { passwordSource: relativeTo(baseDir, passwordSource) }) });
  }
  return specs;
}

/**
 * A `file:` source's relative path is the list's, as a keystore path is (and as a cluster file's
 * and an audit configuration's are): it was taken against the working directory, so the list
 * read a password file of the directory hapki ran in, or none.
 */
function relativeTo(baseDir: string, source: string): string {
  if (!source.startsWith('file:')) return source;
  const path = source.slice('file:'.length);
  return path === '' || isAbsolute(path) ? source : `file:${resolve(baseDir, path)}`;
}

/** A short name for an instance in reports: its file name, or its path when two share a name. */
export function instanceNames(paths: readonly string[]): string[] {
  const names = paths.map((p) => basename(p));
  return names.map((name, i) => (names.indexOf(name) === names.lastIndexOf(name) ? name : paths[i]!));
}

function stripComment(line: string): string {
  // a # inside quotes belongs to the path; elsewhere it starts a comment
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === '#' && !quoted && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

function splitFields(line: string, lineNumber: number): string[] {
  const fields: string[] = [];
  const pattern = /"([^"]*)"|(\S+)/g;
  for (const match of line.matchAll(pattern)) {
    if (match[2]?.includes('"')) throw new InvalidArgumentError(`instance list line ${lineNumber}: unbalanced quote`);
    fields.push(match[1] ?? match[2]!);
  }
  if ((line.match(/"/g)?.length ?? 0) % 2 !== 0) throw new InvalidArgumentError(`instance list line ${lineNumber}: unbalanced quote`);
  return fields;
}
