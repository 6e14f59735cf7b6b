import type { AuditCheck } from '../model.js';

export const integrityUncheckedCheck: AuditCheck = {
  id: 'integrity-unchecked',
  severity: 'OK',
  description: 'a JKS or JCEKS store was read without its password: its certificates were audited, but nothing proves the file was not altered',
  run: ({ sources }) =>
    sources
      .filter((s) => s.store && !s.store.integrityChecked)
      .map((s) => ({ message: `${s.store!.format} store read without a password: certificates audited, integrity not checked`, source: s.source })),
};
