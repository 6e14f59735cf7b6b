import { KeystoreFormatError } from '../../errors.js';
import { decodeModifiedUtf8 } from './modified_utf8.js';

/**
 * A big-endian cursor over a Java DataInputStream-style byte layout. Every read is checked
 * against the bytes present before anything is allocated, so a length field claiming 2 GB in a
 * 1 kB file is a KeystoreFormatError naming its offset, never a RangeError or a huge buffer.
 */
export class ByteReader {
  private pos = 0;

  /** `base` is where `bytes` starts in the file, so offsets in errors are file offsets. */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly base = 0,
  ) {}

  get offset(): number {
    return this.base + this.pos;
  }

  /** Position relative to the start of this reader's bytes. */
  get position(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  fail(message: string, at: number = this.offset): never {
    throw new KeystoreFormatError(message, at);
  }

  private need(n: number, what: string): void {
    if (n > this.remaining) this.fail(`truncated ${what}: ${n} bytes needed, ${this.remaining} left`);
  }

  u8(what = 'byte'): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }

  /** The unread bytes, without consuming them (for structures that find their own end). */
  rest(): Uint8Array {
    return this.bytes.subarray(this.pos);
  }

  peekU8(what = 'byte'): number {
    this.need(1, what);
    return this.bytes[this.pos]!;
  }

  u16(what = 'short'): number {
    this.need(2, what);
    const v = (this.bytes[this.pos]! << 8) | this.bytes[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(what = 'int'): number {
    this.need(4, what);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** Signed 32-bit, as Java's readInt. */
  i32(what = 'int'): number {
    return this.u32(what) | 0;
  }

  i64(what = 'long'): bigint {
    const hi = BigInt(this.u32(what));
    const lo = BigInt(this.u32(what));
    return BigInt.asIntN(64, (hi << 32n) | lo);
  }

  /** A view of the next n bytes (n already validated by the caller as a count, not yet against the input). */
  bytesView(n: number, what: string): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0) this.fail(`invalid length ${n} for ${what}`);
    this.need(n, what);
    const view = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }

  /** A copy of the next n bytes, so the result does not pin the whole file in memory. */
  bytesCopy(n: number, what: string): Uint8Array {
    return this.bytesView(n, what).slice();
  }

  /** A 4-byte signed length followed by that many bytes (Java's writeInt(len) + write(bytes)), as a view. */
  lengthPrefixed(what: string): Uint8Array {
    const at = this.offset;
    const n = this.i32(`${what} length`);
    if (n < 0) this.fail(`negative ${what} length ${n}`, at);
    if (n > this.remaining) this.fail(`${what} length ${n} exceeds the ${this.remaining} bytes left`, at);
    return this.bytesView(n, what);
  }

  /** DataInput.readUTF: a 2-byte length and modified UTF-8. */
  utf(what = 'string'): string {
    const at = this.offset;
    const n = this.u16(`${what} length`);
    const raw = this.bytesView(n, what);
    const text = decodeModifiedUtf8(raw);
    if (text === undefined) this.fail(`malformed modified UTF-8 in ${what}`, at);
    return text;
  }
}
