import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { openForAudit, type OpenOutcome } from './open_store.js';

/**
 * Opens keystores on worker threads: a PKCS#12 file costs several PBKDF2 runs (MAC, certificate
 * bag, key bag), which on one thread make an audit of thousands of stores take minutes.
 */
export interface ReadPool {
  open(bytes: Uint8Array, password: string | undefined): Promise<OpenOutcome>;
  close(): Promise<void>;
}

const WORKER_URL = new URL('./read_worker.js', import.meta.url);

/** True when the compiled worker script is there (not when running from TypeScript sources, as tests do). */
export function workersAvailable(): boolean {
  try {
    return existsSync(fileURLToPath(WORKER_URL));
  } catch {
    return false;
  }
}

export function inProcessPool(): ReadPool {
  return { open: openForAudit, close: async () => undefined };
}

/** A pool of `size` workers (default: os.availableParallelism()), each taking the next job as it finishes one. */
export function workerPool(size = availableParallelism()): ReadPool {
  const pending = new Map<number, (outcome: OpenOutcome) => void>();
  const queue: { id: number; bytes: Uint8Array; password: string | undefined }[] = [];
  const idle: Worker[] = [];
  const current = new Map<Worker, number>();
  let live = Math.max(1, size);
  let nextId = 0;
  const settle = (id: number, outcome: OpenOutcome): void => {
    pending.get(id)?.(outcome);
    pending.delete(id);
  };
  const dispatch = (worker: Worker): void => {
    const job = queue.shift();
    if (!job) {
      current.delete(worker);
      idle.push(worker);
      return;
    }
    current.set(worker, job.id);
    const copy = job.bytes.slice();
    worker.postMessage({ id: job.id, bytes: copy, ...(job.password === undefined ? {} : { password: job.password }) }, [copy.buffer]);
  };
  const workers = Array.from({ length: live }, () => {
    const worker = new Worker(WORKER_URL);
    worker.on('message', ({ id, outcome }: { id: number; outcome: OpenOutcome }) => {
      settle(id, outcome);
      dispatch(worker);
    });
    worker.on('error', (error) => {
      // a crashed worker fails its job rather than hanging the audit; the last one fails the queue
      const failure = { failure: { code: 'ERR_INTERNAL', message: `read worker failed: ${error.message}` } };
      const id = current.get(worker);
      if (id !== undefined) settle(id, failure);
      current.delete(worker);
      if (idle.includes(worker)) idle.splice(idle.indexOf(worker), 1);
      if (--live === 0) for (const job of queue.splice(0)) settle(job.id, failure);
    });
    idle.push(worker);
    return worker;
  });
  return {
    open(bytes, password) {
      if (live === 0) return Promise.resolve({ failure: { code: 'ERR_INTERNAL', message: 'every read worker has failed' } });
      return new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        queue.push({ id, bytes, password });
        const worker = idle.pop();
        if (worker) dispatch(worker);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
