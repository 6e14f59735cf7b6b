import { UsageError } from '../../errors.js';
import { nodeCertificateChain, parseNodeRef, type NodeRef } from '../../trust/node_ref.js';
import type { MeshNode } from '../../trust/mesh.js';
import type { CliContext } from '../context.js';
import { openStoresForCli, type OpenedStore, type StoreRequest } from '../open_store.js';

/** The options both `trust` subcommands take to name the nodes. */
export interface NodeOptions {
  master: string;
  slave?: string[];
  storepass?: string;
}

export const PASS_HELP = 'node keystore password: pass:TEXT, env:NAME, file:PATH, fd:N or stdin (resolved per keystore)';

/**
 * Opens each node's keystore (the master first) and takes its certificate chain, together with
 * the stores `alsoOpen` names for the nodes (their trust stores): every password is resolved
 * first, in that order, then all stores are read on all hosts at once (--parallel).
 */
export async function openNodes(ctx: CliContext, options: NodeOptions, alsoOpen: (refs: NodeRef[]) => StoreRequest[] = () => []): Promise<{ refs: NodeRef[]; nodes: MeshNode[]; password: string | undefined; also: OpenedStore[] }> {
  const refs = [options.master, ...(options.slave ?? [])].map(parseNodeRef);
  // a node is known by its keystore's name: its trust store is found, or written, under that name
  if (refs.some((ref) => ref.path === '-')) throw new UsageError('a node is named by its keystore file (its trust store goes by that name): name the file, not -');
  const also = alsoOpen(refs);
  const opened = await openStoresForCli(ctx, [...refs.map((ref) => ({ path: ref.path, options })), ...also]);
  const nodes = refs.map((ref, i): MeshNode => ({ name: ref.name, role: i === 0 ? 'master' : 'slave', certificateChain: nodeCertificateChain(opened[i]!.store, ref.name, ref.alias) }));
  return { refs, nodes, password: opened[0]!.password, also: opened.slice(refs.length) };
}
