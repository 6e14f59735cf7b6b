import type { AuditSource } from '../model.js';

/** The scanned source a group names (the audit has mapped group paths to the names it scanned them under). */
export function sourceNamed(sources: readonly AuditSource[], name: string): AuditSource | undefined {
  return sources.find((s) => s.source === name);
}
