import type { AuditCheck } from '../model.js';

/**
 * An audit that found no certificate at all is not a healthy one: a path mistyped in a cron job,
 * a directory the keystores moved out of, or an exclude that matches everything would otherwise
 * read OK for ever. UNKNOWN, as monitoring plugins answer when nothing matched what they were
 * told to check. A source that could not be read is already an `unreadable` finding, and a
 * keystore read is something audited even when it holds no certificate.
 */
export const nothingFoundCheck: AuditCheck = {
  id: 'nothing-found',
  severity: 'UNKNOWN',
  description: 'no keystore, certificate file or endpoint was found in what the audit was given (an empty directory, a wrong path, everything excluded)',
  // a keystore read is something audited, even one holding no certificate (secret keys only, an empty trust store)
  run: ({ sources }) =>
    sources.length > 0
      ? []
      : [{ message: 'nothing to audit: no keystore or certificate was found in the paths given (an empty directory, a wrong path, or everything excluded); --ignore nothing-found if that is expected' }],
};
