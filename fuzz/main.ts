import { parseArgs } from 'node:util';
import { runFuzz } from './run_fuzz.js';
import { TARGETS, targetNamed } from './targets.js';

/**
 * npm run fuzz -- --target <reader|all> [--seconds N] [--count N] [--seed N] [--save DIR]
 * Prints one line per target; exits 1 when any input ended uncoded, slow or growing memory.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      target: { type: 'string', default: 'all' },
      seconds: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string', default: '1' },
      save: { type: 'string', default: 'fuzz-failures' },
    },
  });
  const targets = values.target === 'all' ? TARGETS : values.target!.split(',').map(targetNamed);
  const seconds = values.seconds === undefined ? (values.count === undefined ? 60 : undefined) : Number(values.seconds);
  let failed = false;
  for (const target of targets) {
    const report = await runFuzz(target, {
      seed: Number(values.seed),
      ...(seconds === undefined ? {} : { seconds: seconds / (values.target === 'all' ? 1 : 1) }),
      ...(values.count === undefined ? {} : { count: Number(values.count) }),
      saveDir: values.save!,
    });
    const outcomes = Object.entries(report.outcomes).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(' ');
    process.stdout.write(`${target.name}: ${report.mutations} mutations, ${report.findings.length} findings, slowest ${report.slowestMs.toFixed(0)} ms; ${outcomes}\n`);
    for (const f of report.findings.slice(0, 20)) process.stdout.write(`  ${f.kind}: ${f.detail}${f.saved ? ` -> ${f.saved}` : ''}\n`);
    if (report.findings.length > 0) failed = true;
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`fuzz: ${(error as Error).message}\n`);
    process.exitCode = 2;
  },
);
