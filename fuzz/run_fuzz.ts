import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HapkiError } from '../src/errors.js';
import { Random } from './mutate.js';
import type { FuzzTarget } from './targets.js';

export interface FuzzOptions {
  seed: number;
  /** Stop after this many mutations ... */
  count?: number;
  /** ... or after this many seconds, whichever comes first. */
  seconds?: number;
  /** Where to save inputs that failed (none: not saved). */
  saveDir?: string;
  /** CPU time above which an input is a finding. */
  slowMs?: number;
  /** Heap and buffer growth above which an input is a finding. */
  memoryBytes?: number;
}

export interface Finding {
  kind: 'uncoded' | 'internal' | 'raw-bytes-in-message' | 'slow' | 'memory';
  detail: string;
  input: Uint8Array;
  saved?: string;
}

export interface FuzzReport {
  target: string;
  mutations: number;
  /** How many inputs ended in each code (or "ok"). */
  outcomes: Record<string, number>;
  findings: Finding[];
  slowestMs: number;
}

// control characters in a message mean input bytes were echoed (hapki's own messages have none)
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/;

/** Outcome of one input: a code or "ok", and a finding if it broke a rule. */
export async function judge(target: FuzzTarget, input: Uint8Array, options: Pick<FuzzOptions, 'slowMs' | 'memoryBytes'> = {}): Promise<{ outcome: string; cpuMs: number; finding?: Omit<Finding, 'input'> }> {
  const slowMs = options.slowMs ?? 2000;
  const memoryBytes = options.memoryBytes ?? 256 * 1024 * 1024 + 32 * input.length;
  const before = process.memoryUsage();
  const cpu = process.cpuUsage();
  let outcome = 'ok';
  let finding: Omit<Finding, 'input'> | undefined;
  // a promise the reader left rejected and unhandled would end a CLI process in Node's crash report
  const strays: unknown[] = [];
  const onStray = (reason: unknown): void => void strays.push(reason);
  process.on('unhandledRejection', onStray);
  try {
    await target.run(input);
  } catch (error) {
    if (error instanceof HapkiError) {
      outcome = error.code;
      if ((error.code as string) === 'ERR_INTERNAL') finding = { kind: 'internal', detail: error.message };
      else if (RAW.test(error.message)) finding = { kind: 'raw-bytes-in-message', detail: `${error.code}: ${JSON.stringify(error.message).slice(0, 300)}` };
    } else {
      outcome = 'UNCODED';
      finding = { kind: 'uncoded', detail: `${(error as Error)?.name}: ${String((error as Error)?.message).slice(0, 300)}` };
    }
  }
  await new Promise((resolve) => setImmediate(resolve));
  process.off('unhandledRejection', onStray);
  if (strays.length > 0) finding = { kind: 'uncoded', detail: `a rejection nobody handled: ${String((strays[0] as Error)?.message ?? strays[0]).slice(0, 300)}` };
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const after = process.memoryUsage();
  const growth = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  if (!finding && cpuMs > slowMs) finding = { kind: 'slow', detail: `${cpuMs.toFixed(0)} ms of CPU (${outcome})` };
  if (!finding && growth > memoryBytes) finding = { kind: 'memory', detail: `${(growth / 1048576).toFixed(0)} MB more memory (${outcome})` };
  return finding ? { outcome, cpuMs, finding } : { outcome, cpuMs };
}

/** Mutates the target's seeds and judges every input; deterministic for a seed and a count. */
export async function runFuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const random = new Random(options.seed);
  const seeds = await target.seeds();
  const report: FuzzReport = { target: target.name, mutations: 0, outcomes: {}, findings: [], slowestMs: 0 };
  const deadline = options.seconds === undefined ? Infinity : Date.now() + options.seconds * 1000;
  const count = options.count ?? Infinity;
  // a mutant is also a seed now and then: edits pile up, as they do in a real hostile file
  let pool = [...seeds];
  while (report.mutations < count && Date.now() < deadline) {
    const input = await target.mutate(random.pick(pool), random);
    report.mutations++;
    const { outcome, cpuMs, finding } = await judge(target, input, options);
    report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
    report.slowestMs = Math.max(report.slowestMs, cpuMs);
    if (finding) {
      const full: Finding = { ...finding, input };
      if (options.saveDir) {
        mkdirSync(options.saveDir, { recursive: true });
        full.saved = join(options.saveDir, `${target.name}-${finding.kind}-${createHash('sha256').update(input).digest('hex').slice(0, 16)}.bin`);
        writeFileSync(full.saved, input);
      }
      report.findings.push(full);
    }
    if (outcome === 'ok' && input.length < 200_000 && random.next() < 0.1) pool = [...seeds, input];
  }
  return report;
}
