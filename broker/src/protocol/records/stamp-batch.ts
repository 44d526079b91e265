/**
 * Stamping a validated produced batch in place, where it lies in the request
 * buffer, with what the partition assigns (see validate-produced.ts).
 */
import { Attributes, BatchHeader, computeBatchCrc, setBatchBaseOffset, setBatchMaxTimestamp, setBatchPartitionLeaderEpoch } from "./batch-header";
import type { ValidatedBatch } from "./validate-produced";

/**
 * Stamps a validated batch in place: its baseOffset and partitionLeaderEpoch,
 * which lie outside the CRC range. With `logAppendTimeMs` (a LogAppendTime
 * topic) it also sets the timestamp-type bit and maxTimestamp and recomputes
 * the CRC, and updates `v.attributes` and `v.maxTimestamp` to match. Without
 * it the attributes and timestamps stay as the producer sent them, so stamping
 * twice (first with the append time, then without) keeps the append time.
 *
 * The append time is the caller's clock reading: the protocol reads none.
 */
export function stampBatch(
  records: Buffer,
  v: ValidatedBatch,
  baseOffset: number,
  opts: { partitionLeaderEpoch: number; logAppendTimeMs?: number },
): void {
  const at = v.at;
  setBatchBaseOffset(records, baseOffset, at);
  setBatchPartitionLeaderEpoch(records, opts.partitionLeaderEpoch, at);
  if (opts.logAppendTimeMs === undefined) return;
  const attributes = records.readInt16BE(at + BatchHeader.ATTRIBUTES) | Attributes.TIMESTAMP_TYPE_LOG_APPEND;
  records.writeInt16BE(attributes, at + BatchHeader.ATTRIBUTES);
  setBatchMaxTimestamp(records, opts.logAppendTimeMs, at);
  records.writeUInt32BE(computeBatchCrc(records, at, v.bytes), at + BatchHeader.CRC);
  v.attributes = attributes;
  v.maxTimestamp = opts.logAppendTimeMs;
}
