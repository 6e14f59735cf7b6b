import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { FileNotFoundError, PasswordRequiredError, TrustCheckFailedError, UsageError, type HapkiError } from '../../errors.js';
import { openKeystore, saveKeystore } from '../../fs/keystore_file.js';
import type { Keystore, KeystoreFormat } from '../../keystore/model.js';
import { buildTrustMesh, MESH_MODES, type MeshMode, type MeshNode } from '../../trust/mesh.js';
import { renderTrustMesh } from '../../trust/mesh_text.js';
import { nodeCertificateChain, nodeStem, parseNodeRef, type NodeRef } from '../../trust/node_ref.js';
import { checkTrustMesh, TRUST_CHECK_PURPOSES, trustAnchorsOf, type TrustCheckPurpose } from '../../trust/trust_check.js';
import { renderTrustCheck } from '../../trust/trust_check_text.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { parseFormat } from '../formats.js';
import { openStoreForCli } from '../open_store.js';
import { collect, parseDate } from '../options.js';

interface NodeOptions { master: string; slave?: string[]; storepass?: string }
interface MeshOptions extends NodeOptions { outDir: string; mode: string; format: string; outpass?: string; update?: boolean; force?: boolean }
interface CheckOptions extends NodeOptions { trustStoreFor?: string[]; trustDir?: string; trustpass?: string; at?: string; json?: boolean; purpose: string }

const EXTENSION: Readonly<Record<KeystoreFormat, string>> = { PKCS12: 'p12', JKS: 'jks', JCEKS: 'jceks', PEM: 'pem', DER: 'der' };
const PASS_HELP = 'node keystore password: pass:TEXT, env:NAME, file:PATH, fd:N or stdin (resolved per keystore)';

export function registerTrust(program: Command, ctx: CliContext): void {
  const trust = program.command('trust').description('trust between the nodes of a cluster: build the master/slave trust stores, check them');
  trust.command('mesh')
    .description("build each node's trust store: the master trusts every slave, each slave trusts the master")
    .requiredOption('--master <keystore>', 'the master\'s keystore, "<keystore>#<alias>" to pick its key entry')
    .requiredOption('--slave <keystore>', 'a slave\'s keystore, "<keystore>#<alias>" likewise (repeatable)', collect)
    .requiredOption('--out-dir <dir>', 'where to write <keystore name without extension>-truststore.<p12|jks|jceks|pem> (created if missing)')
    .option('--mode <mode>', 'direct: trust the peers\' own certificates; ca: trust the CA chains that issued them', 'direct')
    .option('--format <format>', 'trust store format: pkcs12|jks|jceks|pem', 'pkcs12')
    .option('--storepass <src>', PASS_HELP)
    .option('--outpass <src>', 'trust store password (default: the first keystore\'s password; PEM needs none)')
    .option('--update', 'add to the trust stores already in --out-dir, keeping their entries and not repeating a certificate')
    .option('--force', 'replace existing trust stores (keeping them as <file>.bak)')
    .addHelpText('after', `
The node certificate is the leaf of the keystore's private-key entry (the only one, or #alias).
Aliases are the certificates' common names, lower-cased.

Examples:
  hapki trust mesh --master master.jks --slave slave1.jks --slave slave2.jks --out-dir trust --storepass env:STOREPASS
  hapki trust mesh --master gw1.p12 --slave gw2.p12 --mode ca --format jks --out-dir trust --storepass env:STOREPASS --update
${EXIT_CODES_HELP}`)
    .action(async (options: MeshOptions) => {
      if (!MESH_MODES.includes(options.mode as MeshMode)) throw new UsageError(`--mode must be ${MESH_MODES.join(' or ')}`);
      const format = parseFormat(options.format);
      if (format === 'DER') throw new UsageError('a trust store holds several certificates: --format pkcs12, jks, jceks or pem');
      const { refs, nodes, password } = await openNodes(ctx, options);
      const files = new Map(refs.map((r) => [r.name, join(options.outDir, `${nodeStem(r.path)}-truststore.${EXTENSION[format]}`)]));
      if (new Set(files.values()).size !== files.size) throw new UsageError('two node keystores have the same name: their trust stores would collide');
      const trustPassword = options.outpass === undefined ? password : await ctx.passwords.resolve(options.outpass, 'trust store password');
      if (trustPassword === undefined && format !== 'PEM') throw new PasswordRequiredError(`a ${format} trust store needs a password: give --outpass`);
      const existing = new Map<string, Keystore>();
      for (const [node, file] of files) {
        if (options.update) await openIfPresent(file, trustPassword).then((s) => s && existing.set(node, s));
        else if (!options.force && existsSync(file)) throw new UsageError(`${file} already exists: add --update to add to it, or --force to replace it`);
      }
      await mkdir(options.outDir, { recursive: true });
      const mesh = buildTrustMesh(nodes, { mode: options.mode as MeshMode, format, existing });
      for (const s of mesh.stores) await saveKeystore(files.get(s.node)!, s.store, { ...(trustPassword === undefined ? {} : { password: trustPassword }), force: options.force === true || existing.has(s.node) });
      ctx.io.stdout(renderTrustMesh(mesh, files));
    });
  trust.command('check')
    .description('check that every node trusts its peers: the master each slave, each slave the master')
    .requiredOption('--master <keystore>', 'the master\'s keystore[#alias]')
    .requiredOption('--slave <keystore>', 'a slave\'s keystore[#alias] (repeatable)', collect)
    .option('--trust-store-for <keystore=truststore>', 'the trust store of a node, named as in --master/--slave (repeatable)', collect)
    .option('--trust-dir <dir>', 'find each node\'s trust store as <dir>/<keystore name>-truststore.<p12|pfx|jks|jceks|pem>')
    .option('--storepass <src>', PASS_HELP)
    .option('--trustpass <src>', 'trust store password (default: --storepass)')
    .option('--purpose <purpose>', `extended key usage to require: ${TRUST_CHECK_PURPOSES.join('|')} (roles: slaves as clients, the master as server)`, 'roles')
    .option('--at <date>', 'judge validity at this date (ISO 8601) instead of now')
    .option('--json', 'print JSON: {"ok", "pairs": [{"truster", "peer", "valid", "purpose"?, "code"?, "reason"?}]}')
    .addHelpText('after', `
"PASS a -> b" means a's trust store accepts b's certificate chain. Host names are not checked (see hapki probe).

Examples:
  hapki trust check --master master.jks --slave slave1.jks --slave slave2.jks --trust-dir trust --storepass env:STOREPASS
  hapki trust check --master gw1.p12 --slave gw2.p12 --trust-store-for gw1.p12=/etc/gw/trust.jks --trust-store-for gw2.p12=t2.jks --json
${EXIT_CODES_HELP}`)
    .action(async (options: CheckOptions) => {
      if ((options.trustDir === undefined) === ((options.trustStoreFor ?? []).length === 0)) throw new UsageError('give --trust-dir or --trust-store-for (one per node)');
      if (!TRUST_CHECK_PURPOSES.includes(options.purpose as TrustCheckPurpose)) throw new UsageError(`--purpose must be one of ${TRUST_CHECK_PURPOSES.join(', ')}`);
      const at = parseDate(options.at, '--at');
      const { refs, nodes } = await openNodes(ctx, options);
      const anchors = new Map<string, Uint8Array[]>();
      for (const ref of refs) {
        const storepass = options.trustpass ?? options.storepass;
        anchors.set(ref.name, trustAnchorsOf((await openStoreForCli(ctx, trustStoreFile(ref, options), storepass === undefined ? {} : { storepass })).store));
      }
      const result = await checkTrustMesh(nodes, anchors, { purpose: options.purpose as TrustCheckPurpose, ...(at ? { at } : {}) });
      ctx.io.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : renderTrustCheck(result));
      const failed = result.pairs.filter((p) => !p.valid);
      if (failed.length > 0) throw new TrustCheckFailedError(`${failed.length} of ${result.pairs.length} trust checks failed: ${failed.map((p) => `${p.truster} -> ${p.peer}`).join(', ')}`);
    });
}

async function openNodes(ctx: CliContext, options: NodeOptions): Promise<{ refs: NodeRef[]; nodes: MeshNode[]; password: string | undefined }> {
  const refs = [options.master, ...(options.slave ?? [])].map(parseNodeRef);
  const nodes: MeshNode[] = [];
  let password: string | undefined;
  for (const [i, ref] of refs.entries()) {
    const opened = await openStoreForCli(ctx, ref.path, options);
    if (i === 0) password = opened.password;
    nodes.push({ name: ref.name, role: i === 0 ? 'master' : 'slave', certificateChain: nodeCertificateChain(opened.store, ref.name, ref.alias) });
  }
  return { refs, nodes, password };
}

async function openIfPresent(file: string, password: string | undefined): Promise<Keystore | undefined> {
  try {
    return await openKeystore(file, password === undefined ? {} : { password });
  } catch (error) {
    if ((error as HapkiError).code === 'ERR_FILE_NOT_FOUND') return undefined;
    throw error;
  }
}

function trustStoreFile(ref: NodeRef, options: CheckOptions): string {
  for (const spec of options.trustStoreFor ?? []) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError(`--trust-store-for "${spec}" is not <keystore>=<truststore>`);
    const key = spec.slice(0, eq).replace(/#[^#/]*$/, '');
    if (key === ref.path || key === ref.name) return spec.slice(eq + 1);
  }
  if (options.trustDir === undefined) throw new UsageError(`no --trust-store-for names ${ref.name}`);
  const candidates = ['p12', 'pfx', 'jks', 'jceks', 'pem'].map((ext) => join(options.trustDir!, `${nodeStem(ref.path)}-truststore.${ext}`));
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new FileNotFoundError(`${candidates[0]} (nor .pfx, .jks, .jceks, .pem)`);
  return found;
}
