import type { Command } from 'commander';
import { createLab } from '../../cluster/create_lab.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { jsonOption, printResult } from '../options.js';

export function registerLab(program: Command, ctx: CliContext): void {
  program
    .command('lab')
    .description('make a sample cluster on local files to try plan and apply on: a CA, two gateway instances, an admin server and two standbys')
    .argument('<dir>', 'where to make it (created; refused when not empty, unless --force)')
    .addOption(jsonOption('{"dir", "files": [...], "next": [commands]}'))
    .option('--ssh', 'nodes on "other hosts": also write an sshd configuration per node (127.0.0.1, ports 2201-2205), keys and known_hosts, and a cluster.yaml reaching the nodes over SSH; starts nothing')
    .option('--force', 'write into a directory that is not empty (replaced files kept as <file>.bak)')
    .addHelpText(
      'after',
      `
The gateway instances hold JKS keystores with self-signed certificates under alias "server", as
right after installation; passwords are random, in <dir>/secrets/ (mode 0600), and cluster.yaml
names everything through file: sources. No server and no keytool needed.

Examples:
  hapki lab /tmp/hapki-lab
  hapki lab /tmp/hapki-lab && hapki apply /tmp/hapki-lab/cluster.yaml
  hapki lab /tmp/hapki-ssh-lab --ssh     # then start the five sshd it prints, and plan/apply over SSH
${EXIT_CODES_HELP}`,
    )
    .action(async (dir: string, options: { force?: boolean; json?: boolean; ssh?: boolean }) => {
      const lab = await createLab(dir, { force: options.force ?? false, ...(options.ssh ? { ssh: {} } : {}) });
      if (options.json) return printResult(ctx, true, { dir: lab.dir, files: lab.files, next: lab.next }, () => '');
      const files = lab.files.map((f) => `  ${f}\n`).join('');
      ctx.io.stdout(`made a sample cluster in ${lab.dir}:\n${files}\nnext:\n${lab.next.map((c) => `  ${c}\n`).join('')}`);
    });
}
