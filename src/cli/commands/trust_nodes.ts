import { UsageError } from '../../errors.js';
import { nodeCertificateChain, parseNodeRef, type NodeRef } from '../../trust/node_ref.js';
import type { MeshNode } from '../../trust/mesh.js';
import type { CliContext } from '../context.js';
import { openStoreForCli } from '../open_store.js';

/** The options both `trust` subcommands take to name the nodes. */
export interface NodeOptions {
  master: string;
  slave?: string[];
  storepass?: string;
}

export const PASS_HELP = 'node keystore password: pass:TEXT, env:NAME, file:PATH, fd:N or stdin (resolved per keystore)';

/** Opens each node's keystore (the master first) and takes its certificate chain. */
export async function openNodes(ctx: CliContext, options: NodeOptions): Promise<{ refs: NodeRef[]; nodes: MeshNode[]; password: string | undefined }> {
  const refs = [options.master, ...(options.slave ?? [])].map(parseNodeRef);
  // a node is known by its keystore's name: its trust store is found, or written, under that name
  if (refs.some((ref) => ref.path === '-')) throw new UsageError('a node is named by its keystore file (its trust store goes by that name): name the file, not -');
  const nodes: MeshNode[] = [];
  let password: string | undefined;
  for (const [i, ref] of refs.entries()) {
    const opened = await openStoreForCli(ctx, ref.path, options);
    if (i === 0) password = opened.password;
    nodes.push({ name: ref.name, role: i === 0 ? 'master' : 'slave', certificateChain: nodeCertificateChain(opened.store, ref.name, ref.alias) });
  }
  return { refs, nodes, password };
}
