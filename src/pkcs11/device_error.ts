import { Pkcs11Error } from '../errors.js';

/** The CKR_ name of a PKCS#11 error from the binding, if it is one. */
export function pkcs11Code(error: unknown): string | undefined {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && /^CKR_[A-Z0-9_]+$/.test(message) ? message : undefined;
}

/** A short name for what the module said: its CKR_ code, or that the binding itself failed. */
export function deviceError(error: unknown): string {
  return pkcs11Code(error) ?? (error instanceof TypeError ? 'invalid call' : 'native binding error');
}

/** Runs one PKCS#11 call; a failure becomes ERR_PKCS11_DEVICE saying what was being done and the CKR_ code. */
export function call<T>(doing: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw new Pkcs11Error('ERR_PKCS11_DEVICE', `PKCS#11 ${doing} failed: ${deviceError(error)}`, { cause: error });
  }
}

/** A label from the device, quoted for a message: control and bidi characters escaped, never raw. */
export function shown(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
