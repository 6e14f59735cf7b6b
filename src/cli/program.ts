import { Command } from 'commander';
import { registerCa } from './commands/ca.js';
import { registerConvert } from './commands/convert.js';
import { registerCsr } from './commands/csr.js';
import { registerExport } from './commands/export.js';
import { registerImport } from './commands/import.js';
import { registerList } from './commands/list.js';
import { registerSign } from './commands/sign.js';
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
    .addHelpText(
      'after',
      `
Examples:
  hapki list gateway.jks --storepass env:STOREPASS
  hapki csr gateway.jks --alias msas1 --storepass env:STOREPASS --out msas1.csr
  hapki sign msas1.csr --ca ca.p12 --storepass env:CAPASS --san lbrhost.example.com --out msas1.pem
  hapki import gateway.jks --alias msas1 --reply msas1.pem --storepass env:STOREPASS
  hapki convert store.jks store.p12 --storepass env:STOREPASS
${EXIT_CODES_HELP}`,
    );
  registerList(program, ctx);
  registerExport(program, ctx);
  registerConvert(program, ctx);
  registerCa(program, ctx);
  registerCsr(program, ctx);
  registerSign(program, ctx);
  registerImport(program, ctx);
  return program;
}
