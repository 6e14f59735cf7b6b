import { OcspFetchError } from '../errors.js';
import { httpExchange } from './http_fetch.js';
import { MAX_OCSP_RESPONSE_BYTES } from './ocsp_read.js';

export const DEFAULT_OCSP_TIMEOUT_MS = 10_000;

/**
 * POSTs a DER OCSPRequest to a responder (RFC 6960 A.1) over http://, bounded in time and size,
 * following no redirect; returns the response's bytes. Any failure is ERR_OCSP_FETCH.
 */
export function postOcspRequest(url: string, request: Uint8Array, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Uint8Array> {
  const fail = (message: string, cause?: unknown): Error => new OcspFetchError(message, cause === undefined ? undefined : { cause });
  return httpExchange(
    url,
    { method: 'POST', body: request, contentType: 'application/ocsp-request', accept: 'application/ocsp-response', timeoutMs: options.timeoutMs ?? DEFAULT_OCSP_TIMEOUT_MS, maxBytes: MAX_OCSP_RESPONSE_BYTES, what: 'the OCSP response', ...(options.signal ? { signal: options.signal } : {}) },
    fail,
  );
}
