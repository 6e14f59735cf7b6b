import type { Command } from 'commander';
import { TrustCheckFailedError, UsageError } from '../../errors.js';
import type { NodeRef } from '../../trust/node_ref.js';
import { checkTrustMesh, TRUST_CHECK_PURPOSES, trustAnchorsWithTrustOf, trustCheckPurpose } from '../../trust/trust_check.js';
import { findTrustStore } from '../../trust/trust_store_files.js';
import { renderTrustCheck } from '../../trust/trust_check_text.js';
import { loadClusterWithSsh } from '../../cluster/cluster_ssh.js';
import { liveNodesOf } from '../../cluster/live_nodes.js';
import { parseDuration } from '../../trust/duration.js';
import { checkLiveTrust, renderLiveTrust } from '../../trust/live_check.js';
import type { CliContext } from '../context.js';
import type { StoreRequest } from '../open_store.js';
import { oneStdio, readInput } from '../stdio.js';
import { collect, parseDate } from '../options.js';
import { pathOptionsFromFlags } from '../path_flags.js';
import { openNodes, PASS_HELP, type NodeOptions } from './trust_nodes.js';
import { addParallelOption } from '../ssh_cli.js';
import { TRUST_CHECK_HELP } from '../help/trust_check.js';

interface CheckOptions extends NodeOptions { trustStoreFor?: string[]; trustDir?: string; trustpass?: string; at?: string; json?: boolean; purpose: string; crl?: string[]; crlRequired?: boolean; ocsp?: boolean; ocspRequired?: boolean; live?: boolean; cluster?: string; timeout?: string }

/** --live: the replication check over the network, each direction one mutual-TLS connection. */
async function liveCheck(ctx: CliContext, options: CheckOptions): Promise<void> {
  if (!options.live || options.cluster === undefined) throw new UsageError('--live needs --cluster <cluster.yaml> (its replication nodes have endpoint:)');
  if (options.timeout !== undefined) parseDuration(options.timeout);
  const cluster = await loadClusterWithSsh(options.cluster, { env: ctx.io.env, warn: ctx.passwords.fileWarning });
  const { master, slaves } = await liveNodesOf(cluster, { env: ctx.io.env, warn: ctx.passwords.fileWarning });
  const result = await checkLiveTrust(master, slaves, options.timeout === undefined ? {} : { timeoutMs: parseDuration(options.timeout) });
  ctx.io.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : renderLiveTrust(result));
  const failed = result.pairs.filter((p) => !p.pass);
  if (failed.length > 0) throw new TrustCheckFailedError(`${failed.length} of ${result.pairs.length} live connections failed: ${failed.map((p) => `${p.from} -> ${p.to}`).join(', ')}`);
}

export function registerTrustCheck(trust: Command, ctx: CliContext): void {
  addParallelOption(trust.command('check'))
    .description('check that every node trusts its peers: the master each slave, each slave the master')
    .option('--master <keystore>', 'the master\'s keystore[#alias]')
    .option('--slave <keystore>', 'a slave\'s keystore[#alias] (repeatable)', collect)
    .option('--live', 'connect: from the master to each slave\'s endpoint and back, mutual TLS with each node\'s own key and trust store (needs --cluster)')
    .option('--cluster <cluster.yaml>', 'with --live: the nodes, trust stores and endpoints of the cluster file\'s replication section')
    .option('--timeout <duration>', 'with --live: give up on each connection after this long: 500ms, 5s, 2m (default 5s)')
    .option('--trust-store-for <keystore=truststore>', 'the trust store of a node, named as in --master/--slave (repeatable)', collect)
    .option('--trust-dir <dir>', 'find each node\'s trust store as <dir>/<keystore name>-truststore.<p12|pfx|jks|jceks|pem>')
    .option('--storepass <src>', PASS_HELP)
    .option('--trustpass <src>', 'trust store password (default: --storepass)')
    .option('--purpose <purpose>', `extended key usage to require: ${TRUST_CHECK_PURPOSES.join('|')} (roles: slaves as clients, the master as server)`, 'roles')
    .option('--at <date>', 'judge validity at this date (ISO 8601) instead of now')
    .option('--crl <file>', 'a CRL (PEM or DER) every chain is checked against (repeatable; - for standard input); revoked -> FAIL (ERR_REVOKED)', collect)
    .option('--crl-required', 'with --crl: a certificate whose status the CRLs do not establish fails (ERR_REVOCATION_UNKNOWN)')
    .option('--ocsp', "ask the OCSP responder each certificate's authorityInfoAccess names; revoked -> FAIL (ERR_REVOKED)")
    .option('--ocsp-required', 'with --ocsp: a certificate whose status stays unknown fails (ERR_REVOCATION_UNKNOWN)')
    .option('--json', 'print JSON: {"ok", "pairs": [{"truster", "peer", "valid", "purpose"?, "code"?, "reason"?}]}')
    .addHelpText('after', TRUST_CHECK_HELP)
    .action(async (options: CheckOptions) => {
      if (options.live || options.cluster !== undefined) return liveCheck(ctx, options);
      if (options.timeout !== undefined) throw new UsageError('--timeout applies to --live only');
      if (options.master === undefined || !options.slave?.length) throw new UsageError('give --master and --slave (or --live --cluster <cluster.yaml>)');
      if ((options.trustDir === undefined) === ((options.trustStoreFor ?? []).length === 0)) throw new UsageError('give --trust-dir or --trust-store-for (one per node)');
      const purpose = trustCheckPurpose(options.purpose);
      const at = parseDate(options.at, '--at');
      const storepass = options.trustpass ?? options.storepass;
      const trustStores = (refs: NodeRef[]): Promise<StoreRequest[]> => Promise.all(refs.map(async (ref) => ({ path: await findTrustStore(ref, options), options: storepass === undefined ? {} : { storepass }, passOption: '--trustpass' })));
      const { refs, nodes, also } = await openNodes(ctx, options, trustStores);
      const anchors = new Map(refs.map((ref, i) => [ref.name, trustAnchorsWithTrustOf(also[i]!.store)]));
      oneStdio('input', [['--crl', options.crl]]);
      const { crls, crlRequired, ocsp } = await pathOptionsFromFlags({ crl: options.crl, crlRequired: options.crlRequired, ocsp: options.ocsp, ocspRequired: options.ocspRequired }, undefined, undefined, (file) => readInput(ctx, file));
      const revocation = { ...(crls ? { crls, crlRequired: crlRequired ?? false } : {}), ...(ocsp ? { ocsp } : {}) };
      const result = await checkTrustMesh(nodes, anchors, { purpose, ...(at ? { at } : {}), ...revocation });
      ctx.io.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : renderTrustCheck(result));
      const failed = result.pairs.filter((p) => !p.valid);
      if (failed.length > 0) throw new TrustCheckFailedError(`${failed.length} of ${result.pairs.length} trust checks failed: ${failed.map((p) => `${p.truster} -> ${p.peer}`).join(', ')}`);
    });
}
