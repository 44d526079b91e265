/**
 * Storage throughput on the real file system: PartitionLog appends of 1 MiB
 * batches of 100-byte records (page cache only, and fsynced per batch),
 * sequential and random reads, small-batch appends, and the recovery scan
 * of an unclean last segment.
 *
 *   npx tsx bench/storage.bench.ts [MiB to append, default 1024] [--dir <parent dir>] [--json <results file>]
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { encodeRecordBatch, type RecordInput } from "../src/protocol/records/record-batch";
import { batchLastOffsetDelta, batchMaxTimestamp, batchTotalBytes } from "../src/protocol/records/batch-header";
import { PartitionLog, type LogConfig } from "../src/storage/partition-log";
import { systemClock } from "../src/runtime/clock";
import { nodeFileSystem } from "../src/runtime/fs";
import { secureRandomBytes } from "../src/runtime/random";
import { systemScheduler } from "../src/runtime/scheduler";
import { CliArgs } from "./cli-args";

/** The bench measures the machine's own disk, clock and timers. */
const REAL_DISK = { fs: nodeFileSystem, clock: systemClock, scheduler: systemScheduler, random: secureRandomBytes };

const cli = new CliArgs();
const args = cli.rest;
const option = (name: string) => cli.option(name);
const parentDir = option("--dir") ?? os.tmpdir();
const jsonFile = option("--json");
const totalMiB = Number(args[0] ?? 1024);

const RECORD_BYTES = 100;
const BATCH_BYTES = 1 << 20;

const CONFIG: LogConfig = {
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  retentionMs: -1,
  retentionBytes: -1,
  indexIntervalBytes: 4096,
  flushIntervalMessages: Number.MAX_SAFE_INTEGER,
  flushIntervalMs: Number.MAX_SAFE_INTEGER,
};

/** ~100-byte records (length prefix included) filling a batch of about `batchBytes`. */
function makeBatch(batchBytes: number): { batch: Buffer; records: number } {
  const records: RecordInput[] = [];
  const now = Date.now();
  for (let total = 61; total + RECORD_BYTES <= batchBytes; total += RECORD_BYTES) {
    const i = records.length;
    const offsetDeltaBytes = i < 64 ? 1 : i < 8192 ? 2 : 3;
    const valueBytes = RECORD_BYTES - (2 + 1 + 1 + offsetDeltaBytes + 9 + 2 + 1);
    records.push({ key: `key${String(i % 100000).padStart(5, "0")}`, value: "v".repeat(valueBytes), timestamp: now });
  }
  return { batch: encodeRecordBatch({ now: Date.now(), records }), records: records.length };
}

function describeBatch(batch: Buffer) {
  return [{ at: 0, bytes: batchTotalBytes(batch), lastOffsetDelta: batchLastOffsetDelta(batch), maxTimestamp: batchMaxTimestamp(batch) }];
}

interface Row {
  case: string;
  mbPerSecond: number;
  recordsPerSecond?: number;
  opsPerSecond?: number;
  seconds: number;
  bytes: number;
}

const rows: Row[] = [];
function report(row: Row): void {
  rows.push(row);
  const parts = [
    row.case.padEnd(44),
    `${row.mbPerSecond.toFixed(0).padStart(6)} MB/s`,
    row.recordsPerSecond !== undefined ? `${(row.recordsPerSecond / 1e6).toFixed(2).padStart(6)} M records/s` : "".padStart(18),
    row.opsPerSecond !== undefined ? `${row.opsPerSecond.toFixed(0).padStart(8)} ops/s` : "",
    `(${(row.bytes / 1e6).toFixed(0)} MB in ${row.seconds.toFixed(2)} s)`,
  ];
  console.log(parts.join("  "));
}

function time(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const root = mkdtempSync(path.join(parentDir, "sluice-bench-"));
try {
  const { batch, records: recordsPerBatch } = makeBatch(BATCH_BYTES);
  const batches = describeBatch(batch);
  const batchCount = Math.max(1, Math.round((totalMiB * 1024 * 1024) / batch.length));
  console.log(
    `${batchCount} batches of ${batch.length} bytes (${recordsPerBatch} records of ${RECORD_BYTES} bytes), segment.bytes ${CONFIG.segmentBytes}, dir ${root}`,
  );

  // 0. The floor: plain positional writeSync of the same bytes, for comparison with 1.
  const rawFile = path.join(root, "raw.bin");
  const rawFd = openSync(rawFile, "w");
  const rawSeconds = time(() => {
    for (let i = 0; i < batchCount; i++) writeSync(rawFd, batch, 0, batch.length, i * batch.length);
  });
  fsyncSync(rawFd);
  closeSync(rawFd);
  unlinkSync(rawFile);
  report({
    case: "baseline: raw fs.writeSync of 1 MiB buffers",
    mbPerSecond: (batchCount * batch.length) / 1e6 / rawSeconds,
    seconds: rawSeconds,
    bytes: batchCount * batch.length,
  });

  // 1. Appends to the page cache, as acks=1/all promise.
  const log = PartitionLog.open(path.join(root, "bench-0"), CONFIG, REAL_DISK);
  const appendSeconds = time(() => {
    for (let i = 0; i < batchCount; i++) log.append(batch, batches);
  });
  report({
    case: "append 1 MiB batches (page cache)",
    mbPerSecond: (batchCount * batch.length) / 1e6 / appendSeconds,
    recordsPerSecond: (batchCount * recordsPerBatch) / appendSeconds,
    seconds: appendSeconds,
    bytes: batchCount * batch.length,
  });
  const flushSeconds = time(() => log.flush());
  console.log(`${"  then one flush() of it all".padEnd(44)}  ${flushSeconds.toFixed(2)} s`);

  // 2. Sequential reads of 1 MiB (what a consumer catching up does).
  let readBytes = 0;
  let reads = 0;
  const readSeconds = time(() => {
    for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
      const { records } = log.read(offset, BATCH_BYTES);
      readBytes += records.length;
      reads++;
      offset += recordsPerBatch * Math.max(1, Math.floor(records.length / batch.length));
    }
  });
  if (readBytes !== batchCount * batch.length) throw new Error(`read ${readBytes} bytes, appended ${batchCount * batch.length}`);
  report({
    case: "sequential read, maxBytes 1 MiB",
    mbPerSecond: readBytes / 1e6 / readSeconds,
    recordsPerSecond: (batchCount * recordsPerBatch) / readSeconds,
    opsPerSecond: reads / readSeconds,
    seconds: readSeconds,
    bytes: readBytes,
  });

  // 3. Random reads: an index lookup and a 1 MiB read each.
  let seed = 42;
  const randomReads = Math.min(2000, batchCount * 2);
  let randomBytes = 0;
  const randomSeconds = time(() => {
    for (let i = 0; i < randomReads; i++) {
      seed = (seed * 48271) % 0x7fffffff;
      const offset = log.logStartOffset + (seed % (log.logEndOffset - log.logStartOffset));
      randomBytes += log.read(offset, BATCH_BYTES).records.length;
    }
  });
  report({
    case: "random-offset read, maxBytes 1 MiB",
    mbPerSecond: randomBytes / 1e6 / randomSeconds,
    opsPerSecond: randomReads / randomSeconds,
    seconds: randomSeconds,
    bytes: randomBytes,
  });

  // 4. Timestamp lookups (ListOffsets), through the time index.
  const lookups = 2000;
  const lookupSeconds = time(() => {
    for (let i = 0; i < lookups; i++) log.offsetForTimestamp(0);
  });
  console.log(`${"offsetForTimestamp".padEnd(44)}  ${(lookups / lookupSeconds).toFixed(0).padStart(8)} ops/s`);

  log.close();

  // 5. Recovery: a single-segment log reopened without a clean shutdown is scanned and CRC-checked.
  const recoveryCount = Math.min(batchCount, 512);
  const unclean = PartitionLog.open(path.join(root, "unclean-0"), CONFIG, REAL_DISK);
  for (let i = 0; i < recoveryCount; i++) unclean.append(batch, batches);
  unclean.flush(); // left open: no clean-shutdown marker is written
  const recoverySeconds = time(() => PartitionLog.open(path.join(root, "unclean-0"), CONFIG, REAL_DISK).close());
  report({
    case: "recovery scan + CRC of an unclean segment",
    mbPerSecond: (recoveryCount * batch.length) / 1e6 / recoverySeconds,
    seconds: recoverySeconds,
    bytes: recoveryCount * batch.length,
  });

  // 6. Appends fsynced one by one (flush.messages=1): the disk's own speed.
  const syncedCount = Math.min(batchCount, 128);
  const synced = PartitionLog.open(path.join(root, "synced-0"), { ...CONFIG, flushIntervalMessages: 1 }, REAL_DISK);
  const syncedSeconds = time(() => {
    for (let i = 0; i < syncedCount; i++) synced.append(batch, batches);
  });
  synced.close();
  report({
    case: "append 1 MiB batches, fsync each",
    mbPerSecond: (syncedCount * batch.length) / 1e6 / syncedSeconds,
    recordsPerSecond: (syncedCount * recordsPerBatch) / syncedSeconds,
    seconds: syncedSeconds,
    bytes: syncedCount * batch.length,
  });

  // 7. Small batches (10 records, ~1 KiB), where per-append overhead shows.
  const small = makeBatch(1061);
  const smallBatches = describeBatch(small.batch);
  const smallCount = 200_000;
  const smallLog = PartitionLog.open(path.join(root, "small-0"), CONFIG, REAL_DISK);
  const smallSeconds = time(() => {
    for (let i = 0; i < smallCount; i++) smallLog.append(small.batch, smallBatches);
  });
  smallLog.close();
  report({
    case: `append ${small.records}-record batches (~1 KiB)`,
    mbPerSecond: (smallCount * small.batch.length) / 1e6 / smallSeconds,
    recordsPerSecond: (smallCount * small.records) / smallSeconds,
    opsPerSecond: smallCount / smallSeconds,
    seconds: smallSeconds,
    bytes: smallCount * small.batch.length,
  });

  if (jsonFile) {
    writeFileSync(jsonFile, JSON.stringify({ bench: "storage", date: new Date().toISOString(), node: process.version, rows }, null, 2));
    console.log(`results written to ${jsonFile}`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
