/**
 * Decoding record batches into records: for the console's message browser,
 * the log cleaner, the offsets and metadata logs, and tests. The produce
 * path does not decode (see validate-produced.ts).
 *
 * Keys, values and header values are views into the batch (or into its
 * decompressed payload), not copies.
 */
import { Reader } from "../reader";
import { Attributes, BatchHeader, CompressionType, computeBatchCrc, RECORD_BATCH_MAGIC } from "./batch-header";
import { atBatch, batchError, crcMismatch, unsupportedMagic } from "./batch-errors";
import { DEFAULT_DECOMPRESSED_BYTES_MAX, readRecords, recordsReader, type KafkaRecord } from "./read-records";

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

export interface DecodeOptions {
  /** Check the CRC-32C (default true). */
  verifyCrc?: boolean;
  /** Largest decompressed payload accepted (default 64 MiB). */
  decompressedBytesMax?: number;
}

/** The timestamp of a decoded record: LogAppendTime batches carry it as maxTimestamp. */
export function recordTimestamp(batch: RecordBatch, record: KafkaRecord): number {
  return (batch.attributes & Attributes.TIMESTAMP_TYPE_LOG_APPEND) !== 0
    ? batch.maxTimestamp
    : batch.baseTimestamp + record.timestampDelta;
}

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
      if (magic !== RECORD_BATCH_MAGIC) throw unsupportedMagic(at, magic);
    }
    if (batchLength < BatchHeader.SIZE - BatchHeader.LOG_OVERHEAD) {
      throw batchError("CORRUPT_MESSAGE", at, `batchLength ${batchLength} is shorter than the record batch header`);
    }
    const bytes = batchLength + BatchHeader.LOG_OVERHEAD;
    if (bytes > blob.length - at) break;
    batches.push(decodeBatchAt(blob, at, bytes, options));
    at += bytes;
  }
  return batches;
}

/** Decodes the batch at `at`, which must fill the `available` bytes exactly. */
function decodeBatchAt(buf: Buffer, at: number, available: number, options: DecodeOptions): RecordBatch {
  if (available < BatchHeader.SIZE) {
    if (available > BatchHeader.MAGIC && buf.readInt8(at + BatchHeader.MAGIC) !== RECORD_BATCH_MAGIC) {
      throw unsupportedMagic(at, buf.readInt8(at + BatchHeader.MAGIC));
    }
    throw batchError("CORRUPT_MESSAGE", at, `${available} bytes, fewer than the ${BatchHeader.SIZE}-byte batch header`);
  }
  const magic = buf.readInt8(at + BatchHeader.MAGIC);
  if (magic !== RECORD_BATCH_MAGIC) throw unsupportedMagic(at, magic);
  const batchLength = buf.readInt32BE(at + BatchHeader.BATCH_LENGTH);
  const bytes = batchLength + BatchHeader.LOG_OVERHEAD;
  if (batchLength < BatchHeader.SIZE - BatchHeader.LOG_OVERHEAD || bytes > available) {
    throw batchError("CORRUPT_MESSAGE", at, `batchLength ${batchLength} does not fit the ${available} bytes available`);
  }
  if (bytes !== available) throw batchError("CORRUPT_MESSAGE", at, `${available - bytes} bytes follow the batch`);

  // The header, field by field into locals (a header object per batch cost
  // small batches a measurable share of their decode time).
  const r = new Reader(buf, at, at + bytes);
  const baseOffset = r.readInt64Number();
  r.skip(4); // batchLength, checked above
  const partitionLeaderEpoch = r.readInt32();
  r.skip(1); // magic, checked above
  const crc = r.readUint32();
  const attributes = r.readInt16();
  const lastOffsetDelta = r.readInt32();
  const baseTimestamp = r.readInt64Number();
  const maxTimestamp = r.readInt64Number();
  const producerId = r.readInt64Number();
  const producerEpoch = r.readInt16();
  const baseSequence = r.readInt32();
  const recordCount = r.readInt32();
  if (options.verifyCrc !== false) {
    const computed = computeBatchCrc(buf, at, bytes);
    if (computed !== crc) throw crcMismatch(at, crc, computed);
  }
  if (!Number.isSafeInteger(baseOffset)) throw batchError("CORRUPT_MESSAGE", at, "baseOffset is beyond 2^53");
  if (!Number.isSafeInteger(baseTimestamp)) throw batchError("CORRUPT_MESSAGE", at, "baseTimestamp is beyond 2^53");
  if (!Number.isSafeInteger(maxTimestamp)) throw batchError("CORRUPT_MESSAGE", at, "maxTimestamp is beyond 2^53");
  if (!Number.isSafeInteger(producerId)) throw batchError("CORRUPT_MESSAGE", at, "producerId is beyond 2^53");
  if (recordCount < 0) throw batchError("CORRUPT_MESSAGE", at, `record count ${recordCount}`);

  // A batch of no records may name a codec yet carry no payload: there is nothing to decompress.
  const codec = recordCount === 0 && r.remaining === 0 ? CompressionType.NONE : attributes & Attributes.COMPRESSION_MASK;
  let records: KafkaRecord[];
  try {
    records = readRecords(recordsReader(r, codec, options.decompressedBytesMax ?? DEFAULT_DECOMPRESSED_BYTES_MAX), recordCount);
  } catch (error) {
    throw atBatch(error, at);
  }
  return {
    baseOffset,
    partitionLeaderEpoch,
    magic,
    crc,
    attributes,
    lastOffsetDelta,
    baseTimestamp,
    maxTimestamp,
    producerId,
    producerEpoch,
    baseSequence,
    records,
  };
}
