// A gateway's TLS service for the rollout tests: serves the key entry of a keystore hapki wrote
// (read with the built library, so JKS works too). Run by a node's restart: command over SSH.
// usage: node tls_endpoint.mjs <keystore> <password-file> <alias> <port>
import { readFileSync } from 'node:fs';
import { createServer } from 'node:tls';

const [keystore, passwordFile, alias, port] = process.argv.slice(2);
const { openKeystore } = await import(new URL('../../dist/index.js', import.meta.url).href);
const password = readFileSync(passwordFile, 'utf8').split(/\r?\n/)[0];
const store = await openKeystore(keystore, { password });
const entry = store.entries.find((e) => e.type === 'private-key' && e.alias === alias);
if (!entry) {
  console.error(`no key entry ${alias}`);
  process.exit(1);
}
const pem = (label, der) => `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END ${label}-----\n`;
const server = createServer({ key: pem('PRIVATE KEY', entry.key), cert: entry.chain.map((c) => pem('CERTIFICATE', c)).join('') }, (socket) => socket.end());
server.listen(Number(port), '127.0.0.1');
