import { request } from 'node:http';

export interface HttpExchange {
  method: 'GET' | 'POST';
  /** A POST's body. */
  body?: Uint8Array;
  contentType?: string;
  accept: string;
  /** For the whole exchange, connect to last byte. */
  timeoutMs: number;
  /** Larger bodies are cut off. */
  maxBytes: number;
  /** What is fetched, for messages ("the CRL", "the OCSP response"). */
  what: string;
  /** Ends the exchange early (a caller's overall deadline). */
  signal?: AbortSignal;
}

/**
 * One bounded HTTP exchange over plain http:// (the schemes revocation data is published on that
 * hapki takes): the whole exchange within `timeoutMs`, at most `maxBytes` of body, and no redirect
 * followed, whatever its target, so a distribution point or responder never leads to another
 * scheme or host. `fail` makes the coded error for a message.
 */
export function httpExchange(url: string, exchange: HttpExchange, fail: (message: string, cause?: unknown) => Error): Promise<Uint8Array> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.reject(fail(`the URL of ${exchange.what} is not valid`));
  }
  if (target.protocol !== 'http:') return Promise.reject(fail(`hapki fetches ${exchange.what} over http:// only, not ${target.protocol.replace(/[^a-z0-9+.-]/gi, '')}`));
  const shown = `${target.host}${target.pathname}`.replace(/[^\x21-\x7e]/g, '?');
  const { timeoutMs, maxBytes, what, signal } = exchange;
  if (signal?.aborted) return Promise.reject(fail(`${what} at ${shown} was not fetched: the deadline had passed`));
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (error: Error | undefined, value?: Uint8Array): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
      req.destroy();
      if (error) reject(error);
      else resolve(value!);
    };
    const timer = setTimeout(() => finish(fail(`fetching ${what} from ${shown} took more than ${timeoutMs} ms`)), timeoutMs);
    const stop = (): void => finish(fail(`fetching ${what} from ${shown} was cut off by the deadline`));
    signal?.addEventListener('abort', stop);
    const headers: Record<string, string | number> = { accept: exchange.accept };
    if (exchange.body) Object.assign(headers, { 'content-type': exchange.contentType ?? 'application/octet-stream', 'content-length': exchange.body.length });
    const req = request(target, { method: exchange.method, headers }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) return finish(fail(`${what} at ${shown} redirects (HTTP ${status}); hapki follows no redirects`));
      if (status !== 200) return finish(fail(`${what} at ${shown} answered HTTP ${status}`));
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > maxBytes) return finish(fail(`${what} at ${shown} is ${declared} bytes, more than the ${maxBytes} hapki reads`));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return finish(fail(`${what} at ${shown} is more than the ${maxBytes} bytes hapki reads`));
        chunks.push(chunk);
      });
      res.on('error', (e) => finish(fail(`fetching ${what} from ${shown} failed: ${e.message}`, e)));
      res.on('end', () => finish(undefined, new Uint8Array(Buffer.concat(chunks))));
    });
    req.on('error', (e: NodeJS.ErrnoException) => finish(fail(`cannot fetch ${what} from ${shown}: ${e.code ?? e.message}`, e)));
    req.end(exchange.body ? Buffer.from(exchange.body) : undefined);
  });
}
