import assert from "node:assert/strict";
import type { Clock } from "../../src/runtime/clock";
import type { FileSystem } from "../../src/runtime/fs";
import { PartitionLog, type LogConfig } from "../../src/storage/partition-log";
import { labelledBatch, produceRequest, splitBatches } from "./batches";
import { realRuntime } from "../helpers/runtime";

export const DAY_MS = 24 * 60 * 60 * 1000;

export const TEST_CONFIG: LogConfig = {
  segmentBytes: 1024 * 1024,
  segmentMs: 7 * DAY_MS,
  retentionMs: -1,
  retentionBytes: -1,
  indexIntervalBytes: 4096,
  flushIntervalMessages: Number.MAX_SAFE_INTEGER,
  flushIntervalMs: Number.MAX_SAFE_INTEGER,
};

export function openLog(fs: FileSystem, overrides: Partial<LogConfig> = {}, clock?: Clock, dir = "/data/orders-0"): PartitionLog {
  return PartitionLog.open(dir, { ...TEST_CONFIG, ...overrides }, { ...realRuntime, fs, clock: clock ?? realRuntime.clock });
}

/** Appends one batch per label (each of `recordCount` records) in one request; returns each batch's base offset. */
export function appendLabels(
  log: PartitionLog,
  labels: readonly string[],
  options: { recordCount?: number; timestamp?: number; valueBytes?: number } = {},
): number[] {
  const batches = labels.map((label) => labelledBatch(label, options.recordCount ?? 1, options.timestamp, options.valueBytes));
  const request = produceRequest(...batches);
  const { baseOffset } = log.append(request.records, request.batches);
  const offsets: number[] = [];
  let next = baseOffset;
  for (const batch of request.batches) {
    offsets.push(next);
    next += batch.lastOffsetDelta + 1;
  }
  return offsets;
}

/** Appends one single-batch request per label; returns each batch's base offset. */
export function appendEach(
  log: PartitionLog,
  labels: readonly string[],
  options: { recordCount?: number; timestamp?: number; valueBytes?: number } = {},
): number[] {
  return labels.map((label) => appendLabels(log, [label], options)[0]);
}

/** Every batch from the log start to the log end, read in chunks of `maxBytes`. */
export function readAll(log: PartitionLog, maxBytes = 64 * 1024): ReturnType<typeof splitBatches> {
  const batches: ReturnType<typeof splitBatches> = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { records } = log.read(offset, maxBytes);
    assert.ok(records.length > 0, `read at ${offset} below the log end ${log.logEndOffset} returned nothing`);
    for (const batch of splitBatches(records)) {
      if (batch.lastOffset < offset) continue;
      batches.push(batch);
      offset = batch.lastOffset + 1;
    }
  }
  return batches;
}

/** The label a labelledBatch carries (its key). */
export function labelOf(batch: Buffer): string {
  // Record layout after the 61-byte header: length, attributes, timestampDelta, offsetDelta, keyLength, key.
  let at = 61;
  const readVarint = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = batch[at++];
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
    }
    return (result >>> 1) ^ -(result & 1);
  };
  readVarint(); // length
  at++; // attributes
  readVarint(); // timestampDelta
  readVarint(); // offsetDelta
  const keyLength = readVarint();
  return batch.subarray(at, at + keyLength).toString();
}
