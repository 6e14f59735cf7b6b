import { pkcs7CertificatesDer } from '../cert/pkcs7_write.js';
import { UsageError } from '../errors.js';
import { trustLimitsDropped } from '../keystore/convert.js';
import { exportEntry } from '../keystore/export_entry.js';
import { limitedUses } from '../keystore/pem/pem_blocks.js';
import type { Keystore } from '../keystore/model.js';
import type { CliContext } from './context.js';
import { warn } from './io.js';
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
  for (const e of out.entries) {
    const uses = e.type === 'trusted-cert' ? limitedUses(e.trust) : undefined;
    if (uses) warn(ctx.io, trustLimitsDropped(e.alias, uses, 'a PKCS#7 file'));
  }
  await commitOutputs(ctx, [{ path: options.out, action: 'write', content: pkcs7CertificatesDer(certificates), force: options.force ?? false, backup: true }]);
  return certificates.length;
}

/**
 * convert into PKCS#7: every certificate of the store once (trusted entries and each key's
 * chain, in store order), as a trust bundle for Windows or `keytool -importcert`; keys and secret
 * keys are named and left out, as convert leaves out what a target cannot hold.
 */
export async function convertPkcs7(
  ctx: CliContext,
  store: Keystore,
  output: string,
  options: Pkcs7ExportOptions & { keypassOut?: string[] },
): Promise<{ certificates: number; skipped: { alias: string; reason: string }[]; warnings: string[] }> {
  const skipped: { alias: string; reason: string }[] = [];
  const seen = new Set<string>();
  const certificates: Uint8Array[] = [];
  const warnings: string[] = [];
  const add = (cert: Uint8Array): void => {
    const key = Buffer.from(cert).toString('base64');
    if (!seen.has(key)) (seen.add(key), certificates.push(cert));
  };
  for (const entry of store.entries) {
    if (entry.type === 'trusted-cert') {
      add(entry.certificate);
      const uses = limitedUses(entry.trust);
      if (uses) warnings.push(trustLimitsDropped(entry.alias, uses, 'a PKCS#7 file'));
    }
    else if (entry.type === 'private-key') {
      entry.chain.forEach(add);
      skipped.push({ alias: entry.alias, reason: 'its private key: a PKCS#7 file holds certificates only (its chain is written)' });
    } else skipped.push({ alias: entry.alias, reason: 'a secret key: a PKCS#7 file holds certificates only' });
  }
  await commitOutputs(ctx, [{ path: output, action: 'write', content: pkcs7CertificatesDer(certificates), force: options.force ?? false, backup: true }]);
  return { certificates: certificates.length, skipped, warnings };
}

/** convert's options that a PKCS#7 output has no use for: refused, never dropped. */
export function refusePkcs7Protection(options: Pkcs7ExportOptions & { keypassOut?: string[] }): void {
  if (options.outpass !== undefined || options.encrypt === false || options.legacy || (options.keypassOut?.length ?? 0) > 0) {
    throw new UsageError('a PKCS#7 (.p7b) file holds certificates under no password: leave out --outpass, --keypass-out, --no-encrypt and --legacy');
  }
}
