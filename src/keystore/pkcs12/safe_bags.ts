import { readDer, Tag, type DerNode } from '../../asn1/der_reader.js';
import { OID } from '../../asn1/oids.js';
import { KeystoreFormatError } from '../../errors.js';

/** SafeContents (RFC 7292 section 4.2) parsed into the bags hapki understands. */

export interface BagAttributes {
  friendlyName?: string;
  localKeyId?: Uint8Array;
  /** Carries Oracle's trusted-key-usage attribute: the JDK's mark of a trusted-cert entry. */
  trusted: boolean;
}

export type SafeBag =
  | { kind: 'key'; pkcs8: Uint8Array; attributes: BagAttributes }
  | { kind: 'shrouded-key'; encrypted: Uint8Array; attributes: BagAttributes }
  | { kind: 'cert'; der: Uint8Array; attributes: BagAttributes }
  /** A JDK secret key: PKCS#8-shaped, plain or (as the JDK writes it) encrypted. */
  | { kind: 'secret'; encrypted?: Uint8Array; plain?: Uint8Array; attributes: BagAttributes };

/** Parses SafeContents bytes, descending into safeContentsBag; oddities go to warnings. */
export function readSafeContents(bytes: Uint8Array, warnings: string[], what = 'SafeContents'): SafeBag[] {
  const bags: SafeBag[] = [];
  collectBags(readDer(bytes, what), bags, warnings);
  return bags;
}

function collectBags(safeContents: DerNode, bags: SafeBag[], warnings: string[]): void {
  // one bag parsed at a time: a store of thousands of entries keeps no tree of them all
  for (const bag of safeContents.expect(Tag.sequence, 'SafeContents').eachChild()) {
    const fields = bag.sequence('SafeBag');
    const bagId = bag.child(0, 'bagId').oid('bagId');
    const value = bag.child(1, 'bagValue').explicit(0, 'bagValue');
    const attributeSet = fields[2];
    if (fields.length > 3) throw new KeystoreFormatError('unexpected field in SafeBag', fields[3]!.offset);
    const attributes = attributeSet ? readAttributes(attributeSet) : { trusted: false };
    switch (bagId) {
      case OID.keyBag:
        value.sequence('PrivateKeyInfo');
        bags.push({ kind: 'key', pkcs8: value.encoded, attributes });
        break;
      case OID.pkcs8ShroudedKeyBag:
        value.sequence('EncryptedPrivateKeyInfo');
        bags.push({ kind: 'shrouded-key', encrypted: value.encoded, attributes });
        break;
      case OID.certBag: {
        value.sequence('CertBag');
        const certId = value.child(0, 'certId').oid('certId');
        const certValue = value.child(1, 'certValue').explicit(0, 'certValue').octets('certValue');
        if (certId !== OID.x509Certificate) {
          warnings.push(`skipped a certificate bag of type ${certId}: only X.509 certificates are supported`);
          break;
        }
        bags.push({ kind: 'cert', der: certValue, attributes });
        break;
      }
      case OID.secretBag: {
        value.sequence('SecretBag');
        const typeId = value.child(0, 'secretTypeId').oid('secretTypeId');
        const secret = value.child(1, 'secretValue').explicit(0, 'secretValue');
        if (typeId === OID.pkcs8ShroudedKeyBag) {
          const encrypted = secret.octets('secret value');
          readDer(encrypted, 'secret value').sequence('EncryptedPrivateKeyInfo');
          bags.push({ kind: 'secret', encrypted, attributes });
        } else if (typeId === OID.keyBag) {
          const plain = secret.octets('secret value');
          readDer(plain, 'secret value').sequence('secret key info');
          bags.push({ kind: 'secret', plain, attributes });
        } else {
          warnings.push(`skipped a secret bag of type ${typeId}`);
        }
        break;
      }
      case OID.safeContentsBag:
        collectBags(value, bags, warnings);
        break;
      case OID.crlBag:
        warnings.push('skipped a CRL bag: keystore entries cannot hold CRLs');
        break;
      default:
        warnings.push(`skipped a bag of unknown type ${bagId}`);
    }
  }
}

function readAttributes(set: DerNode): BagAttributes {
  const attributes: BagAttributes = { trusted: false };
  for (const attribute of set.expect(Tag.set, 'bagAttributes').children) {
    attribute.sequence('PKCS12Attribute');
    const id = attribute.child(0, 'attribute id').oid('attribute id');
    const values = attribute.child(1, 'attribute values').expect(Tag.set, 'attribute values').children;
    const first = values[0];
    if (!first) continue;
    if (id === OID.friendlyName) attributes.friendlyName = first.text('friendlyName');
    else if (id === OID.localKeyId) attributes.localKeyId = first.octets('localKeyId');
    else if (id === OID.javaTrustedKeyUsage) attributes.trusted = true;
  }
  return attributes;
}
