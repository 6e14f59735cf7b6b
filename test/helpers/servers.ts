import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterAll } from 'vitest';
import { freePort } from './ports.js';

/**
 * Servers a test file starts on 127.0.0.1 (an ephemeral port each), all closed, with every
 * connection still open, after the file's tests.
 */
export function loopbackServers(): (server: Server) => Promise<number> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });
  return async (server) => {
    servers.push(server);
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };
}

/**
 * `openssl s_server` on 127.0.0.1 at a free port, resolved once it prints ACCEPT; the child goes
 * into `children` for the file's clean-up. Its standard input stays open: s_server ends a
 * connection when its input ends.
 */
export async function opensslServer(args: readonly string[], children: ChildProcess[]): Promise<number> {
  const port = await freePort();
  const child = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('openssl s_server did not start')), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ACCEPT')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return port;
}
