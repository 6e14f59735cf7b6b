import { UnsupportedAlgorithmError } from '../../errors.js';
import { ByteReader } from './byte_reader.js';
import { ByteWriter } from './byte_writer.js';
import { decodeModifiedUtf8, encodeModifiedUtf8 } from './modified_utf8.js';

/**
 * Just enough of the Java Object Serialization Stream Protocol (Java SE spec, chapter 6) to read
 * what a JCEKS secret-key entry holds, whoever wrote it, and to write one the JDK accepts. The
 * reader is generic (any class, nested objects, enums, arrays, block data) but bounded: nesting
 * depth is capped and every count is checked against the bytes left before anything is built.
 * It never runs code, so "unknown class" is just a name the caller can refuse.
 */
const STREAM_MAGIC = 0xaced;
const STREAM_VERSION = 5;
const BASE_HANDLE = 0x7e0000;
const MAX_DEPTH = 32;

const TC = {
  NULL: 0x70,
  REFERENCE: 0x71,
  CLASSDESC: 0x72,
  OBJECT: 0x73,
  STRING: 0x74,
  ARRAY: 0x75,
  CLASS: 0x76,
  BLOCKDATA: 0x77,
  ENDBLOCKDATA: 0x78,
  RESET: 0x79,
  BLOCKDATALONG: 0x7a,
  EXCEPTION: 0x7b,
  LONGSTRING: 0x7c,
  PROXYCLASSDESC: 0x7d,
  ENUM: 0x7e,
} as const;

export const SC = { WRITE_METHOD: 0x01, SERIALIZABLE: 0x02, EXTERNALIZABLE: 0x04, BLOCK_DATA: 0x08, ENUM: 0x10 } as const;

export interface JavaFieldDesc {
  name: string;
  /** B C D F I J S Z for primitives, L for objects, [ for arrays. */
  typeCode: string;
  /** JVM type signature of an object field, e.g. "Ljava/lang/String;" or "[B". */
  signature?: string;
}

export interface JavaClassDesc {
  kind: 'class-desc';
  name: string;
  serialVersionUID: bigint;
  flags: number;
  fields: JavaFieldDesc[];
  superClass: JavaClassDesc | null;
}

export interface JavaClassData {
  className: string;
  values: Map<string, JavaValue>;
  /** What a writeObject method (or an Externalizable) added after the default fields. */
  annotation: JavaValue[];
}

export interface JavaObject {
  kind: 'object';
  classDesc: JavaClassDesc;
  /** One entry per serializable class, from the topmost superclass down. */
  classData: JavaClassData[];
}

export interface JavaArray {
  kind: 'array';
  classDesc: JavaClassDesc;
  /** Byte arrays stay bytes; other arrays are element lists. */
  elements: Uint8Array | JavaValue[];
}

export interface JavaEnum {
  kind: 'enum';
  classDesc: JavaClassDesc;
  constant: string;
}

export interface JavaClassObject {
  kind: 'class';
  classDesc: JavaClassDesc;
}

export interface JavaBlockData {
  kind: 'block-data';
  data: Uint8Array;
}

export type JavaValue =
  | null
  | string
  | number
  | bigint
  | boolean
  | JavaObject
  | JavaArray
  | JavaEnum
  | JavaClassDesc
  | JavaClassObject
  | JavaBlockData;

/** A field's value, searching from the most derived class up (as a subclass field hides a superclass one). */
export function javaField(object: JavaObject, name: string): JavaValue | undefined {
  for (let i = object.classData.length - 1; i >= 0; i--) {
    const values = object.classData[i]!.values;
    if (values.has(name)) return values.get(name);
  }
  return undefined;
}

/**
 * Reads the stream header and exactly one object, returning it and how many bytes it took (a
 * JCEKS entry is followed by the next entry, not by the end of the input). `base` is the
 * input's offset in the file, for error messages.
 */
export function readJavaObject(bytes: Uint8Array, base = 0): { value: JavaValue; length: number } {
  const reader: ByteReader = new ByteReader(bytes, base);
  const at = reader.offset;
  const magic = reader.u16('serialization stream magic');
  const version = reader.u16('serialization stream version');
  if (magic !== STREAM_MAGIC || version !== STREAM_VERSION) {
    reader.fail(`not a Java serialization stream (header ${magic.toString(16)} ${version})`, at);
  }
  const parser = new StreamParser(reader);
  const value = parser.content(0);
  return { value, length: reader.position };
}

class StreamParser {
  private handles: unknown[] = [];

  constructor(private readonly r: ByteReader) {}

  private newHandle(value: unknown): number {
    this.handles.push(value);
    return this.handles.length - 1;
  }

  private setHandle(index: number, value: unknown): void {
    this.handles[index] = value;
  }

  private reference(): unknown {
    const at = this.r.offset;
    const handle = this.r.u32('handle');
    const index = handle - BASE_HANDLE;
    if (index < 0 || index >= this.handles.length) this.r.fail(`dangling serialization handle 0x${handle.toString(16)}`, at);
    const value = this.handles[index];
    if (value === undefined) this.r.fail('reference to an object still being read', at);
    return value;
  }

  /** One element of `contents`: an object or a block of data. */
  content(depth: number): JavaValue {
    if (depth > MAX_DEPTH) this.r.fail('Java serialization nested too deeply');
    const at = this.r.offset;
    const tc = this.r.u8('type code');
    switch (tc) {
      case TC.NULL:
        return null;
      case TC.REFERENCE:
        return this.reference() as JavaValue;
      case TC.CLASSDESC:
        return this.newClassDesc(depth);
      case TC.PROXYCLASSDESC:
        throw new UnsupportedAlgorithmError('dynamic proxy class', 'Java serialization stream');
      case TC.OBJECT:
        return this.newObject(depth);
      case TC.STRING:
        return this.newString(this.r.u16('string length'));
      case TC.LONGSTRING: {
        const n = this.r.i64('long string length');
        if (n < 0n || n > BigInt(this.r.remaining)) this.r.fail(`string length ${n} exceeds the ${this.r.remaining} bytes left`, at);
        return this.newString(Number(n));
      }
      case TC.ARRAY:
        return this.newArray(depth);
      case TC.CLASS: {
        const classDesc = this.classDesc(depth + 1);
        if (!classDesc) this.r.fail('class object without a descriptor', at);
        const value: JavaClassObject = { kind: 'class', classDesc };
        this.newHandle(value);
        return value;
      }
      case TC.ENUM:
        return this.newEnum(depth);
      case TC.BLOCKDATA:
        return { kind: 'block-data', data: this.r.bytesCopy(this.r.u8('block length'), 'block data') };
      case TC.BLOCKDATALONG: {
        const n = this.r.i32('block length');
        if (n < 0 || n > this.r.remaining) this.r.fail(`block data length ${n} exceeds the ${this.r.remaining} bytes left`, at);
        return { kind: 'block-data', data: this.r.bytesCopy(n, 'block data') };
      }
      case TC.RESET:
        this.handles = [];
        return this.content(depth + 1);
      case TC.EXCEPTION:
        this.r.fail('serialization stream records an exception thrown while writing', at);
      // falls through: fail() never returns
      default:
        this.r.fail(`unknown serialization type code 0x${tc.toString(16)}`, at);
    }
  }

  private newString(length: number): string {
    const at = this.r.offset;
    const raw = this.r.bytesView(length, 'string');
    const text = decodeModifiedUtf8Checked(raw, this.r, at);
    this.newHandle(text);
    return text;
  }

  /** A classDesc position: a new descriptor, a reference to one, or null. */
  private classDesc(depth: number): JavaClassDesc | null {
    const at = this.r.offset;
    const value = this.content(depth);
    if (value === null) return null;
    if (typeof value === 'object' && value.kind === 'class-desc') return value;
    return this.r.fail('expected a class descriptor', at);
  }

  private newClassDesc(depth: number): JavaClassDesc {
    const name = this.r.utf('class name');
    const serialVersionUID = this.r.i64('serialVersionUID');
    const desc: JavaClassDesc = { kind: 'class-desc', name, serialVersionUID, flags: 0, fields: [], superClass: null };
    this.newHandle(desc);
    desc.flags = this.r.u8('class flags');
    const countAt = this.r.offset;
    const count = this.r.u16('field count');
    // Each field takes at least 1 + 2 bytes.
    if (count * 3 > this.r.remaining) this.r.fail(`field count ${count} exceeds the bytes left`, countAt);
    for (let i = 0; i < count; i++) {
      const typeAt = this.r.offset;
      const typeCode = String.fromCharCode(this.r.u8('field type'));
      const fieldName = this.r.utf('field name');
      if (typeCode === 'L' || typeCode === '[') {
        const signature = this.content(depth + 1);
        if (typeof signature !== 'string') this.r.fail(`field ${fieldName} has no type signature`, typeAt);
        desc.fields.push({ name: fieldName, typeCode, signature });
      } else if ('BCDFIJSZ'.includes(typeCode)) {
        desc.fields.push({ name: fieldName, typeCode });
      } else {
        this.r.fail(`unknown field type code ${JSON.stringify(typeCode)}`, typeAt);
      }
    }
    this.annotation(depth + 1);
    desc.superClass = this.classDesc(depth + 1);
    return desc;
  }

  /** classAnnotation / objectAnnotation: contents up to TC_ENDBLOCKDATA. */
  private annotation(depth: number): JavaValue[] {
    const items: JavaValue[] = [];
    for (;;) {
      if (this.peek() === TC.ENDBLOCKDATA) {
        this.r.u8();
        return items;
      }
      items.push(this.content(depth));
    }
  }

  private peek(): number {
    return this.r.peekU8('type code');
  }

  private newObject(depth: number): JavaObject {
    const at = this.r.offset;
    const classDesc = this.classDesc(depth + 1);
    if (!classDesc) this.r.fail('object without a class descriptor', at);
    const object: JavaObject = { kind: 'object', classDesc, classData: [] };
    this.newHandle(object);
    const chain: JavaClassDesc[] = [];
    for (let c: JavaClassDesc | null = classDesc; c; c = c.superClass) {
      if (chain.length > MAX_DEPTH) this.r.fail('class hierarchy too deep', at);
      chain.unshift(c);
    }
    for (const c of chain) {
      const data: JavaClassData = { className: c.name, values: new Map(), annotation: [] };
      if (c.flags & SC.EXTERNALIZABLE) {
        if (!(c.flags & SC.BLOCK_DATA)) throw new UnsupportedAlgorithmError(c.name, 'Externalizable written with protocol version 1');
        data.annotation = this.annotation(depth + 1);
      } else if (c.flags & SC.SERIALIZABLE) {
        for (const f of c.fields) data.values.set(f.name, this.fieldValue(f, depth + 1));
        if (c.flags & SC.WRITE_METHOD) data.annotation = this.annotation(depth + 1);
      }
      object.classData.push(data);
    }
    return object;
  }

  private fieldValue(field: JavaFieldDesc, depth: number): JavaValue {
    return field.typeCode === 'L' || field.typeCode === '[' ? this.content(depth) : this.primitive(field.typeCode);
  }

  private primitive(code: string): JavaValue {
    const r = this.r;
    switch (code) {
      case 'B':
        return (r.u8() << 24) >> 24;
      case 'Z':
        return r.u8() !== 0;
      case 'C':
        return String.fromCharCode(r.u16());
      case 'S':
        return (r.u16() << 16) >> 16;
      case 'I':
        return r.i32();
      case 'J':
        return r.i64();
      case 'F': {
        const b = new DataView(new ArrayBuffer(4));
        b.setUint32(0, r.u32());
        return b.getFloat32(0);
      }
      case 'D': {
        const b = new DataView(new ArrayBuffer(8));
        b.setBigInt64(0, r.i64());
        return b.getFloat64(0);
      }
      default:
        return r.fail(`unknown primitive type ${code}`);
    }
  }

  private newArray(depth: number): JavaArray {
    const at = this.r.offset;
    const classDesc = this.classDesc(depth + 1);
    if (!classDesc || !classDesc.name.startsWith('[')) this.r.fail('array without an array class descriptor', at);
    const array: JavaArray = { kind: 'array', classDesc, elements: [] };
    const handle = this.newHandle(array);
    const sizeAt = this.r.offset;
    const size = this.r.i32('array length');
    const elementCode = classDesc.name.charAt(1);
    const elementSize = ({ B: 1, Z: 1, C: 2, S: 2, I: 4, F: 4, J: 8, D: 8 } as Record<string, number>)[elementCode] ?? 1;
    if (size < 0 || size * elementSize > this.r.remaining) {
      this.r.fail(`array length ${size} exceeds the ${this.r.remaining} bytes left`, sizeAt);
    }
    if (elementCode === 'B') {
      array.elements = this.r.bytesCopy(size, 'byte array');
    } else {
      const isObject = elementCode === 'L' || elementCode === '[';
      const elements: JavaValue[] = [];
      for (let i = 0; i < size; i++) elements.push(isObject ? this.content(depth + 1) : this.primitive(elementCode));
      array.elements = elements;
    }
    this.setHandle(handle, array);
    return array;
  }

  private newEnum(depth: number): JavaEnum {
    const at = this.r.offset;
    const classDesc = this.classDesc(depth + 1);
    if (!classDesc) this.r.fail('enum without a class descriptor', at);
    const value: JavaEnum = { kind: 'enum', classDesc, constant: '' };
    this.newHandle(value);
    const constant = this.content(depth + 1);
    if (typeof constant !== 'string') this.r.fail('enum constant name is not a string', at);
    value.constant = constant;
    return value;
  }
}

function decodeModifiedUtf8Checked(raw: Uint8Array, r: ByteReader, at: number): string {
  const text = decodeModifiedUtf8(raw);
  if (text === undefined) r.fail('malformed modified UTF-8 string', at);
  return text;
}

/** A class as the writer describes it: fields in the order Java sorts them (primitives first, then by name). */
export interface JavaClassSpec {
  name: string;
  serialVersionUID: bigint;
  flags: number;
  fields: readonly { name: string; signature: string }[];
  superClass?: JavaClassSpec;
}

/**
 * Writes a serialization stream, sharing class descriptors and type signatures by handle as
 * the JDK's ObjectOutputStream does, so that what we write for a key is byte for byte what the
 * JDK writes for it (the unit tests check this against a keytool-made JCEKS).
 */
export class JavaStreamWriter {
  private readonly out = new ByteWriter();
  private nextHandle = 0;
  private readonly classHandles = new Map<string, number>();
  private readonly stringHandles = new Map<string, number>();

  constructor() {
    this.out.u16(STREAM_MAGIC).u16(STREAM_VERSION);
  }

  private reference(handle: number): void {
    this.out.u8(TC.REFERENCE).u32(BASE_HANDLE + handle);
  }

  /**
   * A String value. Java shares a handle only between references to the same String object,
   * so values are written afresh unless `shared` (type signatures, which the JDK interns).
   */
  string(text: string, shared = false): this {
    const known = shared ? this.stringHandles.get(text) : undefined;
    if (known !== undefined) {
      this.reference(known);
      return this;
    }
    const encoded = encodeModifiedUtf8(text);
    if (encoded.length > 0xffff) throw new TypeError('string too long for this writer');
    this.out.u8(TC.STRING).u16(encoded.length).bytes(encoded);
    if (shared) this.stringHandles.set(text, this.nextHandle);
    this.nextHandle++;
    return this;
  }

  classDesc(spec: JavaClassSpec | undefined): this {
    if (!spec) {
      this.out.u8(TC.NULL);
      return this;
    }
    const known = this.classHandles.get(spec.name);
    if (known !== undefined) {
      this.reference(known);
      return this;
    }
    this.out.u8(TC.CLASSDESC).utf(spec.name).i64(spec.serialVersionUID);
    this.classHandles.set(spec.name, this.nextHandle++);
    this.out.u8(spec.flags).u16(spec.fields.length);
    for (const f of spec.fields) {
      const code = f.signature.charAt(0);
      this.out.u8(code.charCodeAt(0)).utf(f.name);
      if (code === 'L' || code === '[') this.string(f.signature, true);
    }
    this.out.u8(TC.ENDBLOCKDATA);
    return this.classDesc(spec.superClass);
  }

  /** Starts an object; the caller then writes its field values, topmost superclass first. */
  beginObject(spec: JavaClassSpec): this {
    this.out.u8(TC.OBJECT);
    this.classDesc(spec);
    this.nextHandle++;
    return this;
  }

  byteArray(spec: JavaClassSpec, bytes: Uint8Array): this {
    this.out.u8(TC.ARRAY);
    this.classDesc(spec);
    this.nextHandle++;
    this.out.lengthPrefixed(bytes);
    return this;
  }

  enumConstant(spec: JavaClassSpec, constant: string): this {
    this.out.u8(TC.ENUM);
    this.classDesc(spec);
    this.nextHandle++;
    return this.string(constant);
  }

  finish(): Uint8Array {
    return this.out.finish();
  }
}
