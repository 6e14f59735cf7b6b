import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/fixtures.js';

const SRC = join(REPO_ROOT, 'src');

/**
 * The layers of src/, lowest first: a file may import from its own layer and from any layer
 * below it, never from one above. A layer is a folder under src/ or a file at its top. Every
 * folder and top-level file must be listed here, so a new one is placed on purpose.
 * No two folders import each other: a pair that did was a finding, and was fixed by moving code
 * (lib/printable.ts went to text/, the path primitives out of trust/ into path/, the transports
 * out of fs/ into transport/).
 */
const LAYERS: readonly { layer: string; holds: string }[] = [
  { layer: 'text', holds: 'escaping text for a terminal or a log line' },
  { layer: 'errors.ts', holds: 'HapkiError and its coded subclasses (they escape what they quote)' },
  { layer: 'lib', holds: 'small helpers over bytes, durations, YAML and errno words' },
  { layer: 'limits.ts', holds: 'the bounds every reader keeps' },
  { layer: 'asn1', holds: 'DER reading and writing, OIDs' },
  { layer: 'crypto', holds: 'the WebCrypto provider, keys, signers, password-based encryption' },
  { layer: 'cert', holds: 'X.509 certificates parsed and written, names, chains' },
  { layer: 'names', holds: 'DNS names, IP addresses, subject values as issuing checks them' },
  { layer: 'path', holds: 'certification-path primitives: the certificate as path validation sees it, its signature, name matching and constraints' },
  { layer: 'keystore', holds: 'the keystore model and its codecs, on bytes' },
  { layer: 'transport', holds: 'where files live: the FileTransport interface, the local disk, SFTP over SSH' },
  { layer: 'txn', holds: 'the write protocol over a transport: change sets, locks, journal, recovery' },
  { layer: 'fs', holds: 'the reads and writes the layers above use (local or ssh:// locations, keystore files)' },
  { layer: 'secrets', holds: 'password sources' },
  { layer: 'revocation', holds: 'CRL and OCSP, checked for a path' },
  { layer: 'trust', holds: 'path validation, trust stores, the mesh, TLS probes' },
  { layer: 'issue', holds: 'CSRs, CA creation, signing, installing replies' },
  { layer: 'authority', holds: 'a CA kept on disk: settings, issuance records, CRLs' },
  { layer: 'token', holds: 'the shared secure-token certificate' },
  { layer: 'pkcs11', holds: 'keys and certificates on an HSM' },
  { layer: 'audit', holds: 'scanners, rules and reports' },
  { layer: 'cluster', holds: 'cluster files, plan, apply, lab' },
  { layer: 'cli', holds: 'the commander program: the only place that parses argv' },
  { layer: 'index.ts', holds: 'the public API' },
];

const RANK = new Map(LAYERS.map(({ layer }, i) => [layer, i]));

/** The layer of a path under src/: its first folder, or the file itself at the top. */
function layerOf(srcRelative: string): string {
  const [first] = srcRelative.split(sep);
  return first!;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Every module a TypeScript text names: import and export declarations (`import type` and
 * `export type` included), `import x = require()`, `require()`, dynamic `import()` and type
 * positions `typeof import('x')`. A dynamic import or require whose argument is not a string
 * literal is reported as `<computed>`, since what it loads cannot be checked.
 */
function moduleSpecifiers(fileName: string, text: string): string[] {
  const found: string[] = [];
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const literal = (node: ts.Node | undefined): void => {
    found.push(node && ts.isStringLiteralLike(node) ? node.text : '<computed>');
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) literal(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) literal(node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) literal(node.argument.literal);
    else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) literal(node.arguments[0]);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

interface Finding {
  file: string;
  imports: string;
  why: string;
}

/** What breaks the layering in one file of src/ (path relative to src/) with the given text. */
function layeringFindings(file: string, text: string): Finding[] {
  const from = layerOf(file);
  const fromRank = RANK.get(from);
  if (fromRank === undefined) return [{ file, imports: '', why: `${from} is in no layer: add it to LAYERS` }];
  const findings: Finding[] = [];
  for (const specifier of moduleSpecifiers(file, text)) {
    if (specifier === '<computed>') {
      findings.push({ file, imports: specifier, why: 'a module named at run time cannot be checked' });
      continue;
    }
    if (from !== 'cli' && (specifier === 'commander' || specifier.startsWith('commander/'))) {
      findings.push({ file, imports: specifier, why: 'only src/cli parses argv' });
      continue;
    }
    if (!specifier.startsWith('.')) continue;
    const target = relative(SRC, resolve(SRC, dirname(file), specifier));
    if (target.startsWith('..')) {
      findings.push({ file, imports: specifier, why: 'reaches outside src/' });
      continue;
    }
    const to = layerOf(target.replace(/\.js$/, '.ts'));
    const toRank = RANK.get(to);
    if (toRank === undefined) findings.push({ file, imports: specifier, why: `${to} is in no layer` });
    else if (to === 'cli' && from !== 'cli') findings.push({ file, imports: specifier, why: 'the library never imports src/cli' });
    else if (toRank > fromRank) findings.push({ file, imports: specifier, why: `${from} is below ${to}` });
  }
  return findings;
}

describe('layering of src/', () => {
  it('lists every folder and top-level file of src/ as a layer, and nothing that is not there', () => {
    const present = readdirSync(SRC).sort();
    expect([...RANK.keys()].sort()).toEqual(present);
  });

  it('has every import point down or across, and commander and src/cli only in the CLI', () => {
    const findings = sourceFiles(SRC).flatMap((path) => layeringFindings(relative(SRC, path), readFileSync(path, 'utf8')));
    expect(findings).toEqual([]);
  });

  it('sees static, type-only, re-exported, dynamic and type-position imports', () => {
    const text = [
      "import { a } from '../lib/bytes.js';",
      "import type { Keystore } from '../keystore/model.js';",
      "export { plan } from '../cluster/plan_cluster.js';",
      "export type { Options } from '../audit/model.js';",
      "const m = await import('../token/issue_token.js');",
      "type S = typeof import('../trust/probe.js');",
      "const name = './x.js'; await import(name);",
      "import { Command } from 'commander';",
      "import '../cli/main.js';",
    ].join('\n');
    expect(layeringFindings(join('crypto', 'x.ts'), text).map(({ imports, why }) => `${imports}: ${why}`)).toEqual([
      '../keystore/model.js: crypto is below keystore',
      '../cluster/plan_cluster.js: crypto is below cluster',
      '../audit/model.js: crypto is below audit',
      '../token/issue_token.js: crypto is below token',
      '../trust/probe.js: crypto is below trust',
      '<computed>: a module named at run time cannot be checked',
      'commander: only src/cli parses argv',
      '../cli/main.js: the library never imports src/cli',
    ]);
  });

  it('keeps index.ts, the top, from importing the CLI', () => {
    expect(layeringFindings('index.ts', "export { main } from './cli/main.js';")).toEqual([{ file: 'index.ts', imports: './cli/main.js', why: 'the library never imports src/cli' }]);
  });

  it('lets the CLI import commander and any library layer', () => {
    expect(layeringFindings(join('cli', 'commands', 'x.ts'), "import { Command } from 'commander';\nimport { plan } from '../../cluster/plan_cluster.js';")).toEqual([]);
  });
});
