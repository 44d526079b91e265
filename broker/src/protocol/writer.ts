/** Payloads at least this large are kept as their own chunk instead of copied. */
const ZERO_COPY_BYTES_MIN = 4096;

/**
 * An append-only encoder. Small fields are written into a growing scratch
 * buffer; large raw payloads (record batches in fetch responses) are kept by
 * reference, so a response is a list of chunks handed to the socket as is.
 */
export class Writer {
  private chunks: Buffer[] = [];
  private current: Buffer;
  private position = 0;
  private flushedBytes = 0;

  constructor(initialBytes = 256) {
    this.current = Buffer.allocUnsafe(initialBytes);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.flushedBytes + this.position;
  }

  private ensure(bytes: number): void {
    if (this.position + bytes <= this.current.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.current.length * 2, this.position + bytes));
    this.current.copy(grown, 0, 0, this.position);
    this.current = grown;
  }

  writeBool(value: boolean): this {
    return this.writeInt8(value ? 1 : 0);
  }
  writeInt8(value: number): this {
    this.ensure(1);
    this.position = this.current.writeInt8(value, this.position);
    return this;
  }
  writeInt16(value: number): this {
    this.ensure(2);
    this.position = this.current.writeInt16BE(value, this.position);
    return this;
  }
  writeUint16(value: number): this {
    this.ensure(2);
    this.position = this.current.writeUInt16BE(value, this.position);
    return this;
  }
  writeInt32(value: number): this {
    this.ensure(4);
    this.position = this.current.writeInt32BE(value, this.position);
    return this;
  }
  writeUint32(value: number): this {
    this.ensure(4);
    this.position = this.current.writeUInt32BE(value, this.position);
    return this;
  }
  writeInt64(value: bigint): this {
    this.ensure(8);
    this.position = this.current.writeBigInt64BE(value, this.position);
    return this;
  }
  writeFloat64(value: number): this {
    this.ensure(8);
    this.position = this.current.writeDoubleBE(value, this.position);
    return this;
  }

  writeUnsignedVarint(value: number): this {
    this.ensure(5);
    let v = value >>> 0;
    while (v >= 0x80) {
      this.current[this.position++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.current[this.position++] = v;
    return this;
  }
  writeVarint(value: number): this {
    return this.writeUnsignedVarint(((value << 1) ^ (value >> 31)) >>> 0);
  }
  writeVarlong(value: bigint): this {
    this.ensure(10);
    let v = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
    while (v >= 0x80n) {
      this.current[this.position++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.current[this.position++] = Number(v);
    return this;
  }

  writeUuid(value: Buffer): this {
    if (value.length !== 16) throw new RangeError(`uuid must be 16 bytes, got ${value.length}`);
    return this.writeRaw(value);
  }

  /** Appends bytes as they are; large buffers are referenced, not copied. */
  writeRaw(value: Buffer): this {
    if (value.length >= ZERO_COPY_BYTES_MIN) {
      this.chunks.push(this.current.subarray(0, this.position));
      this.flushedBytes += this.position;
      this.current = this.current.subarray(this.position);
      this.position = 0;
      this.chunks.push(value);
      this.flushedBytes += value.length;
      return this;
    }
    this.ensure(value.length);
    value.copy(this.current, this.position);
    this.position += value.length;
    return this;
  }

  /** UTF-8 bytes of `value` straight into the scratch buffer (the caller wrote the length prefix). */
  private writeUtf8(value: string, bytes: number): this {
    this.ensure(bytes);
    this.position += this.current.write(value, this.position, bytes, "utf8");
    return this;
  }

  writeString(value: string): this {
    const bytes = Buffer.byteLength(value, "utf8");
    return this.writeInt16(bytes).writeUtf8(value, bytes);
  }
  writeNullableString(value: string | null): this {
    if (value === null) return this.writeInt16(-1);
    return this.writeString(value);
  }
  writeCompactString(value: string): this {
    const bytes = Buffer.byteLength(value, "utf8");
    return this.writeUnsignedVarint(bytes + 1).writeUtf8(value, bytes);
  }
  writeCompactNullableString(value: string | null): this {
    if (value === null) return this.writeUnsignedVarint(0);
    return this.writeCompactString(value);
  }

  writeBytes(value: Buffer): this {
    return this.writeInt32(value.length).writeRaw(value);
  }
  writeNullableBytes(value: Buffer | null): this {
    if (value === null) return this.writeInt32(-1);
    return this.writeBytes(value);
  }
  writeCompactBytes(value: Buffer): this {
    return this.writeUnsignedVarint(value.length + 1).writeRaw(value);
  }
  writeCompactNullableBytes(value: Buffer | null): this {
    if (value === null) return this.writeUnsignedVarint(0);
    return this.writeCompactBytes(value);
  }

  writeArrayLength(length: number | null): this {
    return this.writeInt32(length ?? -1);
  }
  writeCompactArrayLength(length: number | null): this {
    return this.writeUnsignedVarint(length === null ? 0 : length + 1);
  }

  /** The encoded bytes as chunks, for a vectored socket write. */
  toChunks(): Buffer[] {
    const tail = this.current.subarray(0, this.position);
    return tail.length > 0 ? [...this.chunks, tail] : [...this.chunks];
  }

  /** The encoded bytes as one buffer (copies when there is more than one chunk). */
  toBuffer(): Buffer {
    const chunks = this.toChunks();
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.length);
  }
}
