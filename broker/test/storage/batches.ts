/**
 * Just enough of a magic-2 record batch writer for the storage tests, so they
 * do not lean on the protocol layer's codec: uncompressed records, a header,
 * and the CRC-32C.
 */
import { BatchHeader, batchBaseOffset, batchLastOffsetDelta, batchMaxTimestamp, batchTotalBytes } from "../../src/protocol/records/batch-header";
import { crc32c } from "../../src/protocol/records/crc32c";
import type { BatchToAppend } from "../../src/storage/partition-log";

export interface TestRecord {
  value: string | Buffer | null;
  key?: string | Buffer | null;
  timestamp?: number;
}

export function buildBatch(records: readonly TestRecord[], options: { logAppendTime?: boolean } = {}): Buffer {
  if (records.length === 0) throw new Error("a batch needs a record");
  const timestamps = records.map((record) => record.timestamp ?? 1_700_000_000_000);
  const baseTimestamp = timestamps[0];
  const maxTimestamp = Math.max(...timestamps);
  const bodies = records.map((record, index) => {
    const key = toBytes(record.key ?? null);
    const value = toBytes(record.value);
    const body = Buffer.concat([
      Buffer.from([0]), // attributes
      varint(timestamps[index] - baseTimestamp),
      varint(index),
      varint(key ? key.length : -1),
      key ?? Buffer.alloc(0),
      varint(value ? value.length : -1),
      value ?? Buffer.alloc(0),
      varint(0), // headers
    ]);
    return Buffer.concat([varint(body.length), body]);
  });
  const header = Buffer.alloc(BatchHeader.SIZE);
  const batch = Buffer.concat([header, ...bodies]);
  batch.writeBigInt64BE(0n, BatchHeader.BASE_OFFSET);
  batch.writeInt32BE(batch.length - BatchHeader.LOG_OVERHEAD, BatchHeader.BATCH_LENGTH);
  batch.writeInt32BE(-1, BatchHeader.PARTITION_LEADER_EPOCH);
  batch.writeInt8(2, BatchHeader.MAGIC);
  batch.writeInt16BE(options.logAppendTime ? 0x08 : 0, BatchHeader.ATTRIBUTES);
  batch.writeInt32BE(records.length - 1, BatchHeader.LAST_OFFSET_DELTA);
  batch.writeBigInt64BE(BigInt(baseTimestamp), BatchHeader.BASE_TIMESTAMP);
  batch.writeBigInt64BE(BigInt(maxTimestamp), BatchHeader.MAX_TIMESTAMP);
  batch.writeBigInt64BE(-1n, BatchHeader.PRODUCER_ID);
  batch.writeInt16BE(-1, BatchHeader.PRODUCER_EPOCH);
  batch.writeInt32BE(-1, BatchHeader.BASE_SEQUENCE);
  batch.writeInt32BE(records.length, BatchHeader.RECORD_COUNT);
  batch.writeUInt32BE(crc32c(batch.subarray(BatchHeader.CRC_START)), BatchHeader.CRC);
  return batch;
}

/** Batches laid end to end, with the per-batch facts PartitionLog.append takes (what validation would find). */
export function produceRequest(...batches: Buffer[]): { records: Buffer; batches: BatchToAppend[] } {
  const records = Buffer.concat(batches);
  return { records, batches: describeBatches(records) };
}

export function describeBatches(records: Buffer): BatchToAppend[] {
  const found: BatchToAppend[] = [];
  for (let at = 0; at < records.length; ) {
    const bytes = batchTotalBytes(records, at);
    found.push({ at, bytes, lastOffsetDelta: batchLastOffsetDelta(records, at), maxTimestamp: batchMaxTimestamp(records, at) });
    at += bytes;
  }
  return found;
}

/** The batches of a read result, with their offsets and whether each CRC holds. */
export function splitBatches(records: Buffer): Array<{ baseOffset: number; lastOffset: number; bytes: Buffer; crcValid: boolean }> {
  const batches = [];
  for (let at = 0; at < records.length; ) {
    const total = batchTotalBytes(records, at);
    if (at + total > records.length) throw new Error(`partial batch at ${at}: ${total} bytes, ${records.length - at} left`);
    const bytes = records.subarray(at, at + total);
    const crcValid = bytes.readUInt32BE(BatchHeader.CRC) === crc32c(bytes.subarray(BatchHeader.CRC_START));
    batches.push({ baseOffset: batchBaseOffset(bytes), lastOffset: batchBaseOffset(bytes) + batchLastOffsetDelta(bytes), bytes, crcValid });
    at += total;
  }
  return batches;
}

/** A batch whose payload is determined by a label, so a test can check what it reads back. */
export function labelledBatch(label: string, recordCount = 1, timestamp = 1_700_000_000_000, valueBytes = 0): Buffer {
  const records: TestRecord[] = [];
  for (let i = 0; i < recordCount; i++) {
    const value = `${label}#${i}`;
    records.push({ key: label, value: valueBytes > value.length ? value.padEnd(valueBytes, ".") : value, timestamp });
  }
  return buildBatch(records);
}

/** The bytes of a stored batch from CRC_START on: what the producer sent, without the offset the log stamped. */
export function payloadOf(batch: Buffer): Buffer {
  return batch.subarray(BatchHeader.CRC_START);
}

function toBytes(value: string | Buffer | null): Buffer | null {
  return value === null ? null : typeof value === "string" ? Buffer.from(value) : value;
}

function varint(value: number): Buffer {
  let zigzag = BigInt.asUintN(64, (BigInt(value) << 1n) ^ (BigInt(value) >> 63n));
  const bytes: number[] = [];
  while (zigzag >= 0x80n) {
    bytes.push(Number((zigzag & 0x7fn) | 0x80n));
    zigzag >>= 7n;
  }
  bytes.push(Number(zigzag));
  return Buffer.from(bytes);
}
