import { basename, extname } from 'node:path';
import { buildChain } from '../cert/chain.js';
import { InvalidArgumentError } from '../errors.js';
import type { Keystore, PrivateKeyEntry } from '../keystore/model.js';
import { keyEntry } from '../keystore/key_entry.js';

/** A cluster node named on the command line: `<keystore>[#alias]`. */
export interface NodeRef {
  path: string;
  alias?: string;
  /** How the node is called in summaries: the keystore's file name ("master.p12"). */
  name: string;
}

export function parseNodeRef(spec: string): NodeRef {
  const hash = spec.lastIndexOf('#');
  const path = hash > 0 ? spec.slice(0, hash) : spec;
  const alias = hash > 0 ? spec.slice(hash + 1) : undefined;
  if (path === '' || alias === '') throw new InvalidArgumentError(`"${spec}" is not <keystore>[#alias]`);
  return { path, name: basename(path), ...(alias === undefined ? {} : { alias }) };
}

/** The keystore's file name without its extension ("master" for /etc/gw/master.p12): the stem of its trust store's name. */
export function nodeStem(path: string): string {
  const name = basename(path);
  const ext = extname(name);
  return ext === '' || ext === name ? name : name.slice(0, -ext.length);
}

/** The node's own entry: the alias asked for, or the only private-key entry there is. */
export function nodeKeyEntry(store: Keystore, node: string, alias?: string): PrivateKeyEntry {
  return keyEntry(store, alias, { store: node, howToName: `${node}#<alias>` });
}

/**
 * The node's certificate chain, leaf first: the entry's own chain, completed from the store's
 * trusted entries when it stops short of a root (a reply installed without its CA).
 */
export function nodeCertificateChain(store: Keystore, node: string, alias?: string): Uint8Array[] {
  const entry = nodeKeyEntry(store, node, alias);
  const [leaf] = entry.chain;
  if (!leaf) throw new InvalidArgumentError(`${node}: entry "${entry.alias}" has a key but no certificate`);
  const pool = [...entry.chain.slice(1), ...store.entries.flatMap((e) => (e.type === 'trusted-cert' ? [e.certificate] : []))];
  return buildChain(leaf, pool);
}
