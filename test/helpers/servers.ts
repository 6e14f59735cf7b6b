import type { AddressInfo, Server, Socket } from 'node:net';
import { afterAll } from 'vitest';

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
