import { isAbsolute, join } from 'node:path';
import { isMap, isScalar, isSeq, newLineCounter, parseDocument, type Node, type Pair } from '../lib/yaml.js';
import { AuditConfigError, HapkiError } from '../errors.js';
import { parseThreshold } from './duration.js';
import { parseDuration } from '../trust/duration.js';
import { LIMITS } from '../limits.js';
import { firstDuplicateKey } from '../lib/yaml_bounds.js';
import { globProblem } from './glob.js';
import { yamlMessage } from '../lib/yaml_bounds.js';
import type { TokenGroup, TrustGroup } from './model.js';
import { parsePasswordSource, PASSWORD_SOURCE_FORMS } from '../secrets/password_source.js';

/** One password rule: the first whose glob matches a keystore's path gives its password source. */
export interface PasswordRule {
  /** An absolute glob (relative ones in a file are made absolute against the file's directory). */
  match: string;
  /** A password source: env:NAME, file:PATH, fd:N, stdin or pass:TEXT. */
  password: string;
}

/** An audit configuration file, validated; lists are empty when absent. */
export interface AuditConfig {
  passwords: PasswordRule[];
  /** A password source for every keystore no rule matches. */
  storepass?: string;
  warnMs?: number;
  critMs?: number;
  expectSan: string[];
  ignore: string[];
  exclude: string[];
  paths: string[];
  endpoints: string[];
  tokenGroups: TokenGroup[];
  trustGroups: TrustGroup[];
  /** CRL files (absolute, or relative to the file's directory). */
  crls: string[];
  /** Revocation checking as on the command line: crl-fetch, ocsp, crl-required, ocsp-required (booleans). */
  crlFetch?: boolean;
  ocsp?: boolean;
  crlRequired?: boolean;
  ocspRequired?: boolean;
  /** fetch-timeout: per CRL fetch or OCSP query. */
  fetchTimeoutMs?: number;
  /** fetch-deadline: all revocation fetches and queries together. */
  fetchDeadlineMs?: number;
}

export interface ParseAuditConfigOptions {
  /** How errors name the file ("audit.yaml"). */
  source?: string;
  /** Directory relative globs and paths are taken against (the file's own). */
  baseDir?: string;
}

const TOP_KEYS = ['passwords', 'storepass', 'warn', 'crit', 'expect-san', 'ignore', 'exclude', 'paths', 'endpoints', 'token-groups', 'trust-groups', 'crl', 'crl-fetch', 'crl-required', 'ocsp', 'ocsp-required', 'fetch-timeout', 'fetch-deadline'] as const;

/**
 * Parses and validates an audit configuration (YAML). Every mistake is an AuditConfigError that
 * names the file and the line, because a monitoring job's configuration is edited rarely and by
 * someone who no longer remembers its schema.
 */
export function parseAuditConfig(text: string, options: ParseAuditConfigOptions = {}): AuditConfig {
  const source = options.source ?? 'audit configuration';
  const size = Buffer.byteLength(text);
  if (size > LIMITS.configBytes) throw new AuditConfigError(`${source}: ${size} bytes is more than an audit configuration may have (${LIMITS.configBytes})`);
  const lines = newLineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: false });
  const fail = (message: string, node?: Node | Pair | null): never => {
    const offset = offsetOf(node);
    const line = offset === undefined ? undefined : lines.linePos(offset).line;
    throw new AuditConfigError(`${source}${line === undefined ? '' : `:${line}`}: ${message}`, line);
  };
  const syntax = doc.errors[0];
  if (syntax) {
    const line = syntax.linePos?.[0].line;
    throw new AuditConfigError(`${source}${line === undefined ? '' : `:${line}`}: ${yamlMessage(syntax.message)}`, line);
  }
  const duplicate = firstDuplicateKey(doc);
  if (duplicate) {
    const line = duplicate.offset === undefined ? undefined : lines.linePos(duplicate.offset).line;
    throw new AuditConfigError(`${source}${line === undefined ? '' : `:${line}`}: map keys must be unique`, line);
  }
  const config: AuditConfig = { passwords: [], expectSan: [], ignore: [], exclude: [], paths: [], endpoints: [], tokenGroups: [], trustGroups: [], crls: [] };
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return config;
  if (!isMap(doc.contents)) return fail('the configuration must be a mapping of keys (passwords, warn, crit, ...)', doc.contents);
  const base = options.baseDir;
  const absolute = (p: string): string => (base === undefined || isAbsolute(p) || p.startsWith('**') ? p : join(base, p));

  const str = (node: unknown, what: string): string => {
    if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number') && String(node.value) !== '') return String(node.value);
    return fail(`${what} must be a non-empty string`, node as Node);
  };
  const strings = (node: unknown, what: string): string[] => {
    if (isScalar(node) && typeof node.value === 'string') return [str(node, what)];
    if (!isSeq(node)) return fail(`${what} must be a list of strings`, node as Node);
    return node.items.map((item) => str(item, `each item of ${what}`));
  };
  const mapping = (node: unknown, what: string, keys: readonly string[], required: readonly string[]): Map<string, unknown> => {
    if (!isMap(node)) return fail(`${what} must be a mapping with ${keys.join(', ')}`, node as Node);
    const out = new Map<string, unknown>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!keys.includes(key)) fail(`unknown key "${key}" in ${what} (known: ${keys.join(', ')})`, pair);
      out.set(key, pair.value);
    }
    for (const key of required) if (!out.has(key)) fail(`${what} needs "${key}"`, node);
    return out;
  };
  const flag = (node: unknown, key: string): boolean => {
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    return fail(`${key} must be true or false`, node as Node);
  };
  const duration = (node: unknown, key: string): number => {
    const text = str(node, key);
    try {
      return parseDuration(text);
    } catch (error) {
      return fail(`${key}: ${(error as HapkiError).message}`, node as Node);
    }
  };
  const threshold = (node: unknown, key: string): number => {
    const text = str(node, key);
    try {
      return parseThreshold(text, key);
    } catch (error) {
      return fail((error as HapkiError).message, node as Node);
    }
  };

  const top = mapping(doc.contents, 'the configuration', TOP_KEYS, []);
  for (const [key, node] of top) {
    switch (key as (typeof TOP_KEYS)[number]) {
      case 'passwords':
        if (!isSeq(node)) fail('passwords must be a list of {match, password}', node as Node);
        for (const item of (node as { items: unknown[] }).items) {
          const rule = mapping(item, 'a passwords item', ['match', 'password'], ['match', 'password']);
          const password = str(rule.get('password'), 'password');
          if (typeof parsePasswordSource(password) === 'string') fail(`password must be a source: ${PASSWORD_SOURCE_FORMS}`, rule.get('password') as Node);
          const match = absolute(str(rule.get('match'), 'match'));
          const problem = globProblem(match);
          if (problem) fail(`match is a glob ${problem}`, rule.get('match') as Node);
          config.passwords.push({ match, password });
        }
        break;
      case 'storepass': {
        const password = str(node, 'storepass');
        if (typeof parsePasswordSource(password) === 'string') fail(`storepass must be a source: ${PASSWORD_SOURCE_FORMS}`, node as Node);
        config.storepass = password;
        break;
      }
      case 'warn':
        config.warnMs = threshold(node, 'warn');
        break;
      case 'crit':
        config.critMs = threshold(node, 'crit');
        break;
      case 'expect-san':
        config.expectSan = strings(node, 'expect-san');
        break;
      case 'ignore':
        config.ignore = strings(node, 'ignore');
        break;
      case 'exclude':
        // a name pattern (no slash) matches anywhere; a path pattern is taken against the file's directory
        config.exclude = strings(node, 'exclude').map((p) => (p.includes('/') ? absolute(p) : p));
        break;
      case 'paths':
        config.paths = strings(node, 'paths').map(absolute);
        break;
      case 'crl':
        config.crls = strings(node, 'crl').map(absolute);
        break;
      case 'crl-fetch':
        config.crlFetch = flag(node, key);
        break;
      case 'crl-required':
        config.crlRequired = flag(node, key);
        break;
      case 'ocsp':
        config.ocsp = flag(node, key);
        break;
      case 'ocsp-required':
        config.ocspRequired = flag(node, key);
        break;
      case 'fetch-timeout':
        config.fetchTimeoutMs = duration(node, key);
        break;
      case 'fetch-deadline':
        config.fetchDeadlineMs = duration(node, key);
        break;
      case 'endpoints':
        config.endpoints = strings(node, 'endpoints');
        break;
      case 'token-groups':
        if (!isSeq(node)) fail('token-groups must be a list of {alias, stores}', node as Node);
        for (const item of (node as { items: unknown[] }).items) {
          const group = mapping(item, 'a token-groups item', ['alias', 'stores'], ['alias', 'stores']);
          config.tokenGroups.push({ alias: str(group.get('alias'), 'alias'), stores: strings(group.get('stores'), 'stores').map(absolute) });
        }
        break;
      case 'trust-groups':
        if (!isSeq(node)) fail('trust-groups must be a list of {master, slaves}', node as Node);
        for (const item of (node as { items: unknown[] }).items) {
          const group = mapping(item, 'a trust-groups item', ['master', 'slaves'], ['master', 'slaves']);
          config.trustGroups.push({ master: absolute(str(group.get('master'), 'master')), slaves: strings(group.get('slaves'), 'slaves').map(absolute) });
        }
        break;
    }
  }
  return config;
}

function offsetOf(node: Node | Pair | null | undefined): number | undefined {
  if (!node) return undefined;
  if ('range' in node && node.range) return node.range[0];
  if ('key' in node) return offsetOf(node.key as Node) ?? offsetOf(node.value as Node);
  return undefined;
}
