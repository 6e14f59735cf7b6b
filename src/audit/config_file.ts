import { dirname } from 'node:path';
import { readFileBytes } from '../fs/read_file.js';
import { passwordsInFileProblem } from '../secrets/password_source.js';
import { parseAuditConfig, type AuditConfig } from './config.js';

/**
 * The audit configuration in the file at `path` (its relative paths taken against its own
 * directory), with a warning when it holds passwords itself (pass:) and others can read it.
 */
export async function readAuditConfigFile(path: string): Promise<{ config: AuditConfig; warning?: string }> {
  const text = Buffer.from(await readFileBytes(path)).toString('utf8');
  const config = parseAuditConfig(text, { source: path, baseDir: dirname(path) });
  const warning = passwordsInFileProblem(path, [config.storepass, ...config.passwords.map((rule) => rule.password)]);
  return warning === undefined ? { config } : { config, warning };
}
