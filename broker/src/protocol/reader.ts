import { ProtocolError } from "./errors";

/**
 * A cursor over one received frame. Every read checks bounds and throws a
 * ProtocolError, never a RangeError, so truncated or random bytes are reported
 * as "does not parse" by the network layer.
 */
export class Reader {
  offset: number;
  readonly end: number;

  constructor(readonly buffer: Buffer, offset = 0, end = buffer.length) {
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(bytes: number): number {
    const at = this.offset;
    if (bytes < 0 || at + bytes > this.end) {
      throw new ProtocolError(`needed ${bytes} bytes at offset ${at}, only ${this.end - at} left`);
    }
    this.offset = at + bytes;
    return at;
  }

  readBool(): boolean {
    return this.buffer[this.need(1)] !== 0;
  }
  readInt8(): number {
    return this.buffer.readInt8(this.need(1));
  }
  readInt16(): number {
    return this.buffer.readInt16BE(this.need(2));
  }
  readUint16(): number {
    return this.buffer.readUInt16BE(this.need(2));
  }
  readInt32(): number {
    return this.buffer.readInt32BE(this.need(4));
  }
  readUint32(): number {
    return this.buffer.readUInt32BE(this.need(4));
  }
  readInt64(): bigint {
    return this.buffer.readBigInt64BE(this.need(8));
  }
  readFloat64(): number {
    return this.buffer.readDoubleBE(this.need(8));
  }

  /** Unsigned LEB128 varint of at most 32 bits. */
  readUnsignedVarint(): number {
    let value = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      const byte = this.buffer[this.need(1)];
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value >>> 0;
    }
    throw new ProtocolError("varint longer than 5 bytes");
  }

  /** Zig-zag signed varint of at most 32 bits. */
  readVarint(): number {
    const raw = this.readUnsignedVarint();
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** Zig-zag signed varint of at most 64 bits. */
  readVarlong(): bigint {
    let value = 0n;
    for (let shift = 0n; shift <= 63n; shift += 7n) {
      const byte = this.buffer[this.need(1)];
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return (value >> 1n) ^ -(value & 1n);
    }
    throw new ProtocolError("varlong longer than 10 bytes");
  }

  readUuid(): Buffer {
    const at = this.need(16);
    return Buffer.from(this.buffer.subarray(at, at + 16));
  }

  /** A view (no copy) of the next `length` bytes. */
  readRaw(length: number): Buffer {
    const at = this.need(length);
    return this.buffer.subarray(at, at + length);
  }

  private readUtf8(length: number): string {
    const at = this.need(length);
    // Buffer's own decoder: no view to allocate, and like Java's it keeps a leading BOM.
    return this.buffer.toString("utf8", at, at + length);
  }

  readString(): string {
    const length = this.readInt16();
    if (length < 0) throw new ProtocolError("null string where a string is required");
    return this.readUtf8(length);
  }
  readNullableString(): string | null {
    const length = this.readInt16();
    return length < 0 ? null : this.readUtf8(length);
  }
  readCompactString(): string {
    const length = this.readUnsignedVarint() - 1;
    if (length < 0) throw new ProtocolError("null compact string where a string is required");
    return this.readUtf8(length);
  }
  readCompactNullableString(): string | null {
    const length = this.readUnsignedVarint() - 1;
    return length < 0 ? null : this.readUtf8(length);
  }

  readBytes(): Buffer {
    const length = this.readInt32();
    if (length < 0) throw new ProtocolError("null bytes where bytes are required");
    return this.readRaw(length);
  }
  readNullableBytes(): Buffer | null {
    const length = this.readInt32();
    return length < 0 ? null : this.readRaw(length);
  }
  readCompactBytes(): Buffer {
    const length = this.readUnsignedVarint() - 1;
    if (length < 0) throw new ProtocolError("null compact bytes where bytes are required");
    return this.readRaw(length);
  }
  readCompactNullableBytes(): Buffer | null {
    const length = this.readUnsignedVarint() - 1;
    return length < 0 ? null : this.readRaw(length);
  }

  /** Array length (int32, -1 null); bounded by the bytes left so a forged count cannot allocate. */
  readArrayLength(): number {
    const length = this.readInt32();
    if (length > this.remaining) throw new ProtocolError(`array of ${length} entries in ${this.remaining} bytes`);
    return length;
  }
  /** Compact array length (unsigned varint N+1, 0 null), returned as N (-1 null). */
  readCompactArrayLength(): number {
    const length = this.readUnsignedVarint() - 1;
    if (length > this.remaining) throw new ProtocolError(`array of ${length} entries in ${this.remaining} bytes`);
    return length;
  }
}
