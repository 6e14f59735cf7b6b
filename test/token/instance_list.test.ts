import { describe, expect, it } from 'vitest';
import { instanceNames, parseInstanceList } from '../../src/token/instance_list.js';

describe('parseInstanceList', () => {
  it('reads one instance a line with an optional password source, skipping comments and blank lines', () => {
    const text = '# the MSAS cluster\n/opt/msas/node1/gateway.jks env:NODE1_PASS\n\n  node2/gateway.p12   # default password\r\n"with space/gw.jceks" file:/run/secrets/gw3\n';
    expect(parseInstanceList(text, '/etc/cluster')).toEqual([
      { path: '/opt/msas/node1/gateway.jks', passwordSource: 'env:NODE1_PASS', line: 2 },
      { path: '/etc/cluster/node2/gateway.p12', line: 4 },
      { path: '/etc/cluster/with space/gw.jceks', passwordSource: 'file:/run/secrets/gw3', line: 5 },
    ]);
  });

  // regression: a relative file: source was taken against the working directory, not the list's
  it('takes a relative file: password source against the list\'s directory, as a keystore path', () => {
    expect(parseInstanceList('gw1.jks file:secrets/gw1.pass\n/abs/gw2.jks file:/run/gw2.pass\ngw3.jks env:GW3\n', '/etc/cluster')).toEqual([
      { path: '/etc/cluster/gw1.jks', passwordSource: 'file:/etc/cluster/secrets/gw1.pass', line: 1 },
      { path: '/abs/gw2.jks', passwordSource: 'file:/run/gw2.pass', line: 2 },
      { path: '/etc/cluster/gw3.jks', passwordSource: 'env:GW3', line: 3 },
    ]);
  });

  it('keeps a # that is part of a path', () => {
    expect(parseInstanceList('/srv/a#1/gw.jks', '/')).toEqual([{ path: '/srv/a#1/gw.jks', line: 1 }]);
  });

  it('refuses extra fields and unbalanced quotes with ERR_INVALID_ARGUMENT and the line number', () => {
    expect(() => parseInstanceList('\na.jks env:A env:B', '/')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('line 2') }));
    expect(() => parseInstanceList('"a.jks env:A', '/')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('returns nothing for a list of comments', () => {
    expect(parseInstanceList('# none yet\n\n', '/')).toEqual([]);
  });
});

describe('instanceNames', () => {
  it('uses file names, and whole paths where two instances share a file name', () => {
    expect(instanceNames(['/a/gw.jks', '/b/gw.jks', '/c/other.p12'])).toEqual(['/a/gw.jks', '/b/gw.jks', 'other.p12']);
  });
});
