import type { AuditCheck } from '../model.js';

export const unreadableCheck: AuditCheck = {
  id: 'unreadable',
  severity: 'UNKNOWN',
  description: 'a keystore, certificate file or endpoint could not be read (wrong or missing password, corrupt file, connection refused); the audit goes on without it',
  run: ({ sources }) => sources.filter((s) => s.error).map((s) => ({ message: s.error!.message, source: s.source, code: s.error!.code })),
};
