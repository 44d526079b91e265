/**
 * The produce path's check of what a producer sent. It never re-encodes:
 * `validateProducedRecords` checks the batches where they lie in the request
 * buffer, and stamp-batch.ts then writes the assigned offsets into them; the
 * log stores those bytes as they are.
 *
 * Uncompressed batches are checked from their headers, their CRC and the
 * record length prefixes (no record is parsed); compressed batches are
 * decompressed and every record is parsed.
 */
import { KafkaError } from "../errors";
import { Reader } from "../reader";
import { Attributes, BatchHeader, CompressionType, RECORD_BATCH_MAGIC } from "./batch-header";
import { atBatch, batchError, crcMismatch, unsupportedMagic } from "./batch-errors";
import { crc32c } from "./crc32c";
import { checkRecords, DEFAULT_DECOMPRESSED_BYTES_MAX, recordsReader, walkRecordLengths } from "./read-records";

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
  const decompressedBytesMax = limits.decompressedBytesMax ?? decompressedBytesMaxFor(limits.maxMessageBytes);
  const batches: ValidatedBatch[] = [];
  const length = records.length;
  if (length === 0) throw new KafkaError("INVALID_RECORD", "no record batch in the records");
  let at = 0;
  while (at < length) {
    const left = length - at;
    if (left > BatchHeader.MAGIC) {
      const magic = records.readInt8(at + BatchHeader.MAGIC);
      if (magic !== RECORD_BATCH_MAGIC) throw unsupportedMagic(at, magic);
    }
    if (left < BatchHeader.SIZE) {
      throw batchError("CORRUPT_MESSAGE", at, `${left} bytes left, fewer than the ${BatchHeader.SIZE}-byte batch header`);
    }
    const batchLength = records.readInt32BE(at + BatchHeader.BATCH_LENGTH);
    const bytes = batchLength + BatchHeader.LOG_OVERHEAD;
    if (batchLength < BatchHeader.SIZE - BatchHeader.LOG_OVERHEAD) {
      throw batchError("CORRUPT_MESSAGE", at, `batchLength ${batchLength} is shorter than the batch header`);
    }
    if (bytes > left) throw batchError("CORRUPT_MESSAGE", at, `batch of ${bytes} bytes is truncated to ${left}`);
    if (bytes > limits.maxMessageBytes) {
      throw batchError("MESSAGE_TOO_LARGE", at, `batch of ${bytes} bytes exceeds max.message.bytes ${limits.maxMessageBytes}`);
    }
    const stored = records.readUInt32BE(at + BatchHeader.CRC);
    const computed = crc32c(records.subarray(at + BatchHeader.CRC_START, at + bytes));
    if (stored !== computed) throw crcMismatch(at, stored, computed);
    batches.push(validateBatch(records, at, bytes, decompressedBytesMax));
    at += bytes;
  }
  return batches;
}

/** Checks one framed batch whose CRC matched: its header's rules, then its records. */
function validateBatch(buf: Buffer, at: number, bytes: number, decompressedBytesMax: number): ValidatedBatch {
  // The header after the framing checked by the caller (baseOffset, batchLength, leader epoch, magic, CRC).
  const r = new Reader(buf, at + BatchHeader.ATTRIBUTES, at + bytes);
  const attributes = r.readInt16();
  const lastOffsetDelta = r.readInt32();
  const baseTimestamp = r.readInt64Number();
  const maxTimestamp = r.readInt64Number();
  const producerId = r.readInt64Number();
  const producerEpoch = r.readInt16();
  const baseSequence = r.readInt32();
  const recordCount = r.readInt32();
  if (recordCount < 1) throw batchError("INVALID_RECORD", at, `record count ${recordCount} (a produced batch holds at least one record)`);
  if (lastOffsetDelta !== recordCount - 1) {
    throw batchError("INVALID_RECORD", at, `lastOffsetDelta ${lastOffsetDelta} does not match the record count ${recordCount}`);
  }
  const compression = attributes & Attributes.COMPRESSION_MASK;
  if (compression > CompressionType.ZSTD) {
    throw batchError("UNSUPPORTED_COMPRESSION_TYPE", at, `unsupported compression type ${compression}`);
  }
  if (!Number.isSafeInteger(baseTimestamp) || !Number.isSafeInteger(maxTimestamp)) {
    throw batchError("INVALID_TIMESTAMP", at, "timestamp beyond 2^53 ms");
  }
  if (!Number.isSafeInteger(producerId)) throw batchError("INVALID_RECORD", at, "producerId beyond 2^53");
  if (producerId >= 0 && baseSequence < 0) {
    throw batchError("INVALID_RECORD", at, `producerId ${producerId} with invalid base sequence ${baseSequence}`);
  }
  if (r.remaining === 0) throw batchError("INVALID_RECORD", at, `declares ${recordCount} records but holds no record bytes`);
  try {
    if (compression === CompressionType.NONE) {
      walkRecordLengths(r, recordCount);
    } else {
      checkRecords(recordsReader(r, compression, decompressedBytesMax), recordCount);
    }
  } catch (error) {
    throw atBatch(error, at);
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
    producerEpoch,
    baseSequence,
    compression,
  };
}
