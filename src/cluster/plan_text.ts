import { escapeText } from '../text/escape.js';
import type { ClusterPlan, ClusterStepKind } from './cluster_plan.js';
import { displayLocation } from '../transport/location.js';

const MARK: Readonly<Record<ClusterStepKind, string>> = {
  'create-ca': '+',
  'issue-certificate': '~',
  'install-chain': '~',
  'trust-ca': '+',
  'create-truststore': '+',
  'add-trusted': '+',
  'remove-trusted': '-',
  'issue-token': '+',
  'distribute-token': '~',
};

/**
 * The plan as text, one block per keystore in the order apply writes them:
 *
 *     gateways/msas1/gateway.jks (msas1)
 *       ~ issue a certificate for "server": CN=msas1.example.com
 *           names: DNS:msas1.example.com, DNS:lbrhost.example.com
 */
export function renderClusterPlan(plan: ClusterPlan): string {
  if (plan.steps.length === 0) return `${plan.cluster}: no changes: every keystore is as the cluster file says\n`;
  const files = [...new Set(plan.steps.map((s) => s.file))];
  const lines = [`${plan.cluster}: ${count(plan.steps.length, 'change')} to ${count(files.length, 'keystore')}`];
  for (const file of files) {
    const steps = plan.steps.filter((s) => s.file === file);
    const nodes = [...new Set(steps.map((s) => s.node))].join(', ');
    const isNew = plan.writes.some((w) => w.file === file && !w.exists);
    lines.push(`${escapeText(displayLocation(plan.dir, file))} (${escapeText(nodes)}${isNew ? ', new file' : ''})`);
    for (const s of steps) {
      lines.push(`  ${MARK[s.kind]} ${escapeText(s.summary)}`);
      for (const d of s.details) lines.push(`      ${escapeText(d)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
