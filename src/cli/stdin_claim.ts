import type { Command } from 'commander';
import type { CliContext } from './context.js';

/** Options and arguments whose `-` is standard output, not input. */
const OUTPUT_NAMES = new Set(['out', 'certOut', 'outDir']);

/**
 * Claims standard input for the command's input before any password is read: with
 * `--storepass stdin --trusted -`, the password must not take the first line of the PEM (which
 * ended as a misleading ERR_KEYSTORE_PASSWORD) but be refused as two uses of one stream.
 */
export function claimStdinInputs(ctx: CliContext, command: Command): void {
  const isStdin = (value: unknown): boolean => value === '-' || (Array.isArray(value) && value.includes('-'));
  const fromOptions = Object.entries(command.opts()).some(([name, value]) => !OUTPUT_NAMES.has(name) && isStdin(value));
  const fromArguments = command.registeredArguments.some((argument, i) => !OUTPUT_NAMES.has(argument.name()) && isStdin(command.processedArgs[i]));
  if (fromOptions || fromArguments) ctx.passwords.claimStdinForInput();
}
