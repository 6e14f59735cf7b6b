import { concatBytes } from '../../lib/bytes.js';
import { encodeModifiedUtf8 } from './modified_utf8.js';

/** Collects a Java DataOutputStream-style big-endian byte layout. */
export class ByteWriter {
  private readonly parts: Uint8Array[] = [];

  u8(v: number): this {
    this.parts.push(Uint8Array.of(v & 0xff));
    return this;
  }

  u16(v: number): this {
    this.parts.push(Uint8Array.of((v >> 8) & 0xff, v & 0xff));
    return this;
  }

  u32(v: number): this {
    this.parts.push(Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff));
    return this;
  }

  i64(v: bigint): this {
    const u = BigInt.asUintN(64, v);
    this.u32(Number(u >> 32n));
    this.u32(Number(u & 0xffffffffn));
    return this;
  }

  bytes(b: Uint8Array): this {
    this.parts.push(b);
    return this;
  }

  lengthPrefixed(b: Uint8Array): this {
    return this.u32(b.length).bytes(b);
  }

  /** DataOutput.writeUTF; Java refuses strings over 65535 encoded bytes, and so do we. */
  utf(text: string): this {
    const encoded = encodeModifiedUtf8(text);
    if (encoded.length > 0xffff) throw new TypeError(`string too long for writeUTF (${encoded.length} bytes)`);
    return this.u16(encoded.length).bytes(encoded);
  }

  finish(): Uint8Array {
    return concatBytes(this.parts);
  }
}
