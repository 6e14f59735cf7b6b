import { Pkcs11Error } from '../errors.js';

/** The object classes a `type=` path attribute names (RFC 7512 section 2.3). */
export type Pkcs11ObjectType = 'public' | 'private' | 'cert' | 'secret-key' | 'data';

/**
 * A PKCS#11 URI (RFC 7512) as hapki uses it: which token (by label, serial, manufacturer,
 * model or slot), which object on it (by label and/or CKA_ID), and from the query where the PIN
 * comes from and which module to load.
 */
export interface Pkcs11Uri {
  token?: string;
  manufacturer?: string;
  serial?: string;
  model?: string;
  slotId?: number;
  object?: string;
  id?: Uint8Array;
  type?: Pkcs11ObjectType;
  /** `pin-source`: a hapki password source (env:NAME, file:PATH, fd:N) or an RFC 7512 file: URI. */
  pinSource?: string;
  /** `pin-value`: the PIN itself; works, but the PIN is then wherever the URI is written. */
  pinValue?: string;
  /** `module-path`: the PKCS#11 library to load. */
  modulePath?: string;
  /** `module-name`: a library name without path or suffix, e.g. "softhsm2". */
  moduleName?: string;
}

const PATH_ATTRIBUTES = new Set([
  'token', 'manufacturer', 'serial', 'model', 'object', 'type', 'id',
  'library-manufacturer', 'library-description', 'library-version',
  'slot-description', 'slot-manufacturer', 'slot-id',
]);
const QUERY_ATTRIBUTES = new Set(['pin-source', 'pin-value', 'module-name', 'module-path']);
const TYPES: readonly Pkcs11ObjectType[] = ['public', 'private', 'cert', 'secret-key', 'data'];

/** True for text meant as a PKCS#11 URI rather than a file name. */
export function isPkcs11Uri(location: string): boolean {
  return location.slice(0, 7).toLowerCase() === 'pkcs11:';
}

/**
 * Parses a PKCS#11 URI. Throws ERR_PKCS11_URI naming the attribute at fault, never its value
 * (a URI can carry a pin-value). Unknown standard attributes are refused so that a typo does not
 * quietly widen the match; vendor attributes (`x-...`) are ignored as RFC 7512 allows.
 */
export function parsePkcs11Uri(text: string): Pkcs11Uri {
  if (!isPkcs11Uri(text)) throw new Pkcs11Error('ERR_PKCS11_URI', 'a PKCS#11 URI starts with "pkcs11:"');
  const rest = text.slice(7);
  const queryAt = rest.indexOf('?');
  const path = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const query = queryAt < 0 ? '' : rest.slice(queryAt + 1);
  const uri: Pkcs11Uri = {};
  const seen = new Set<string>();
  for (const [part, separator, known] of [[path, ';', PATH_ATTRIBUTES], [query, '&', QUERY_ATTRIBUTES]] as const) {
    if (part === '') continue;
    for (const pair of part.split(separator)) {
      const eq = pair.indexOf('=');
      const name = (eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
      if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Pkcs11Error('ERR_PKCS11_URI', 'the PKCS#11 URI has an attribute without a valid name (attributes are name=value, separated by ";" and after "?" by "&")');
      if (eq < 0) throw new Pkcs11Error('ERR_PKCS11_URI', `PKCS#11 URI attribute "${name}" has no value`);
      if (name.startsWith('x-')) continue;
      if (!known.has(name)) {
        const where = separator === ';' ? 'path' : 'query';
        throw new Pkcs11Error('ERR_PKCS11_URI', `PKCS#11 URI ${where} attribute "${name}" is not one RFC 7512 defines there`);
      }
      if (seen.has(name)) throw new Pkcs11Error('ERR_PKCS11_URI', `PKCS#11 URI attribute "${name}" is given twice`);
      seen.add(name);
      assign(uri, name, percentDecode(pair.slice(eq + 1), name));
    }
  }
  return uri;
}

function assign(uri: Pkcs11Uri, name: string, bytes: Uint8Array): void {
  if (name === 'id') {
    uri.id = bytes;
    return;
  }
  const value = utf8Text(bytes, name);
  switch (name) {
    case 'token': uri.token = value; break;
    case 'manufacturer': uri.manufacturer = value; break;
    case 'serial': uri.serial = value; break;
    case 'model': uri.model = value; break;
    case 'object': uri.object = value; break;
    case 'type':
      if (!(TYPES as readonly string[]).includes(value)) throw new Pkcs11Error('ERR_PKCS11_URI', `PKCS#11 URI attribute "type" must be one of ${TYPES.join(', ')}`);
      uri.type = value as Pkcs11ObjectType;
      break;
    case 'slot-id':
      if (!/^\d{1,15}$/.test(value)) throw new Pkcs11Error('ERR_PKCS11_URI', 'PKCS#11 URI attribute "slot-id" must be a decimal number');
      uri.slotId = Number(value);
      break;
    case 'pin-source': uri.pinSource = value; break;
    case 'pin-value': uri.pinValue = value; break;
    case 'module-path': uri.modulePath = value; break;
    case 'module-name':
      if (!/^[A-Za-z0-9._+-]+$/.test(value)) throw new Pkcs11Error('ERR_PKCS11_URI', 'PKCS#11 URI attribute "module-name" must be a bare library name (use module-path for a path)');
      uri.moduleName = value;
      break;
    default:
      // library-*, slot-description, slot-manufacturer: accepted, not used to narrow the match
      break;
  }
}

function percentDecode(text: string, name: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Pkcs11Error('ERR_PKCS11_URI', `PKCS#11 URI attribute "${name}" has a "%" not followed by two hex digits`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...new TextEncoder().encode(c));
    }
  }
  return new Uint8Array(bytes);
}

function utf8Text(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Pkcs11Error('ERR_PKCS11_URI', `PKCS#11 URI attribute "${name}" is not UTF-8 text`);
  }
}

/** The URI without its query (PIN and module), safe to show in messages and listings. */
export function formatPkcs11Uri(uri: Pkcs11Uri): string {
  const parts: string[] = [];
  if (uri.model !== undefined) parts.push(`model=${percentEncode(uri.model)}`);
  if (uri.manufacturer !== undefined) parts.push(`manufacturer=${percentEncode(uri.manufacturer)}`);
  if (uri.serial !== undefined) parts.push(`serial=${percentEncode(uri.serial)}`);
  if (uri.token !== undefined) parts.push(`token=${percentEncode(uri.token)}`);
  if (uri.slotId !== undefined) parts.push(`slot-id=${uri.slotId}`);
  if (uri.id !== undefined) parts.push(`id=${[...uri.id].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}`);
  if (uri.object !== undefined) parts.push(`object=${percentEncode(uri.object)}`);
  if (uri.type !== undefined) parts.push(`type=${uri.type}`);
  return `pkcs11:${parts.join(';')}`;
}

function percentEncode(text: string): string {
  return [...new TextEncoder().encode(text)]
    .map((b) => (/[A-Za-z0-9\-._~:@!$'()*+,=&]/.test(String.fromCharCode(b)) && b < 0x80 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}
