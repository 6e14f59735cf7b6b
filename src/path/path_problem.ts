import type { PathValidationErrorCode } from '../errors.js';

/** Why a certification path is not valid: one of the stable codes (also HapkiErrorCodes). */
export type PathErrorCode = PathValidationErrorCode;

export interface PathProblem {
  code: PathErrorCode;
  /** One line, for people. */
  reason: string;
}

export const problem = (code: PathErrorCode, reason: string): PathProblem => ({ code, reason });
