import { Command } from 'commander';
import { registerConvert } from './commands/convert.js';
import { registerExport } from './commands/export.js';
import { registerList } from './commands/list.js';
import type { CliContext } from './context.js';
import { EXIT_CODES_HELP } from './exit_codes.js';

export const VERSION = '0.1.0';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('hapki')
    .description('certificates and keystores for high-availability gateway clusters')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: ctx.io.stdout, writeErr: ctx.io.stderr })
    .addHelpText('after', `\nExamples:\n  hapki list server.p12 --storepass env:STOREPASS\n  hapki convert store.jks store.p12 --storepass env:STOREPASS\n${EXIT_CODES_HELP}`);
  registerList(program, ctx);
  registerExport(program, ctx);
  registerConvert(program, ctx);
  return program;
}
