import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectSsh } from '../../src/transport/ssh/connect.js';
import { checkHostKey, hostKeyFingerprint, hostKeyType, knownHostsName, loadKnownHosts, matchesHostPatterns, parseKnownHosts } from '../../src/transport/ssh/known_hosts.js';

function blob(type: string, body: Buffer): Buffer {
  const t = Buffer.from(type);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(t.length);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([head, t, len, body]);
}

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

const keyA = blob('ssh-ed25519', Buffer.alloc(32, 1));
const keyB = blob('ssh-ed25519', Buffer.alloc(32, 2));
const rsa = blob('ssh-rsa', Buffer.alloc(64, 3));

describe('known_hosts', () => {
  it('names a non-default port as [host]:port, as OpenSSH writes it', () => {
    expect(knownHostsName('gw1', 22)).toBe('gw1');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
  });

  // Regression: a host written in capitals never matched the hashed entry OpenSSH had made for it
  // (it hashes the lower-case name), so a known host was refused as unknown.
  it('looks a host up in lower case, as OpenSSH hashes and writes it', () => {
    expect(knownHostsName('GW1.Example.COM', 22)).toBe('gw1.example.com');
    expect(matchesHostPatterns(hashed('[gw1.example.com]:2200'), knownHostsName('GW1.example.com', 2200))).toBe(true);
  });

  it('matches plain, wildcard, negated and hashed patterns', () => {
    expect(matchesHostPatterns('gw1,gw2', 'gw2')).toBe(true);
    expect(matchesHostPatterns('*.example.com', 'gw1.example.com')).toBe(true);
    expect(matchesHostPatterns('*.example.com,!bad.example.com', 'bad.example.com')).toBe(false);
    expect(matchesHostPatterns('gw?', 'gw10')).toBe(false);
    expect(matchesHostPatterns(hashed('[10.0.0.5]:2200'), '[10.0.0.5]:2200')).toBe(true);
    expect(matchesHostPatterns(hashed('[10.0.0.5]:2200'), '10.0.0.5')).toBe(false);
    expect(matchesHostPatterns('|1|bad', 'x')).toBe(false);
  });

  it('decides known, unknown, changed and revoked keys', () => {
    const entries = parseKnownHosts(
      [`# comment`, `[h]:2200 ssh-ed25519 ${keyA.toString('base64')}`, `${hashed('g')} ssh-ed25519 ${keyA.toString('base64')}`, `@revoked * ssh-rsa ${rsa.toString('base64')}`, 'garbage'].join('\n'),
    );
    expect(checkHostKey(entries, '[h]:2200', keyA)).toEqual({ status: 'known' });
    expect(checkHostKey(entries, 'g', keyA)).toEqual({ status: 'known' });
    expect(checkHostKey(entries, '[h]:2200', keyB).status).toBe('mismatch');
    // the same host on the default port is another entry: not known
    expect(checkHostKey(entries, 'h', keyA)).toEqual({ status: 'unknown' });
    expect(checkHostKey(entries, 'other', rsa).status).toBe('mismatch');
  });

  it('gives OpenSSH fingerprints and key types', () => {
    expect(hostKeyType(keyA)).toBe('ssh-ed25519');
    expect(hostKeyType(Buffer.from([0, 0, 0, 200]))).toBe('unknown');
    expect(hostKeyFingerprint(keyA)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('side files of an SSH connection that are not regular files', () => {
  it('refuses a FIFO or a device as known_hosts or identity (ERR_IO) instead of blocking or reading without end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hapki-ssh-side-'));
    try {
      const fifo = join(dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      const empty = join(dir, 'known_hosts');
      writeFileSync(empty, '');
      await expect(loadKnownHosts([fifo])).rejects.toMatchObject({ code: 'ERR_IO' });
      await expect(loadKnownHosts(['/dev/zero'])).rejects.toMatchObject({ code: 'ERR_IO' });
      await expect(loadKnownHosts([join(dir, 'missing')])).resolves.toEqual([]);
      // a huge one is refused as what it is (it was "too large to be a keystore")
      const huge = join(dir, 'huge');
      writeFileSync(huge, '');
      truncateSync(huge, 17 * 1024 * 1024);
      await expect(loadKnownHosts([huge])).rejects.toMatchObject({ code: 'ERR_IO', message: `${huge} is too large (${17 * 1024 * 1024} bytes) to be a known_hosts file` });
      await expect(connectSsh({ host: '127.0.0.1', port: 1 }, { identity: huge, knownHosts: [empty], agent: false })).rejects.toMatchObject({ code: 'ERR_IO', message: expect.stringContaining('to be an SSH private key') });
      // the identity is read before any connection is tried: no server is needed
      for (const identity of [fifo, '/dev/zero']) {
        await expect(connectSsh({ host: '127.0.0.1', port: 1 }, { identity, knownHosts: [empty], agent: false })).rejects.toMatchObject({ code: 'ERR_IO' });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
