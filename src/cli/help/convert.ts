// what `hapki convert --help` shows after the options (the man page is made from it: keep it as it is printed)
import { EXIT_CODES_HELP } from '../exit_codes.js';

export const CONVERT_HELP = `
Every key of the output is protected with --outpass (or the source store password), in every
target format, the source's own included; --keypass-out gives one key of a JKS/JCEKS output a
password of its own. Entries the target format cannot hold (a secret key into PEM or JKS, a
Blowfish key into PKCS#12) are named on stderr and left out. An output named as keytool users
name stores (server.keystore, client.truststore, cacerts) is PKCS#12, keytool's default type.

Examples:
  hapki convert store.jks store.p12 --storepass env:STOREPASS
  hapki convert truststore.pem client.truststore --outpass env:STOREPASS
  hapki convert store.p12 store.jceks --out-format jceks --storepass env:STOREPASS --outpass env:NEWPASS
  hapki convert old.p12 old-compatible.p12 --legacy --storepass env:STOREPASS --force
  hapki convert store.p12 bundle.pem --storepass env:STOREPASS --no-encrypt
  hapki convert old.jks new.jks --storepass env:OLDPASS --keypass env:OLDKEYPASS --outpass env:NEWPASS
  hapki convert mixed.jceks mixed.p12 --storepass env:STOREPASS --keypass-in private=env:KEYPASS1 --keypass-in secret=env:KEYPASS2
${EXIT_CODES_HELP}`;
