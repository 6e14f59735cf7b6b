import { PasswordRequiredError, Pkcs11Error } from '../errors.js';
import { CK, type Attribute, type Handle, type Pkcs11Module, type TokenInfo } from './binding.js';
import { call, deviceError, pkcs11Code, shown } from './device_error.js';
import { acquireModule, releaseModule } from './module.js';
import type { Pkcs11Uri } from './uri.js';

export interface OpenTokenOptions {
  /** The module's path (see resolveModulePath). */
  modulePath: string;
  /** The user PIN; a token that needs a login and gets none is ERR_PASSWORD_REQUIRED. */
  pin?: string;
  /** Open read-write (to generate keys and store certificates). */
  write?: boolean;
}

const PIN_ERRORS = new Set(['CKR_PIN_INCORRECT', 'CKR_PIN_INVALID', 'CKR_PIN_LEN_RANGE', 'CKR_PIN_EXPIRED']);

/**
 * One logged-in session on the token a URI names. Everything hapki does on an HSM goes through
 * here; `close()` logs out, closes the session and releases the module.
 */
export class Pkcs11Token {
  private closed = false;

  private mechanismList: Set<number> | undefined;

  private constructor(
    readonly module: Pkcs11Module,
    readonly slot: Handle,
    readonly session: Handle,
    readonly info: TokenInfo,
  ) {}

  static async open(uri: Pkcs11Uri, options: OpenTokenOptions): Promise<Pkcs11Token> {
    const module = await acquireModule(options.modulePath);
    let session: Handle | undefined;
    try {
      const { slot, info } = findSlot(module, uri);
      const flags = CK.CKF_SERIAL_SESSION | (options.write ? CK.CKF_RW_SESSION : 0);
      session = call('opening a session', () => module.C_OpenSession(slot, flags));
      if ((info.flags & CK.CKF_LOGIN_REQUIRED) !== 0) login(module, session, info, options.pin);
      return new Pkcs11Token(module, slot, session, info);
    } catch (error) {
      if (session) {
        const opened = session;
        try {
          module.C_CloseSession(opened);
        } catch {
          // the error being thrown is the one that matters
        }
      }
      releaseModule(module);
      throw error;
    }
  }

  get label(): string {
    return this.info.label.trimEnd();
  }

  /** Every object matching the template (attributes with values). */
  find(template: Attribute[]): Handle[] {
    const { module, session } = this;
    call('searching objects', () => module.C_FindObjectsInit(session, template));
    const found: Handle[] = [];
    try {
      for (;;) {
        const batch = call('searching objects', () => module.C_FindObjects(session, 64));
        if (batch.length === 0) break;
        found.push(...batch);
        if (found.length > 100_000) throw new Pkcs11Error('ERR_PKCS11_DEVICE', 'the token returned more than 100000 objects');
      }
    } finally {
      try {
        module.C_FindObjectsFinal(session);
      } catch {
        // a search that failed already reported why
      }
    }
    return found;
  }

  /** One attribute's value; undefined where the token does not have it or will not reveal it. */
  attribute(object: Handle, type: number): Buffer | undefined {
    try {
      const [result] = this.module.C_GetAttributeValue(this.session, object, [{ type }]);
      return result?.value;
    } catch (error) {
      const code = pkcs11Code(error);
      if (code === 'CKR_ATTRIBUTE_SENSITIVE' || code === 'CKR_ATTRIBUTE_TYPE_INVALID') return undefined;
      throw new Pkcs11Error('ERR_PKCS11_DEVICE', `PKCS#11 reading an attribute failed: ${deviceError(error)}`, { cause: error });
    }
  }

  /** A boolean attribute (CK_BBOOL), undefined when absent. */
  flag(object: Handle, type: number): boolean | undefined {
    const value = this.attribute(object, type);
    return value === undefined || value.length === 0 ? undefined : value[0] !== 0;
  }

  /** A CK_ULONG attribute, undefined when absent. */
  number(object: Handle, type: number): number | undefined {
    const value = this.attribute(object, type);
    if (value === undefined || value.length === 0) return undefined;
    return value.length >= 8 ? Number(value.readBigUInt64LE(0)) : value.readUInt32LE(0);
  }

  /** Whether the token offers a mechanism (CKM_...). */
  supports(mechanism: number): boolean {
    this.mechanismList ??= new Set(call('listing mechanisms', () => this.module.C_GetMechanismList(this.slot)));
    return this.mechanismList.has(mechanism);
  }

  /** The object's CKA_LABEL as text. */
  labelOf(object: Handle): string | undefined {
    return this.attribute(object, CK.CKA_LABEL)?.toString('utf8');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.module.C_Logout(this.session);
    } catch {
      // not logged in (a token without login), or already logged out
    }
    try {
      this.module.C_CloseSession(this.session);
    } finally {
      releaseModule(this.module);
    }
  }
}

function findSlot(module: Pkcs11Module, uri: Pkcs11Uri): { slot: Handle; info: TokenInfo } {
  const slots = call('listing slots', () => module.C_GetSlotList(true));
  const tokens = slots.map((slot) => ({ slot, info: call('reading token information', () => module.C_GetTokenInfo(slot)) }));
  const initialised = tokens.filter((t) => (t.info.flags & CK.CKF_TOKEN_INITIALIZED) !== 0);
  const matching = initialised.filter(({ slot, info }) => {
    if (uri.token !== undefined && info.label.trimEnd() !== uri.token) return false;
    if (uri.manufacturer !== undefined && info.manufacturerID.trimEnd() !== uri.manufacturer) return false;
    if (uri.model !== undefined && info.model.trimEnd() !== uri.model) return false;
    if (uri.serial !== undefined && info.serialNumber.trimEnd() !== uri.serial) return false;
    if (uri.slotId !== undefined && slotNumber(slot) !== uri.slotId) return false;
    return true;
  });
  if (matching.length === 1) return matching[0]!;
  const labels = initialised.map((t) => shown(t.info.label.trimEnd())).join(', ');
  if (matching.length === 0) {
    throw new Pkcs11Error('ERR_PKCS11_TOKEN_NOT_FOUND', `no PKCS#11 token matches the URI; ${initialised.length === 0 ? 'the module has no initialised token' : `tokens present: ${labels}`}`);
  }
  throw new Pkcs11Error('ERR_PKCS11_URI', `${matching.length} PKCS#11 tokens match the URI (${labels}): name one with token= or serial=`);
}

function slotNumber(slot: Handle): number {
  return slot.length >= 8 ? Number(slot.readBigUInt64LE(0)) : slot.readUInt32LE(0);
}

function login(module: Pkcs11Module, session: Handle, info: TokenInfo, pin: string | undefined): void {
  if (pin === undefined) throw new PasswordRequiredError(`PKCS#11 token ${shown(info.label.trimEnd())} needs its user PIN: give --pin (env:NAME, file:PATH, fd:N or stdin) or pin-source in the URI`);
  try {
    module.C_Login(session, CK.CKU_USER, pin);
  } catch (error) {
    const code = pkcs11Code(error);
    if (code === 'CKR_USER_ALREADY_LOGGED_IN') return;
    if (code !== undefined && PIN_ERRORS.has(code)) throw new Pkcs11Error('ERR_PKCS11_PIN', `the PIN for PKCS#11 token ${shown(info.label.trimEnd())} was not accepted (${code})`, { cause: error });
    if (code === 'CKR_PIN_LOCKED') throw new Pkcs11Error('ERR_PKCS11_PIN', `PKCS#11 token ${shown(info.label.trimEnd())} has locked its user PIN after too many wrong attempts (CKR_PIN_LOCKED)`, { cause: error });
    throw new Pkcs11Error('ERR_PKCS11_DEVICE', `PKCS#11 login failed: ${deviceError(error)}`, { cause: error });
  }
}
