import { readDer, Tag, TagClass, type DerNode } from '../asn1/der_reader.js';
import { OcspFormatError, OcspResponderError } from '../errors.js';
import { readTime } from '../path/path_certificate.js';
import type { SignedObject } from '../path/path_signature.js';
import { CERT_ID_HASHES, OCSP_OID, type CertId } from './ocsp_request.js';

/** Larger OCSP responses are refused before parsing (a real one, with a responder certificate, is a few kB). */
export const MAX_OCSP_RESPONSE_BYTES = 1024 * 1024;
/** At most this many SingleResponses and embedded certificates. */
const MAX_ITEMS = 1000;

/** OCSPResponseStatus values other than successful (RFC 6960 4.2.1). */
const RESPONDER_STATUS: Readonly<Record<number, string>> = { 1: 'malformedRequest', 2: 'internalError', 3: 'tryLater', 5: 'sigRequired', 6: 'unauthorized' };

export interface OcspSingleResponse {
  certId: CertId;
  status: 'good' | 'revoked' | 'unknown';
  revokedAt?: Date;
  /** CRLReason, when the responder gave one. */
  reason?: number;
  thisUpdate: Date;
  nextUpdate?: Date;
}

/** A successful OCSP response's BasicOCSPResponse (RFC 6960 4.2.1), as revocation checking sees it. */
export interface OcspResponse extends SignedObject {
  der: Uint8Array;
  responderId: { byName: Uint8Array } | { byKey: Uint8Array };
  producedAt: Date;
  responses: OcspSingleResponse[];
  /** The nonce extension's extnValue, when the response has one. */
  nonce?: Uint8Array;
  /** Certificates (DER) the responder sent to help verify it: a delegated responder's own. */
  certs: Uint8Array[];
  /** Why it cannot be relied on although it parses (an unknown critical extension). */
  unusable?: string;
}

/**
 * Parses a DER OCSPResponse with the strict DER reader. Throws OcspResponderError for a
 * responder's error status (tryLater, unauthorized, ...) and OcspFormatError for anything that
 * is not a well-formed basic response, or one over the size limits. Never echoes the input.
 */
export function readOcspResponse(der: Uint8Array): OcspResponse {
  if (!(der instanceof Uint8Array)) throw new TypeError('readOcspResponse: der must be a Uint8Array');
  if (der.length > MAX_OCSP_RESPONSE_BYTES) throw new OcspFormatError(`the OCSP response is ${der.length} bytes, more than the ${MAX_OCSP_RESPONSE_BYTES} hapki reads`);
  try {
    return parse(der);
  } catch (error) {
    if (error instanceof OcspFormatError || error instanceof OcspResponderError) throw error;
    throw new OcspFormatError(`malformed OCSP response: ${(error as Error).message}`);
  }
}

function parse(der: Uint8Array): OcspResponse {
  const outer = readDer(der, 'OCSPResponse').sequence('OCSPResponse');
  const statusNode = outer[0]?.expect(10, 'responseStatus');
  if (!statusNode || statusNode.content.length !== 1) throw new Error('responseStatus must be a one-byte ENUMERATED');
  const status = statusNode.content[0]!;
  if (status !== 0) {
    const name = RESPONDER_STATUS[status];
    if (!name) throw new Error(`unknown responseStatus ${status}`);
    throw new OcspResponderError(`the OCSP responder answered ${name}`);
  }
  if (outer.length !== 2) throw new Error('a successful OCSPResponse has responseBytes');
  const [type, bytes] = outer[1]!.explicit(0, 'responseBytes').sequence('ResponseBytes');
  if (!type || !bytes) throw new Error('ResponseBytes is incomplete');
  if (type.oid('responseType') !== OCSP_OID.basic) throw new Error('the response is not a basic OCSP response');
  const basic = readDer(bytes.octets('response'), 'BasicOCSPResponse').sequence('BasicOCSPResponse');
  if (basic.length < 3 || basic.length > 4) throw new Error('BasicOCSPResponse has tbsResponseData, signatureAlgorithm, signature and certs');
  const tbs = basic[0]!;
  const signatureAlgorithm = basic[1]!.expect(Tag.sequence, 'signatureAlgorithm').encoded;
  const signatureValue = basic[2]!.bits('signature');
  const certs = basic[3] ? basic[3].explicit(0, 'certs').sequence('certs').map((c) => c.expect(Tag.sequence, 'certificate').encoded) : [];
  if (certs.length > MAX_ITEMS) throw new Error(`more than ${MAX_ITEMS} certificates`);

  const fields = tbs.sequence('ResponseData');
  let i = 0;
  if (fields[i]?.is(0, TagClass.context)) {
    if (fields[i]!.explicit(0, 'version').integer('version', 0) !== 0) throw new Error('ResponseData version must be v1');
    i++;
  }
  const id = fields[i++];
  let responderId: OcspResponse['responderId'];
  if (id?.is(1, TagClass.context)) responderId = { byName: id.child(0, 'byName').expect(Tag.sequence, 'byName').encoded };
  else if (id?.is(2, TagClass.context)) responderId = { byKey: id.child(0, 'byKey').octets('byKey') };
  else throw new Error('ResponderID must be byName [1] or byKey [2]');
  const producedAt = generalizedTime(fields[i++], 'producedAt');
  const list = fields[i++]?.sequence('responses');
  if (!list || list.length === 0) throw new Error('responses is missing or empty');
  if (list.length > MAX_ITEMS) throw new Error(`more than ${MAX_ITEMS} responses`);
  const response: OcspResponse = { der, tbs: tbs.encoded, signatureAlgorithm, signatureValue, responderId, producedAt, responses: list.map(readSingle), certs };
  if (fields[i]?.is(1, TagClass.context)) {
    for (const ext of readExtensions(fields[i++]!.child(0, 'responseExtensions'))) {
      if (ext.oid === OCSP_OID.nonce) response.nonce = ext.value;
      else if (ext.critical) response.unusable = `it has critical extension ${ext.oid}, which hapki does not process`;
    }
  }
  if (fields[i]) throw new Error('unexpected data after responseExtensions');
  return response;
}

function readSingle(node: DerNode): OcspSingleResponse {
  const fields = node.sequence('SingleResponse');
  const [hash, nameHash, keyHash, serial] = fields[0]?.sequence('CertID') ?? [];
  if (!hash || !nameHash || !keyHash || !serial) throw new Error('CertID is incomplete');
  const hashOid = hash.sequence('hashAlgorithm')[0]?.oid('hashAlgorithm') ?? '';
  const certId: CertId = { hashOid, issuerNameHash: nameHash.octets('issuerNameHash'), issuerKeyHash: keyHash.octets('issuerKeyHash'), serial: serial.expect(Tag.integer, 'serialNumber').content };
  if (CERT_ID_HASHES[hashOid] === undefined) throw new Error('CertID uses an unknown hash');
  const statusNode = fields[1];
  if (!statusNode || statusNode.cls !== TagClass.context) throw new Error('certStatus is missing');
  const single: OcspSingleResponse = { certId, status: 'good', thisUpdate: new Date(0) };
  if (statusNode.tag === 0 || statusNode.tag === 2) {
    if (statusNode.constructed || statusNode.content.length !== 0) throw new Error('certStatus good and unknown are NULL');
    single.status = statusNode.tag === 0 ? 'good' : 'unknown';
  } else if (statusNode.tag === 1) {
    const info = statusNode.children;
    single.status = 'revoked';
    single.revokedAt = generalizedTime(info[0], 'revocationTime');
    if (info[1]) {
      const reason = info[1].explicit(0, 'revocationReason').expect(10, 'revocationReason');
      single.reason = reason.content.length === 1 ? reason.content[0]! : -1;
    }
    if (info.length > 2) throw new Error('unexpected data in RevokedInfo');
  } else {
    throw new Error('unknown certStatus');
  }
  single.thisUpdate = generalizedTime(fields[2], 'thisUpdate');
  let i = 3;
  if (fields[i]?.is(0, TagClass.context)) single.nextUpdate = generalizedTime(fields[i++]!.child(0, 'nextUpdate'), 'nextUpdate');
  if (fields[i]?.is(1, TagClass.context)) i++;
  if (fields[i]) throw new Error('unexpected data in SingleResponse');
  return single;
}

function generalizedTime(node: DerNode | undefined, what: string): Date {
  if (!node?.is(Tag.generalizedTime)) throw new Error(`${what} must be a GeneralizedTime`);
  return readTime(node, what, []);
}

function readExtensions(node: DerNode): { oid: string; critical: boolean; value: Uint8Array }[] {
  return node.sequence('extensions').map((ext) => {
    const items = ext.sequence('extension');
    if (items.length < 2 || items.length > 3) throw new Error('an extension has an id, criticality and a value');
    const critical = items.length === 3 ? items[1]!.expect(Tag.boolean, 'critical').content[0] !== 0 : false;
    return { oid: items[0]!.oid('extension id'), critical, value: items[items.length - 1]!.octets('extension value') };
  });
}
