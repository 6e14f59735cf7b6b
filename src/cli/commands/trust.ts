import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerTrustCheck } from './trust_check.js';
import { registerTrustMesh } from './trust_mesh.js';

export function registerTrust(program: Command, ctx: CliContext): void {
  const trust = program.command('trust').description('trust between the nodes of a cluster: build the master/slave trust stores, check them');
  registerTrustMesh(trust, ctx);
  registerTrustCheck(trust, ctx);
}
