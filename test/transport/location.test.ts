import { describe, expect, it } from 'vitest';
import { formatLocation, parseLocation, resolveLocation } from '../../src/transport/location.js';

describe('parseLocation', () => {
  it('reads ssh:// locations with and without user and port', () => {
    expect(parseLocation('ssh://gw1/opt/msas/ks.p12')).toEqual({ kind: 'ssh', host: 'gw1', path: '/opt/msas/ks.p12' });
    expect(parseLocation('ssh://deploy@10.0.0.5:2222/opt//a/../ks.jks')).toEqual({ kind: 'ssh', user: 'deploy', host: '10.0.0.5', port: 2222, path: '/opt/ks.jks' });
    // a transport's own location plus "/" (how a journal names a host) is a location too
    expect(parseLocation('ssh://root@h:2200/')).toEqual({ kind: 'ssh', user: 'root', host: 'h', port: 2200, path: '/' });
    expect(parseLocation('ssh://[::1]:22/k')).toEqual({ kind: 'ssh', host: '::1', port: 22, path: '/k' });
  });

  it('reads the scp form only where it cannot be a local path', () => {
    expect(parseLocation('gw1:/opt/ks.p12')).toEqual({ kind: 'ssh', host: 'gw1', path: '/opt/ks.p12' });
    expect(parseLocation('root@gw1.example.com:/opt/ks.p12')).toMatchObject({ kind: 'ssh', user: 'root', host: 'gw1.example.com' });
    for (const local of ['ks.p12', '/opt/ks.p12', './a:/b', 'dir/x:/y', 'gw1:relative', 'C:/ks.p12']) expect(parseLocation(local)).toEqual({ kind: 'local', path: local });
  });

  it('refuses malformed ssh:// locations without echoing them', () => {
    for (const bad of ['ssh://', 'ssh://host', 'ssh://host:99999/x', 'ssh://host:port/x', 'ssh://us er@h/x', 'ssh://h;rm/x']) {
      let error: unknown;
      try {
        parseLocation(bad);
      } catch (e) {
        error = e;
      }
      expect(error, bad).toMatchObject({ code: 'ERR_SSH_LOCATION' });
      if (bad.length > 'ssh://'.length) expect((error as Error).message).not.toContain(bad);
    }
  });

  it('formats and resolves relative paths on the base host', () => {
    expect(formatLocation(parseLocation('ssh://u@h:2200/a/b'))).toBe('ssh://u@h:2200/a/b');
    expect(formatLocation(parseLocation('ssh://h:22/a'))).toBe('ssh://h/a');
    expect(resolveLocation('ssh://h:2200/opt/msas', 'gw/ks.p12')).toBe('ssh://h:2200/opt/msas/gw/ks.p12');
    expect(resolveLocation('/etc/hapki', 'ssh://h/x')).toBe('ssh://h/x');
    expect(resolveLocation('/etc/hapki', 'ks.p12')).toBe('/etc/hapki/ks.p12');
  });
});
