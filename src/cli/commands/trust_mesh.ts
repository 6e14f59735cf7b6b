import type { Command } from 'commander';
import { PasswordRequiredError, UsageError, type HapkiError } from '../../errors.js';
import { keystoreOutput, openKeystoreForUpdate } from '../../fs/keystore_file.js';
import { commitChangeSet } from '../../txn/change_set.js';
import type { Keystore, KeystoreFormat } from '../../keystore/model.js';
import { buildTrustMesh, MESH_MODES, type MeshMode } from '../../trust/mesh.js';
import { renderTrustMesh } from '../../trust/mesh_text.js';
import { nodeStem } from '../../trust/node_ref.js';
import type { CliContext } from '../context.js';
import { parseFormat } from '../formats.js';
import { collect, deprecatedOption, jsonOption, outFormatOption, printResult } from '../options.js';
import { openNodes, PASS_HELP, type NodeOptions } from './trust_nodes.js';
import { addParallelOption } from '../ssh_cli.js';
import { hostOfLocation, mapByHost } from '../../transport/fan_out.js';
import { joinLocation } from '../../transport/location.js';
import { locationExists } from '../../transport/remote_file.js';
import { settleFiles } from '../../txn/recover_paths.js';
import { refuseOutputOverInput } from '../stdio.js';
import { TRUST_MESH_HELP } from '../help/trust_mesh.js';

interface MeshOptions extends NodeOptions { outDir: string; mode: string; outFormat?: string; outpass?: string; update?: boolean; force?: boolean; json?: boolean }

const EXTENSION: Readonly<Record<KeystoreFormat, string>> = { PKCS12: 'p12', JKS: 'jks', JCEKS: 'jceks', PEM: 'pem', DER: 'der', BKS: 'bks' };

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
      if (!MESH_MODES.includes(options.mode as MeshMode)) throw new UsageError(`--mode must be ${MESH_MODES.join(' or ')}`);
      const format = parseFormat(options.outFormat ?? 'pkcs12');
      if (format === 'DER') throw new UsageError('a trust store holds several certificates: --out-format pkcs12, jks, jceks or pem');
      const { refs, nodes, password } = await openNodes(ctx, options);
      const files = new Map(refs.map((r) => [r.name, joinLocation(options.outDir, `${nodeStem(r.path)}-truststore.${EXTENSION[format]}`)]));
      if (new Set(files.values()).size !== files.size) throw new UsageError('two node keystores have the same name: their trust stores would collide');
      // a node keystore named like another node's trust store (a-truststore.p12 beside a.p12) would be replaced by it
      refuseOutputOverInput([...files.values()].map((f) => ['--out-dir', f] as const), [['--master/--slave', refs.map((r) => r.path)]]);
      // a killed mesh (or apply) is settled before the trust stores are read or found in the way (see settleFiles)
      await settleFiles([...files.values()]);
      const trustPassword = options.outpass === undefined ? password : await ctx.passwords.resolveNew(options.outpass, 'trust store password');
      if (trustPassword === undefined && format !== 'PEM') throw new PasswordRequiredError(`a ${format} trust store needs a password: give --outpass`);
      const existing = new Map<string, Keystore>();
      const readHashes = new Map<string, string>();
      if (options.update) {
        const found = await mapByHost([...files], ([, file]) => hostOfLocation(file), ([, file]) => openIfPresent(file, trustPassword));
        [...files.keys()].forEach((node, i) => found[i] && (existing.set(node, found[i].store), readHashes.set(node, found[i].sha256)));
      } else if (!options.force) {
        for (const file of files.values()) if (await locationExists(file)) throw new UsageError(`${file} already exists: add --update to add to it, or --force to replace it`);
      }
      const mesh = buildTrustMesh(nodes, { mode: options.mode as MeshMode, format, existing });
      // every trust store, or none; one updated in place only if it is still what was read
      const writeOptions = trustPassword === undefined ? {} : { password: trustPassword };
      // a store --update read that gains nothing is left as it is (a rerun keeps its .bak)
      const changed = mesh.stores.filter((s) => !(readHashes.has(s.node) && s.added.length === 0));
      await commitChangeSet(await Promise.all(changed.map(async (s) => {
        const change = await keystoreOutput(files.get(s.node)!, s.store, { ...writeOptions, force: options.force === true });
        const read = readHashes.get(s.node);
        return { ...change, createParents: true, ...(read === undefined ? {} : { action: 'update' as const, expectedSha256: read }) };
      })));
      printResult(ctx, options.json, { written: changed.map((s) => files.get(s.node)!), stores: mesh.stores.map((s) => ({ node: s.node, file: files.get(s.node)!, aliases: s.store.entries.map((e) => e.alias) })) }, () => renderTrustMesh(mesh, files));
    });
  deprecatedOption(command, ctx, '--format <format>', '--out-format');
}

async function openIfPresent(file: string, password: string | undefined): Promise<{ store: Keystore; sha256: string } | undefined> {
  try {
    return await openKeystoreForUpdate(file, password === undefined ? {} : { password });
  } catch (error) {
    if ((error as HapkiError).code === 'ERR_FILE_NOT_FOUND') return undefined;
    throw error;
  }
}
