import { HapkiError } from '../../errors.js';
import { parseProbeTarget } from '../../trust/probe_target.js';
import { tlsHandshake } from '../../trust/tls_handshake.js';
import type { AuditSource } from '../model.js';
import { mapLimit } from './map_limit.js';

export const DEFAULT_ENDPOINT_TIMEOUT_MS = 5000;
const ENDPOINT_CONCURRENCY = 16;

/**
 * The chain each endpoint presents, from one TLS handshake that accepts any certificate: the
 * audit judges the certificates, not the connection (`hapki probe` judges that). The handshake
 * layer under probeTls is used directly because the audit needs the certificates' DER, not just
 * their summaries. An endpoint that cannot be reached is a source with an error.
 */
export async function scanEndpoints(endpoints: readonly string[], timeoutMs = DEFAULT_ENDPOINT_TIMEOUT_MS): Promise<AuditSource[]> {
  return mapLimit(endpoints, ENDPOINT_CONCURRENCY, async (endpoint): Promise<AuditSource> => {
    try {
      const hs = await tlsHandshake(parseProbeTarget(endpoint), { timeoutMs, settleMs: 0 });
      if (hs.failure) return { kind: 'endpoint', source: endpoint, error: { code: hs.failure.code, message: hs.failure.reason } };
      if (hs.chain.length === 0) return { kind: 'endpoint', source: endpoint, error: { code: 'ERR_PROBE_HANDSHAKE', message: `${endpoint} presented no certificate` } };
      return { kind: 'endpoint', source: endpoint, chain: hs.chain };
    } catch (error) {
      return { kind: 'endpoint', source: endpoint, error: { code: error instanceof HapkiError ? error.code : 'ERR_INTERNAL', message: (error as Error).message } };
    }
  });
}
