/**
 * Encoding record batches (magic 2) from records: for producers of our own
 * (the console, the offsets and metadata logs, the log cleaner's rewrites)
 * and tests. The broker's produce path never re-encodes what a client sent.
 *
 * The protocol reads no clock: a batch states its base timestamp, or the
 * caller passes `now` as the default for records that carry no timestamp.
 */
import { KafkaError } from "../errors";
import { sizeOfSafeVarlong, sizeOfVarint, sizeOfVarintBytes, Writer } from "../writer";
import {
  Attributes,
  BatchHeader,
  CompressionType,
  computeBatchCrc,
  RECORD_BATCH_MAGIC,
  TimestampType,
  writeBatchHeader,
  type BatchHeaderFields,
} from "./batch-header";
import { compress } from "./compression";

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

/** A record with its fields resolved and its body sized, ready to write. */
interface PreparedRecord {
  attributes: number;
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: Buffer; value: Buffer | null }[];
  bodyBytes: number;
}

/** Encodes a record batch (magic 2), computing lastOffsetDelta, maxTimestamp and the CRC. */
export function encodeRecordBatch(input: RecordBatchInput): Buffer {
  const attributes = batchAttributes(input);
  const codec = attributes & Attributes.COMPRESSION_MASK;
  const inputs = input.records;
  const count = inputs.length;
  const baseTimestamp = input.baseTimestamp ?? inputs.find((record) => record.timestamp !== undefined)?.timestamp ?? input.now!;

  const { prepared, regionBytes, maxTimestamp, lastOffsetDelta } = prepareRecords(inputs, baseTimestamp);
  const header: BatchHeaderFields = {
    baseOffset: input.baseOffset ?? 0,
    batchLength: 0, // set below, once the payload's size is known
    partitionLeaderEpoch: input.partitionLeaderEpoch ?? -1,
    magic: RECORD_BATCH_MAGIC,
    crc: 0, // computed once the batch is whole
    attributes,
    lastOffsetDelta: input.lastOffsetDelta ?? lastOffsetDelta,
    baseTimestamp,
    maxTimestamp: input.maxTimestamp ?? maxTimestamp,
    producerId: input.producerId ?? -1,
    producerEpoch: input.producerEpoch ?? -1,
    baseSequence: input.baseSequence ?? -1,
    recordCount: count,
  };
  let batch: Buffer;
  if (codec === CompressionType.NONE) {
    // Uncompressed records follow the header in the same buffer.
    header.batchLength = BatchHeader.SIZE - BatchHeader.LOG_OVERHEAD + regionBytes;
    const w = Writer.contiguous(BatchHeader.SIZE + regionBytes);
    writeBatchHeader(w, header);
    writeRecords(w, prepared);
    batch = w.toBuffer();
  } else {
    let payload: Buffer = Buffer.alloc(0);
    if (count > 0) {
      const region = Writer.contiguous(regionBytes);
      writeRecords(region, prepared);
      payload = compress(codec, region.toBuffer());
    }
    header.batchLength = BatchHeader.SIZE - BatchHeader.LOG_OVERHEAD + payload.length;
    const w = Writer.contiguous(BatchHeader.SIZE + payload.length);
    writeBatchHeader(w, header);
    batch = w.writeRaw(payload).toBuffer();
  }
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), BatchHeader.CRC);
  return batch;
}

interface PreparedRecords {
  prepared: PreparedRecord[];
  /** Bytes of the records region, uncompressed. */
  regionBytes: number;
  /** The largest record timestamp (baseTimestamp when there are no records). */
  maxTimestamp: number;
  /** The largest offsetDelta (0 when there are no records). */
  lastOffsetDelta: number;
}

/**
 * Resolves each record's fields and sizes its body, before anything is
 * written: a record's length comes first. (Its own function, and so is
 * writeRecords: the loops stay optimized whatever happens in the glue.)
 */
function prepareRecords(inputs: RecordInput[], baseTimestamp: number): PreparedRecords {
  const count = inputs.length;
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
    let bodyBytes = 1 + sizeOfSafeVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + sizeOfVarintBytes(key) + sizeOfVarintBytes(value);
    bodyBytes += sizeOfVarint(headers.length);
    for (const header of headers) bodyBytes += sizeOfVarintBytes(header.key) + sizeOfVarintBytes(header.value);
    prepared[i] = { attributes: record.attributes ?? 0, timestampDelta, offsetDelta, key, value, headers, bodyBytes };
    regionBytes += sizeOfVarint(bodyBytes) + bodyBytes;
  }
  return { prepared, regionBytes, maxTimestamp, lastOffsetDelta };
}

function writeRecords(w: Writer, records: PreparedRecord[]): void {
  for (const record of records) {
    w.writeVarint(record.bodyBytes)
      .writeInt8(record.attributes)
      .writeSafeVarlong(record.timestampDelta)
      .writeVarint(record.offsetDelta)
      .writeVarintBytes(record.key)
      .writeVarintBytes(record.value)
      .writeVarint(record.headers.length);
    const headers = record.headers;
    for (let i = 0; i < headers.length; i++) w.writeVarintBytes(headers[i].key).writeVarintBytes(headers[i].value);
  }
}

/** The attribute bits: the raw ones given, with each named option overriding its own. */
function batchAttributes(input: RecordBatchInput): number {
  let attributes = input.attributes ?? 0;
  if (input.compression !== undefined) {
    attributes = (attributes & ~Attributes.COMPRESSION_MASK) | input.compression;
  }
  if (input.timestampType !== undefined) {
    const logAppendTime = input.timestampType === "LogAppendTime" || input.timestampType === TimestampType.LOG_APPEND_TIME;
    attributes = (attributes & ~Attributes.TIMESTAMP_TYPE_LOG_APPEND) | (logAppendTime ? Attributes.TIMESTAMP_TYPE_LOG_APPEND : 0);
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
  return attributes;
}

function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff;
}

function toBuffer(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? Buffer.from(value, "utf8") : value;
}
