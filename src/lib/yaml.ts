import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

/**
 * The YAML library, loaded the first time a YAML file is read: `import('hapki')` must not load
 * it (nor commander), since most users of the library never read a cluster or audit file. The
 * readers stay synchronous, so it is required, not imported; `yaml` ships a CommonJS build.
 */
let loaded: typeof Yaml | undefined;
function yaml(): typeof Yaml {
  return (loaded ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
}

export const isMap: typeof Yaml.isMap = ((node: unknown) => yaml().isMap(node)) as typeof Yaml.isMap;
export const isScalar: typeof Yaml.isScalar = ((node: unknown) => yaml().isScalar(node)) as typeof Yaml.isScalar;
export const isSeq: typeof Yaml.isSeq = ((node: unknown) => yaml().isSeq(node)) as typeof Yaml.isSeq;
export const parseDocument: typeof Yaml.parseDocument = ((...args: Parameters<typeof Yaml.parseDocument>) => yaml().parseDocument(...args)) as typeof Yaml.parseDocument;
export function newLineCounter(): Yaml.LineCounter {
  return new (yaml().LineCounter)();
}
export type { Document, LineCounter, Node, Pair } from 'yaml';
