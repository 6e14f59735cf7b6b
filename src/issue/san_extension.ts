import { x509 } from '../lib/x509.js';
import type { SanType, SubjectAltName } from './san.js';

const TYPES: Readonly<Record<string, SanType>> = { dns: 'dns', ip: 'ip', email: 'email', url: 'uri' };

/**
 * The names of a subjectAltName extension that hapki handles (DNS, IP, email, URI), in order.
 * Other kinds (directory names, UPNs) are reported in `skipped` rather than silently lost.
 */
export function sansOfExtension(extension: x509.Extension | null | undefined): { sans: SubjectAltName[]; skipped: string[] } {
  if (!extension) return { sans: [], skipped: [] };
  const san = extension instanceof x509.SubjectAlternativeNameExtension ? extension : new x509.SubjectAlternativeNameExtension(extension.rawData);
  const sans: SubjectAltName[] = [];
  const skipped: string[] = [];
  for (const name of san.names.items) {
    const type = TYPES[name.type];
    if (type) sans.push({ type, value: name.value });
    else skipped.push(`${name.type}:${name.value}`);
  }
  return { sans, skipped };
}

export const SAN_OID = '2.5.29.17';
export const BASIC_CONSTRAINTS_OID = '2.5.29.19';
