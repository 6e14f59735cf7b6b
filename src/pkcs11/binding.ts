import { createRequire } from 'node:module';
import { Pkcs11Error } from '../errors.js';

/**
 * The part of the `pkcs11js` binding hapki calls, typed here so that hapki builds and runs
 * without it: the binding is an optional dependency (a native addon built by node-gyp), loaded
 * only when a pkcs11: location is used.
 */
export type Handle = Buffer;

export interface Attribute {
  type: number;
  value?: number | boolean | string | Buffer;
}

export interface TokenInfo {
  label: string;
  manufacturerID: string;
  model: string;
  serialNumber: string;
  flags: number;
}

export interface Pkcs11Module {
  load(path: string): void;
  close(): void;
  C_Initialize(options?: { flags?: number }): void;
  C_Finalize(): void;
  C_GetSlotList(tokenPresent?: boolean): Handle[];
  C_GetTokenInfo(slot: Handle): TokenInfo;
  C_GetMechanismList(slot: Handle): number[];
  C_OpenSession(slot: Handle, flags: number): Handle;
  C_CloseSession(session: Handle): void;
  C_Login(session: Handle, userType: number, pin?: string): void;
  C_Logout(session: Handle): void;
  C_FindObjectsInit(session: Handle, template: Attribute[]): void;
  C_FindObjects(session: Handle, maxObjectCount: number): Handle[];
  C_FindObjectsFinal(session: Handle): void;
  C_GetAttributeValue(session: Handle, object: Handle, template: Attribute[]): { type: number; value: Buffer }[];
  C_CreateObject(session: Handle, template: Attribute[]): Handle;
  C_DestroyObject(session: Handle, object: Handle): void;
  C_SignInit(session: Handle, mechanism: { mechanism: number; parameter?: Buffer }, key: Handle): void;
  C_Sign(session: Handle, data: Buffer, out: Buffer): Buffer;
  C_GenerateKeyPair(
    session: Handle,
    mechanism: { mechanism: number },
    publicTemplate: Attribute[],
    privateTemplate: Attribute[],
  ): { publicKey: Handle; privateKey: Handle };
}

export interface Binding {
  PKCS11: new () => Pkcs11Module;
}

/** The PKCS#11 constants hapki uses (values from the PKCS#11 v2.40 headers). */
export const CK = {
  CKF_RW_SESSION: 0x2,
  CKF_SERIAL_SESSION: 0x4,
  CKF_TOKEN_PRESENT: 0x1,
  CKF_LOGIN_REQUIRED: 0x4,
  CKF_USER_PIN_INITIALIZED: 0x8,
  CKF_TOKEN_INITIALIZED: 0x400,
  CKF_OS_LOCKING_OK: 0x2,
  CKU_USER: 1,
  CKO_CERTIFICATE: 1,
  CKO_PUBLIC_KEY: 2,
  CKO_PRIVATE_KEY: 3,
  CKO_SECRET_KEY: 4,
  CKO_DATA: 0,
  CKC_X_509: 0,
  CKK_RSA: 0,
  CKK_EC: 3,
  CKA_CLASS: 0x0,
  CKA_TOKEN: 0x1,
  CKA_PRIVATE: 0x2,
  CKA_LABEL: 0x3,
  CKA_VALUE: 0x11,
  CKA_CERTIFICATE_TYPE: 0x80,
  CKA_ISSUER: 0x81,
  CKA_SERIAL_NUMBER: 0x82,
  CKA_KEY_TYPE: 0x100,
  CKA_SUBJECT: 0x101,
  CKA_ID: 0x102,
  CKA_SENSITIVE: 0x103,
  CKA_DECRYPT: 0x105,
  CKA_SIGN: 0x108,
  CKA_VERIFY: 0x10a,
  CKA_MODULUS: 0x120,
  CKA_MODULUS_BITS: 0x121,
  CKA_PUBLIC_EXPONENT: 0x122,
  CKA_EXTRACTABLE: 0x162,
  CKA_NEVER_EXTRACTABLE: 0x164,
  CKA_ALWAYS_SENSITIVE: 0x165,
  CKA_MODIFIABLE: 0x170,
  CKA_EC_PARAMS: 0x180,
  CKA_EC_POINT: 0x181,
  CKM_RSA_PKCS_KEY_PAIR_GEN: 0x0,
  CKM_RSA_PKCS: 0x1,
  CKM_SHA256_RSA_PKCS: 0x40,
  CKM_EC_KEY_PAIR_GEN: 0x1040,
  CKM_ECDSA: 0x1041,
} as const;

export const INSTALL_HINT = 'install the optional dependency "pkcs11js" (npm install pkcs11js; it builds with node-gyp, which needs python3, make and a C++ compiler)';

let loaded: Promise<Binding> | undefined;

/**
 * The binding, loaded on first use. Without it (not installed, or its native build failed)
 * ERR_PKCS11_UNAVAILABLE says how to install it; everything that does not touch an HSM works.
 */
export function loadBinding(): Promise<Binding> {
  loaded ??= (async () => {
    try {
      // through require: the package is CommonJS, and its name is not resolved at build time
      const require = createRequire(import.meta.url);
      const binding = require('pkcs11js') as Binding;
      if (typeof binding.PKCS11 !== 'function') throw new TypeError('not a PKCS#11 binding');
      return binding;
    } catch (error) {
      loaded = undefined;
      throw new Pkcs11Error('ERR_PKCS11_UNAVAILABLE', `PKCS#11 support is not installed: ${INSTALL_HINT}`, { cause: error });
    }
  })();
  return loaded;
}
