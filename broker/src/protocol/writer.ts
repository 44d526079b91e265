/** Payloads at least this large are kept as their own chunk instead of copied. */
const ZERO_COPY_BYTES_MIN = 4096;

/**
 * An append-only encoder. Small fields are written into a growing scratch
 * buffer; large raw payloads (record batches in fetch responses) are kept by
 * reference, so a response is a list of chunks handed to the socket as is.
 *
 * Two integer encodings share it: the message fields (fixed-width integers,
 * compact lengths as unsigned varints) and the records inside a batch (zig-zag
 * varints and varlongs, lengths as signed varints with -1 for null).
 */
export class Writer {
  // `declare`d and set in the constructor: emitted as class fields, they made
  // V8 deoptimize callers that inline the constructor (an encode builds one
  // writer per batch), over and over until the fields' initializer gathered
  // type feedback of its own.
  private declare chunks: Buffer[];
  private declare current: Buffer;
  private declare position: number;
  private declare flushedBytes: number;
  /** False for a contiguous writer: every payload is copied into the output. */
  private declare referencesLargePayloads: boolean;

  constructor(initialBytes = 256, referencesLargePayloads = true) {
    this.chunks = [];
    this.current = Buffer.allocUnsafe(initialBytes);
    this.position = 0;
    this.flushedBytes = 0;
    this.referencesLargePayloads = referencesLargePayloads;
  }

  /**
   * A writer whose output is one buffer, payloads copied and never
   * referenced: for bytes that are checksummed or compressed as a whole (a
   * record batch). `expectedBytes` is allocated up front, so a caller that
   * sized its output exactly gets it back without a copy.
   */
  static contiguous(expectedBytes: number): Writer {
    return new Writer(expectedBytes, false);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.flushedBytes + this.position;
  }

  // The hot methods stay small and flat (growth in its own method, few nested
  // calls) so that V8 inlines them into the encoders that call them.
  private ensure(bytes: number): void {
    if (this.position + bytes > this.current.length) this.grow(bytes);
  }
  private grow(bytes: number): void {
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
  /** An int64 given as a number; it must be a safe integer (within 2^53), as offsets and timestamps are. */
  writeInt64Number(value: number): this {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer`);
    this.ensure(8);
    const high = Math.floor(value / 4294967296);
    this.current.writeInt32BE(high, this.position);
    this.current.writeUInt32BE(value - high * 4294967296, this.position + 4);
    this.position += 8;
    return this;
  }
  writeFloat64(value: number): this {
    this.ensure(8);
    this.position = this.current.writeDoubleBE(value, this.position);
    return this;
  }

  writeUnsignedVarint(value: number): this {
    const v = value >>> 0;
    if (v >= 0x80) return this.writeLongVarint(v);
    // Most varints (lengths, counts, small deltas) are one byte.
    this.ensure(1);
    this.current[this.position++] = v;
    return this;
  }
  /** Zig-zag signed varint of at most 32 bits (record lengths, offset deltas). */
  writeVarint(value: number): this {
    return this.writeUnsignedVarint((value << 1) ^ (value >> 31));
  }
  private writeLongVarint(v: number): this {
    // Exactly the bytes it takes: an exactly sized contiguous writer must not grow for its last field.
    this.ensure(unsignedVarintBytes(v));
    const current = this.current;
    let position = this.position;
    while (v >= 0x80) {
      current[position++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    current[position++] = v;
    this.position = position;
    return this;
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

  /** Zig-zag signed varlong of a number (record timestamp deltas), within ±2^52 so that it stays exact. */
  writeSafeVarlong(value: number): this {
    let raw = zigzagSafe(value);
    if (raw < 0x80) {
      this.ensure(1);
      this.current[this.position++] = raw;
      return this;
    }
    this.ensure(sizeOfSafeVarlong(value));
    const current = this.current;
    while (raw >= 0x80) {
      current[this.position++] = (raw % 128) | 0x80;
      raw = Math.floor(raw / 128);
    }
    current[this.position++] = raw;
    return this;
  }

  /** Record-format bytes: a zig-zag varint length, -1 for null, then the bytes. */
  writeVarintBytes(value: Buffer | null): this {
    if (value === null) return this.writeVarint(-1);
    this.writeVarint(value.length);
    return this.writeRaw(value);
  }

  writeUuid(value: Buffer): this {
    if (value.length !== 16) throw new RangeError(`uuid must be 16 bytes, got ${value.length}`);
    return this.writeRaw(value);
  }

  /** Appends bytes as they are; large buffers are referenced, not copied (except by a contiguous writer). */
  writeRaw(value: Buffer): this {
    if (value.length >= ZERO_COPY_BYTES_MIN && this.referencesLargePayloads) return this.appendChunk(value);
    this.ensure(value.length);
    // TypedArray#set: Buffer#copy would allocate a view of the source on every call.
    this.current.set(value, this.position);
    this.position += value.length;
    return this;
  }

  private appendChunk(value: Buffer): this {
    this.chunks.push(this.current.subarray(0, this.position));
    this.flushedBytes += this.position;
    this.current = this.current.subarray(this.position);
    this.position = 0;
    this.chunks.push(value);
    this.flushedBytes += value.length;
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
    if (this.chunks.length === 0) {
      // An exactly sized writer's scratch buffer is the output.
      return this.position === this.current.length ? this.current : this.current.subarray(0, this.position);
    }
    const chunks = this.toChunks();
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.length);
  }
}

/** The zig-zag form of a varlong, which must stay a safe integer (what Reader.readSafeVarlong accepts). */
function zigzagSafe(value: number): number {
  const raw = value >= 0 ? value * 2 : -value * 2 - 1;
  if (!Number.isSafeInteger(value) || raw > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`varlong ${value} is out of range (its zig-zag form is beyond 2^53)`);
  }
  return raw;
}

function unsignedVarintBytes(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Bytes that Writer.writeVarint takes for `value`, for callers that size their output first. */
export function sizeOfVarint(value: number): number {
  return unsignedVarintBytes(((value << 1) ^ (value >> 31)) >>> 0);
}

/** Bytes that Writer.writeSafeVarlong takes for `value`. */
export function sizeOfSafeVarlong(value: number): number {
  let raw = zigzagSafe(value);
  let bytes = 1;
  while (raw >= 0x80) {
    raw = Math.floor(raw / 128);
    bytes++;
  }
  return bytes;
}

/** Bytes that Writer.writeVarintBytes takes for `value`. */
export function sizeOfVarintBytes(value: Buffer | null): number {
  return value === null ? 1 : sizeOfVarint(value.length) + value.length;
}
