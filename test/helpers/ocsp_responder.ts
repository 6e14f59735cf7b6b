import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { OpensslCa } from './openssl_ca.js';
import { loopbackServers } from './servers.js';
import { openssl } from './tools.js';

/** Extension sections for an OCSP lab: leaves naming a responder, delegated responders. */
export function ocspSections(responderUrl: string): string {
  return `
[ocsp_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:gw.example.com
authorityInfoAccess = OCSP;URI:${responderUrl}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ocsp_signer]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
[not_ocsp_signer]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
`;
}

/** One `openssl ocsp` responder on an ephemeral port, ended after the file's tests. */
export async function startOpensslResponder(args: readonly string[]): Promise<number> {
  const child: ChildProcess = spawn('openssl', ['ocsp', '-port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  RESPONDERS.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`openssl ocsp did not start: ${out}`)), 10_000);
    const look = (d: Buffer): void => {
      out += d.toString();
      const m = /ACCEPT \S*:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.once('exit', (code) => reject(new Error(`openssl ocsp exited ${code}: ${out}`)));
  });
}

const RESPONDERS: ChildProcess[] = [];
afterAll(() => {
  for (const child of RESPONDERS) child.kill();
});

/** How the front server answers an OCSP POST: forwarded to an openssl responder, or a canned failure. */
export type FrontMode = { forward: number } | { body: Uint8Array } | 'hang' | 'redirect' | 'replay';

/**
 * The URL the lab's certificates name: a node:http server on 127.0.0.1 that forwards each POST to
 * the openssl responder the test picks, records the last request and response, or misbehaves.
 */
export class OcspFront {
  mode: FrontMode = 'hang';
  lastRequest: Uint8Array | undefined;
  lastResponse: Uint8Array | undefined;
  port = 0;
  private readonly hanging: ServerResponse[] = [];

  async start(listen: (server: import('node:net').Server) => Promise<number>): Promise<void> {
    const server = createServer((req, res) => void this.answer(req, res));
    this.port = await listen(server);
    afterAll(() => {
      for (const res of this.hanging) res.destroy();
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    this.lastRequest = new Uint8Array(body);
    const mode = this.mode;
    if (mode === 'hang') return void this.hanging.push(res);
    if (mode === 'redirect') return void res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    if (mode === 'replay') return void res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(this.lastResponse);
    if ('body' in mode) return void res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(mode.body);
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const up = request({ host: '127.0.0.1', port: mode.forward, method: 'POST', path: '/', headers: { 'content-type': 'application/ocsp-request', 'content-length': body.length } }, (r) => {
        const parts: Buffer[] = [];
        r.on('data', (d: Buffer) => parts.push(d));
        r.on('end', () => resolve(Buffer.concat(parts)));
      });
      up.on('error', reject);
      up.end(body);
    });
    this.lastResponse = new Uint8Array(answer);
    res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(answer);
  }
}

/**
 * A root CA with leaves that name `front` as their OCSP responder, an openssl index of their
 * status, and responder certificates: `responder` (delegated, id-kp-OCSPSigning, nocheck) and
 * `impostor` (issued by the root, without id-kp-OCSPSigning).
 */
export async function ocspLab(dir: string, front: OcspFront): Promise<OpensslCa> {
  const ca = new OpensslCa(dir);
  appendFileSync(join(dir, 'openssl-ext.cnf'), ocspSections(front.url));
  await ca.root('root');
  await ca.issued('good', 'ocsp_leaf', 'root');
  await ca.issued('revoked', 'ocsp_leaf', 'root');
  await ca.issued('unknown', 'ocsp_leaf', 'root');
  await ca.issued('responder', 'ocsp_signer', 'root');
  await ca.issued('impostor', 'not_ocsp_signer', 'root');
  const line = async (name: string, state: string): Promise<string> => {
    const serial = (await openssl(['x509', '-in', ca.path(name), '-noout', '-serial'])).stdout.trim().replace('serial=', '');
    const end = (await openssl(['x509', '-in', ca.path(name), '-noout', '-enddate'])).stdout.trim().replace('notAfter=', '');
    const expiry = new Date(end).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
    const revokedAt = new Date(Date.now() - 3600_000).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
    return state === 'R' ? `R\t${expiry}\t${revokedAt},keyCompromise\t${serial}\tunknown\t/CN=${name}` : `V\t${expiry}\t\t${serial}\tunknown\t/CN=${name}`;
  };
  writeFileSync(join(dir, 'index.txt'), `${[await line('good', 'V'), await line('revoked', 'R'), await line('responder', 'V'), await line('impostor', 'V')].join('\n')}\n`);
  return ca;
}

export const der = (path: string): Uint8Array => {
  const text = readFileSync(path, 'latin1');
  return new Uint8Array(Buffer.from(text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
};

export { loopbackServers };
