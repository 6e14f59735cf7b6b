import { connect as tcpConnect, isIP } from 'node:net';
import { Duplex } from 'node:stream';
import { domainToASCII } from 'node:url';
import { connect, DEFAULT_CIPHERS, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import type { ProbeErrorCode } from '../errors.js';
import { parseIpAddress } from './hostname.js';
import type { ProbeTarget } from './probe_target.js';

export interface HandshakeOptions {
  /** PEM private key and certificate chain to present when the server asks (mutual TLS). */
  clientPem?: { key: string; cert: string };
  servername?: string;
  /**
   * Judges the server's chain inside the handshake, after the server has proved its key and
   * before the client certificate leaves: a reason aborts the connection there. Node checks
   * certificates only once the handshake is over, when a client certificate has already gone out,
   * so this runs in the one synchronous hook Node gives mid-handshake (the OCSP status callback,
   * which OpenSSL calls for every server flight once the status was requested).
   */
  approveChain?: (chain: Uint8Array[]) => string | undefined;
  timeoutMs: number;
  settleMs: number;
}

export interface HandshakeFailure {
  code: ProbeErrorCode;
  reason: string;
}

export interface Handshake {
  /** Set when no TLS session came up. */
  failure?: HandshakeFailure;
  protocol?: string;
  cipher?: string;
  /** The server's certificates as Node orders them (leaf first), DER. */
  chain: Uint8Array[];
  /** Set when the server turned our certificate down, during the handshake or (TLS 1.3) just after it. */
  clientRejected?: string;
  /** Set when approveChain refused the server's chain, so nothing of ours was sent. */
  refused?: string;
  /** The OCSP response the server stapled (status_request), DER. */
  stapled?: Uint8Array;
}

// alerts a server sends about the client's certificate; never ours, since we verify nothing in-handshake
const CLIENT_CERT_ALERT = /ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_REQUIRED|UNSUPPORTED_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|CERTIFICATE_UNKNOWN|ACCESS_DENIED)$/;

/**
 * One TLS handshake that accepts any server certificate (the caller judges it), bounded by
 * timeoutMs from the first byte of DNS to the last. After the handshake it keeps reading for
 * settleMs: a TLS 1.3 server checks the client certificate only after the client has finished,
 * so its alert (or a plain close) arrives then; in TLS 1.3 those settleMs count from the server's
 * first session ticket, which it sends only once it has accepted the client's flight.
 */
export function tlsHandshake(target: ProbeTarget, options: HandshakeOptions): Promise<Handshake> {
  return new Promise((resolve) => {
    const started = Date.now();
    let secured: Handshake | undefined;
    let settle: NodeJS.Timeout | undefined;
    let done = false;
    let answered = false;
    let approved = false;
    let stapled: Uint8Array | undefined;
    let ticketed = false;
    let farewell: NodeJS.Timeout | undefined;
    // bytes the server had sent when we said goodbye (close_notify); undefined before
    let readAtGoodbye: number | undefined;
    const approve = options.approveChain;
    const tcp = tcpLink(target);
    const socket: TLSSocket = connect({
      socket: tcp.stream,
      rejectUnauthorized: false,
      // whatever NODE_OPTIONS (--tls-min-v1.0) or openssl.cnf say: nothing older than TLS 1.2
      minVersion: 'TLSv1.2',
      // status_request: the server's stapled OCSP response, and (approveChain) a hook mid-handshake
      ...{ requestOCSP: true },
      // forward secrecy only: with RSA key transport a client certificate goes out before the server has proved its key
      ...(approve && options.clientPem ? { ciphers: `${DEFAULT_CIPHERS}:!kRSA` } : {}),
      ...sniOf(options.servername ?? target.host),
      ...(options.clientPem ?? {}),
    });
    const finish = (result: Handshake): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearTimeout(settle);
      clearTimeout(farewell);
      socket.destroy();
      tcp.stream.destroy();
      resolve(result);
    };
    const deadline = setTimeout(() => {
      finish(secured ?? { chain: [], failure: { code: 'ERR_PROBE_TIMEOUT', reason: `no TLS handshake with ${target.host}:${target.port} within ${options.timeoutMs} ms` } });
    }, options.timeoutMs);
    socket.once('session', () => (ticketed = true));
    socket.on('OCSPResponse', (response: Buffer | null | undefined) => {
      if (response && response.length > 0) stapled = new Uint8Array(response);
    });
    if (approve) {
      socket.on('OCSPResponse', () => {
        if (approved || done) return;
        const chain = safePeerChain(socket);
        const refused = chain.length === 0 ? 'the server presented no certificate' : approve(chain);
        if (refused === undefined) approved = true;
        else finish({ chain, refused, ...(stapled ? { stapled } : {}) });
      });
    }
    socket.once('secureConnect', () => {
      if (approve && !approved) return finish({ chain: safePeerChain(socket), refused: 'the server certificate could not be checked during the handshake' });
      const cipher = socket.getCipher();
      secured = { protocol: socket.getProtocol() ?? undefined, cipher: cipher.standardName ?? cipher.name, chain: peerChain(socket), ...(stapled ? { stapled } : {}) };
      socket.on('data', () => (answered = true));
      const listen = (): void => {
        settle = setTimeout(() => finish(secured!), Math.max(0, Math.min(options.settleMs, options.timeoutMs - (Date.now() - started))));
      };
      // TLS 1.3: the server judges our certificate (or its absence) after our Finished, and then
      // either alerts or sends its session tickets; a fixed pause would miss a late alert on a busy
      // host and call a refused certificate accepted. So wait for the tickets (or the alert, or the
      // close), bounded by the timeout. A server that sends no tickets (openssl s_server
      // -num_tickets 0, a server without resumption) says nothing at all once it has accepted, so
      // after settleMs of silence the probe says goodbye (close_notify): the server reads it only
      // after our Finished, so it still alerts if it refused our certificate, and otherwise closes
      // in turn (its own close_notify), which is its acceptance; a server that hangs up without a
      // word still refused. Without this such a server cost the whole timeout.
      if (options.settleMs > 0 && secured.protocol === 'TLSv1.3' && !ticketed) {
        socket.once('session', listen);
        farewell = setTimeout(() => {
          if (ticketed || done) return;
          readAtGoodbye = tcp.received();
          socket.end();
        }, Math.max(0, Math.min(options.settleMs, options.timeoutMs - (Date.now() - started))));
      } else listen();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      if (CLIENT_CERT_ALERT.test(code)) return finish({ ...(secured ?? { chain: safePeerChain(socket) }), clientRejected: `TLS alert ${alertName(code)}` });
      if (secured) return finish(options.clientPem && !answered ? { ...secured, clientRejected: `the connection failed right after the handshake (${code || error.message})` } : secured);
      finish({ chain: [], failure: classify(error, target) });
    });
    socket.on('close', () => {
      if (!secured) return finish({ chain: [], failure: { code: 'ERR_PROBE_HANDSHAKE', reason: `${target.host}:${target.port} closed the connection during the TLS handshake` } });
      // a server that rejects our certificate without an alert (Node's own) hangs up without a word;
      // one that answers our goodbye with a record (its close_notify) had nothing against it
      const answeredGoodbye = readAtGoodbye !== undefined && tcp.received() > readAtGoodbye;
      finish(options.clientPem && !answered && !answeredGoodbye ? { ...secured, clientRejected: 'the server closed the connection right after the handshake, without an alert' } : secured);
    });
  });
}

/**
 * The TCP connection under the TLS socket, as a stream of our own: it counts what the server
 * sends, which tells a server's close_notify (a record) from a bare hang-up (none), both of which
 * Node's TLS socket reports as an end; and the TLS socket's end sends our close_notify without
 * half-closing TCP, which a proxy on the way (nginx stream without proxy_half_close) would take
 * for the end of the whole connection, before the server had answered.
 */
function tcpLink(target: ProbeTarget): { stream: Duplex; received: () => number } {
  const tcp = tcpConnect({ host: target.host, port: target.port });
  let received = 0;
  const stream = new Duplex({
    read: () => void tcp.resume(),
    write: (chunk: Buffer, _encoding, callback) => void tcp.write(chunk, (error) => callback(error ?? null)),
    final: (callback) => callback(),
    destroy: (error, callback) => {
      tcp.destroy();
      callback(error);
    },
  });
  tcp.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (!stream.push(chunk)) tcp.pause();
  });
  tcp.on('end', () => stream.push(null));
  tcp.on('error', (error) => stream.destroy(error));
  tcp.on('close', () => stream.destroy());
  return { stream, received: () => received };
}

/**
 * The server_name extension (RFC 6066 section 3): a DNS host name in A-labels, without its trailing dot, and
 * never an IP address, literal or bracketed (Node would send one, with a deprecation warning on
 * stderr). For an IP address nothing is sent.
 */
export function sniOf(name: string): { servername?: string } {
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (isIP(bare) !== 0 || parseIpAddress(name) !== undefined) return {};
  // an internationalized name goes out in its A-labels; one that has none is not sent
  const host = (/[^\x00-\x7f]/.test(name) ? domainToASCII(name) : name).replace(/\.$/, '');
  return host === '' ? {} : { servername: host };
}

function classify(error: NodeJS.ErrnoException, target: ProbeTarget): HandshakeFailure {
  const where = `${target.host}:${target.port}`;
  switch (error.code) {
    case 'ECONNREFUSED':
      return { code: 'ERR_PROBE_REFUSED', reason: `${where} refused the connection (nothing listening)` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { code: 'ERR_PROBE_REFUSED', reason: `${where} is unreachable (${error.code})` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return { code: 'ERR_PROBE_DNS', reason: `cannot resolve ${target.host} (${error.code})` };
    case 'ETIMEDOUT':
      return { code: 'ERR_PROBE_TIMEOUT', reason: `connecting to ${where} timed out` };
    case 'ECONNRESET':
    case 'EPIPE':
      return { code: 'ERR_PROBE_HANDSHAKE', reason: `${where} closed the connection during the TLS handshake (${error.code})` };
    case 'ERR_SSL_UNSUPPORTED_PROTOCOL':
    case 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION':
    case 'ERR_SSL_NO_PROTOCOLS_AVAILABLE':
      return { code: 'ERR_PROBE_HANDSHAKE', reason: `${where} offers no TLS version hapki accepts (TLS 1.2 or 1.3; SSL 3.0, TLS 1.0 and 1.1 are refused)` };
    case 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE':
      return { code: 'ERR_PROBE_HANDSHAKE', reason: `${where} sent a handshake message over the size limit (a certificate chain or list of CA names too long); the connection was dropped` };
    default:
      return { code: 'ERR_PROBE_HANDSHAKE', reason: `TLS handshake with ${where} failed: ${error.code?.startsWith('ERR_SSL_') ? error.code.slice(8).toLowerCase().replace(/_/g, ' ') : error.message} (not a TLS server, or no protocol or cipher in common)` };
  }
}

function alertName(code: string): string {
  return code.replace(/^.*ALERT_/, '').toLowerCase();
}

function safePeerChain(socket: TLSSocket): Uint8Array[] {
  try {
    return peerChain(socket);
  } catch {
    return [];
  }
}

function peerChain(socket: TLSSocket): Uint8Array[] {
  const chain: Uint8Array[] = [];
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert?.raw && chain.length < 16) {
    chain.push(new Uint8Array(cert.raw));
    const next: DetailedPeerCertificate | undefined = cert.issuerCertificate;
    if (!next || next === cert || next.fingerprint256 === cert.fingerprint256) break;
    cert = next;
  }
  return chain;
}
