/**
 * Record batches (magic 2): decoding, encoding, and the produce-path
 * validator and stamper.
 *
 * The produce path never re-encodes: `validateProducedRecords` checks the
 * batches a producer sent where they lie in the request buffer, and
 * `stampBatch` writes the assigned offsets into them in place; the log then
 * stores those bytes as they are. Uncompressed batches are checked from
 * their headers, their CRC and the record length prefixes (no record is
 * decoded); compressed batches are decompressed and every record is parsed.
 *
 * Decoding (`decodeRecordBatch`) returns keys, values and header values as
 * views into the batch (or into its decompressed payload), not copies.
 *
 * All failures are KafkaErrors whose code is the one a produce response
 * would carry: CORRUPT_MESSAGE (bytes that do not parse, CRC mismatch),
 * INVALID_RECORD (well-formed bytes that break a rule), MESSAGE_TOO_LARGE,
 * UNSUPPORTED_FOR_MESSAGE_FORMAT (magic other than 2),
 * UNSUPPORTED_COMPRESSION_TYPE, INVALID_TIMESTAMP.
 */
import { ErrorCode, KafkaError, type ErrorCodeName } from "../errors";
import { Attributes, BatchHeader, CompressionType } from "./batch-header";
import { compress, decompress } from "./compression";
import { crc32c } from "./crc32c";

export const RECORD_BATCH_MAGIC = 2;
export const TimestampType = { CREATE_TIME: 0, LOG_APPEND_TIME: 1 } as const;
/** Decompressed payloads larger than this are refused unless a limit is given. */
export const DEFAULT_DECOMPRESSED_BYTES_MAX = 64 * 1024 * 1024;
/** The smallest record: length, attributes, timestampDelta, offsetDelta, key, value, header count. */
const RECORD_BYTES_MIN = 7;
/** The smallest record body (after its length prefix). */
const RECORD_BODY_BYTES_MIN = 6;

export interface KafkaRecordHeader {
  key: string;
  value: Buffer | null;
}

export interface KafkaRecord {
  attributes: number;
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: KafkaRecordHeader[];
}

export interface RecordBatch {
  baseOffset: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  records: KafkaRecord[];
}

/** A batch of a produce request that passed validation, located in the request's records blob. */
export interface ValidatedBatch {
  /** Byte offset of the batch in the blob. */
  at: number;
  /** Total bytes of the batch (batchLength + 12). */
  bytes: number;
  recordCount: number;
  lastOffsetDelta: number;
  maxTimestamp: number;
  baseTimestamp: number;
  attributes: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** Codec id (attributes bits 0-2). */
  compression: number;
}

export interface ProduceLimits {
  /** The topic's max.message.bytes: the largest batch accepted, in bytes. */
  maxMessageBytes: number;
  /**
   * Largest decompressed payload of one compressed batch; defaults to
   * max(64 MiB, 8 x maxMessageBytes).
   */
  decompressedBytesMax?: number;
}

export interface DecodeOptions {
  /** Check the CRC-32C (default true). */
  verifyCrc?: boolean;
  /** Largest decompressed payload accepted (default 64 MiB). */
  decompressedBytesMax?: number;
}

export interface RecordHeaderInput {
  key: string;
  value: Buffer | string | null;
}

export interface RecordInput {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: RecordHeaderInput[];
  /** Milliseconds; defaults to the batch's baseTimestamp. */
  timestamp?: number;
  /** Defaults to the record's index in the batch. */
  offsetDelta?: number;
  /** Record attributes (unused by Kafka, 0). */
  attributes?: number;
}

interface RecordBatchFields {
  /** Default 0. */
  baseOffset?: number;
  /** Default -1 (what producers send). */
  partitionLeaderEpoch?: number;
  /** Raw attribute bits; `compression`, `timestampType`, `isTransactional` and `isControl` override theirs. */
  attributes?: number;
  /** Codec id (CompressionType); default none. */
  compression?: number;
  timestampType?: "CreateTime" | "LogAppendTime" | 0 | 1;
  isTransactional?: boolean;
  isControl?: boolean;
  /** Default: the first record timestamp given, else `now`. */
  baseTimestamp?: number;
  /**
   * The caller's clock reading (ms), the default timestamp of a batch whose
   * records carry none: the protocol reads no clock of its own.
   */
  now?: number;
  /** Default: the largest record timestamp (baseTimestamp when there are no records). */
  maxTimestamp?: number;
  /** Default: the largest record offsetDelta (0 when there are no records). */
  lastOffsetDelta?: number;
  /** Default -1. */
  producerId?: number;
  /** Default -1. */
  producerEpoch?: number;
  /** Default -1. */
  baseSequence?: number;
  records: RecordInput[];
}

/** A batch to encode: it states its base timestamp, or gives the caller's `now` to default to. */
export type RecordBatchInput = RecordBatchFields & ({ baseTimestamp: number } | { now: number });

// ---------------------------------------------------------------------------
// Small helpers

function fail(code: ErrorCodeName, at: number, message: string): KafkaError {
  return new KafkaError(code, `batch at byte ${at}: ${message}`);
}

function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, "0")}`;
}

/** An int64 as a double (exact when within 2^53; callers check Number.isSafeInteger). */
function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4);
}

function writeInt64(buf: Buffer, at: number, value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer`);
  buf.writeBigInt64BE(BigInt(value), at);
}

function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff;
}

/** CRC-32C of a batch's CRC range (attributes to the end). */
export function computeBatchCrc(buf: Buffer, at = 0, bytes = buf.readInt32BE(at + BatchHeader.BATCH_LENGTH) + BatchHeader.LOG_OVERHEAD): number {
  return crc32c(buf.subarray(at + BatchHeader.CRC_START, at + bytes));
}

/** The timestamp of a decoded record: LogAppendTime batches carry it as maxTimestamp. */
export function recordTimestamp(batch: RecordBatch, record: KafkaRecord): number {
  return (batch.attributes & Attributes.TIMESTAMP_TYPE_LOG_APPEND) !== 0
    ? batch.maxTimestamp
    : batch.baseTimestamp + record.timestampDelta;
}

// ---------------------------------------------------------------------------
// Record parsing

/** A record-level parse failure; reported with the batch's position by the caller. */
class RecordFormatError extends Error {
  constructor(
    readonly code: ErrorCodeName,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A bounds-checked cursor over a records region. Numbers, not bigints:
 * varlongs beyond 2^53 are refused.
 */
class RecordCursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    public end: number,
  ) {}

  varint(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos < this.end) {
      const first = buf[pos];
      if (first < 0x80) {
        this.pos = pos + 1;
        return (first >>> 1) ^ -(first & 1);
      }
    }
    let raw = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      if (pos >= this.end) throw new RecordFormatError("CORRUPT_MESSAGE", "truncated varint");
      const byte = buf[pos++];
      raw |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        raw >>>= 0;
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw new RecordFormatError("CORRUPT_MESSAGE", "varint longer than 5 bytes");
  }

  varlong(): number {
    const buf = this.buf;
    let pos = this.pos;
    let raw = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) throw new RecordFormatError("CORRUPT_MESSAGE", "truncated varlong");
      const byte = buf[pos++];
      raw += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (raw > Number.MAX_SAFE_INTEGER) {
          throw new RecordFormatError("CORRUPT_MESSAGE", "varlong beyond 2^53");
        }
        this.pos = pos;
        return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      }
      scale *= 128;
    }
    throw new RecordFormatError("CORRUPT_MESSAGE", "varlong longer than 10 bytes");
  }

  int8(): number {
    if (this.pos >= this.end) throw new RecordFormatError("CORRUPT_MESSAGE", "truncated record");
    return (this.buf[this.pos++] << 24) >> 24;
  }

  /** Length-prefixed bytes: the length of a present value, -1 for null; advances past them. */
  skipBytes(what: string): number {
    const length = this.varint();
    if (length < -1) throw new RecordFormatError("CORRUPT_MESSAGE", `${what} length ${length}`);
    if (length > 0) {
      if (length > this.end - this.pos) {
        throw new RecordFormatError("CORRUPT_MESSAGE", `${what} of ${length} bytes overruns the record`);
      }
      this.pos += length;
    }
    return length;
  }

  bytes(what: string): Buffer | null {
    const length = this.skipBytes(what);
    return length < 0 ? null : this.buf.subarray(this.pos - length, this.pos);
  }
}

/** Opens a record: reads its length and bounds the cursor to its body; returns the body end. */
function openRecord(c: RecordCursor, regionEnd: number): number {
  const length = c.varint();
  if (length < RECORD_BODY_BYTES_MIN) {
    throw new RecordFormatError("CORRUPT_MESSAGE", `record length ${length}`);
  }
  const bodyEnd = c.pos + length;
  if (bodyEnd > regionEnd) {
    throw new RecordFormatError("CORRUPT_MESSAGE", `record of ${length} bytes overruns the batch by ${bodyEnd - regionEnd}`);
  }
  c.end = bodyEnd;
  return bodyEnd;
}

function closeRecord(c: RecordCursor, bodyEnd: number, regionEnd: number): void {
  if (c.pos !== bodyEnd) {
    throw new RecordFormatError("CORRUPT_MESSAGE", `record has ${bodyEnd - c.pos} bytes past its last header`);
  }
  c.end = regionEnd;
}

function headerCount(c: RecordCursor): number {
  const count = c.varint();
  if (count < 0) throw new RecordFormatError("CORRUPT_MESSAGE", `header count ${count}`);
  if (count * 2 > c.end - c.pos) {
    throw new RecordFormatError("CORRUPT_MESSAGE", `${count} headers in ${c.end - c.pos} bytes`);
  }
  return count;
}

function decodeRecord(c: RecordCursor, regionEnd: number): KafkaRecord {
  const bodyEnd = openRecord(c, regionEnd);
  const attributes = c.int8();
  const timestampDelta = c.varlong();
  const offsetDelta = c.varint();
  const key = c.bytes("key");
  const value = c.bytes("value");
  const count = headerCount(c);
  const headers: KafkaRecordHeader[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const keyLength = c.skipBytes("header key");
    if (keyLength < 0) throw new RecordFormatError("CORRUPT_MESSAGE", "null header key");
    const headerKey = c.buf.toString("utf8", c.pos - keyLength, c.pos);
    headers[i] = { key: headerKey, value: c.bytes("header value") };
  }
  closeRecord(c, bodyEnd, regionEnd);
  return { attributes, timestampDelta, offsetDelta, key, value, headers };
}

/** Parses one record without materialising it; returns its offsetDelta. */
function checkRecord(c: RecordCursor, regionEnd: number): number {
  const bodyEnd = openRecord(c, regionEnd);
  c.int8();
  c.varlong();
  const offsetDelta = c.varint();
  c.skipBytes("key");
  c.skipBytes("value");
  const count = headerCount(c);
  for (let i = 0; i < count; i++) {
    if (c.skipBytes("header key") < 0) throw new RecordFormatError("CORRUPT_MESSAGE", "null header key");
    c.skipBytes("header value");
  }
  closeRecord(c, bodyEnd, regionEnd);
  return offsetDelta;
}

function checkCountFits(recordCount: number, regionBytes: number): void {
  if (recordCount * RECORD_BYTES_MIN > regionBytes) {
    throw new RecordFormatError(
      "INVALID_RECORD",
      `declares ${recordCount} records but its ${regionBytes}-byte records region cannot hold that many`,
    );
  }
}

function checkNoTrailing(c: RecordCursor, regionEnd: number, recordCount: number): void {
  if (c.pos !== regionEnd) {
    throw new RecordFormatError(
      "INVALID_RECORD",
      `${regionEnd - c.pos} bytes follow the ${recordCount} records it declares`,
    );
  }
}

function tooFew(i: number, recordCount: number): RecordFormatError {
  return new RecordFormatError("INVALID_RECORD", `declares ${recordCount} records but holds ${i}`);
}

function decodeRecords(region: Buffer, start: number, end: number, recordCount: number): KafkaRecord[] {
  checkCountFits(recordCount, end - start);
  const c = new RecordCursor(region, start, end);
  const records: KafkaRecord[] = new Array(recordCount);
  for (let i = 0; i < recordCount; i++) {
    if (c.pos >= end) throw tooFew(i, recordCount);
    try {
      records[i] = decodeRecord(c, end);
    } catch (error) {
      throw recordContext(error, i);
    }
  }
  checkNoTrailing(c, end, recordCount);
  return records;
}

function recordContext(error: unknown, index: number): unknown {
  if (error instanceof RecordFormatError) {
    return new RecordFormatError(error.code, `record ${index}: ${error.message}`);
  }
  return error;
}

const CODE_NAMES = new Map<number, ErrorCodeName>(
  Object.entries(ErrorCode).map(([name, code]) => [code, name as ErrorCodeName]),
);

/** Record-level errors and codec errors, reported with the batch's position. */
function asKafkaError(error: unknown, at: number): unknown {
  if (error instanceof RecordFormatError) return fail(error.code, at, error.message);
  if (error instanceof KafkaError) return fail(CODE_NAMES.get(error.code) ?? "CORRUPT_MESSAGE", at, error.message);
  return error;
}

// ---------------------------------------------------------------------------
// Decoding

/** Decodes the record batch that fills `batch` exactly (decompressing, checking the CRC). */
export function decodeRecordBatch(batch: Buffer, options: DecodeOptions = {}): RecordBatch {
  return decodeBatchAt(batch, 0, batch.length, options);
}

/**
 * Decodes consecutive record batches (a log segment, a fetch response's
 * records). A partial batch at the end, as fetch responses may carry, is
 * ignored.
 */
export function decodeRecordBatches(blob: Buffer, options: DecodeOptions = {}): RecordBatch[] {
  const batches: RecordBatch[] = [];
  let at = 0;
  while (blob.length - at >= BatchHeader.LOG_OVERHEAD) {
    const batchLength = blob.readInt32BE(at + BatchHeader.BATCH_LENGTH);
    if (blob.length - at > BatchHeader.MAGIC) {
      const magic = blob.readInt8(at + BatchHeader.MAGIC);
      if (magic !== RECORD_BATCH_MAGIC) {
        throw fail("UNSUPPORTED_FOR_MESSAGE_FORMAT", at, `magic ${magic} (only record batches of magic 2 are supported)`);
      }
    }
    if (batchLength < BatchHeader.SIZE - BatchHeader.LOG_OVERHEAD) {
      throw fail("CORRUPT_MESSAGE", at, `batchLength ${batchLength} is shorter than the record batch header`);
    }
    const bytes = batchLength + BatchHeader.LOG_OVERHEAD;
    if (bytes > blob.length - at) break;
    batches.push(decodeBatchAt(blob, at, bytes, options));
    at += bytes;
  }
  return batches;
}

function decodeBatchAt(buf: Buffer, at: number, available: number, options: DecodeOptions): RecordBatch {
  if (available < BatchHeader.SIZE) {
    if (available > BatchHeader.MAGIC && buf.readInt8(at + BatchHeader.MAGIC) !== RECORD_BATCH_MAGIC) {
      throw fail("UNSUPPORTED_FOR_MESSAGE_FORMAT", at, `magic ${buf.readInt8(at + BatchHeader.MAGIC)} (only magic 2 is supported)`);
    }
    throw fail("CORRUPT_MESSAGE", at, `${available} bytes, fewer than the ${BatchHeader.SIZE}-byte batch header`);
  }
  const magic = buf.readInt8(at + BatchHeader.MAGIC);
  if (magic !== RECORD_BATCH_MAGIC) {
    throw fail("UNSUPPORTED_FOR_MESSAGE_FORMAT", at, `magic ${magic} (only record batches of magic 2 are supported)`);
  }
  const batchLength = buf.readInt32BE(at + BatchHeader.BATCH_LENGTH);
  const bytes = batchLength + BatchHeader.LOG_OVERHEAD;
  if (batchLength < BatchHeader.SIZE - BatchHeader.LOG_OVERHEAD || bytes > available) {
    throw fail("CORRUPT_MESSAGE", at, `batchLength ${batchLength} does not fit the ${available} bytes available`);
  }
  if (bytes !== available) {
    throw fail("CORRUPT_MESSAGE", at, `${available - bytes} bytes follow the batch`);
  }
  const crc = buf.readUInt32BE(at + BatchHeader.CRC);
  if (options.verifyCrc !== false) {
    const computed = computeBatchCrc(buf, at, bytes);
    if (computed !== crc) {
      throw fail("CORRUPT_MESSAGE", at, `CRC mismatch (stored ${hex32(crc)}, computed ${hex32(computed)})`);
    }
  }
  const baseOffset = readInt64(buf, at + BatchHeader.BASE_OFFSET);
  const baseTimestamp = readInt64(buf, at + BatchHeader.BASE_TIMESTAMP);
  const maxTimestamp = readInt64(buf, at + BatchHeader.MAX_TIMESTAMP);
  const producerId = readInt64(buf, at + BatchHeader.PRODUCER_ID);
  for (const [name, value] of [
    ["baseOffset", baseOffset],
    ["baseTimestamp", baseTimestamp],
    ["maxTimestamp", maxTimestamp],
    ["producerId", producerId],
  ] as const) {
    if (!Number.isSafeInteger(value)) throw fail("CORRUPT_MESSAGE", at, `${name} is beyond 2^53`);
  }
  const attributes = buf.readInt16BE(at + BatchHeader.ATTRIBUTES);
  const recordCount = buf.readInt32BE(at + BatchHeader.RECORD_COUNT);
  if (recordCount < 0) throw fail("CORRUPT_MESSAGE", at, `record count ${recordCount}`);
  const codec = attributes & Attributes.COMPRESSION_MASK;
  let records: KafkaRecord[];
  try {
    const start = at + BatchHeader.SIZE;
    const end = at + bytes;
    if (codec === CompressionType.NONE || (recordCount === 0 && start === end)) {
      records = decodeRecords(buf, start, end, recordCount);
    } else {
      const payload = decompress(
        codec,
        buf.subarray(start, end),
        options.decompressedBytesMax ?? DEFAULT_DECOMPRESSED_BYTES_MAX,
      );
      records = decodeRecords(payload, 0, payload.length, recordCount);
    }
  } catch (error) {
    throw asKafkaError(error, at);
  }
  return {
    baseOffset,
    partitionLeaderEpoch: buf.readInt32BE(at + BatchHeader.PARTITION_LEADER_EPOCH),
    magic,
    crc,
    attributes,
    lastOffsetDelta: buf.readInt32BE(at + BatchHeader.LAST_OFFSET_DELTA),
    baseTimestamp,
    maxTimestamp,
    producerId,
    producerEpoch: buf.readInt16BE(at + BatchHeader.PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(at + BatchHeader.BASE_SEQUENCE),
    records,
  };
}

// ---------------------------------------------------------------------------
// Encoding

function sizeOfVarint(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let bytes = 1;
  while (v >= 0x80) {
    v >>>= 7;
    bytes++;
  }
  return bytes;
}

function zigzag64(value: number): number {
  if (!Number.isSafeInteger(value) || Math.abs(value) > 2 ** 52) {
    throw new RangeError(`timestamp delta ${value} is out of range`);
  }
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

function sizeOfVarlong(value: number): number {
  let raw = zigzag64(value);
  let bytes = 1;
  while (raw >= 0x80) {
    raw = Math.floor(raw / 128);
    bytes++;
  }
  return bytes;
}

function writeVarint(buf: Buffer, pos: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

function writeVarlong(buf: Buffer, pos: number, value: number): number {
  let raw = zigzag64(value);
  while (raw >= 0x80) {
    buf[pos++] = (raw % 128) | 0x80;
    raw = Math.floor(raw / 128);
  }
  buf[pos++] = raw;
  return pos;
}

function toBuffer(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? Buffer.from(value, "utf8") : value;
}

interface PreparedRecord {
  attributes: number;
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: Buffer; value: Buffer | null }[];
  bodyBytes: number;
}

function sizeOfBytes(value: Buffer | null): number {
  return value === null ? 1 : sizeOfVarint(value.length) + value.length;
}

function writeBytes(buf: Buffer, pos: number, value: Buffer | null): number {
  if (value === null) return writeVarint(buf, pos, -1);
  pos = writeVarint(buf, pos, value.length);
  value.copy(buf, pos);
  return pos + value.length;
}

function timestampTypeBit(type: RecordBatchInput["timestampType"]): number {
  return type === "LogAppendTime" || type === TimestampType.LOG_APPEND_TIME ? Attributes.TIMESTAMP_TYPE_LOG_APPEND : 0;
}

/** Encodes a record batch (magic 2), computing lastOffsetDelta, maxTimestamp and the CRC. */
export function encodeRecordBatch(input: RecordBatchInput): Buffer {
  const inputs = input.records;
  const count = inputs.length;
  let attributes = input.attributes ?? 0;
  if (input.compression !== undefined) {
    attributes = (attributes & ~Attributes.COMPRESSION_MASK) | input.compression;
  }
  if (input.timestampType !== undefined) {
    attributes = (attributes & ~Attributes.TIMESTAMP_TYPE_LOG_APPEND) | timestampTypeBit(input.timestampType);
  }
  if (input.isTransactional !== undefined) {
    attributes = (attributes & ~Attributes.TRANSACTIONAL) | (input.isTransactional ? Attributes.TRANSACTIONAL : 0);
  }
  if (input.isControl !== undefined) {
    attributes = (attributes & ~Attributes.CONTROL) | (input.isControl ? Attributes.CONTROL : 0);
  }
  const codec = attributes & Attributes.COMPRESSION_MASK;
  if (codec > CompressionType.ZSTD || (input.compression !== undefined && input.compression !== codec)) {
    throw new KafkaError("UNSUPPORTED_COMPRESSION_TYPE", `unsupported compression type ${input.compression ?? codec}`);
  }

  let baseTimestamp = input.baseTimestamp;
  if (baseTimestamp === undefined) {
    for (const record of inputs) {
      if (record.timestamp !== undefined) {
        baseTimestamp = record.timestamp;
        break;
      }
    }
    baseTimestamp ??= input.now!;
  }

  const prepared: PreparedRecord[] = new Array(count);
  let maxTimestamp = count === 0 ? baseTimestamp : -Infinity;
  let lastOffsetDelta = 0;
  let regionBytes = 0;
  for (let i = 0; i < count; i++) {
    const record = inputs[i];
    const timestamp = record.timestamp ?? baseTimestamp;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    const offsetDelta = record.offsetDelta ?? i;
    if (!isInt32(offsetDelta)) throw new RangeError(`offsetDelta ${offsetDelta} is not an int32`);
    if (i === 0 || offsetDelta > lastOffsetDelta) lastOffsetDelta = offsetDelta;
    const timestampDelta = timestamp - baseTimestamp;
    const key = toBuffer(record.key);
    const value = toBuffer(record.value);
    const headers = (record.headers ?? []).map((header) => ({
      key: Buffer.from(header.key, "utf8"),
      value: toBuffer(header.value),
    }));
    let bodyBytes =
      1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + sizeOfBytes(key) + sizeOfBytes(value);
    bodyBytes += sizeOfVarint(headers.length);
    for (const header of headers) bodyBytes += sizeOfBytes(header.key) + sizeOfBytes(header.value);
    prepared[i] = { attributes: record.attributes ?? 0, timestampDelta, offsetDelta, key, value, headers, bodyBytes };
    regionBytes += sizeOfVarint(bodyBytes) + bodyBytes;
  }

  const uncompressed = codec === CompressionType.NONE;
  // Uncompressed records are written in place after the header.
  const region = Buffer.allocUnsafe((uncompressed ? BatchHeader.SIZE : 0) + regionBytes);
  let pos = uncompressed ? BatchHeader.SIZE : 0;
  for (const record of prepared) {
    pos = writeVarint(region, pos, record.bodyBytes);
    region.writeInt8(record.attributes, pos++);
    pos = writeVarlong(region, pos, record.timestampDelta);
    pos = writeVarint(region, pos, record.offsetDelta);
    pos = writeBytes(region, pos, record.key);
    pos = writeBytes(region, pos, record.value);
    pos = writeVarint(region, pos, record.headers.length);
    for (const header of record.headers) {
      pos = writeBytes(region, pos, header.key);
      pos = writeBytes(region, pos, header.value);
    }
  }

  let batch: Buffer;
  if (uncompressed) {
    batch = region;
  } else if (count === 0) {
    batch = Buffer.allocUnsafe(BatchHeader.SIZE);
  } else {
    const payload = compress(codec, region);
    batch = Buffer.allocUnsafe(BatchHeader.SIZE + payload.length);
    payload.copy(batch, BatchHeader.SIZE);
  }

  writeInt64(batch, BatchHeader.BASE_OFFSET, input.baseOffset ?? 0);
  batch.writeInt32BE(batch.length - BatchHeader.LOG_OVERHEAD, BatchHeader.BATCH_LENGTH);
  batch.writeInt32BE(input.partitionLeaderEpoch ?? -1, BatchHeader.PARTITION_LEADER_EPOCH);
  batch.writeInt8(RECORD_BATCH_MAGIC, BatchHeader.MAGIC);
  batch.writeInt16BE(attributes, BatchHeader.ATTRIBUTES);
  batch.writeInt32BE(input.lastOffsetDelta ?? lastOffsetDelta, BatchHeader.LAST_OFFSET_DELTA);
  writeInt64(batch, BatchHeader.BASE_TIMESTAMP, baseTimestamp);
  writeInt64(batch, BatchHeader.MAX_TIMESTAMP, input.maxTimestamp ?? maxTimestamp);
  writeInt64(batch, BatchHeader.PRODUCER_ID, input.producerId ?? -1);
  batch.writeInt16BE(input.producerEpoch ?? -1, BatchHeader.PRODUCER_EPOCH);
  batch.writeInt32BE(input.baseSequence ?? -1, BatchHeader.BASE_SEQUENCE);
  batch.writeInt32BE(count, BatchHeader.RECORD_COUNT);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), BatchHeader.CRC);
  return batch;
}

// ---------------------------------------------------------------------------
// The produce path

/** The default bound on one produced batch's decompressed payload, for a topic's max.message.bytes. */
export function decompressedBytesMaxFor(maxMessageBytes: number): number {
  return Math.max(DEFAULT_DECOMPRESSED_BYTES_MAX, 8 * maxMessageBytes);
}

/**
 * Splits a produce request's records blob into batches and validates each
 * (see the module comment). Returns the batches in order; throws a
 * KafkaError for the first batch that fails.
 */
export function validateProducedRecords(records: Buffer, limits: ProduceLimits): ValidatedBatch[] {
  const decompressedBytesMax =
    limits.decompressedBytesMax ?? decompressedBytesMaxFor(limits.maxMessageBytes);
  const batches: ValidatedBatch[] = [];
  const length = records.length;
  if (length === 0) throw new KafkaError("INVALID_RECORD", "no record batch in the records");
  let at = 0;
  while (at < length) {
    const left = length - at;
    if (left > BatchHeader.MAGIC) {
      const magic = records.readInt8(at + BatchHeader.MAGIC);
      if (magic !== RECORD_BATCH_MAGIC) {
        throw fail("UNSUPPORTED_FOR_MESSAGE_FORMAT", at, `magic ${magic} (only record batches of magic 2 are supported)`);
      }
    }
    if (left < BatchHeader.SIZE) {
      throw fail("CORRUPT_MESSAGE", at, `${left} bytes left, fewer than the ${BatchHeader.SIZE}-byte batch header`);
    }
    const batchLength = records.readInt32BE(at + BatchHeader.BATCH_LENGTH);
    const bytes = batchLength + BatchHeader.LOG_OVERHEAD;
    if (batchLength < BatchHeader.SIZE - BatchHeader.LOG_OVERHEAD) {
      throw fail("CORRUPT_MESSAGE", at, `batchLength ${batchLength} is shorter than the batch header`);
    }
    if (bytes > left) {
      throw fail("CORRUPT_MESSAGE", at, `batch of ${bytes} bytes is truncated to ${left}`);
    }
    if (bytes > limits.maxMessageBytes) {
      throw fail("MESSAGE_TOO_LARGE", at, `batch of ${bytes} bytes exceeds max.message.bytes ${limits.maxMessageBytes}`);
    }
    const stored = records.readUInt32BE(at + BatchHeader.CRC);
    const computed = crc32c(records.subarray(at + BatchHeader.CRC_START, at + bytes));
    if (stored !== computed) {
      throw fail("CORRUPT_MESSAGE", at, `CRC mismatch (stored ${hex32(stored)}, computed ${hex32(computed)})`);
    }
    batches.push(validateBatch(records, at, bytes, decompressedBytesMax));
    at += bytes;
  }
  return batches;
}

function validateBatch(buf: Buffer, at: number, bytes: number, decompressedBytesMax: number): ValidatedBatch {
  const recordCount = buf.readInt32BE(at + BatchHeader.RECORD_COUNT);
  const lastOffsetDelta = buf.readInt32BE(at + BatchHeader.LAST_OFFSET_DELTA);
  if (recordCount < 1) throw fail("INVALID_RECORD", at, `record count ${recordCount} (a produced batch holds at least one record)`);
  if (lastOffsetDelta !== recordCount - 1) {
    throw fail("INVALID_RECORD", at, `lastOffsetDelta ${lastOffsetDelta} does not match the record count ${recordCount}`);
  }
  const attributes = buf.readInt16BE(at + BatchHeader.ATTRIBUTES);
  const compression = attributes & Attributes.COMPRESSION_MASK;
  if (compression > CompressionType.ZSTD) {
    throw fail("UNSUPPORTED_COMPRESSION_TYPE", at, `unsupported compression type ${compression}`);
  }
  const baseTimestamp = readInt64(buf, at + BatchHeader.BASE_TIMESTAMP);
  const maxTimestamp = readInt64(buf, at + BatchHeader.MAX_TIMESTAMP);
  if (!Number.isSafeInteger(baseTimestamp) || !Number.isSafeInteger(maxTimestamp)) {
    throw fail("INVALID_TIMESTAMP", at, "timestamp beyond 2^53 ms");
  }
  const producerId = readInt64(buf, at + BatchHeader.PRODUCER_ID);
  if (!Number.isSafeInteger(producerId)) throw fail("INVALID_RECORD", at, "producerId beyond 2^53");
  const baseSequence = buf.readInt32BE(at + BatchHeader.BASE_SEQUENCE);
  if (producerId >= 0 && baseSequence < 0) {
    throw fail("INVALID_RECORD", at, `producerId ${producerId} with invalid base sequence ${baseSequence}`);
  }
  const start = at + BatchHeader.SIZE;
  const end = at + bytes;
  if (start === end) throw fail("INVALID_RECORD", at, `declares ${recordCount} records but holds no record bytes`);
  try {
    if (compression === CompressionType.NONE) {
      walkRecordLengths(buf, start, end, recordCount);
    } else {
      const payload = decompress(compression, buf.subarray(start, end), decompressedBytesMax);
      checkRecords(payload, recordCount);
    }
  } catch (error) {
    throw asKafkaError(error, at);
  }
  return {
    at,
    bytes,
    recordCount,
    lastOffsetDelta,
    maxTimestamp,
    baseTimestamp,
    attributes,
    producerId,
    producerEpoch: buf.readInt16BE(at + BatchHeader.PRODUCER_EPOCH),
    baseSequence,
    compression,
  };
}

/**
 * Uncompressed records: follows the length prefixes only, so that the
 * region holds exactly recordCount records, without parsing them.
 */
function walkRecordLengths(buf: Buffer, start: number, end: number, recordCount: number): void {
  checkCountFits(recordCount, end - start);
  let pos = start;
  for (let i = 0; i < recordCount; i++) {
    if (pos >= end) throw tooFew(i, recordCount);
    // the length varint, inline (no allocation on the hot path)
    let raw = 0;
    let shift = 0;
    for (;;) {
      if (pos >= end) throw new RecordFormatError("CORRUPT_MESSAGE", `record ${i}: truncated length`);
      const byte = buf[pos++];
      raw |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
      shift += 7;
      if (shift > 28) throw new RecordFormatError("CORRUPT_MESSAGE", `record ${i}: length varint longer than 5 bytes`);
    }
    const length = (raw >>> 1) ^ -(raw & 1);
    if (length < RECORD_BODY_BYTES_MIN) {
      throw new RecordFormatError("CORRUPT_MESSAGE", `record ${i}: record length ${length}`);
    }
    pos += length;
    if (pos > end) {
      throw new RecordFormatError("CORRUPT_MESSAGE", `record ${i}: ${length} bytes overrun the batch by ${pos - end}`);
    }
  }
  if (pos !== end) {
    throw new RecordFormatError("INVALID_RECORD", `${end - pos} bytes follow the ${recordCount} records it declares`);
  }
}

/** Compressed records: parses every record, which must carry offsetDelta 0..recordCount-1. */
function checkRecords(payload: Buffer, recordCount: number): void {
  const end = payload.length;
  checkCountFits(recordCount, end);
  const c = new RecordCursor(payload, 0, end);
  for (let i = 0; i < recordCount; i++) {
    if (c.pos >= end) throw tooFew(i, recordCount);
    let offsetDelta: number;
    try {
      offsetDelta = checkRecord(c, end);
    } catch (error) {
      throw recordContext(error, i);
    }
    if (offsetDelta !== i) {
      throw new RecordFormatError("INVALID_RECORD", `record ${i} has offsetDelta ${offsetDelta}`);
    }
  }
  checkNoTrailing(c, end, recordCount);
}

/**
 * Stamps a validated batch in place: its baseOffset and partitionLeaderEpoch,
 * which lie outside the CRC range. With `logAppendTimeMs` (a LogAppendTime
 * topic) it also sets the timestamp-type bit and maxTimestamp and recomputes
 * the CRC, and updates `v.attributes` and `v.maxTimestamp` to match. Without
 * it the attributes and timestamps stay as the producer sent them, so stamping
 * twice (first with the append time, then without) keeps the append time.
 */
export function stampBatch(
  records: Buffer,
  v: ValidatedBatch,
  baseOffset: number,
  opts: { partitionLeaderEpoch: number; logAppendTimeMs?: number },
): void {
  const at = v.at;
  writeInt64(records, at + BatchHeader.BASE_OFFSET, baseOffset);
  records.writeInt32BE(opts.partitionLeaderEpoch, at + BatchHeader.PARTITION_LEADER_EPOCH);
  if (opts.logAppendTimeMs === undefined) return;
  const attributes = records.readInt16BE(at + BatchHeader.ATTRIBUTES) | Attributes.TIMESTAMP_TYPE_LOG_APPEND;
  records.writeInt16BE(attributes, at + BatchHeader.ATTRIBUTES);
  writeInt64(records, at + BatchHeader.MAX_TIMESTAMP, opts.logAppendTimeMs);
  records.writeUInt32BE(computeBatchCrc(records, at, v.bytes), at + BatchHeader.CRC);
  v.attributes = attributes;
  v.maxTimestamp = opts.logAppendTimeMs;
}
