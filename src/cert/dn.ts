import { InvalidArgumentError } from '../errors.js';
import { x509 } from '../lib/x509.js';

/**
 * A distinguished name as written ("CN=Example Root CA,O=Example"), encoded as a DER Name. The
 * string is read as RFC 4514 and keytool read it, most specific first: the encoding starts with
 * the last RDN (O=Example, then CN=...), the order openssl prints.
 */
export function encodeName(dn: string): Uint8Array {
  let name: x509.Name;
  try {
    name = new x509.Name(dn);
  } catch (cause) {
    throw new InvalidArgumentError(`"${dn}" is not a distinguished name such as "CN=gateway.example.com,O=Example"`, { cause });
  }
  const rdns = name.toJSON();
  if (rdns.length === 0) throw new InvalidArgumentError(`"${dn}" is an empty distinguished name`);
  return new Uint8Array(new x509.Name([...rdns].reverse()).toArrayBuffer());
}
