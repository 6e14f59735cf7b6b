import { request } from 'node:http';
import { CrlFetchError } from '../errors.js';
import { tryReadPathCertificate } from '../trust/path_certificate.js';
import { crlsFromBytes } from './crl_bytes.js';
import { MAX_CRL_BYTES } from './crl_read.js';

export const DEFAULT_CRL_FETCH_TIMEOUT_MS = 10_000;

export interface CrlFetchOptions {
  /** For the whole exchange, connect to last byte (default 10 s). */
  timeoutMs?: number;
  /** Larger bodies are cut off (default MAX_CRL_BYTES, 32 MiB). */
  maxBytes?: number;
}

/**
 * Fetches one CRL over plain http:// (RFC 5280 distribution points are http or ldap; hapki takes
 * http only). Bounded in time and size; a redirect is refused, whatever its target, so a
 * distribution point never leads to another scheme or host. The body is returned as DER CRLs.
 */
export function fetchCrl(url: string, options: CrlFetchOptions = {}): Promise<Uint8Array[]> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.reject(new CrlFetchError('a CRL distribution point is not a valid URL'));
  }
  if (target.protocol !== 'http:') return Promise.reject(new CrlFetchError(`hapki fetches CRLs over http:// only, not ${target.protocol.replace(/[^a-z0-9+.-]/gi, '')}`));
  const shown = `${target.host}${target.pathname}`.replace(/[^\x21-\x7e]/g, '?');
  const timeoutMs = options.timeoutMs ?? DEFAULT_CRL_FETCH_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? MAX_CRL_BYTES;
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (error: Error | undefined, value?: Uint8Array[]): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      if (error) reject(error);
      else resolve(value!);
    };
    const timer = setTimeout(() => finish(new CrlFetchError(`fetching the CRL from ${shown} took more than ${timeoutMs} ms`)), timeoutMs);
    const req = request(target, { method: 'GET', headers: { accept: 'application/pkix-crl' } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) return finish(new CrlFetchError(`the CRL at ${shown} redirects (HTTP ${status}); hapki follows no redirects`));
      if (status !== 200) return finish(new CrlFetchError(`the CRL at ${shown} answered HTTP ${status}`));
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > maxBytes) return finish(new CrlFetchError(`the CRL at ${shown} is ${declared} bytes, more than the ${maxBytes} hapki reads`));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return finish(new CrlFetchError(`the CRL at ${shown} is more than the ${maxBytes} bytes hapki reads`));
        chunks.push(chunk);
      });
      res.on('error', (e) => finish(new CrlFetchError(`fetching the CRL from ${shown} failed: ${e.message}`, { cause: e })));
      res.on('end', () => {
        try {
          finish(undefined, crlsFromBytes(new Uint8Array(Buffer.concat(chunks)), `the CRL at ${shown}`));
        } catch (e) {
          finish(e as Error);
        }
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => finish(new CrlFetchError(`cannot fetch the CRL from ${shown}: ${e.code ?? e.message}`, { cause: e })));
    req.end();
  });
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
