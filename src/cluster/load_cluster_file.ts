import { dirname, posix, resolve } from 'node:path';
import { expandHome } from '../lib/account_home.js';
import { isPkcs11Uri, parsePkcs11Uri } from '../pkcs11/uri.js';
import { newLineCounter, parseDocument } from '../lib/yaml.js';
import { encodeName } from '../cert/dn.js';
import { KEY_TYPES, EC_CURVES, parseKeySpec, type KeySpec } from '../crypto/key_spec.js';
import { ClusterFileError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { firstDuplicateKey, yamlMessage } from '../lib/yaml_bounds.js';
import { passwordsInFileProblem } from '../secrets/password_source.js';
import { readFileBytes } from '../fs/read_file.js';
import { parseSan } from '../issue/san.js';
import { parseNamePolicy } from '../issue/name_policy.js';
import { MESH_MODES, type MeshMode } from '../trust/mesh.js';
import { parseProbeTarget } from '../trust/probe_target.js';
import { hostLabel, parseLocation, resolveLocation } from '../transport/location.js';
import type { ClusterFile, ClusterNode, ClusterReplicationNode, ClusterSsh, ClusterStore } from './cluster_file.js';
import { parseSecretRef, type SecretRef } from './secrets.js';
import { validateYaml, type FieldSpec } from './yaml_schema.js';

export const DEFAULT_RENEWAL_WINDOW_DAYS = 30;
export const DEFAULT_CLUSTER_LEAF_DAYS = 397;
export const DEFAULT_AUDIT_WARN_DAYS = 30;

/** Validity in days, as issuance takes it (1 to 36,500; src/issue/validity.ts): refused here, with its line, before any plan. */
const VALIDITY_DAYS: FieldSpec = { kind: 'int', min: 1, max: 36500 };
export const DEFAULT_AUDIT_CRIT_DAYS = 7;

const checkWith = (parse: (text: string) => unknown) => (value: string): string | undefined => {
  try {
    parse(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

const text: FieldSpec = { kind: 'string' };
const required: FieldSpec = { kind: 'string', required: true };
const secret = (isRequired: boolean): FieldSpec => ({ kind: 'string', required: isRequired, check: (v) => { const r = parseSecretRef(v, '/'); return typeof r === 'string' ? r : undefined; } });
const dn: FieldSpec = { kind: 'string', required: true, check: checkWith(encodeName) };
const names: FieldSpec = { kind: 'list', of: { kind: 'string', check: checkWith(parseSan) } };
const keyFields = { kty: { kind: 'enum', values: KEY_TYPES }, bits: { kind: 'int', min: 2048, max: 16384 }, curve: { kind: 'enum', values: EC_CURVES } } as const satisfies Record<string, FieldSpec>;
const storeFields = { keystore: required, password: secret(true), keyPassword: secret(false) } as const satisfies Record<string, FieldSpec>;
const host: FieldSpec = { kind: 'string', check: (v) => (/^(?:[A-Za-z0-9_][A-Za-z0-9_.-]*@)?(?:[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(v) ? undefined : 'must be [user@]host[:port]') };
const endpoint: FieldSpec = { kind: 'string', check: checkWith(parseProbeTarget) };
const seconds: FieldSpec = { kind: 'int', min: 1, max: 3600 };
const nodeOps = { host, endpoint, restart: text, before: text, after: text, health: { kind: 'object', fields: { timeout: seconds, restartTimeout: seconds } } } as const satisfies Record<string, FieldSpec>;
const node: FieldSpec = { kind: 'object', fields: { name: required, ...storeFields, alias: text, hostnames: names, ...nodeOps } };
const replicationNode: FieldSpec = { kind: 'object', required: true, fields: { name: required, ...storeFields, alias: text, hostnames: names, truststore: required, truststorePassword: secret(false), ...nodeOps } };
const ssh: FieldSpec = { kind: 'object', fields: { config: text, user: text, identity: text, identityPassword: secret(false), knownHosts: text, sudo: { kind: 'bool' }, acceptNewHostKeys: { kind: 'bool' } } };



/** The cluster file's schema; README's "Cluster file" section documents the same. */
export const CLUSTER_SCHEMA: FieldSpec = {
  kind: 'object',
  fields: {
    ca: { kind: 'object', required: true, fields: { ...storeFields, alias: text, pkcs11Module: text, certificate: text, policy: { kind: 'object', fields: { domains: { kind: 'list', of: { kind: 'string', check: checkWith((d) => parseNamePolicy({ domains: [d] }, { strict: true })) } }, ipRanges: { kind: 'list', of: { kind: 'string', check: checkWith((r) => parseNamePolicy({ ipRanges: [r] }, { strict: true })) } } } }, create: { kind: 'object', fields: { subject: dn, ...keyFields, days: VALIDITY_DAYS } } } },
    loadBalancer: { kind: 'object', fields: { names: { ...names, required: true } } },
    gateway: { kind: 'object', required: true, fields: { name: required, instances: { kind: 'list', required: true, minItems: 1, of: node } } },
    replication: { kind: 'object', fields: { mode: { kind: 'enum', values: MESH_MODES }, master: replicationNode, slaves: { kind: 'list', required: true, minItems: 1, of: replicationNode } } },
    token: { kind: 'object', fields: { alias: text, subject: dn, days: VALIDITY_DAYS, ...storeFields, ...keyFields } },
    renewal: { kind: 'object', fields: { window: { kind: 'days' }, days: VALIDITY_DAYS } },
    audit: { kind: 'object', fields: { warn: { kind: 'days' }, crit: { kind: 'days' } } },
    ssh,
  },
};

/** Reads and checks a cluster file; every problem is an ERR_CLUSTER_FILE pointing at its line. */
export async function loadClusterFile(path: string): Promise<ClusterFile> {
  const cluster = parseClusterFile(Buffer.from(await readFileBytes(path)).toString('utf8'), path);
  const open = passwordsInFileProblem(path, (cluster.literalPasswords ?? []).length > 0 ? ['pass:'] : []);
  if (open) cluster.warnings.push(open);
  return cluster;
}

/** The same from text already read; `path` names the file in messages and anchors relative paths. */
export function parseClusterFile(source: string, path: string): ClusterFile {
  const size = Buffer.byteLength(source);
  if (size > LIMITS.configBytes) throw new ClusterFileError(path, [`${path}: ${size} bytes is more than a cluster file may have (${LIMITS.configBytes})`]);
  const counter = newLineCounter();
  const doc = parseDocument(source, { lineCounter: counter, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    // without prettyErrors (whose message quotes the file's text, a password line too) the error has its offset, not its line
    throw new ClusterFileError(path, doc.errors.map((e) => `${path}:${e.linePos?.[0]?.line ?? counter.linePos(e.pos[0]).line}: YAML: ${yamlMessage(e.message)}`));
  }
  const duplicate = firstDuplicateKey(doc);
  if (duplicate) throw new ClusterFileError(path, [`${path}:${duplicate.offset === undefined ? 1 : counter.linePos(duplicate.offset).line}: YAML: map keys must be unique`]);
  const checked = validateYaml(doc.contents, CLUSTER_SCHEMA, counter);
  const problems = checked.problems.map((p) => `${path}:${p.line}: ${p.path === '' ? 'the file' : p.path}: ${p.message}`);
  if (problems.length > 0) throw new ClusterFileError(path, problems);
  const lineOf = (at: string): number => checked.lines.get(at) ?? 1;
  const more: { line: number; text: string }[] = [];
  const cluster = toCluster(checked.value as Raw, path, (at, message) => more.push({ line: lineOf(at), text: `${path}:${lineOf(at)}: ${at}: ${message}` }));
  if (more.length > 0) throw new ClusterFileError(path, more.sort((a, b) => a.line - b.line).map((p) => p.text));
  return cluster;
}

// the value has been checked against CLUSTER_SCHEMA: its shape is known, if not to the type system
type Raw = any;

function toCluster(raw: Raw, path: string, problem: (at: string, message: string) => void): ClusterFile {
  const dir = dirname(resolve(path));
  const warnings: string[] = [];
  const literalPasswords: string[] = [];
  // a remote location stays one (ssh://, host:/path); a node with `host:` has its paths on that host
  const file = (p: string): string => resolveLocation(dir, p);
  const nodeFile = (p: string, r: Raw, at: string): string => {
    if (r.host === undefined) return file(p);
    if (parseLocation(p).kind === 'ssh') {
      problem(at, 'names a host of its own: give either host: or an ssh:// location');
      return p;
    }
    if (!posix.isAbsolute(p)) problem(at, 'must be an absolute path on the node\'s host');
    const [, user, name = '', port] = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(r.host) ?? [];
    return `${hostLabel({ ...(user ? { user } : {}), host: name.replace(/^\[|\]$/g, ''), ...(port ? { port: Number(port) } : {}) })}${posix.normalize(p)}`;
  };
  const secretAt = (spec: string, at: string): SecretRef => {
    const ref = parseSecretRef(spec, dir) as SecretRef;
    if (ref.kind === 'pass') {
      literalPasswords.push(at);
      warnings.push(`${path}: ${at} holds a password itself (pass:); prefer env: or file:`);
    }
    return ref;
  };
  const store = (r: Raw, at: string): ClusterStore => ({
    keystore: file(r.keystore),
    password: secretAt(r.password, `${at}.password`),
    ...(r.keyPassword === undefined ? {} : { keyPassword: secretAt(r.keyPassword, `${at}.keyPassword`) }),
  });
  const keySpec = (r: Raw, at: string): KeySpec => {
    try {
      return parseKeySpec({ kty: r.kty, bits: r.bits, curve: r.curve });
    } catch (error) {
      problem(at, (error as Error).message);
      return { kty: 'rsa' };
    }
  };
  const toNode = (r: Raw, at: string, defaultAlias?: string): ClusterNode => {
    const keystore = nodeFile(r.keystore, r, `${at}.keystore`);
    const where = parseLocation(keystore);
    return {
      name: r.name,
      ...store(r, at),
      keystore,
      ...(r.alias ?? defaultAlias ? { alias: r.alias ?? defaultAlias } : {}),
      hostnames: r.hostnames ?? [],
      ...(where.kind === 'ssh' ? { host: hostLabel(where) } : {}),
      ...(r.endpoint === undefined ? {} : { endpoint: parseProbeTarget(r.endpoint) }),
      ...(r.restart === undefined ? {} : { restart: r.restart }),
      ...(r.before === undefined ? {} : { before: r.before }),
      ...(r.after === undefined ? {} : { after: r.after }),
      ...(r.health === undefined ? {} : { health: { ...(r.health.timeout ? { timeoutMs: r.health.timeout * 1000 } : {}), ...(r.health.restartTimeout ? { restartTimeoutMs: r.health.restartTimeout * 1000 } : {}) } }),
    };
  };
  const toReplicationNode = (r: Raw, at: string): ClusterReplicationNode => ({
    ...toNode(r, at),
    truststore: nodeFile(r.truststore, r, `${at}.truststore`),
    truststorePassword: r.truststorePassword === undefined ? secretAt(r.password, `${at}.password`) : secretAt(r.truststorePassword, `${at}.truststorePassword`),
  });
  const cluster: ClusterFile = {
    path,
    dir,
    ca: {
      ...store(raw.ca, 'ca'),
      // a CA key in an HSM: ca.keystore is its pkcs11: URI, ca.password the token's PIN
      ...(isPkcs11Uri(raw.ca.keystore) ? { keystore: pkcs11Location(raw.ca.keystore, problem) } : {}),
      ...(raw.ca.pkcs11Module === undefined ? {} : { pkcs11Module: raw.ca.pkcs11Module }),
      ...(raw.ca.certificate === undefined ? {} : { certificate: file(raw.ca.certificate) }),
      alias: raw.ca.alias ?? 'ca',
      ...(raw.ca.policy ? { policy: parseNamePolicy({ domains: raw.ca.policy.domains ?? [], ipRanges: raw.ca.policy.ipRanges ?? [] }) } : {}),
      ...(raw.ca.create ? { create: { subject: raw.ca.create.subject, key: keySpec(raw.ca.create, 'ca.create'), days: raw.ca.create.days ?? 3650 } } : {}),
    },
    loadBalancer: { names: raw.loadBalancer?.names ?? [] },
    gateway: { name: raw.gateway.name, instances: raw.gateway.instances.map((r: Raw, i: number) => toNode(r, `gateway.instances[${i}]`, 'server')) },
    ...(raw.replication
      ? {
          replication: {
            mode: (raw.replication.mode ?? 'direct') as MeshMode,
            master: toReplicationNode(raw.replication.master, 'replication.master'),
            slaves: raw.replication.slaves.map((r: Raw, i: number) => toReplicationNode(r, `replication.slaves[${i}]`)),
          },
        }
      : {}),
    ...(raw.token
      ? {
          token: {
            ...store(raw.token, 'token'),
            alias: raw.token.alias ?? 'token',
            subject: raw.token.subject,
            days: raw.token.days ?? 730,
            key: keySpec(raw.token, 'token'),
          },
        }
      : {}),
    renewal: { windowDays: raw.renewal?.window ?? DEFAULT_RENEWAL_WINDOW_DAYS, days: raw.renewal?.days ?? DEFAULT_CLUSTER_LEAF_DAYS },
    audit: { warnDays: raw.audit?.warn ?? DEFAULT_AUDIT_WARN_DAYS, critDays: raw.audit?.crit ?? DEFAULT_AUDIT_CRIT_DAYS },
    ...(raw.ssh ? { ssh: toSsh(raw.ssh, dir, secretAt) } : {}),
    warnings,
    literalPasswords,
  };
  if (cluster.renewal.windowDays >= cluster.renewal.days) problem('renewal.window', `must be shorter than the ${cluster.renewal.days} days a certificate is issued for, or every apply would renew`);
  if (cluster.audit.critDays > cluster.audit.warnDays) problem('audit.crit', 'must not be longer than audit.warn');
  checkUnique(cluster, problem);
  return cluster;
}

function toSsh(raw: Raw, dir: string, secretAt: (spec: string, at: string) => SecretRef): ClusterSsh {
  // a file named from the home directory (~/.ssh/ops_ed25519) is in the account's home, as ssh
  // reads `~` in its own config (accountHome: not $HOME, which sudo may keep from another user)
  const file = (path: string): string => resolve(dir, expandHome(path));
  return {
    ...(raw.config === undefined ? {} : { config: raw.config === 'none' ? false : file(raw.config) }),
    ...(raw.user === undefined ? {} : { user: raw.user }),
    ...(raw.identity === undefined ? {} : { identity: file(raw.identity) }),
    ...(raw.identityPassword === undefined ? {} : { identityPassword: secretAt(raw.identityPassword, 'ssh.identityPassword') }),
    ...(raw.knownHosts === undefined ? {} : { knownHosts: file(raw.knownHosts) }),
    ...(raw.sudo === undefined ? {} : { sudo: raw.sudo }),
    ...(raw.acceptNewHostKeys === undefined ? {} : { acceptNewHostKeys: raw.acceptNewHostKeys }),
  };
}

function pkcs11Location(uri: string, problem: (at: string, message: string) => void): string {
  try {
    parsePkcs11Uri(uri);
  } catch (error) {
    problem('ca.keystore', (error as Error).message);
  }
  return uri;
}

/** Node names name steps and trust-store entries; files are written once each, so no two roles share one. */
function checkUnique(cluster: ClusterFile, problem: (at: string, message: string) => void): void {
  const names = new Map<string, string>();
  const files = new Map<string, string>();
  const claim = (map: Map<string, string>, key: string, at: string, what: string): void => {
    const first = map.get(key);
    if (first !== undefined) problem(at, `the same ${what} as ${first}`);
    else map.set(key, at);
  };
  claim(files, cluster.ca.keystore, 'ca.keystore', 'file');
  cluster.gateway.instances.forEach((n, i) => {
    claim(names, n.name, `gateway.instances[${i}].name`, 'name');
    claim(files, n.keystore, `gateway.instances[${i}].keystore`, 'file');
  });
  const replication = cluster.replication;
  if (replication) {
    const nodes: [ClusterReplicationNode, string][] = [[replication.master, 'replication.master'], ...replication.slaves.map((s, i): [ClusterReplicationNode, string] => [s, `replication.slaves[${i}]`])];
    for (const [n, at] of nodes) {
      claim(names, n.name, `${at}.name`, 'name');
      claim(files, n.keystore, `${at}.keystore`, 'file');
      claim(files, n.truststore, `${at}.truststore`, 'file');
    }
  }
  if (cluster.token) claim(files, cluster.token.keystore, 'token.keystore', 'file');
}
