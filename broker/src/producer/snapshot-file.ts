import { crc32c } from "../protocol/records/crc32c";
import { BATCHES_RETAINED_PER_PRODUCER, type ProducerEntry } from "./producer-table";

/**
 * A producer state snapshot, `<offset, 20 digits>.snapshot` in the partition
 * directory (Kafka's name): the state of every producer after replaying the
 * log up to `offset` (exclusive). Loading starts from the newest snapshot at
 * or below the log end and replays the batches after it.
 *
 * Layout, big-endian:
 *   version int16 (1) | crc uint32 (CRC-32C of everything after it) |
 *   offset int64 | producerCount int32 |
 *   per producer: producerId int64 | epoch int16 | lastWriteMs int64 | batchCount int8 |
 *     per batch: firstSequence int32 | lastSequence int32 | firstOffset int64 | lastOffset int64 | timestampMs int64
 */
export const SNAPSHOT_SUFFIX = ".snapshot";
const VERSION = 1;
const HEADER_BYTES = 2 + 4 + 8 + 4;
const PRODUCER_BYTES = 8 + 2 + 8 + 1;
const BATCH_BYTES = 4 + 4 + 8 + 8 + 8;
const SNAPSHOT_NAME = /^(\d{20})\.snapshot$/;

export class CorruptSnapshotError extends Error {
  override readonly name = "CorruptSnapshotError";
}

export function snapshotFileName(offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`bad snapshot offset ${offset}`);
  return String(offset).padStart(20, "0") + SNAPSHOT_SUFFIX;
}

export function parseSnapshotFileName(name: string): number | null {
  const match = SNAPSHOT_NAME.exec(name);
  if (!match) return null;
  const offset = Number(match[1]);
  return Number.isSafeInteger(offset) ? offset : null;
}

export function encodeSnapshot(offset: number, entries: Iterable<ProducerEntry>): Buffer {
  const list = [...entries];
  let bytes = HEADER_BYTES;
  for (const entry of list) bytes += PRODUCER_BYTES + entry.batches.length * BATCH_BYTES;
  const buffer = Buffer.alloc(bytes);
  buffer.writeInt16BE(VERSION, 0);
  buffer.writeBigInt64BE(BigInt(offset), 6);
  buffer.writeInt32BE(list.length, 14);
  let at = HEADER_BYTES;
  for (const entry of list) {
    buffer.writeBigInt64BE(BigInt(entry.producerId), at);
    buffer.writeInt16BE(entry.epoch, at + 8);
    buffer.writeBigInt64BE(BigInt(Math.trunc(entry.lastWriteMs)), at + 10);
    buffer.writeInt8(entry.batches.length, at + 18);
    at += PRODUCER_BYTES;
    for (const batch of entry.batches) {
      buffer.writeInt32BE(batch.firstSequence, at);
      buffer.writeInt32BE(batch.lastSequence, at + 4);
      buffer.writeBigInt64BE(BigInt(batch.firstOffset), at + 8);
      buffer.writeBigInt64BE(BigInt(batch.lastOffset), at + 16);
      buffer.writeBigInt64BE(BigInt(batch.timestampMs), at + 24);
      at += BATCH_BYTES;
    }
  }
  buffer.writeUInt32BE(crc32c(buffer.subarray(6)), 2);
  return buffer;
}

export function decodeSnapshot(buffer: Buffer): { offset: number; entries: ProducerEntry[] } {
  if (buffer.length < HEADER_BYTES) throw new CorruptSnapshotError(`${buffer.length} bytes, fewer than the header`);
  const version = buffer.readInt16BE(0);
  if (version !== VERSION) throw new CorruptSnapshotError(`version ${version}`);
  const stored = buffer.readUInt32BE(2);
  const computed = crc32c(buffer.subarray(6));
  if (stored !== computed) throw new CorruptSnapshotError(`CRC-32C ${computed} does not match the stored ${stored}`);
  const offset = safe(buffer.readBigInt64BE(6));
  const count = buffer.readInt32BE(14);
  const entries: ProducerEntry[] = [];
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + PRODUCER_BYTES > buffer.length) throw new CorruptSnapshotError(`producer ${i} is cut short`);
    const producerId = safe(buffer.readBigInt64BE(at));
    const epoch = buffer.readInt16BE(at + 8);
    const lastWriteMs = safe(buffer.readBigInt64BE(at + 10));
    const batchCount = buffer.readInt8(at + 18);
    at += PRODUCER_BYTES;
    if (batchCount < 0 || batchCount > BATCHES_RETAINED_PER_PRODUCER || at + batchCount * BATCH_BYTES > buffer.length)
      throw new CorruptSnapshotError(`producer ${producerId} has ${batchCount} batches`);
    const batches = [];
    for (let b = 0; b < batchCount; b++) {
      batches.push({
        firstSequence: buffer.readInt32BE(at),
        lastSequence: buffer.readInt32BE(at + 4),
        firstOffset: safe(buffer.readBigInt64BE(at + 8)),
        lastOffset: safe(buffer.readBigInt64BE(at + 16)),
        timestampMs: safe(buffer.readBigInt64BE(at + 24)),
      });
      at += BATCH_BYTES;
    }
    entries.push({ producerId, epoch, lastWriteMs, batches });
  }
  if (at !== buffer.length) throw new CorruptSnapshotError(`${buffer.length - at} trailing bytes`);
  return { offset, entries };
}

function safe(value: bigint): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new CorruptSnapshotError(`${value} is beyond 2^53`);
  return number;
}
