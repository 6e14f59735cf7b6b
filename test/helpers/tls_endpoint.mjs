// A gateway's TLS service for the rollout tests: serves the key entry of a keystore hapki wrote
// (read with the built library, so JKS works too). Run by a node's restart: command over SSH.
// With a trust store (same password), it asks for a client certificate and accepts only one
// chaining to the store's trusted entries, as a replication node does.
// usage: node tls_endpoint.mjs <keystore> <password-file> <alias> <port> [<truststore>]
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:tls';

const [keystore, passwordFile, alias, port, truststore] = process.argv.slice(2);
const { openKeystore } = await import(new URL('../../dist/index.js', import.meta.url).href);
const password = readFileSync(passwordFile, 'utf8').split(/\r?\n/)[0];
const store = await openKeystore(keystore, { password });
const entry = store.entries.find((e) => e.type === 'private-key' && e.alias === alias);
if (!entry) {
  console.error(`no key entry ${alias}`);
  process.exit(1);
}
const pem = (label, der) => `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END ${label}-----\n`;
const options = { key: pem('PRIVATE KEY', entry.key), cert: entry.chain.map((c) => pem('CERTIFICATE', c)).join('') };
// as Java's trust managers do, any certificate of the trust store is an anchor (a peer's own leaf
// in direct mode), which OpenSSL's verification would not take without its issuer
let anchors;
if (truststore && existsSync(truststore)) {
  const trust = await openKeystore(truststore, { password });
  anchors = trust.entries.filter((e) => e.type === 'trusted-cert').map((e) => Buffer.from(e.certificate));
  Object.assign(options, { requestCert: true, rejectUnauthorized: false });
}
const server = createServer(options, (socket) => {
  socket.on('error', () => {});
  if (anchors) {
    const chain = [];
    for (let c = socket.getPeerCertificate(true); c?.raw && !chain.some((x) => x.equals(c.raw)); c = c.issuerCertificate) chain.push(c.raw);
    if (!chain.some((der) => anchors.some((a) => a.equals(der)))) return socket.destroy();
  }
  // a service keeps the connection; the probe closes it
  setTimeout(() => socket.end(), 10_000).unref();
});
server.listen(Number(port), '127.0.0.1');
