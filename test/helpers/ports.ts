import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Loopback ports for servers the tests start in other processes (sshd, a node's TLS endpoint,
 * openssl s_server). Asking the OS for port 0 and closing it does not reserve anything: two such
 * calls can give the same port before either server binds it (one node's endpoint then served
 * another node's certificate), and any outgoing connection can take it meanwhile. So ports come
 * from below the OS's ephemeral range, which neither bind(0) nor connect() hand out, from a block
 * of its own for each test worker, never twice in one process, and only if they bind right now.
 */
const BLOCK = 600;
const given = new Set<number>();

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 1024) return low;
  } catch {
    // not Linux: the IANA dynamic range starts here
  }
  return 49152;
}

function block(): { start: number; end: number } {
  const top = ephemeralLow();
  const blocks = Math.max(1, Math.floor((top - 10_000) / BLOCK));
  const worker = Number(process.env['VITEST_POOL_ID'] ?? process.env['VITEST_WORKER_ID'] ?? process.pid);
  const start = top - BLOCK * (1 + (Math.abs(worker) % blocks));
  return { start, end: start + BLOCK };
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A loopback port that binds now and that no other caller in this test run is given. */
export async function freePort(): Promise<number> {
  const { start, end } = block();
  // files of one worker run one after another: begin somewhere in the block, not where the last one did
  const offset = Math.floor(Math.random() * BLOCK);
  for (let i = 0; i < BLOCK; i++) {
    const port = start + ((offset + i) % BLOCK);
    if (given.has(port)) continue;
    given.add(port);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free loopback port in ${start}-${end - 1}`);
}
