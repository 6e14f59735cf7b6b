import type { Command } from 'commander';
import { PasswordRequiredError, UsageError } from '../../errors.js';
import { commitChangeSet } from '../../txn/change_set.js';
import type { Keystore } from '../../keystore/model.js';
import { buildTrustMesh, meshMode } from '../../trust/mesh.js';
import { meshStoreChanges, meshStoreFiles, readMeshStores, refuseExistingMeshStores } from '../../trust/trust_store_files.js';
import { renderTrustMesh } from '../../trust/mesh_text.js';
import type { CliContext } from '../context.js';
import { parseFormat } from '../formats.js';
import { collect, deprecatedOption, jsonOption, outFormatOption, printResult } from '../options.js';
import { openNodes, PASS_HELP, type NodeOptions } from './trust_nodes.js';
import { addParallelOption } from '../ssh_cli.js';
import { settleFiles } from '../../txn/recover_paths.js';
import { refuseOutputOverInput } from '../stdio.js';
import { TRUST_MESH_HELP } from '../help/trust_mesh.js';

interface MeshOptions extends NodeOptions { outDir: string; mode: string; outFormat?: string; outpass?: string; update?: boolean; force?: boolean; json?: boolean }

export function registerTrustMesh(trust: Command, ctx: CliContext): void {
  const command = addParallelOption(trust.command('mesh'))
    .description("build each node's trust store: the master trusts every slave, each slave trusts the master")
    .requiredOption('--master <keystore>', 'the master\'s keystore, "<keystore>#<alias>" to pick its key entry')
    .requiredOption('--slave <keystore>', 'a slave\'s keystore, "<keystore>#<alias>" likewise (repeatable)', collect)
    .requiredOption('--out-dir <dir>', 'where to write <keystore name without extension>-truststore.<p12|jks|jceks|pem> (created if missing)')
    .option('--mode <mode>', 'direct: trust the peers\' own certificates; ca: trust the CA chains that issued them', 'direct')
    .addOption(outFormatOption('trust store format: pkcs12|jks|jceks|pem (default: pkcs12)'))
    .option('--storepass <src>', PASS_HELP)
    .option('--outpass <src>', 'trust store password (default: the first keystore\'s password; PEM needs none)')
    .option('--update', 'add to the trust stores already in --out-dir, keeping their entries and not repeating a certificate')
    .option('--force', 'replace existing trust stores (keeping them as <file>.bak)')
    .addOption(jsonOption('{"written": [files], "stores": [{"node", "file", "aliases"}]}'))
    .addHelpText('after', TRUST_MESH_HELP)
    .action(async (options: MeshOptions) => {
      const mode = meshMode(options.mode);
      const format = parseFormat(options.outFormat ?? 'pkcs12');
      if (format === 'DER') throw new UsageError('a trust store holds several certificates: --out-format pkcs12, jks, jceks or pem');
      const { refs, nodes, password } = await openNodes(ctx, options);
      const files = meshStoreFiles(refs, options.outDir, format);
      // a node keystore named like another node's trust store (a-truststore.p12 beside a.p12) would be replaced by it
      refuseOutputOverInput([...files.values()].map((f) => ['--out-dir', f] as const), [['--master/--slave', refs.map((r) => r.path)]]);
      // a killed mesh (or apply) is settled before the trust stores are read or found in the way (see settleFiles)
      await settleFiles([...files.values()]);
      const trustPassword = options.outpass === undefined ? password : await ctx.passwords.resolveNew(options.outpass, 'trust store password');
      if (trustPassword === undefined && format !== 'PEM') throw new PasswordRequiredError(`a ${format} trust store needs a password: give --outpass`);
      const { existing, readHashes } = options.update ? await readMeshStores(files, trustPassword) : { existing: new Map<string, Keystore>(), readHashes: new Map<string, string>() };
      if (!options.update && !options.force) await refuseExistingMeshStores(files);
      const mesh = buildTrustMesh(nodes, { mode, format, existing });
      const { changes, written } = await meshStoreChanges(mesh, files, readHashes, { ...(trustPassword === undefined ? {} : { password: trustPassword }), force: options.force === true });
      // every trust store, or none; one updated in place only if it is still what was read
      await commitChangeSet(changes);
      printResult(ctx, options.json, { written, stores: mesh.stores.map((s) => ({ node: s.node, file: files.get(s.node)!, aliases: s.store.entries.map((e) => e.alias) })) }, () => renderTrustMesh(mesh, files));
    });
  deprecatedOption(command, ctx, '--format <format>', '--out-format');
}
