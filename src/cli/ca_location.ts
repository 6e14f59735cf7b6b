import type { Command } from 'commander';
import { readFileBytes } from '../fs/read_file.js';
import { caEntry, issuerFromEntry, type Issuer } from '../issue/issuer.js';
import { readCertificates } from '../keystore/read_certificates.js';
import { isPkcs11Uri } from '../pkcs11/uri.js';
import type { CliContext } from './context.js';
import { openStoreForCli } from './open_store.js';
import { addPkcs11Options, pkcs11Access, type Pkcs11CliOptions } from './pkcs11_access.js';
import { UsageError } from '../errors.js';
import { escapeText } from '../text/escape.js';
import { caFiles, keepsCaFiles } from '../authority/ca_files.js';
import type { SigningCa } from '../authority/issue_with_ca.js';

/** The options that say where the CA is: a keystore and its passwords, or a pkcs11: key and its PIN. */
export interface CaLocationOptions extends Pkcs11CliOptions {
  caAlias?: string;
  caStorepass?: string;
  caKeypass?: string;
  caCert?: string;
}

/** A CA opened for issuing; `close()` ends an HSM session (nothing for a keystore). */
export interface OpenedCa {
  issuer: Issuer;
  close(): void;
}

/** --ca-cert, --pkcs11-module and --pin: what a pkcs11: --ca needs beside the URI. */
export function addCaKeyOptions(command: Command): Command {
  command.option('--ca-cert <file>', 'the CA certificate (chain), PEM or DER, for a pkcs11: --ca whose token holds none');
  return addPkcs11Options(command);
}

/**
 * The CA at `location`: a keystore's entry (--ca-alias, --ca-storepass, --ca-keypass), or a key
 * in an HSM given as a pkcs11: URI, its certificate from the token or --ca-cert.
 */
export async function openCaForCli(ctx: CliContext, location: string, options: CaLocationOptions): Promise<OpenedCa> {
  if (!isPkcs11Uri(location)) {
    if (options.caCert !== undefined) throw new UsageError('--ca-cert is for a pkcs11: --ca; a keystore CA has its certificate');
    const { store } = await openStoreForCli(ctx, location, { ...(options.caStorepass ? { storepass: options.caStorepass } : {}), ...(options.caKeypass ? { keypass: options.caKeypass } : {}) }, '--ca-storepass');
    return { issuer: await issuerFromEntry(caEntry(store, options.caAlias)), close: () => {} };
  }
  if (options.caAlias !== undefined || options.caStorepass !== undefined || options.caKeypass !== undefined) {
    throw new UsageError("a pkcs11: --ca names its key in the URI (object=, id=) and takes its PIN from --pin: --ca-alias, --ca-storepass and --ca-keypass do not apply");
  }
  const chain = options.caCert === undefined ? undefined : readCertificates(await readFileBytes(options.caCert), options.caCert);
  const { uri, access } = await pkcs11Access(ctx, location, options);
  const { openPkcs11Issuer } = await import('../pkcs11/pkcs11_issuer.js');
  const { issuer, key } = await openPkcs11Issuer(uri, access, chain);
  return { issuer, close: () => key.close() };
}

/**
 * The CA's own certificate, without its key: a pkcs11: CA's --ca-cert file, or the certificate of
 * the CA keystore's key entry (its store password asked for only where the certificates need it).
 */
export async function openCaCertificate(ctx: CliContext, location: string, options: Pick<CaLocationOptions, 'caAlias' | 'caStorepass' | 'caCert'>): Promise<{ certificate: Uint8Array }> {
  if (isPkcs11Uri(location)) {
    if (options.caCert === undefined) throw new UsageError('a pkcs11: --ca needs --ca-cert <file> here: its certificate');
    return { certificate: readCertificates(await readFileBytes(options.caCert), options.caCert)[0]! };
  }
  const { store } = await openStoreForCli(ctx, location, options.caStorepass ? { storepass: options.caStorepass } : {}, '--ca-storepass', { privateKeysSealed: true });
  const certificate = caEntry(store, options.caAlias).chain[0];
  if (!certificate) throw new UsageError(`the CA entry of ${escapeText(location)} has no certificate`);
  return { certificate };
}

/**
 * Where a CA's settings and issuance record live (issue 13's `<base>.settings.json`,
 * `<base>.issued.jsonl`): beside its keystore, or for a CA key in an HSM beside its certificate
 * file (--ca-cert). A pkcs11: CA without --ca-cert keeps none (the URI itself is returned).
 */
export function caFilesBase(ca: string, caCert: string | undefined): string {
  return isPkcs11Uri(ca) && caCert !== undefined ? caCert : ca;
}

/**
 * Everything a command signing with a CA reads or keeps of it, for refuseOutputOverInput: the
 * --ca keystore, --ca-cert, and the settings and issuance record beside them. An output over any
 * of them (`crl --ca ca.p12 --out ca.p12`) would put a CRL or a certificate where the CA key was.
 */
export function caInputs(ca: string | undefined, caCert: string | undefined): [string, string | undefined][] {
  if (ca === undefined) return [];
  const base = caFilesBase(ca, caCert);
  const files = keepsCaFiles(base) ? caFiles(base) : undefined;
  return [
    ['--ca', ca],
    ['--ca-cert', caCert],
    ["the CA's issuance record", files?.record],
    ["the CA's settings", files?.settings],
  ];
}

/** The optional --ca of a command that makes a certificate itself (ca init, token issue), opened; undefined without --ca. */
export async function openSigningCa(ctx: CliContext, location: string | undefined, options: CaLocationOptions): Promise<(SigningCa & OpenedCa) | undefined> {
  if (location === undefined) return undefined;
  const { issuer, close } = await openCaForCli(ctx, location, options);
  return { issuer, close, filesBase: caFilesBase(location, options.caCert) };
}
