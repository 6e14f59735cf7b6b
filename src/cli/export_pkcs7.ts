import { pkcs7CertificatesDer } from '../cert/pkcs7_write.js';
import { UsageError } from '../errors.js';
import { exportEntry } from '../keystore/export_entry.js';
import type { Keystore } from '../keystore/model.js';
import type { CliContext } from './context.js';
import { commitOutputs } from './stdio.js';

export interface Pkcs7ExportOptions {
  alias?: string;
  out: string;
  what?: string;
  outpass?: string;
  encrypt: boolean;
  legacy?: boolean;
  force?: boolean;
}

/** The part a PKCS#7 export takes (its chain by default), checked before the keystore is opened. */
export function pkcs7Part(options: Pkcs7ExportOptions): 'chain' | 'cert' {
  const part = options.what ?? 'chain';
  if (part !== 'chain' && part !== 'cert') throw new UsageError('a PKCS#7 (.p7b) file holds certificates only: --what chain (the default) or --what cert');
  if (options.outpass !== undefined || options.encrypt === false || options.legacy) {
    throw new UsageError('a PKCS#7 (.p7b) file holds certificates under no password: leave out --outpass, --no-encrypt and --legacy');
  }
  return part;
}

/** Writes the entry's certificate or chain (leaf first) as a DER PKCS#7 certs-only file; returns how many. */
export async function exportPkcs7(ctx: CliContext, store: Keystore, options: Pkcs7ExportOptions, part: 'chain' | 'cert'): Promise<number> {
  const out = exportEntry(store, options.alias, part, 'PEM');
  const certificates = out.entries.flatMap((e) => (e.type === 'trusted-cert' ? [e.certificate] : []));
  await commitOutputs(ctx, [{ path: options.out, action: 'write', content: pkcs7CertificatesDer(certificates), force: options.force ?? false, backup: true }]);
  return certificates.length;
}
