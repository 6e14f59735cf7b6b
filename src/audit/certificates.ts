import { describeCertificate } from '../cert/describe.js';
import { DAY_MS } from '../lib/duration.js';
import type { AuditCertificate, AuditSource, CertificateLocation } from './model.js';

/** A certificate that is there but cannot be parsed: an unreadable finding of its own. */
export interface MalformedCertificate {
  location: CertificateLocation;
  code: string;
  message: string;
}

/**
 * Every certificate of every source, with where it is: each position of each key entry's chain,
 * each trusted entry, each certificate an endpoint presented.
 */
export function certificatesOf(sources: readonly AuditSource[], at: Date): { certificates: AuditCertificate[]; malformed: MalformedCertificate[] } {
  const certificates: AuditCertificate[] = [];
  const malformed: MalformedCertificate[] = [];
  const add = (der: Uint8Array, location: CertificateLocation): void => {
    try {
      const summary = describeCertificate(der);
      certificates.push({ location, summary, der, daysLeft: Math.floor((Date.parse(summary.notAfter) - at.getTime()) / DAY_MS) });
    } catch (error) {
      malformed.push({ location, code: (error as { code?: string }).code ?? 'ERR_CERT_MALFORMED', message: (error as Error).message });
    }
  };
  for (const source of sources) {
    if (source.chain) source.chain.forEach((der, position) => add(der, { kind: 'endpoint', source: source.source, position }));
    const store = source.store;
    if (!store) continue;
    for (const entry of store.entries) {
      const base = { kind: 'file' as const, source: source.source, format: store.format, alias: entry.alias };
      if (entry.type === 'private-key') entry.chain.forEach((der, position) => add(der, { ...base, entryType: 'private-key', position }));
      else if (entry.type === 'trusted-cert') add(entry.certificate, { ...base, entryType: 'trusted-cert', position: 0 });
    }
  }
  return { certificates, malformed };
}

/** "path#alias[0]" or "host:port[0]": a location on one line, as reports print it. */
export function locationText(location: CertificateLocation): string {
  return location.kind === 'endpoint' ? `${location.source}[${location.position}]` : `${location.source}#${location.alias ?? ''}[${location.position}]`;
}
