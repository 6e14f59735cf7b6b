/**
 * `n` distinct copies of a certificate (DER): the last four bytes of its signature numbered 1..n.
 * Names, keys and extensions stay as they are, so the copies stand for many certificates of one
 * name in path and chain building (which go by names and key identifiers); their own signatures
 * no longer verify.
 */
export function certificateCopies(cert: Uint8Array, n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => {
    const copy = new Uint8Array(cert);
    new DataView(copy.buffer).setUint32(copy.length - 4, i + 1);
    return copy;
  });
}
