import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { BatchHeader } from "../../src/protocol/records/batch-header";
import { KafkaError } from "../../src/protocol/errors";
import { ManualClock } from "../../src/runtime/clock";
import type { LogConfig, PartitionLog } from "../../src/storage/partition-log";
import { FaultyFileSystem, seededRandom } from "../helpers/faulty-fs";
import { buildBatch, labelledBatch, payloadOf, produceRequest, splitBatches } from "./batches";
import { appendEach, labelOf, openLog, readAll } from "./log-fixtures";

const DIR = "/data/orders-0";
const SEGMENT = (base: number, suffix: string) => path.posix.join(DIR, `${String(base).padStart(20, "0")}${suffix}`);

/** What a workload did, as a producer and an operator saw it. */
interface History {
  /** Payloads by base offset of every append attempted, acknowledged or not. */
  attempted: Map<number, Buffer>;
  /** Base offset -> last offset of acknowledged appends. */
  acked: Map<number, number>;
  /** Every offset below this was acknowledged and then flushed. */
  flushedEnd: number;
  /** The highest log start offset asked for (DeleteRecords) or reached (retention). */
  startOffsetMax: number;
}

/**
 * A seeded random workload: appends of 1-3 batches of 1-4 records with
 * values up to 300 bytes, flushes, time passing (rolls), DeleteRecords and
 * size retention. It stops at the first storage error (the power went out).
 */
function runWorkload(log: PartitionLog, clock: ManualClock, seed: number, steps: number, history: History): void {
  const random = seededRandom(seed * 7919 + 13);
  const pick = (n: number) => Math.floor(random() * n);
  try {
    for (let step = 0; step < steps; step++) {
      const action = random();
      if (action < 0.7) {
        const batches = Array.from({ length: 1 + pick(3) }, (_, i) =>
          buildBatch(
            Array.from({ length: 1 + pick(4) }, (_, r) => ({
              key: `s${seed}-${step}-${i}`,
              value: `v${r}`.padEnd(pick(300), "~"),
              timestamp: clock.nowMs() + pick(50),
            })),
          ),
        );
        const request = produceRequest(...batches);
        let next = log.logEndOffset;
        for (const batch of request.batches) {
          history.attempted.set(next, Buffer.from(payloadOf(request.records.subarray(batch.at, batch.at + batch.bytes))));
          next += batch.lastOffsetDelta + 1;
        }
        const { baseOffset } = log.append(request.records, request.batches);
        next = baseOffset;
        for (const batch of request.batches) {
          history.acked.set(next, next + batch.lastOffsetDelta);
          next += batch.lastOffsetDelta + 1;
        }
      } else if (action < 0.85) {
        const end = log.logEndOffset;
        log.flush();
        history.flushedEnd = end;
      } else if (action < 0.93) {
        clock.advance(pick(2000));
        log.maybeRoll();
      } else if (action < 0.97) {
        const target = log.logStartOffset + pick(log.logEndOffset - log.logStartOffset + 1);
        history.startOffsetMax = Math.max(history.startOffsetMax, target);
        log.deleteRecordsBefore(target);
      } else {
        // Cut short, retention may have deleted any segment but the active one.
        const previous = history.startOffsetMax;
        history.startOffsetMax = Math.max(previous, log.segmentBaseOffsets[log.segmentCount - 1]);
        log.applyRetention();
        history.startOffsetMax = Math.max(previous, log.logStartOffset);
      }
    }
  } catch (error) {
    if (!(error instanceof KafkaError && error.message.includes("I/O error"))) throw error;
  }
}

/** After recovery: nothing flushed is lost, nothing partial or foreign is served, and the log takes appends again. */
function checkRecovered(log: PartitionLog, history: History, context: string): void {
  assert.ok(log.logStartOffset <= history.startOffsetMax, `${context}: log start ${log.logStartOffset} moved past ${history.startOffsetMax}`);
  assert.ok(log.logEndOffset >= Math.max(history.flushedEnd, log.logStartOffset), `${context}: log end ${log.logEndOffset} below flushed ${history.flushedEnd}`);
  const batches = readAll(log);
  let expected = log.logStartOffset;
  for (const batch of batches) {
    assert.ok(batch.crcValid, `${context}: batch at ${batch.baseOffset} fails its CRC`);
    assert.ok(batch.baseOffset <= expected && batch.lastOffset >= expected, `${context}: offsets jump from ${expected} to ${batch.baseOffset}`);
    const payload = history.attempted.get(batch.baseOffset);
    assert.ok(payload, `${context}: batch at ${batch.baseOffset} was never appended`);
    assert.ok(payloadOf(batch.bytes).equals(payload), `${context}: batch at ${batch.baseOffset} holds other bytes`);
    expected = batch.lastOffset + 1;
  }
  assert.equal(expected, log.logEndOffset, `${context}: the batches end at ${expected}, the log at ${log.logEndOffset}`);
  const present = new Set(batches.map((batch) => batch.baseOffset));
  for (const [baseOffset, lastOffset] of history.acked) {
    if (lastOffset < history.flushedEnd && lastOffset >= log.logStartOffset)
      assert.ok(present.has(baseOffset), `${context}: flushed batch ${baseOffset}-${lastOffset} is lost`);
  }
  const end = log.logEndOffset;
  const request = produceRequest(labelledBatch("after-recovery", 2));
  assert.equal(log.append(request.records, request.batches).baseOffset, end, `${context}: appends resume at the log end`);
  const [again] = splitBatches(log.read(end, 0).records);
  assert.equal(labelOf(again.bytes), "after-recovery", context);
}

function newHistory(): History {
  return { attempted: new Map(), acked: new Map(), flushedEnd: 0, startOffsetMax: 0 };
}

function workloadConfig(seed: number): Partial<LogConfig> {
  const random = seededRandom(seed);
  return {
    segmentBytes: 400 + Math.floor(random() * 3000),
    segmentMs: 1000 + Math.floor(random() * 5000),
    indexIntervalBytes: [0, 64, 512, 4096][Math.floor(random() * 4)],
    retentionBytes: random() < 0.3 ? 2000 + Math.floor(random() * 4000) : -1,
    flushIntervalMessages: random() < 0.2 ? 1 + Math.floor(random() * 10) : Number.MAX_SAFE_INTEGER,
  };
}

describe("PartitionLog recovery", () => {
  test("a crash loses only unflushed appends: every flushed batch survives and appends resume", () => {
    const fs = new FaultyFileSystem();
    let log = openLog(fs, { segmentBytes: 600 });
    appendEach(log, ["a", "b", "c", "d", "e", "f"], { valueBytes: 100 });
    log.flush();
    appendEach(log, ["g", "h"], { valueBytes: 100 });
    const rolledBefore = log.segmentCount;
    fs.crash();
    log = openLog(fs, { segmentBytes: 600 });
    assert.ok(log.logEndOffset >= 6 && log.logEndOffset <= 8, `log end ${log.logEndOffset}`);
    assert.deepEqual(readAll(log).map((batch) => labelOf(batch.bytes)).slice(0, 6), ["a", "b", "c", "d", "e", "f"]);
    assert.ok(log.segmentCount <= rolledBefore, "no segment appears from nowhere");
    assert.equal(appendEach(log, ["i"])[0], log.logEndOffset - 1);
  });

  test("a torn tail is cut at the last whole batch, whatever prefix of the unsynced bytes reached the disk", () => {
    for (let keep = 0; keep <= 400; keep += 7) {
      const fs = new FaultyFileSystem();
      let log = openLog(fs);
      appendEach(log, ["a", "b"], { valueBytes: 50 });
      log.flush();
      appendEach(log, ["c", "d", "e"], { valueBytes: 50 });
      fs.crash({ tornBytes: keep });
      log = openLog(fs);
      const labels = readAll(log).map((batch) => labelOf(batch.bytes));
      assert.deepEqual(labels, ["a", "b", "c", "d", "e"].slice(0, labels.length), `keep ${keep}`);
      assert.ok(labels.length >= 2, `keep ${keep}: flushed batches survive`);
      const logSize = fs.fileBytes(SEGMENT(0, ".log")).length;
      assert.equal(logSize, log.sizeBytes, `keep ${keep}: the file is truncated to whole batches`);
      checkRecovered(log, { attempted: new Map(readAll(log).map((b) => [b.baseOffset, Buffer.from(payloadOf(b.bytes))])), acked: new Map(), flushedEnd: 2, startOffsetMax: 0 }, `keep ${keep}`);
    }
  });

  test("recovery at 300 seeded crash points with torn writes: flushed batches survive, no partial batch is served, appends resume", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const clock = new ManualClock(1_000_000);
      const fs = new FaultyFileSystem({ seed, clock });
      const config = workloadConfig(seed);
      const history = newHistory();
      const log = openLog(fs, config, clock);
      runWorkload(log, clock, seed, 5 + (seed % 60), history);
      if (config.flushIntervalMessages === 1) history.flushedEnd = Math.max(history.flushedEnd, log.logEndOffset);
      fs.crash({ tornBytes: true });
      const recovered = openLog(fs, config, clock);
      checkRecovered(recovered, history, `seed ${seed}`);
      const end = recovered.logEndOffset;
      const batchCount = readAll(recovered).length;
      recovered.close();
      const reopened = openLog(fs, config, clock);
      assert.equal(reopened.logEndOffset, end, `seed ${seed}: a clean reopen keeps the log end`);
      assert.equal(readAll(reopened).length, batchCount, `seed ${seed}: a clean reopen keeps every batch`);
    }
  });

  test("a power cut before any system call of a workload (rolls, flushes, retention, DeleteRecords) never loses a flushed batch", () => {
    let points = 0;
    for (const seed of [3, 11, 42]) {
      const config = workloadConfig(seed);
      // Count the workload's mutating calls on a dry run, then cut the power before each one in turn.
      const dry = new FaultyFileSystem({ seed });
      const dryClock = new ManualClock(1_000_000);
      const dryLog = openLog(dry, config, dryClock);
      const opened = dry.mutationCount;
      runWorkload(dryLog, dryClock, seed, 40, newHistory());
      const total = dry.mutationCount;
      for (let cut = opened; cut <= total; cut++) {
        const clock = new ManualClock(1_000_000);
        const fs = new FaultyFileSystem({ seed: seed * 1000 + cut, clock });
        const history = newHistory();
        const log = openLog(fs, config, clock);
        fs.cutPowerAfter(cut - opened);
        runWorkload(log, clock, seed, 40, history);
        if (config.flushIntervalMessages === 1) history.flushedEnd = Math.max(history.flushedEnd, log.logEndOffset);
        fs.crash({ tornBytes: true });
        checkRecovered(openLog(fs, config, clock), history, `seed ${seed}, power cut after ${cut} calls`);
        points++;
      }
    }
    assert.ok(points > 100, `${points} crash points`);
  });

  test("a zero-filled tail (the file grew but its data never landed) is truncated", () => {
    const fs = new FaultyFileSystem();
    let log = openLog(fs);
    appendEach(log, ["a", "b"]);
    log.flush();
    const fd = fs.openSync(SEGMENT(0, ".log"), "r+");
    fs.writeSync(fd, Buffer.alloc(300), 0, 300, log.sizeBytes);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.crash();
    log = openLog(fs);
    assert.equal(log.logEndOffset, 2);
    assert.equal(fs.fileBytes(SEGMENT(0, ".log")).length, log.sizeBytes);
  });

  test("a batch whose CRC does not match truncates the last segment from that batch on", () => {
    const fs = new FaultyFileSystem();
    let log = openLog(fs);
    appendEach(log, ["a", "b", "c", "d"]);
    const second = readAll(log)[1];
    const thirdPosition = readAll(log).slice(0, 2).reduce((sum, batch) => sum + batch.bytes.length, 0);
    log.flush();
    fs.crash();
    const bytes = fs.fileBytes(SEGMENT(0, ".log"));
    bytes[thirdPosition + BatchHeader.SIZE + 2] ^= 0xff; // a record byte of the third batch
    fs.writeFileSync(SEGMENT(0, ".log"), bytes);
    log = openLog(fs);
    assert.equal(log.logEndOffset, 2);
    assert.ok(readAll(log)[1].bytes.equals(second.bytes), "the batches before the corrupt one are intact");
    assert.equal(appendEach(log, ["e"])[0], 2);
  });

  test("truncation also drops index entries past the new end, so lookups never point beyond the log", () => {
    const fs = new FaultyFileSystem();
    let log = openLog(fs, { indexIntervalBytes: 0 });
    appendEach(log, ["a", "b"]);
    log.flush();
    appendEach(log, ["c", "d", "e", "f"]);
    // Index entries for all six batches reach the disk, the log bytes of the last four do not.
    const entries = Buffer.alloc(6 * 8);
    for (let i = 0; i < 6; i++) {
      entries.writeInt32BE(i, i * 8);
      entries.writeInt32BE(i * 72, i * 8 + 4);
    }
    const indexFd = fs.openSync(SEGMENT(0, ".index"), "r+");
    fs.writeSync(indexFd, entries, 0, entries.length, 0);
    fs.fsyncSync(indexFd);
    fs.closeSync(indexFd);
    fs.crash();
    log = openLog(fs, { indexIntervalBytes: 0 });
    assert.equal(log.logEndOffset, 2);
    assert.equal(log.read(2, 100).records.length, 0);
    assert.deepEqual(appendEach(log, ["g", "h"]), [2, 3]);
    assert.deepEqual(readAll(log).map((batch) => labelOf(batch.bytes)), ["a", "b", "g", "h"]);
    // The rebuilt index replaces the stale file whole when the segment is sealed: one entry per batch kept, none from c-f.
    log.close();
    const index = fs.fileBytes(SEGMENT(0, ".index"));
    assert.deepEqual(
      Array.from({ length: index.length / 8 }, (_, i) => index.readInt32BE(i * 8)),
      [0, 1],
    );
  });

  test("a crash during a roll leaves a log that loads: the sealed segment was fsynced before the new one existed", () => {
    for (let cut = 0; cut < 12; cut++) {
      const fs = new FaultyFileSystem({ seed: cut });
      const clock = new ManualClock(0);
      let log = openLog(fs, { segmentMs: 10 }, clock);
      appendEach(log, ["a", "b"]);
      clock.advance(11);
      fs.cutPowerAfter(cut);
      try {
        log.maybeRoll();
        appendEach(log, ["c"]);
      } catch (error) {
        assert.ok(error instanceof KafkaError, String(error));
      }
      fs.crash({ tornBytes: true });
      log = openLog(fs, { segmentMs: 10 }, clock);
      const labels = readAll(log).map((batch) => labelOf(batch.bytes));
      assert.deepEqual(labels, ["a", "b", "c"].slice(0, labels.length), `cut ${cut}`);
      assert.ok(log.logEndOffset === labels.length, `cut ${cut}`);
    }
  });
});
