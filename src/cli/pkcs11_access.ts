import type { Command } from 'commander';
import { Pkcs11Error } from '../errors.js';
import type { Pkcs11Access } from '../pkcs11/pkcs11_key.js';
import { parsePkcs11Uri, type Pkcs11Uri } from '../pkcs11/uri.js';
import type { CliContext } from './context.js';
import { warn } from './io.js';

/** The options every command taking a pkcs11: key location has. */
export interface Pkcs11CliOptions {
  pkcs11Module?: string;
  pin?: string;
}

export const PKCS11_HELP = `
PKCS#11 (HSM) keys: give a key location as an RFC 7512 URI, 'pkcs11:token=<label>;object=<key label>'
(quote it: ';' ends a shell command). The module is --pkcs11-module, else the URI's module-path, else
$HAPKI_PKCS11_MODULE, else SoftHSM's /usr/lib/softhsm/libsofthsm2.so when present. The user PIN comes from
the URI's pin-source (env:NAME, file:PATH, fd:N), else --pin, else a prompt. Needs the optional dependency
pkcs11js (npm install pkcs11js).`;

export function addPkcs11Options(command: Command): Command {
  return command
    .option('--pkcs11-module <path>', 'PKCS#11 library for pkcs11: locations (default: $HAPKI_PKCS11_MODULE, else SoftHSM\'s)')
    .option('--pin <src>', 'user PIN of the PKCS#11 token: env:NAME, file:PATH, fd:N, stdin or pass:TEXT');
}

/**
 * The module and PIN for a token: the URI's pin-source (hapki's password sources; RFC 7512's
 * file: URIs too) or pin-value (warned about), else --pin, else a prompt on a terminal.
 */
export async function pkcs11Access(ctx: CliContext, location: string, options: Pkcs11CliOptions): Promise<{ uri: Pkcs11Uri; access: Pkcs11Access }> {
  const uri = parsePkcs11Uri(location);
  const what = `PIN for PKCS#11 token${uri.token === undefined ? '' : ` "${uri.token}"`}`;
  // the URI's own PIN first: with two tokens (--key and --ca), each URI can carry its own
  let pin: string | undefined;
  if (uri.pinSource !== undefined) pin = await ctx.passwords.resolve(pinSource(uri.pinSource), what);
  else if (uri.pinValue !== undefined) {
    warn(ctx.io, 'the PIN given with pin-value in the URI is visible wherever the URI is; prefer --pin env:NAME or pin-source');
    pin = uri.pinValue;
  } else pin = await ctx.passwords.resolve(options.pin, what);
  return { uri, access: { env: ctx.io.env, ...(options.pkcs11Module === undefined ? {} : { module: options.pkcs11Module }), ...(pin === undefined ? {} : { pin }) } };
}

function pinSource(source: string): string {
  if (source.startsWith('file://')) return `file:${decodeURIComponent(source.slice('file://'.length))}`;
  if (source.startsWith('|')) throw new Pkcs11Error('ERR_PKCS11_URI', 'pin-source "|command" is not supported: use env:NAME, file:PATH or fd:N');
  return source;
}
