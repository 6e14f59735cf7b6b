import { CrlFetchError } from '../errors.js';
import { tryReadPathCertificate } from '../path/path_certificate.js';
import { crlsFromBytes } from './crl_bytes.js';
import { MAX_CRL_BYTES } from './crl_read.js';
import { httpExchange } from './http_fetch.js';

export const DEFAULT_CRL_FETCH_TIMEOUT_MS = 10_000;

export interface CrlFetchOptions {
  /** For the whole exchange, connect to last byte (default 10 s). */
  timeoutMs?: number;
  /** Larger bodies are cut off (default MAX_CRL_BYTES, 32 MiB). */
  maxBytes?: number;
  /** Ends the fetch early (an overall deadline). */
  signal?: AbortSignal;
}

/**
 * Fetches one CRL over plain http:// (RFC 5280 distribution points are http or ldap; hapki takes
 * http only). Bounded in time and size; a redirect is refused, whatever its target, so a
 * distribution point never leads to another scheme or host. The body is returned as DER CRLs.
 */
export async function fetchCrl(url: string, options: CrlFetchOptions = {}): Promise<Uint8Array[]> {
  const fail = (message: string, cause?: unknown): Error => new CrlFetchError(message, cause === undefined ? undefined : { cause });
  const body = await httpExchange(url, { method: 'GET', accept: 'application/pkix-crl', timeoutMs: options.timeoutMs ?? DEFAULT_CRL_FETCH_TIMEOUT_MS, maxBytes: options.maxBytes ?? MAX_CRL_BYTES, what: 'the CRL', ...(options.signal ? { signal: options.signal } : {}) }, fail);
  return crlsFromBytes(body, 'the fetched CRL');
}

/** The http:// CRL distribution point URLs of certificates (fullName URIs), each once. */
export function crlUrlsOf(certificates: readonly Uint8Array[]): string[] {
  const urls = new Set<string>();
  for (const der of certificates) {
    for (const dp of tryReadPathCertificate(der)?.crlDistributionPoints ?? []) {
      for (const name of dp.names ?? []) if (name.type === 'uri' && /^http:\/\//i.test(name.value)) urls.add(name.value);
    }
  }
  return [...urls];
}

/** Fetches the CRLs of every http:// distribution point of the certificates; any failure is ERR_CRL_FETCH (or ERR_CRL_FORMAT). */
export async function fetchCrlsFor(certificates: readonly Uint8Array[], options: CrlFetchOptions = {}): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const url of crlUrlsOf(certificates).slice(0, 16)) out.push(...(await fetchCrl(url, options)));
  return out;
}
