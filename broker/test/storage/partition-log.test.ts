import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { BatchHeader, batchBaseOffset } from "../../src/protocol/records/batch-header";
import { ErrorCode, KafkaError } from "../../src/protocol/errors";
import { ManualClock } from "../../src/runtime/clock";
import { PartitionLog } from "../../src/storage/partition-log";
import { FaultyFileSystem } from "../helpers/faulty-fs";
import { buildBatch, labelledBatch, produceRequest, splitBatches } from "./batches";
import { appendEach, appendLabels, labelOf, openLog, readAll, TEST_CONFIG } from "./log-fixtures";
import { realRuntime } from "../helpers/runtime";

const DIR = "/data/orders-0";

function isKafkaError(code: keyof typeof ErrorCode) {
  return (error: unknown) => error instanceof KafkaError && error.code === ErrorCode[code];
}

function labels(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

describe("PartitionLog appends", () => {
  test("append assigns consecutive offsets, stamps each batch's base offset and returns the first and last offset", () => {
    const log = openLog(new FaultyFileSystem());
    const request = produceRequest(labelledBatch("a", 3), labelledBatch("b", 2));
    assert.deepEqual(log.append(request.records, request.batches), { baseOffset: 0, lastOffset: 4 });
    assert.equal(batchBaseOffset(request.records, 0), 0);
    assert.equal(batchBaseOffset(request.records, request.batches[1].at), 3);
    assert.deepEqual(appendLabels(log, ["c"], { recordCount: 4 }), [5]);
    assert.equal(log.logEndOffset, 9);
    assert.equal(log.logStartOffset, 0);
  });

  test("append stamps the partition leader epoch when given, outside the CRC", () => {
    const log = openLog(new FaultyFileSystem());
    const request = produceRequest(labelledBatch("a"));
    log.append(request.records, request.batches, { partitionLeaderEpoch: 7 });
    const [batch] = splitBatches(log.read(0, 1000).records);
    assert.equal(batch.bytes.readInt32BE(BatchHeader.PARTITION_LEADER_EPOCH), 7);
    assert.ok(batch.crcValid, "batch.crcValid");
  });

  test("append refuses batch descriptions that do not match the bytes (a caller bug, not a client error)", () => {
    const log = openLog(new FaultyFileSystem());
    const request = produceRequest(labelledBatch("a"), labelledBatch("b"));
    assert.throws(() => log.append(request.records, [request.batches[1], request.batches[0]]), /laid end to end/);
    assert.throws(() => log.append(request.records, [{ ...request.batches[0], bytes: request.batches[0].bytes - 1 }]), /bytes long/);
    assert.throws(() => log.append(request.records, [{ ...request.batches[0], lastOffsetDelta: 5 }]), /lastOffsetDelta/);
    assert.throws(() => log.append(request.records, []), /at least one batch/);
    assert.equal(log.logEndOffset, 0);
  });

  test("appends roll to a new segment when the active one would pass segment.bytes, named by base offset", () => {
    const fs = new FaultyFileSystem();
    const log = openLog(fs, { segmentBytes: 1000 });
    for (const label of labels("m", 30)) appendLabels(log, [label], { valueBytes: 100 });
    assert.ok(log.segmentCount > 3, `${log.segmentCount} segments`);
    const files = fs.readdirSync(DIR);
    for (const base of log.segmentBaseOffsets) {
      const name = String(base).padStart(20, "0");
      assert.ok(files.includes(`${name}.log`) && files.includes(`${name}.index`) && files.includes(`${name}.timeindex`), name);
      assert.ok(fs.statSync(path.posix.join(DIR, `${name}.log`)).size <= 1000, `${name}.log is within segment.bytes`);
    }
    assert.deepEqual(readAll(log).map((batch) => labelOf(batch.bytes)), labels("m", 30));
  });

  test("a batch larger than segment.bytes still goes into a segment of its own", () => {
    const log = openLog(new FaultyFileSystem(), { segmentBytes: 200 });
    appendLabels(log, ["small"]);
    appendLabels(log, ["big"], { valueBytes: 1000 });
    appendLabels(log, ["after"]);
    assert.equal(log.segmentCount, 3);
    assert.deepEqual(readAll(log).map((batch) => labelOf(batch.bytes)), ["small", "big", "after"]);
  });

  test("appends roll when the active segment is older than segment.ms", () => {
    const clock = new ManualClock(1_000_000);
    const log = openLog(new FaultyFileSystem(), { segmentMs: 60_000 }, clock);
    appendLabels(log, ["a"]);
    clock.advance(60_000);
    appendLabels(log, ["b"]);
    assert.equal(log.segmentCount, 1, "exactly segment.ms old does not roll yet");
    clock.advance(1);
    appendLabels(log, ["c"]);
    assert.deepEqual(log.segmentBaseOffsets, [0, 2]);
    clock.advance(60_001);
    assert.equal(log.maybeRoll(), true, "maybeRoll rolls an old segment without an append");
    assert.deepEqual(log.segmentBaseOffsets, [0, 2, 3]);
    assert.equal(log.maybeRoll(clock.nowMs() + 10 * 60_000), false, "an empty active segment never rolls");
  });
});

describe("PartitionLog reads", () => {
  test("read returns the whole batch that holds the offset, with firstOffset at the batch's base", () => {
    const log = openLog(new FaultyFileSystem());
    appendLabels(log, ["a", "b"], { recordCount: 5 });
    for (let offset = 0; offset < 10; offset++) {
      const { records, firstOffset } = log.read(offset, 1);
      const [batch, ...rest] = splitBatches(records);
      assert.equal(rest.length, 0);
      assert.equal(firstOffset, offset < 5 ? 0 : 5);
      assert.equal(batch.baseOffset, firstOffset);
      assert.equal(labelOf(batch.bytes), offset < 5 ? "a" : "b");
    }
  });

  test("read honours maxBytes with whole batches only, but always returns at least one batch", () => {
    const log = openLog(new FaultyFileSystem());
    appendLabels(log, labels("x", 10), { valueBytes: 100 });
    const batchBytes = log.read(0, 1).records.length;
    assert.ok(batchBytes > 100, "batchBytes > 100");
    assert.equal(splitBatches(log.read(0, 0).records).length, 1, "maxBytes 0 still gets one batch");
    assert.equal(splitBatches(log.read(0, batchBytes - 1).records).length, 1, "a batch larger than maxBytes comes whole");
    assert.equal(splitBatches(log.read(0, 3 * batchBytes).records).length, 3);
    assert.equal(splitBatches(log.read(0, 3 * batchBytes + batchBytes - 1).records).length, 3, "no partial batch at the end");
    assert.equal(splitBatches(log.read(4, 1 << 20).records).length, 6);
  });

  test("read spans segments up to maxBytes", () => {
    const log = openLog(new FaultyFileSystem(), { segmentBytes: 500 });
    appendEach(log, labels("s", 12), { valueBytes: 100 });
    assert.ok(log.segmentCount >= 4, "log.segmentCount >= 4");
    const { records, firstOffset } = log.read(0, 1 << 20);
    assert.equal(firstOffset, 0);
    assert.deepEqual(splitBatches(records).map((batch) => labelOf(batch.bytes)), labels("s", 12));
    assert.ok(splitBatches(records).every((batch) => batch.crcValid), "splitBatches(records).every((batch) => batch.crcValid)");
  });

  test("read at the log end is empty; below the log start or past the log end is OFFSET_OUT_OF_RANGE", () => {
    const log = openLog(new FaultyFileSystem());
    assert.deepEqual(log.read(0, 100), { records: Buffer.alloc(0), firstOffset: 0 });
    appendLabels(log, ["a", "b", "c"]);
    assert.equal(log.read(3, 100).records.length, 0);
    assert.throws(() => log.read(4, 100), isKafkaError("OFFSET_OUT_OF_RANGE"));
    assert.throws(() => log.read(-1, 100), isKafkaError("OFFSET_OUT_OF_RANGE"));
    log.deleteRecordsBefore(2);
    assert.throws(() => log.read(1, 100), isKafkaError("OFFSET_OUT_OF_RANGE"));
    assert.equal(splitBatches(log.read(2, 100).records)[0].baseOffset, 2);
  });

  test("read leaves out batches that reach maxOffset (the high watermark bound)", () => {
    const log = openLog(new FaultyFileSystem());
    appendLabels(log, ["a", "b", "c"], { recordCount: 2 }); // offsets 0-1, 2-3, 4-5
    assert.deepEqual(splitBatches(log.read(0, 1 << 20, { maxOffset: 4 }).records).map((batch) => batch.baseOffset), [0, 2]);
    assert.deepEqual(splitBatches(log.read(0, 1 << 20, { maxOffset: 3 }).records).map((batch) => batch.baseOffset), [0]);
    assert.equal(log.read(2, 1 << 20, { maxOffset: 3 }).records.length, 0, "a batch straddling maxOffset is not served");
    assert.equal(log.read(4, 1 << 20, { maxOffset: 4 }).records.length, 0);
  });

  test("reads find batches through the sparse offset index and agree with a linear scan at every offset", () => {
    const fs = new FaultyFileSystem({ seed: 7 });
    const log = openLog(fs, { indexIntervalBytes: 256, segmentBytes: 8 * 1024 });
    const expected = new Map<number, string>();
    let seed = 1;
    for (let i = 0; i < 200; i++) {
      seed = (seed * 48271) % 0x7fffffff;
      const count = 1 + (seed % 4);
      const [offset] = appendLabels(log, [`r${i}`], { recordCount: count, valueBytes: seed % 200 });
      for (let k = 0; k < count; k++) expected.set(offset + k, `r${i}`);
    }
    const indexFile = path.posix.join(DIR, "00000000000000000000.index");
    assert.ok(fs.fileBytes(indexFile).length >= 8 * 10, "the index has entries");
    for (const [offset, label] of expected) {
      const [batch] = splitBatches(log.read(offset, 0).records);
      assert.equal(labelOf(batch.bytes), label, `offset ${offset}`);
      assert.ok(batch.baseOffset <= offset && offset <= batch.lastOffset, "batch.baseOffset <= offset && offset <= batch.lastOffset");
    }
  });

  test("reads reuse one open descriptor per segment instead of opening files", () => {
    const fs = new FaultyFileSystem();
    const log = openLog(fs, { segmentBytes: 600 });
    appendEach(log, labels("d", 20), { valueBytes: 100 });
    const opensBefore = fs.openCount;
    for (let offset = 0; offset < 20; offset++) log.read(offset, 1 << 20);
    assert.equal(fs.openCount, opensBefore);
    // One .log per segment; the indexes are in memory and hold none.
    assert.equal(fs.openFdCount, log.segmentCount);
  });
});

describe("PartitionLog timestamp lookups", () => {
  function timedLog(fs = new FaultyFileSystem()) {
    const log = openLog(fs, { segmentBytes: 300, indexIntervalBytes: 128 });
    // Batch i holds records at 1000 + 10*i + (0, 3, 6); batch 5 also has an out-of-order old record.
    for (let i = 0; i < 12; i++) {
      const base = 1000 + 10 * i;
      const records = [0, 3, 6].map((delta) => ({ key: `t${i}`, value: `v${delta}`, timestamp: base + delta }));
      if (i === 5) records.push({ key: `t${i}`, value: "late", timestamp: 500 });
      const request = produceRequest(buildBatch(records));
      log.append(request.records, request.batches);
    }
    return log;
  }

  test("offsetForTimestamp finds the first record at or after the timestamp, across segments", () => {
    const log = timedLog();
    assert.ok(log.segmentCount > 2, "log.segmentCount > 2");
    assert.deepEqual(log.offsetForTimestamp(0), { offset: 0, timestamp: 1000 });
    assert.deepEqual(log.offsetForTimestamp(1000), { offset: 0, timestamp: 1000 });
    assert.deepEqual(log.offsetForTimestamp(1001), { offset: 1, timestamp: 1003 });
    assert.deepEqual(log.offsetForTimestamp(1007), { offset: 3, timestamp: 1010 });
    // Batch 5 starts at offset 15 (batches 0-4 have 3 records each).
    assert.deepEqual(log.offsetForTimestamp(1054), { offset: 17, timestamp: 1056 });
    assert.deepEqual(log.offsetForTimestamp(1116), { offset: 36, timestamp: 1116 });
    assert.equal(log.offsetForTimestamp(1117), null);
  });

  test("offsetForTimestamp never answers below the log start offset", () => {
    const log = timedLog();
    log.deleteRecordsBefore(4);
    assert.deepEqual(log.offsetForTimestamp(0), { offset: 4, timestamp: 1013 });
  });

  test("maxTimestampOffset is the first record with the largest timestamp, null when the log is empty", () => {
    assert.equal(openLog(new FaultyFileSystem()).maxTimestampOffset(), null);
    const log = timedLog();
    assert.deepEqual(log.maxTimestampOffset(), { offset: 36, timestamp: 1116 });
    const request = produceRequest(buildBatch([{ value: "old", timestamp: 5 }]));
    log.append(request.records, request.batches);
    assert.deepEqual(log.maxTimestampOffset(), { offset: 36, timestamp: 1116 });
  });

  test("maxTimestampOffset looks past records deleted by DeleteRecords", () => {
    const log = openLog(new FaultyFileSystem());
    for (const timestamp of [900, 100, 200]) {
      const request = produceRequest(buildBatch([{ value: "v", timestamp }]));
      log.append(request.records, request.batches);
    }
    log.deleteRecordsBefore(1);
    assert.deepEqual(log.maxTimestampOffset(), { offset: 2, timestamp: 200 });
  });

  test("timestamp lookups survive a reopen (clean and after a crash)", () => {
    const fs = new FaultyFileSystem();
    timedLog(fs).close();
    let log = openLog(fs, { segmentBytes: 300, indexIntervalBytes: 128 });
    assert.deepEqual(log.offsetForTimestamp(1054), { offset: 17, timestamp: 1056 });
    assert.deepEqual(log.maxTimestampOffset(), { offset: 36, timestamp: 1116 });
    log.flush();
    fs.crash();
    log = openLog(fs, { segmentBytes: 300, indexIntervalBytes: 128 });
    assert.deepEqual(log.offsetForTimestamp(1054), { offset: 17, timestamp: 1056 });
    assert.deepEqual(log.maxTimestampOffset(), { offset: 36, timestamp: 1116 });
  });
});

describe("PartitionLog indexes on reopen", () => {
  test("deleted .index and .timeindex files are rebuilt on open and lookups still work", () => {
    const fs = new FaultyFileSystem();
    let log = openLog(fs, { segmentBytes: 2000, indexIntervalBytes: 100 });
    for (let i = 0; i < 40; i++) {
      const request = produceRequest(buildBatch([{ key: `k${i}`, value: "x".repeat(50), timestamp: 10_000 + i }]));
      log.append(request.records, request.batches);
    }
    log.close();
    const before = new Map(fs.readdirSync(DIR).filter((name) => /index$/.test(name)).map((name) => [name, fs.fileBytes(path.posix.join(DIR, name))]));
    for (const name of before.keys()) fs.unlinkSync(path.posix.join(DIR, name));
    log = openLog(fs, { segmentBytes: 2000, indexIntervalBytes: 100 });
    assert.deepEqual(log.offsetForTimestamp(10_025), { offset: 25, timestamp: 10_025 });
    assert.equal(splitBatches(log.read(33, 0).records)[0].baseOffset, 33);
    // The active segment's rebuilt indexes reach the disk with the next seal or clean close.
    log.close();
    for (const [name, bytes] of before) assert.deepEqual(fs.fileBytes(path.posix.join(DIR, name)), bytes, `${name} rebuilt as it was`);
  });

  test("an index whose entries point at the wrong batch is rebuilt", () => {
    const fs = new FaultyFileSystem();
    let log = openLog(fs, { segmentBytes: 2000, indexIntervalBytes: 100 });
    appendEach(log, labels("i", 40), { valueBytes: 50 });
    log.close();
    const index = path.posix.join(DIR, "00000000000000000000.index");
    const bytes = fs.fileBytes(index);
    bytes.writeInt32BE(bytes.readInt32BE(bytes.length - 4) + 1, bytes.length - 4); // last entry's position, off by one
    fs.writeFileSync(index, bytes);
    log = openLog(fs, { segmentBytes: 2000, indexIntervalBytes: 100 });
    assert.deepEqual(readAll(log).map((batch) => labelOf(batch.bytes)), labels("i", 40).slice(0, log.logEndOffset));
    for (let offset = 0; offset < log.logEndOffset; offset++) assert.equal(splitBatches(log.read(offset, 0).records)[0].baseOffset, offset);
  });

  test("close leaves a clean-shutdown marker that stays while nothing changes and goes before the first append", () => {
    const fs = new FaultyFileSystem();
    const marker = path.posix.join(DIR, ".clean-shutdown");
    let log = openLog(fs);
    appendLabels(log, ["a"]);
    log.close();
    assert.ok(fs.existsSync(marker), "marker after close");
    log = openLog(fs);
    assert.deepEqual(readAll(log).map((batch) => labelOf(batch.bytes)), ["a"]);
    log.close();
    assert.ok(fs.existsSync(marker), "marker after an open and close that changed nothing");
    log = openLog(fs);
    appendLabels(log, ["b"]);
    assert.ok(!fs.existsSync(marker), "no marker once the log changed");
    fs.crash();
    log = openLog(fs);
    assert.deepEqual(readAll(log).map((batch) => labelOf(batch.bytes)), ["a"]);
  });

  test("a closed log refuses use with a retriable error", () => {
    const log = openLog(new FaultyFileSystem());
    log.close();
    assert.throws(() => log.read(0, 10), isKafkaError("UNKNOWN_TOPIC_OR_PARTITION"));
  });
});

describe("PartitionLog retention", () => {
  test("time retention deletes the oldest segments whose newest record is older than retention.ms and moves the log start", () => {
    const clock = new ManualClock(0);
    const fs = new FaultyFileSystem({ clock });
    const log = openLog(fs, { segmentBytes: 400, retentionMs: 1000 }, clock);
    for (let i = 0; i < 12; i++) {
      const request = produceRequest(buildBatch([{ key: `r${i}`, value: "x".repeat(100), timestamp: i * 100 }]));
      log.append(request.records, request.batches);
    }
    const segmentsBefore = log.segmentBaseOffsets;
    assert.ok(segmentsBefore.length >= 4, "segmentsBefore.length >= 4");
    assert.equal(log.applyRetention(1000), 0, "nothing is older than 1000 ms at t=1000");
    const deleted = log.applyRetention(1650); // records up to t=600 are expired
    assert.ok(deleted > 0, "deleted > 0");
    assert.equal(log.segmentCount, segmentsBefore.length - deleted);
    assert.equal(log.logStartOffset, log.segmentBaseOffsets[0]);
    for (const batch of readAll(log)) {
      assert.ok(batch.baseOffset >= log.logStartOffset, "batch.baseOffset >= log.logStartOffset");
    }
    // Every record newer than the cutoff is still there.
    for (let offset = 7; offset < 12; offset++) assert.equal(splitBatches(log.read(offset, 0).records)[0].baseOffset, offset);
    assert.ok(!fs.existsSync(path.posix.join(DIR, "00000000000000000000.log")), "the first segment's file is gone");
  });

  test("time retention rolls an expired active segment, so an idle partition empties but keeps its offsets", () => {
    const log = openLog(new FaultyFileSystem(), { retentionMs: 1000 });
    for (let i = 0; i < 3; i++) {
      const request = produceRequest(buildBatch([{ value: "v", timestamp: 100 }]));
      log.append(request.records, request.batches);
    }
    assert.equal(log.applyRetention(5000), 1);
    assert.equal(log.segmentCount, 1);
    assert.equal(log.logStartOffset, 3);
    assert.equal(log.logEndOffset, 3);
    assert.equal(log.sizeBytes, 0);
    assert.equal(appendLabels(log, ["next"])[0], 3);
  });

  test("size retention deletes the oldest segments while the log stays at or above retention.bytes without them", () => {
    const log = openLog(new FaultyFileSystem(), { segmentBytes: 500, retentionBytes: 1200 });
    appendEach(log, labels("z", 20), { valueBytes: 100 });
    assert.ok(log.sizeBytes > 2000, "log.sizeBytes > 2000");
    const deleted = log.applyRetention();
    assert.ok(deleted > 0, "deleted > 0");
    assert.ok(log.sizeBytes >= 1200, `kept ${log.sizeBytes}`);
    assert.equal(log.logStartOffset, log.segmentBaseOffsets[0]);
    assert.equal(log.applyRetention(), 0, "a second pass finds nothing more");
    assert.deepEqual(readAll(log).map((batch) => labelOf(batch.bytes)), labels("z", 20).slice(log.logStartOffset));
  });

  test("retention never deletes the active segment for size", () => {
    const log = openLog(new FaultyFileSystem(), { retentionBytes: 0 });
    appendLabels(log, labels("a", 5));
    assert.equal(log.applyRetention(), 0);
    assert.equal(log.segmentCount, 1);
    assert.equal(log.logEndOffset, 5);
  });

  test("file.delete.delay.ms renames deleted segments to .deleted before unlinking them", async () => {
    const fs = new FaultyFileSystem();
    const log = openLog(fs, { segmentBytes: 300, retentionBytes: 0, fileDeleteDelayMs: 20 });
    appendEach(log, labels("q", 6), { valueBytes: 100 });
    log.applyRetention();
    assert.ok(fs.readdirSync(DIR).some((name) => name.endsWith(".log.deleted")), "fs.readdirSync(DIR).some((name) => name.endsWith(\".log.deleted\"))");
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.ok(!fs.readdirSync(DIR).some((name) => name.endsWith(".deleted")), "!fs.readdirSync(DIR).some((name) => name.endsWith(\".deleted\"))");
  });
});

describe("PartitionLog DeleteRecords", () => {
  test("deleteRecordsBefore moves the log start forward only and deletes whole segments below it", () => {
    const fs = new FaultyFileSystem();
    const log = openLog(fs, { segmentBytes: 500 });
    appendEach(log, labels("d", 20), { valueBytes: 100 });
    const bases = log.segmentBaseOffsets;
    const target = bases[2] + 1;
    assert.equal(log.deleteRecordsBefore(target), target);
    assert.equal(log.logStartOffset, target);
    assert.deepEqual(log.segmentBaseOffsets, bases.slice(2), "the segment holding the new start stays");
    assert.equal(log.deleteRecordsBefore(1), target, "never backwards");
    assert.throws(() => log.deleteRecordsBefore(21), isKafkaError("OFFSET_OUT_OF_RANGE"));
    assert.equal(log.deleteRecordsBefore(20), 20);
    assert.equal(log.segmentCount, 1);
    assert.equal(log.read(20, 100).records.length, 0);
  });

  test("the log start offset survives a clean reopen and a crash", () => {
    const fs = new FaultyFileSystem();
    let log = openLog(fs, { segmentBytes: 500 });
    appendEach(log, labels("p", 10), { valueBytes: 100 });
    log.deleteRecordsBefore(4);
    log.close();
    log = openLog(fs, { segmentBytes: 500 });
    assert.equal(log.logStartOffset, 4);
    assert.throws(() => log.read(3, 10), isKafkaError("OFFSET_OUT_OF_RANGE"));
    log.deleteRecordsBefore(6);
    fs.crash();
    log = openLog(fs, { segmentBytes: 500 });
    assert.equal(log.logStartOffset, 6);
    assert.equal(log.logEndOffset, 10);
  });

  test("a log start past the data a crash lost starts the log empty at that offset, never reusing offsets", () => {
    const fs = new FaultyFileSystem();
    let log = openLog(fs);
    appendLabels(log, labels("u", 5));
    log.deleteRecordsBefore(5); // nothing was flushed
    fs.crash();
    log = openLog(fs);
    assert.equal(log.logStartOffset, 5);
    assert.equal(log.logEndOffset, 5);
    assert.equal(appendLabels(log, ["v"])[0], 5);
  });
});

describe("PartitionLog flushing and failures", () => {
  test("flush.messages fsyncs after that many messages", () => {
    const fs = new FaultyFileSystem();
    const log = openLog(fs, { flushIntervalMessages: 3 });
    const before = fs.fsyncCount;
    appendLabels(log, ["a", "b"]);
    assert.equal(fs.fsyncCount, before);
    appendLabels(log, ["c"]);
    assert.ok(fs.fsyncCount > before, "fs.fsyncCount > before");
    assert.equal(fs.unsyncedBytes, 0);
  });

  test("flush.ms fsyncs on the scheduler's tick once the interval has passed", () => {
    const clock = new ManualClock(0);
    const fs = new FaultyFileSystem();
    const log = openLog(fs, { flushIntervalMs: 1000 }, clock);
    appendLabels(log, ["a"]);
    log.tick();
    assert.ok(fs.unsyncedBytes > 0, "fs.unsyncedBytes > 0");
    clock.advance(1000);
    log.tick();
    assert.equal(fs.unsyncedBytes, 0);
  });

  test("an I/O error takes the log offline with KAFKA_STORAGE_ERROR, and a restart recovers it", () => {
    const fs = new FaultyFileSystem();
    let log = openLog(fs);
    appendLabels(log, ["a"]);
    log.flush();
    fs.failNext("writeSync", { pathIncludes: ".log", code: "ENOSPC" });
    assert.throws(() => appendLabels(log, ["b"]), isKafkaError("KAFKA_STORAGE_ERROR"));
    assert.throws(() => appendLabels(log, ["c"]), isKafkaError("KAFKA_STORAGE_ERROR"));
    assert.throws(() => log.read(0, 100), isKafkaError("KAFKA_STORAGE_ERROR"));
    log.close();
    assert.ok(!fs.existsSync(path.posix.join(DIR, ".clean-shutdown")), "an offline log is not closed cleanly");
    log = openLog(fs);
    assert.equal(log.logEndOffset, 1);
    assert.equal(appendLabels(log, ["b"])[0], 1);
  });

  test("a failed fsync takes the log offline", () => {
    const fs = new FaultyFileSystem();
    const log = openLog(fs);
    appendLabels(log, ["a"]);
    fs.failNext("fsyncSync");
    assert.throws(() => log.flush(), isKafkaError("KAFKA_STORAGE_ERROR"));
    assert.throws(() => appendLabels(log, ["b"]), isKafkaError("KAFKA_STORAGE_ERROR"));
  });

  test("delete closes the log and removes its directory", () => {
    const fs = new FaultyFileSystem();
    const log = openLog(fs);
    appendLabels(log, ["a"]);
    log.delete();
    assert.ok(!fs.existsSync(DIR), "!fs.existsSync(DIR)");
    assert.deepEqual(fs.readdirSync("/data"), []);
    assert.equal(fs.openFdCount, 0);
  });

  test("updateConfig takes effect on the next append", () => {
    const log = openLog(new FaultyFileSystem());
    appendLabels(log, ["a"], { valueBytes: 300 });
    log.updateConfig({ ...TEST_CONFIG, segmentBytes: 300 });
    appendLabels(log, ["b"], { valueBytes: 300 });
    assert.equal(log.segmentCount, 2);
    assert.throws(() => log.updateConfig({ ...TEST_CONFIG, segmentBytes: 0 }), /segmentBytes/);
  });
});

describe("PartitionLog on the real file system", () => {
  test("appends, closes, reopens and reads back from a temp dir", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "sluice-log-"));
    try {
      const dir = path.join(root, "orders-3");
      let log = PartitionLog.open(dir, { ...TEST_CONFIG, segmentBytes: 2000, indexIntervalBytes: 100 }, realRuntime);
      assert.equal(log.topic, "orders");
      assert.equal(log.partition, 3);
      appendEach(log, labels("f", 50), { valueBytes: 60 });
      log.deleteRecordsBefore(5);
      log.close();
      assert.ok(existsSync(path.join(dir, "00000000000000000000.log")), "segment file on disk");
      log = PartitionLog.open(dir, { ...TEST_CONFIG, segmentBytes: 2000, indexIntervalBytes: 100 }, realRuntime);
      assert.equal(log.logStartOffset, 5);
      assert.deepEqual(readAll(log).map((batch) => labelOf(batch.bytes)), labels("f", 50).slice(5));
      log.delete();
      assert.deepEqual(readdirSync(root), []);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
