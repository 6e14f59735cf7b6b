import { escapeText, safe } from '../text/escape.js';
import { short } from './check_token.js';
import type { TokenDistribution, TokenPlan } from './distribute_token.js';
import type { TokenChange } from './rotation.js';

/** What a distribution will do (a dry run) or did, one line per instance and change. */
export function renderTokenPlan(plan: TokenPlan): string {
  let out = safe`token "${plan.alias}", ${plan.step}${plan.certificate ? ` ${short(plan.certificate)}` : ''}:\n`;
  for (const p of plan.instances) {
    out += `  ${escapeText(p.instance.name)} (${p.format}): ${p.changes.length === 0 ? 'unchanged' : p.changes.map(renderChange).join(', ')}\n`;
    for (const w of p.warnings) out += safe`    note: ${w}\n`;
  }
  return out;
}

export function renderTokenDistribution(result: TokenDistribution): string {
  const written = result.outcomes.filter((o) => o.outcome === 'written').map((o) => escapeText(o.name));
  const unchanged = result.outcomes.length - written.length;
  const summary = written.length === 0 ? 'nothing to write: every instance already has it' : `wrote ${written.join(', ')} (each previous file kept as <file>.bak)${unchanged > 0 ? `; ${unchanged} unchanged` : ''}`;
  return `${renderTokenPlan(result.plan)}${summary}\n`;
}

function renderChange(change: TokenChange): string {
  const what = change.entry === 'private-key' ? 'key entry' : 'trusted copy';
  const alias = escapeText(change.alias);
  if (change.action === 'removed') return `${alias} removed (${what} ${short(change.before ?? '')})`;
  if (change.action === 'added') return `${alias} added (${what} ${short(change.after ?? '')})`;
  return `${alias} replaced (${what} ${short(change.before ?? '')} -> ${short(change.after ?? '')})`;
}

/** The plan (and, once written, what happened to each instance) as plain data for --json: names, paths and changes, never a password. */
export function tokenDistributionJson(plan: TokenPlan, result?: TokenDistribution): unknown {
  const outcome = new Map(result?.outcomes.map((o) => [o.name, o.outcome]));
  return {
    alias: plan.alias,
    step: plan.step,
    certificate: plan.certificate,
    dryRun: result === undefined,
    written: result ? result.outcomes.filter((o) => o.outcome === 'written').map((o) => o.path) : [],
    instances: plan.instances.map((p) => ({ name: p.instance.name, path: p.instance.path, format: p.format, changes: p.changes, warnings: p.warnings, ...(result ? { outcome: outcome.get(p.instance.name) } : {}) })),
  };
}
