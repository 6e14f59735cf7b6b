import type { AppliedCluster } from './apply_cluster.js';
import { renderClusterPlan } from './plan_text.js';

/** What apply did: the plan it carried out, then how many keystores it wrote and that a fresh plan is empty. */
export function renderApplied(applied: AppliedCluster): string {
  if (applied.plan.steps.length === 0) return renderClusterPlan(applied.plan);
  const n = applied.written.length;
  return `${renderClusterPlan(applied.plan)}applied: wrote ${n} keystore${n === 1 ? '' : 's'} (each replaced file kept as <file>.bak); planned again: no changes left\n`;
}
