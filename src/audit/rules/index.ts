import type { AuditCheck, CheckId } from '../model.js';
import { chainInvalidCheck } from './chain_invalid.js';
import { expiredCheck } from './expired.js';
import { expiresCriticalCheck } from './expires_critical.js';
import { expiresWarningCheck } from './expires_warning.js';
import { integrityUncheckedCheck } from './integrity_unchecked.js';
import { missingSanCheck } from './missing_san.js';
import { notYetValidCheck } from './not_yet_valid.js';
import { revocationFailedCheck, revocationUnknownCheck, revokedCheck } from './revoked.js';
import { tokenDriftCheck } from './token_drift.js';
import { trustGapCheck } from './trust_gap.js';
import { nothingFoundCheck } from './nothing_found.js';
import { unreadableCheck } from './unreadable.js';
import { weakKeyCheck } from './weak_key.js';
import { weakSignatureCheck } from './weak_signature.js';

/** Every check, in the order reports list them. */
export const AUDIT_CHECKS: readonly AuditCheck[] = [
  expiredCheck,
  revokedCheck,
  expiresCriticalCheck,
  expiresWarningCheck,
  notYetValidCheck,
  weakKeyCheck,
  weakSignatureCheck,
  missingSanCheck,
  chainInvalidCheck,
  tokenDriftCheck,
  trustGapCheck,
  unreadableCheck,
  nothingFoundCheck,
  integrityUncheckedCheck,
  revocationUnknownCheck,
  revocationFailedCheck,
];

export const CHECK_IDS: readonly CheckId[] = AUDIT_CHECKS.map((c) => c.id);
