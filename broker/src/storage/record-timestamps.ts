import { Attributes, BatchHeader, batchAttributes, batchBaseOffset, batchBaseTimestamp, batchMaxTimestamp, batchRecordCount } from "../protocol/records/batch-header";

/**
 * Finds the first record of a stored batch, at or after `minOffset`, whose
 * timestamp passes `matches`, by reading only each record's length,
 * timestamp delta and offset delta (no keys, values or headers are copied).
 * Returns `undefined` for a compressed batch, which needs the full decoder.
 */
export function scanRecordTimestamps(
  batch: Buffer,
  minOffset: number,
  matches: (timestampMs: number) => boolean,
): { offset: number; timestamp: number } | null | undefined {
  const attributes = batchAttributes(batch);
  const baseOffset = batchBaseOffset(batch);
  const recordCount = batchRecordCount(batch);
  if ((attributes & Attributes.TIMESTAMP_TYPE_LOG_APPEND) !== 0) {
    // Every record carries the broker's append time, the batch's max timestamp.
    const timestamp = batchMaxTimestamp(batch);
    if (!matches(timestamp) || recordCount <= 0) return null;
    return { offset: Math.max(baseOffset, minOffset), timestamp };
  }
  if ((attributes & Attributes.COMPRESSION_MASK) !== 0) return undefined;
  const baseTimestamp = batchBaseTimestamp(batch);
  const reader: { at: number } = { at: BatchHeader.SIZE };
  for (let i = 0; i < recordCount && reader.at < batch.length; i++) {
    const length = readVarlong(batch, reader);
    const bodyStart = reader.at;
    reader.at += 1; // attributes
    const timestamp = baseTimestamp + readVarlong(batch, reader);
    const offset = baseOffset + readVarlong(batch, reader);
    if (offset >= minOffset && matches(timestamp)) return { offset, timestamp };
    reader.at = bodyStart + length;
  }
  return null;
}

/** A zigzag varint of up to 64 bits, as a number (record deltas stay far below 2^53). */
function readVarlong(buffer: Buffer, reader: { at: number }): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (reader.at >= buffer.length) throw new RangeError("varint runs past the batch");
    const byte = buffer[reader.at++];
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    scale *= 128;
  }
  throw new RangeError("varint longer than 10 bytes");
}
