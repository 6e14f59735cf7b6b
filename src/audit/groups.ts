import { InvalidArgumentError } from '../errors.js';
import type { TokenGroup, TrustGroup } from './model.js';

/** `<alias>=<store>,<store>,...`: the stores that must all hold the same token entry. */
export function parseTokenGroup(spec: string): TokenGroup {
  const eq = spec.indexOf('=');
  const alias = spec.slice(0, eq).trim();
  const stores = spec.slice(eq + 1).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (eq <= 0 || alias === '' || stores.length < 2) throw new InvalidArgumentError(`--token-group "${spec}" is not <alias>=<store>,<store>[,...] (two stores at least)`);
  return { alias, stores };
}

/** `master=<store>,slaves=<store>,<store>,...`; a store may be `<path>#<alias>` to pick its key entry. */
export function parseTrustGroup(spec: string): TrustGroup {
  let key: 'master' | 'slaves' | undefined;
  const masters: string[] = [];
  const slaves: string[] = [];
  for (const raw of spec.split(',')) {
    let item = raw.trim();
    const m = /^(master|slaves?)=(.*)$/.exec(item);
    if (m) {
      key = m[1] === 'master' ? 'master' : 'slaves';
      item = m[2]!.trim();
    }
    if (item === '') continue;
    if (key === undefined) throw new InvalidArgumentError(`--trust-group "${spec}" must start with master=<store>`);
    (key === 'master' ? masters : slaves).push(item);
  }
  if (masters.length !== 1 || slaves.length === 0) throw new InvalidArgumentError(`--trust-group "${spec}" is not master=<store>,slaves=<store>[,<store>...] (one master, one slave at least)`);
  return { master: masters[0]!, slaves };
}
