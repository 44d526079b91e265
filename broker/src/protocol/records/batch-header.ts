import type { Writer } from "../writer";
import { crc32c } from "./crc32c";

/**
 * The fixed 61-byte header of a magic-2 record batch, read and stamped in
 * place. The log stores batches exactly as they travel on the wire, so the
 * produce path, storage and fetch all work through these accessors instead of
 * decoding records.
 *
 * baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 |
 * crc uint32 | attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 |
 * maxTimestamp int64 | producerId int64 | producerEpoch int16 | baseSequence int32 |
 * recordCount int32
 */
export const BatchHeader = {
  BASE_OFFSET: 0,
  BATCH_LENGTH: 8,
  PARTITION_LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORD_COUNT: 57,
  /** Bytes before the first record. */
  SIZE: 61,
  /** baseOffset and batchLength: the part not counted in batchLength. */
  LOG_OVERHEAD: 12,
  /** CRC-32C covers from attributes to the end of the batch. */
  CRC_START: 21,
} as const;

export const RECORD_BATCH_MAGIC = 2;

export const Attributes = {
  COMPRESSION_MASK: 0x07,
  TIMESTAMP_TYPE_LOG_APPEND: 0x08,
  TRANSACTIONAL: 0x10,
  CONTROL: 0x20,
  DELETE_HORIZON: 0x40,
} as const;

/** The timestamp type as a number (attribute bit 3): what a record's time means. */
export const TimestampType = { CREATE_TIME: 0, LOG_APPEND_TIME: 1 } as const;

export const CompressionType = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const;
export type CompressionCodec = (typeof CompressionType)[keyof typeof CompressionType];

/** Offsets fit in a double for any realistic log (2^53 records); asserted where read. */
export function readOffset(buffer: Buffer, at: number): number {
  const value = Number(buffer.readBigInt64BE(at));
  if (!Number.isSafeInteger(value)) throw new RangeError(`offset ${value} is beyond 2^53`);
  return value;
}

export function batchBaseOffset(batch: Buffer, at = 0): number {
  return readOffset(batch, at + BatchHeader.BASE_OFFSET);
}
/** Total bytes of the batch starting at `at`, including baseOffset and batchLength. */
export function batchTotalBytes(batch: Buffer, at = 0): number {
  return batch.readInt32BE(at + BatchHeader.BATCH_LENGTH) + BatchHeader.LOG_OVERHEAD;
}
export function batchLastOffsetDelta(batch: Buffer, at = 0): number {
  return batch.readInt32BE(at + BatchHeader.LAST_OFFSET_DELTA);
}
export function batchMaxTimestamp(batch: Buffer, at = 0): number {
  return readOffset(batch, at + BatchHeader.MAX_TIMESTAMP);
}
export function batchBaseTimestamp(batch: Buffer, at = 0): number {
  return readOffset(batch, at + BatchHeader.BASE_TIMESTAMP);
}
export function batchAttributes(batch: Buffer, at = 0): number {
  return batch.readInt16BE(at + BatchHeader.ATTRIBUTES);
}
export function batchRecordCount(batch: Buffer, at = 0): number {
  return batch.readInt32BE(at + BatchHeader.RECORD_COUNT);
}
export function batchMagic(batch: Buffer, at = 0): number {
  return batch.readInt8(at + BatchHeader.MAGIC);
}
export function setBatchBaseOffset(batch: Buffer, baseOffset: number, at = 0): void {
  writeSafeInt64(batch, at + BatchHeader.BASE_OFFSET, baseOffset);
}
export function setBatchMaxTimestamp(batch: Buffer, maxTimestamp: number, at = 0): void {
  writeSafeInt64(batch, at + BatchHeader.MAX_TIMESTAMP, maxTimestamp);
}
export function setBatchPartitionLeaderEpoch(batch: Buffer, epoch: number, at = 0): void {
  batch.writeInt32BE(epoch, at + BatchHeader.PARTITION_LEADER_EPOCH);
}

function writeSafeInt64(buffer: Buffer, at: number, value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer`);
  buffer.writeBigInt64BE(BigInt(value), at);
}

/** CRC-32C of a batch's CRC range (attributes to the end). */
export function computeBatchCrc(batch: Buffer, at = 0, bytes = batchTotalBytes(batch, at)): number {
  return crc32c(batch.subarray(at + BatchHeader.CRC_START, at + bytes));
}

/** Every header field, as writeBatchHeader writes them; the int64s as numbers, which must be safe integers. */
export interface BatchHeaderFields {
  baseOffset: number;
  batchLength: number;
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
  recordCount: number;
}

/** Writes the header at the writer's position; int64s must be safe integers. */
export function writeBatchHeader(w: Writer, header: BatchHeaderFields): void {
  w.writeInt64Number(header.baseOffset)
    .writeInt32(header.batchLength)
    .writeInt32(header.partitionLeaderEpoch)
    .writeInt8(header.magic)
    .writeUint32(header.crc)
    .writeInt16(header.attributes)
    .writeInt32(header.lastOffsetDelta)
    .writeInt64Number(header.baseTimestamp)
    .writeInt64Number(header.maxTimestamp)
    .writeInt64Number(header.producerId)
    .writeInt16(header.producerEpoch)
    .writeInt32(header.baseSequence)
    .writeInt32(header.recordCount);
}
