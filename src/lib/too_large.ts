/**
 * The message for a file over the bound: what it was meant to be when the caller knows (a
 * known_hosts file), else the bound itself (the same reader takes keystores, certificates,
 * CSRs, cluster files and CRLs: "to be a keystore" would misname most of them).
 */
export function tooLarge(path: string, maxBytes: number, what?: string, size?: number): string {
  const found = size === undefined ? '' : ` (${size} bytes)`;
  return what === undefined ? `${path} is too large${found}: hapki reads at most ${maxBytes} bytes of a file` : `${path} is too large${found} to be ${what}`;
}
