import { checkTokenConsistency, type TokenCheckInput } from '../../token/check_token.js';
import type { AuditCheck, CheckHit } from '../model.js';
import { sourceNamed } from './source_named.js';

export const tokenDriftCheck: AuditCheck = {
  id: 'token-drift',
  severity: 'CRITICAL',
  description: 'the token entry differs across the stores of a --token-group (certificate, key, staged or previous copy): the instances would not accept each other\'s tokens',
  run: ({ tokenGroups, sources, at }) => {
    const hits: CheckHit[] = [];
    for (const group of tokenGroups) {
      // a store that could not be opened is already an UNKNOWN finding: drift is judged among the rest
      const inputs: TokenCheckInput[] = group.stores.flatMap((name) => {
        const store = sourceNamed(sources, name)?.store;
        return store ? [{ name, store }] : [];
      });
      if (inputs.length < 2) continue;
      const report = checkTokenConsistency(inputs, group.alias, { at });
      if (report.ok) continue;
      const problems = report.instances.filter((i) => i.problems.length > 0).map((i) => `${i.name}: ${i.problems.join(', ')}`);
      hits.push({ message: `token entry "${group.alias}" differs across the group: ${problems.join('; ')}`, source: `token group ${group.alias}` });
    }
    return hits;
  },
};
