import { encodeModifiedUtf8 } from './modified_utf8.js';

/** Small fields are gathered in pieces of this size; larger byte strings are referenced, not copied, until finish. */
const SCRATCH = 4096;
const COPY_BELOW = 64;

/**
 * Collects a Java DataOutputStream-style big-endian byte layout. The output is copied once, into
 * one buffer of the exact size: numbers and short strings go into shared scratch pieces (not
 * one small array each: a store of thousands of entries made hundreds of thousands), and
 * certificates and keys are referenced as they are. They must not change before finish.
 */
export class ByteWriter {
  private readonly parts: Uint8Array[] = [];
  private scratch = new Uint8Array(SCRATCH);
  private used = 0;
  private total = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.total;
  }

  private room(n: number): Uint8Array {
    if (this.used + n > this.scratch.length) {
      this.flush();
      this.scratch = new Uint8Array(Math.max(SCRATCH, n));
    }
    this.total += n;
    return this.scratch;
  }

  private flush(): void {
    if (this.used > 0) this.parts.push(this.scratch.subarray(0, this.used));
    this.scratch = this.scratch.subarray(this.used);
    this.used = 0;
  }

  u8(v: number): this {
    this.room(1)[this.used++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    const s = this.room(2);
    s[this.used++] = (v >> 8) & 0xff;
    s[this.used++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    const s = this.room(4);
    s[this.used++] = (v >>> 24) & 0xff;
    s[this.used++] = (v >>> 16) & 0xff;
    s[this.used++] = (v >>> 8) & 0xff;
    s[this.used++] = v & 0xff;
    return this;
  }

  i64(v: bigint): this {
    const u = BigInt.asUintN(64, v);
    this.u32(Number(u >> 32n));
    this.u32(Number(u & 0xffffffffn));
    return this;
  }

  bytes(b: Uint8Array): this {
    if (b.length < COPY_BELOW) {
      this.room(b.length).set(b, this.used);
      this.used += b.length;
      return this;
    }
    this.flush();
    this.parts.push(b);
    this.total += b.length;
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

  /** The bytes written, in one new buffer, followed by `spare` zero bytes for the caller to fill (a trailing digest). */
  finish(spare = 0): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.total + spare);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}
