import { readDer, Tag } from '../asn1/der_reader.js';
import { KeystoreFormatError } from '../errors.js';
import type { CertificateExtension } from './tbs.js';

export const BASIC_CONSTRAINTS_OID = '2.5.29.19';
export const KEY_USAGE_OID = '2.5.29.15';

/**
 * The largest pathLenConstraint hapki reads or writes. Java reads it as an int and refuses a
 * whole PKCS#12 file holding a larger one ("keystore password was incorrect"); no real hierarchy
 * comes near it.
 */
export const MAX_PATH_LENGTH = 0xffff;

/** basicConstraints (RFC 5280 4.2.1.9): cA defaults to FALSE, pathLenConstraint may be absent. */
export function basicConstraintsOf(extension: CertificateExtension | undefined): { ca: boolean; pathLength?: number } {
  if (!extension) return { ca: false };
  const fields = readDer(extension.value, 'basicConstraints').sequence('basicConstraints');
  let i = 0;
  let ca = false;
  if (fields[i]?.is(Tag.boolean)) ca = fields[i++]!.content[0] !== 0;
  const length = fields[i]?.is(Tag.integer) ? fields[i]!.integer('pathLenConstraint', MAX_PATH_LENGTH) : undefined;
  if (length !== undefined && length < 0) throw new KeystoreFormatError('negative pathLenConstraint');
  return length === undefined ? { ca } : { ca, pathLength: length };
}

/** Whether a keyUsage extension value has the named bit set (0 digitalSignature ... 5 keyCertSign, 6 cRLSign). */
export function keyUsageHas(extension: CertificateExtension, bit: number): boolean {
  const bytes = readDer(extension.value, 'keyUsage').bits('keyUsage');
  return ((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0;
}
