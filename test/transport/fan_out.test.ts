import { describe, expect, it } from 'vitest';
import { hostOfLocation, mapByHost } from '../../src/transport/fan_out.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('mapByHost', () => {
  it('runs each host\'s items in order, one at a time, and at most `limit` hosts at once', async () => {
    const items = ['a1', 'b1', 'c1', 'a2', 'd1', 'b2', 'a3', 'e1'];
    let mostHosts = 0;
    const busy = new Set<string>();
    const seen: string[] = [];
    const out = await mapByHost(items, (i) => i[0]!, async (item) => {
      const host = item[0]!;
      expect(busy.has(host), `${host} twice at once`).toBe(false);
      busy.add(host);
      mostHosts = Math.max(mostHosts, busy.size);
      seen.push(item);
      await tick();
      await tick();
      busy.delete(host);
      return item.toUpperCase();
    }, 3);
    expect(out).toEqual(items.map((i) => i.toUpperCase()));
    expect(mostHosts).toBe(3);
    for (const host of 'abcde') expect(seen.filter((s) => s[0] === host)).toEqual(items.filter((s) => s[0] === host));
  });

  it('stops starting hosts after a failure, waits for the calls started, and throws the first failure', async () => {
    const ended: string[] = [];
    const run = mapByHost(['a1', 'b1', 'c1', 'a2'], (i) => i[0]!, async (item) => {
      if (item === 'a1') throw new Error('host a is down');
      await tick();
      ended.push(item);
      return item;
    }, 2);
    await expect(run).rejects.toThrow('host a is down');
    // b1 was under way when a1 failed: it ended first; c1 and a2 never started
    expect(ended).toEqual(['b1']);
  });

  it('groups locations by host: user, host and port; local paths together', () => {
    expect(hostOfLocation('ssh://root@gw1:2222/opt/a.jks')).toBe('ssh://root@gw1:2222');
    expect(hostOfLocation('root@gw1:/opt/b.jks')).toBe('ssh://root@gw1');
    expect(hostOfLocation('gw1:/opt/a.jks')).toBe('ssh://gw1');
    expect(hostOfLocation('/opt/a.jks')).toBe('local');
    expect(hostOfLocation('relative/a.jks')).toBe('local');
  });
});
