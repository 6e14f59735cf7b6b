import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { WebCrypto } from '../crypto/provider.js';
import { HapkiError } from '../errors.js';
import { keystoreOutput } from '../fs/keystore_file.js';
import type { Keystore } from '../keystore/model.js';
import { commitChangeSet, type FileChange } from '../txn/change_set.js';
import { readFileBytes } from '../fs/read_file.js';
import { createCa } from '../issue/create_ca.js';
import { requestWithNewKey } from '../issue/create_key_entry.js';
import { emptyKeystore, type KeystoreFormat } from '../keystore/model.js';
import { labClusterYaml, LAB_LAYOUT } from './lab_layout.js';
import { sshLabFiles } from './lab_ssh.js';

export interface CreateLabOptions {
  /** Write into a directory that is not empty (files the lab writes are replaced, kept as .bak; its secrets/*.pass are kept). */
  force?: boolean;
  now?: Date;
  /** Also write sshd configurations, keys and known_hosts, with every node on "its host" in cluster.yaml (`hapki lab --ssh`). */
  ssh?: { basePort?: number };
}

export interface CreatedLab {
  /** The lab directory, absolute. */
  dir: string;
  /** `<dir>/cluster.yaml`. */
  clusterFile: string;
  /** Every file written, absolute, in order. */
  files: string[];
  /** What to run next, as shell commands. */
  next: string[];
}

/**
 * A sample deployment on local files, for trying plan and apply without a server: a CA, two
 * gateway instances with JKS keystores holding self-signed certificates (alias "server", as right
 * after installation), an admin server (the replication master) and two standbys (slaves) with
 * their own self-signed keystores, random passwords in `secrets/` (mode 0600), and a
 * `cluster.yaml` naming them all. Refuses a directory that is not empty unless `force`.
 */
export async function createLab(dir: string, options: CreateLabOptions = {}, crypto?: WebCrypto): Promise<CreatedLab> {
  const root = resolve(dir);
  await refuseNonEmpty(root, options.force ?? false);
  const files: string[] = [];
  const force = options.force ?? false;
  const now = options.now ?? new Date();
  // every file of the lab in one change set: a lab is made whole, or not at all
  const changes: FileChange[] = [];
  const write = (name: string, bytes: string, secret: boolean): string => {
    const file = join(root, name);
    changes.push({ path: file, action: 'write', content: bytes, force, backup: true, private: secret, createParents: true });
    files.push(file);
    return file;
  };
  await mkdir(join(root, 'secrets'), { recursive: true, mode: 0o700 });
  await chmod(join(root, 'secrets'), 0o700);
  const passwords = new Map<string, string>();
  for (const name of new Set(Object.values(LAB_LAYOUT).map((p) => p.secret))) {
    // over an earlier lab (--force), its passwords stay, so the files an apply made there still open
    const kept = force ? await existingSecret(join(root, name)) : undefined;
    const password = kept ?? randomBytes(18).toString('base64url');
    passwords.set(name, password);
    if (kept === undefined) write(name, `${password}\n`, true);
  }
  const save = async (name: string, store: Keystore, password: string): Promise<void> => {
    changes.push({ ...(await keystoreOutput(join(root, name), store, { password, force })), createParents: true });
    files.push(join(root, name));
  };
  const ca = await createCa({ subject: LAB_LAYOUT.ca.subject, alias: 'ca', days: 3650, now }, crypto);
  await save(LAB_LAYOUT.ca.keystore, ca.store, passwords.get(LAB_LAYOUT.ca.secret)!);
  for (const node of [LAB_LAYOUT.msas1, LAB_LAYOUT.msas2, LAB_LAYOUT.admin, LAB_LAYOUT.standby1, LAB_LAYOUT.standby2]) {
    const format: KeystoreFormat = node.keystore.endsWith('.jks') ? 'JKS' : 'PKCS12';
    const made = await requestWithNewKey(emptyKeystore(format), { alias: node.alias, subject: node.subject, key: { kty: 'rsa', bits: 2048 }, days: 365, now }, crypto);
    await save(node.keystore, made.store, passwords.get(node.secret)!);
  }
  const ssh = options.ssh ? await sshLabFiles(root, options.ssh.basePort) : undefined;
  for (const f of ssh?.files ?? []) write(f.name, f.content, f.mode === 0o600);
  const clusterFile = write('cluster.yaml', ssh ? ssh.clusterYaml(labClusterYaml()) : labClusterYaml(), false);
  await commitChangeSet(changes);
  const at = (name: string): string => join(root, name);
  const trustFor = (n: { keystore: string; truststore: string }): string => `--trust-store-for ${at(n.keystore)}=${at(n.truststore)}`;
  const next = [
    ...(ssh ? ['# as root (or as yourself, nodes then reached as you), start the nodes\' "hosts":', ...ssh.sshdCommands] : []),
    `hapki plan ${clusterFile}`,
    `hapki apply ${clusterFile}`,
    `hapki audit --cluster ${clusterFile}`,
    `hapki trust check --master ${at(LAB_LAYOUT.admin.keystore)} --slave ${at(LAB_LAYOUT.standby1.keystore)} --slave ${at(LAB_LAYOUT.standby2.keystore)} ${[LAB_LAYOUT.admin, LAB_LAYOUT.standby1, LAB_LAYOUT.standby2].map(trustFor).join(' ')} --storepass file:${at(LAB_LAYOUT.admin.secret)}`,
    `keytool -list -v -keystore ${at(LAB_LAYOUT.msas1.keystore)} -storepass:file ${at(LAB_LAYOUT.msas1.secret)}`,
  ];
  return { dir: root, clusterFile, files, next };
}

async function refuseNonEmpty(dir: string, force: boolean): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new HapkiError('ERR_FILE_EXISTS', `${dir} exists and is not a directory`);
    throw new HapkiError('ERR_IO', `cannot read ${dir}: ${code ?? (error as Error).message}`, { cause: error });
  }
  if (names.length > 0 && !force) throw new HapkiError('ERR_FILE_EXISTS', `${dir} is not empty (use --force to write the lab into it anyway)`);
}

async function existingSecret(path: string): Promise<string | undefined> {
  try {
    const first = Buffer.from(await readFileBytes(path)).toString('utf8').split(/\r?\n/)[0] ?? '';
    return first === '' ? undefined : first;
  } catch {
    return undefined;
  }
}
