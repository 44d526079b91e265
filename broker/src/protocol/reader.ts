import { ProtocolError } from "./errors";

/**
 * A cursor over received bytes: a request frame, or the records of a record
 * batch. Every read checks bounds and throws a ProtocolError, never a
 * RangeError, so truncated or random bytes are reported as "does not parse".
 *
 * Two integer encodings share it: the message fields (fixed-width integers,
 * compact lengths as unsigned varints) and the records inside a batch (zig-zag
 * varints and varlongs, lengths as signed varints with -1 for null).
 */
export class Reader {
  // `declare`d and set in the constructor, not emitted as class fields: V8
  // deoptimized decoders that inline the constructor (one reader per batch)
  // until the fields' initializer had type feedback of its own.
  declare readonly buffer: Buffer;
  declare offset: number;
  /**
   * Where reads stop. A decoder may narrow it to bound a nested structure
   * (one record of a batch) and widen it back afterwards, never past the
   * buffer.
   */
  declare end: number;

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer;
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  // The hot methods below stay small and flat (the error built elsewhere, few
  // nested calls) so that V8 inlines them into the decoders that call them.
  private need(bytes: number): number {
    const at = this.offset;
    if (bytes < 0 || at + bytes > this.end) throw this.shortOf(bytes);
    this.offset = at + bytes;
    return at;
  }
  private shortOf(bytes: number): ProtocolError {
    return new ProtocolError(`needed ${bytes} bytes at offset ${this.offset}, only ${this.end - this.offset} left`);
  }

  readBool(): boolean {
    return this.buffer[this.need(1)] !== 0;
  }
  readInt8(): number {
    return (this.buffer[this.need(1)] << 24) >> 24;
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
    const at = this.offset;
    // Most varints (lengths, counts, small deltas) are one byte; longer ones are read out of line.
    if (at < this.end) {
      const byte = this.buffer[at];
      if (byte < 0x80) {
        this.offset = at + 1;
        return byte;
      }
    }
    return this.readLongUnsignedVarint();
  }
  private readLongUnsignedVarint(): number {
    const buffer = this.buffer;
    let at = this.offset;
    let value = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      if (at >= this.end) throw this.shortOf(at - this.offset + 1);
      const byte = buffer[at++];
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.offset = at;
        return value >>> 0;
      }
    }
    throw new ProtocolError(`varint longer than 5 bytes at offset ${this.offset}`);
  }

  /** Zig-zag signed varint of at most 32 bits. */
  readVarint(): number {
    const at = this.offset;
    const buffer = this.buffer;
    // Record lengths and key and value lengths below 8 KiB take one or two bytes: both inline.
    if (at + 1 < this.end) {
      const first = buffer[at];
      if (first < 0x80) {
        this.offset = at + 1;
        return (first >>> 1) ^ -(first & 1);
      }
      const second = buffer[at + 1];
      if (second < 0x80) {
        this.offset = at + 2;
        const raw = (first & 0x7f) | (second << 7);
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
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

  /**
   * Zig-zag signed varlong as a number (record timestamp deltas): values
   * beyond 2^53, which a double cannot hold exactly, are refused.
   */
  readSafeVarlong(): number {
    const at = this.offset;
    if (at < this.end) {
      const byte = this.buffer[at];
      if (byte < 0x80) {
        this.offset = at + 1;
        return (byte >>> 1) ^ -(byte & 1);
      }
    }
    return this.readLongSafeVarlong();
  }
  private readLongSafeVarlong(): number {
    const buffer = this.buffer;
    let at = this.offset;
    let raw = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= this.end) throw this.shortOf(at - this.offset + 1);
      const byte = buffer[at++];
      raw += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (raw > Number.MAX_SAFE_INTEGER) throw new ProtocolError(`varlong beyond 2^53 at offset ${this.offset}`);
        this.offset = at;
        return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      }
      scale *= 128;
    }
    throw new ProtocolError(`varlong longer than 10 bytes at offset ${this.offset}`);
  }

  /**
   * An int64 as a number, without a BigInt: exact within 2^53, the nearest
   * double beyond. Callers that need it exact check Number.isSafeInteger.
   */
  readInt64Number(): number {
    const at = this.need(8);
    return this.buffer.readInt32BE(at) * 4294967296 + this.buffer.readUInt32BE(at + 4);
  }

  /** Moves past `bytes` bytes without reading them. */
  skip(bytes: number): void {
    this.need(bytes);
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

  /**
   * Record-format bytes (a record's key and value, a header value): a
   * zig-zag varint length, -1 for null, then the bytes; a view, no copy.
   */
  readVarintBytes(): Buffer | null {
    const length = this.readVarint();
    if (length < 0) {
      if (length === -1) return null;
      throw this.badLength(length);
    }
    const at = this.need(length);
    return this.buffer.subarray(at, at + length);
  }
  /** Moves past record-format bytes without a view of them; returns their length (-1 for null). */
  skipVarintBytes(): number {
    const length = this.readVarint();
    if (length < -1) throw this.badLength(length);
    if (length > 0) this.need(length);
    return length;
  }
  /** A record header key: a zig-zag varint length and UTF-8; null is refused. */
  readVarintString(): string {
    const length = this.readVarint();
    if (length < 0) throw length === -1 ? new ProtocolError("null string where a string is required") : this.badLength(length);
    return this.readUtf8(length);
  }
  private badLength(length: number): ProtocolError {
    return new ProtocolError(`length ${length} before offset ${this.offset}`);
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
