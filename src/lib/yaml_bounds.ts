import { isMap, isScalar, isSeq, type Document, type Node } from './yaml.js';

/**
 * The first key that appears twice in one mapping, found in one pass with a set per mapping:
 * the YAML library's own uniqueKeys check compares every key with every other, which made a
 * 100,000-key file take most of a minute.
 */
export function firstDuplicateKey(doc: Document): { key: string; offset: number | undefined } | undefined {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const key = String(pair.key.value);
          if (seen.has(key)) return { key, offset: (pair.key as Node).range?.[0] };
          seen.add(key);
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return undefined;
}

/** The first line of a YAML library message; its own stack overflow on deep nesting said plainly. */
export function yamlMessage(message: string): string {
  if (/call stack/i.test(message)) return 'nested too deeply';
  return message.split('\n')[0]!;
}
