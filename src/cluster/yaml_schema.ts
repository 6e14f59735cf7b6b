import { isMap, isScalar, isSeq, type LineCounter, type Node as YamlNode } from '../lib/yaml.js';
import { DAY_MS, parseDurationMs } from '../lib/duration.js';

/**
 * A small schema for YAML documents, as data: each field says its kind, whether it is required,
 * and an optional check. Validation walks the parsed document (not the plain value), so every
 * problem can name the line it is on.
 */
export type FieldSpec =
  | { kind: 'string'; required?: boolean; check?: (value: string) => string | undefined }
  | { kind: 'int'; required?: boolean; min?: number; max?: number }
  | { kind: 'bool'; required?: boolean }
  | { kind: 'enum'; required?: boolean; values: readonly string[] }
  | { kind: 'days'; required?: boolean }
  | { kind: 'list'; required?: boolean; of: FieldSpec; minItems?: number }
  | { kind: 'object'; required?: boolean; fields: Readonly<Record<string, FieldSpec>> };

export interface Validated {
  /** The document as plain values, where it fit the schema. */
  value: unknown;
  /** "12: gateway.instances[1].keystore: required" without the file name. */
  problems: { line: number; path: string; message: string }[];
  /** The line each path was found on (a missing field: its parent's), for checks made after. */
  lines: Map<string, number>;
}

export function validateYaml(root: YamlNode | null, spec: FieldSpec, counter: LineCounter): Validated {
  const problems: Validated['problems'] = [];
  const lines = new Map<string, number>();
  const lineOf = (node: YamlNode | null | undefined, fallback: number): number => (node?.range ? counter.linePos(node.range[0]).line : fallback);
  const walk = (node: YamlNode | null | undefined, field: FieldSpec, path: string, parentLine: number): unknown => {
    const line = lineOf(node, parentLine);
    lines.set(path, line);
    const bad = (message: string): undefined => {
      problems.push({ line, path, message });
      return undefined;
    };
    switch (field.kind) {
      case 'string': {
        if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') {
          if (isScalar(node) && (typeof node.value === 'number' || typeof node.value === 'boolean')) return bad(`must be text, not ${typeof node.value}; quote it`);
          return bad('must be a non-empty string');
        }
        const why = field.check?.(node.value);
        return why === undefined ? node.value : bad(why);
      }
      case 'int': {
        if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) return bad('must be a whole number');
        if (field.min !== undefined && node.value < field.min) return bad(`must be at least ${field.min}`);
        if (field.max !== undefined && node.value > field.max) return bad(`must be at most ${field.max}`);
        return node.value;
      }
      case 'bool': {
        if (!isScalar(node) || typeof node.value !== 'boolean') return bad('must be true or false');
        return node.value;
      }
      case 'enum': {
        if (!isScalar(node) || typeof node.value !== 'string' || !field.values.includes(node.value)) return bad(`must be one of ${field.values.join(', ')}`);
        return node.value;
      }
      case 'days': {
        if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value) && node.value >= 0) return node.value;
        if (!isScalar(node) || typeof node.value !== 'string') return bad('must be a duration: 30d, 4w, 12h or a number of days');
        try {
          return parseDurationMs(node.value, 'd', path) / DAY_MS;
        } catch {
          return bad('must be a duration: 30d, 4w, 12h or a number of days');
        }
      }
      case 'list': {
        if (!isSeq(node)) return bad('must be a list');
        if (field.minItems !== undefined && node.items.length < field.minItems) return bad(`needs at least ${field.minItems} item${field.minItems === 1 ? '' : 's'}`);
        return node.items.map((item, i) => walk(item as YamlNode, field.of, `${path}[${i}]`, line));
      }
      case 'object': {
        if (!isMap(node)) return bad('must be a mapping of keys to values');
        const out: Record<string, unknown> = {};
        const seen = new Set<string>();
        for (const pair of node.items) {
          const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
          const keyLine = lineOf(pair.key as YamlNode, line);
          const childPath = path === '' ? String(key) : `${path}.${key}`;
          if (key === undefined || !Object.hasOwn(field.fields, key)) {
            problems.push({ line: keyLine, path: childPath, message: `unknown key (expected ${Object.keys(field.fields).join(', ')})` });
            continue;
          }
          seen.add(key);
          const child = pair.value as YamlNode | null;
          if (child === null || (isScalar(child) && child.value === null)) {
            problems.push({ line: keyLine, path: childPath, message: 'has no value' });
            continue;
          }
          const value = walk(child, field.fields[key]!, childPath, keyLine);
          if (value !== undefined) out[key] = value;
        }
        for (const [key, child] of Object.entries(field.fields)) {
          if (child.required && !seen.has(key)) problems.push({ line, path: path === '' ? key : `${path}.${key}`, message: 'required' });
        }
        return out;
      }
    }
  };
  const value = walk(root, spec, '', 1);
  problems.sort((a, b) => a.line - b.line);
  return { value, problems, lines };
}
