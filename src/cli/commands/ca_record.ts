import type { Command } from 'commander';
import { changeCaSettings } from '../../authority/ca_settings.js';
import { issuedBy } from '../../authority/issuance_record.js';
import { renderIssuedRecord } from '../../authority/issued_text.js';
import { safe } from '../../text/escape.js';
import { caFilesBase } from '../ca_location.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { collect, jsonOption, printResult } from '../options.js';

/** `hapki ca issued` and `hapki ca set`: the CA's record and its settings, both beside its keystore. */
export function registerCaRecord(ca: Command, ctx: CliContext): void {
  ca.command('issued')
    .description("list what the CA has issued, from its issuance record (<keystore>.issued.jsonl), with revocations")
    .requiredOption('--ca <keystore>', 'the CA keystore whose record to read (no password needed)')
    .option('--ca-cert <file>', 'for a pkcs11: --ca: its certificate file, beside which its record is kept')
    .addOption(jsonOption('[{"serial", "subject", "names", "notBefore", "notAfter", "sha256", "profile", "at", "by", "revoked"?: {"reason", "at"}}]'))
    .addHelpText('after', `\nExamples:\n  hapki ca issued --ca ca.p12\n  hapki ca issued --ca ca.p12 --json\n${EXIT_CODES_HELP}`)
    .action(async (options: { ca: string; caCert?: string; json?: boolean }) => {
      const certificates = await issuedBy(caFilesBase(options.ca, options.caCert));
      printResult(ctx, options.json, certificates.map(({ type: _t, ...rest }) => rest), () => renderIssuedRecord(certificates));
    });

  ca.command('set')
    .description("configure the CA once: its name policy and the CRL / AIA URLs written into every certificate it issues from now on")
    .requiredOption('--ca <keystore>', 'the CA keystore; the settings go to <keystore>.settings.json')
    .option('--ca-cert <file>', 'for a pkcs11: --ca: its certificate file, beside which its settings are kept')
    .option('--allow-domain <domain>', 'add a DNS suffix the CA may certify (repeatable)', collect)
    .option('--allow-ip <cidr>', 'add an IP range the CA may certify (repeatable)', collect)
    .option('--crl-url <url>', 'CRL distribution point, where `hapki crl` output is published (http://...)')
    .option('--aia-url <url>', 'AIA caIssuers URL, where the CA certificate can be fetched')
    .option('--strict-cn', "refuse a server certificate whose CN is not one of its SANs (CA/B BR 7.1.4.3; otherwise a descriptive CN is signed with a warning)")
    .option('--no-strict-cn', 'sign a descriptive CN again, with a warning')
    .addOption(jsonOption('{"policy": {"domains", "ipRanges"}, "crlUrl"?, "caIssuersUrl"?, "strictCommonName"?}'))
    .addHelpText('after', `\nExamples:\n  hapki ca set --ca ca.p12 --allow-domain example.com --allow-ip 10.0.0.0/8\n  hapki ca set --ca ca.p12 --crl-url http://pki.example.com/ca.crl --aia-url http://pki.example.com/ca.cer\n  hapki ca set --ca ca.p12 --strict-cn\n${EXIT_CODES_HELP}`)
    .action(async (options: { ca: string; caCert?: string; allowDomain?: string[]; allowIp?: string[]; crlUrl?: string; aiaUrl?: string; strictCn?: boolean; json?: boolean }) => {
      const settings = await changeCaSettings(caFilesBase(options.ca, options.caCert), {
        allowDomains: options.allowDomain ?? [],
        allowIps: options.allowIp ?? [],
        ...(options.crlUrl === undefined ? {} : { crlUrl: options.crlUrl }),
        ...(options.aiaUrl === undefined ? {} : { caIssuersUrl: options.aiaUrl }),
        ...(options.strictCn === undefined ? {} : { strictCommonName: options.strictCn }),
      });
      printResult(ctx, options.json, settings, () =>
        safe`name policy: ${[...settings.policy.domains, ...settings.policy.ipRanges].join(', ') || '(none: any name)'}\ncrl url:     ${settings.crlUrl ?? '(none)'}\naia url:     ${settings.caIssuersUrl ?? '(none)'}\nstrict cn:   ${settings.strictCommonName ? 'yes (a server certificate\'s CN must be one of its SANs)' : 'no (a descriptive CN is signed with a warning)'}\n`,
      );
    });
}
