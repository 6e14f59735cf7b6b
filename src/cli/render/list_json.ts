import type { EntrySummary, KeystoreSummary } from '../../keystore/summary.js';

/**
 * What `JSON.stringify({ format, entries }, null, 2)` prints, in pieces of about 64 KiB written
 * as the entries are summarised: the JSON listing of a large store is never held whole (a
 * 60 MB JKS of 100,000 certificates took 600 MB as one string and its objects).
 */
export function* renderEntriesJsonChunks(format: KeystoreSummary['format'], entries: Iterable<EntrySummary>): Generator<string> {
  let chunk = '';
  let first = true;
  for (const entry of entries) {
    chunk += `${first ? `{\n  "format": ${JSON.stringify(format)},\n  "entries": [\n` : ',\n'}    ${JSON.stringify(entry, null, 2).replace(/\n/g, '\n    ')}`;
    first = false;
    if (chunk.length >= 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  yield first ? `${JSON.stringify({ format, entries: [] }, null, 2)}\n` : `${chunk}\n  ]\n}\n`;
}
