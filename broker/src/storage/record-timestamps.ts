import { Reader } from "../protocol/reader";
import { Attributes, BatchHeader, batchAttributes, batchBaseOffset, batchBaseTimestamp, batchMaxTimestamp, batchRecordCount } from "../protocol/records/batch-header";

/**
 * Finds the first record of a stored batch, at or after `minOffset`, whose
 * timestamp passes `matches`, by reading only each record's length,
 * timestamp delta and offset delta (no keys, values or headers are copied).
 * A record that runs past the batch throws the Reader's ProtocolError.
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
  const reader = new Reader(batch, BatchHeader.SIZE);
  for (let i = 0; i < recordCount && reader.remaining > 0; i++) {
    const length = reader.readVarint();
    const bodyStart = reader.offset;
    reader.skip(1); // attributes
    const timestamp = baseTimestamp + reader.readSafeVarlong();
    const offset = baseOffset + reader.readVarint();
    if (offset >= minOffset && matches(timestamp)) return { offset, timestamp };
    reader.offset = bodyStart + length;
  }
  return null;
}
