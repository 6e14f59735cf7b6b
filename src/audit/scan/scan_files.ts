import { availableParallelism } from 'node:os';
import { UnsupportedKeystoreError } from '../../errors.js';
import { readFileBytes } from '../../fs/read_file.js';
import { detectFormat } from '../../keystore/detect.js';
import type { KeystoreFormat } from '../../keystore/model.js';
import type { AuditSource } from '../model.js';
import type { PasswordLookup } from '../passwords.js';
import { mapLimit } from './map_limit.js';
import { failureOf } from './open_store.js';
import { inProcessPool, workerPool, workersAvailable, type ReadPool } from './read_pool.js';
import { collectFiles } from './walk.js';
import { excludeMatcher } from './exclude.js';

export interface ScanFilesOptions {
  /** Glob patterns of paths not to audit (see excludeMatcher). */
  exclude?: readonly string[];
  /** The password to open a store with; none by default. */
  passwordFor?: PasswordLookup;
  /** Files read at once (default 32). */
  concurrency?: number;
  /**
   * Worker threads for PKCS#12 stores: 0 reads everything in this thread; default one per CPU
   * once there are at least SMALL_JOB files, since starting workers costs more than a few stores.
   */
  workers?: number;
  /** Called after each file, for a progress display. */
  onProgress?: (done: number, total: number) => void;
}

/** Below this many files the audit stays in one thread. */
export const SMALL_JOB = 16;
const DEFAULT_CONCURRENCY = 32;
/** Formats whose reading is dominated by password-based key derivation. */
const HEAVY: ReadonlySet<KeystoreFormat> = new Set(['PKCS12']);

/**
 * Every keystore and certificate file under `paths`, opened. Files found in directories that are
 * not keystores or certificates (judged by content) are skipped silently, unless their name says
 * they are (isKeystoreName); a file named on its own must be one. Such a file is reported
 * unreadable when it is not.
 */
export async function scanFiles(paths: readonly string[], options: ScanFilesOptions = {}): Promise<AuditSource[]> {
  const { files, problems } = await collectFiles(paths, excludeMatcher(options.exclude ?? []));
  const sources: AuditSource[] = problems.map((p) => ({ kind: 'file', source: p.path, error: { code: p.code, message: p.message } }));
  const workers = options.workers ?? (files.length >= SMALL_JOB && workersAvailable() ? availableParallelism() : 0);
  let pool: ReadPool | undefined;
  const heavyPool = (): ReadPool => (pool ??= workers > 0 && workersAvailable() ? workerPool(workers) : inProcessPool());
  let done = 0;
  try {
    const opened = await mapLimit(files, options.concurrency ?? DEFAULT_CONCURRENCY, async (file): Promise<AuditSource | undefined> => {
      try {
        const base = { kind: 'file' as const, source: file.path, realPath: file.realPath };
        let bytes: Uint8Array;
        let format: KeystoreFormat;
        try {
          bytes = await readFileBytes(file.path);
        } catch (error) {
          // a keystore the audit may not read is a blind spot to report, wherever it was found
          const failure = failureOf(error, false);
          return { ...base, error: { ...failure, message: failure.message.split(`${file.path}: `).join('').split(` ${file.path}`).join('') } };
        }
        try {
          format = detectFormat(bytes);
        } catch (error) {
          // a file that is not a keystore is passed over; one hapki recognises but cannot read (BKS) is a blind spot
          return file.expected || error instanceof UnsupportedKeystoreError ? { ...base, error: failureOf(error, false) } : undefined;
        }
        let password: string | undefined;
        try {
          password = await options.passwordFor?.(file.path);
        } catch (error) {
          return { ...base, error: failureOf(error, false) };
        }
        const outcome = await (HEAVY.has(format) ? heavyPool() : inProcessPool()).open(bytes, password);
        if (!('store' in outcome)) return { ...base, error: outcome.failure };
        return { ...base, store: outcome.store, ...(outcome.failure ? { error: outcome.failure } : {}) };
      } finally {
        options.onProgress?.(++done, files.length);
      }
    });
    sources.push(...opened.filter((s): s is AuditSource => s !== undefined));
  } finally {
    await pool?.close();
  }
  return sources;
}

