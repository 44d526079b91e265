import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CompressionType } from "../../src/protocol/records/batch-header";
import { decodeRecordBatches, encodeRecordBatch, validateProducedRecords } from "../../src/protocol/records/record-batch";
import { PartitionProducerState } from "../../src/producer/partition-producer-state";
import { ManualClock } from "../../src/runtime/clock";
import { cleanLog, cleanLogSliced } from "../../src/storage/log-cleaner";
import type { LogConfig, PartitionLog } from "../../src/storage/partition-log";
import { FaultyFileSystem } from "../helpers/faulty-fs";
import { openLog } from "./log-fixtures";
import { realRuntime } from "../helpers/runtime";

const T0 = 1_700_000_000_000;
const DELETE_RETENTION_MS = 60_000;

function compactConfig(overrides: Partial<LogConfig> = {}): Partial<LogConfig> {
  return {
    segmentBytes: 4096,
    segmentMs: 1000,
    flushIntervalMessages: 1,
    cleanupPolicy: ["compact"],
    compaction: { deleteRetentionMs: DELETE_RETENTION_MS, minCleanableDirtyRatio: 0, minCompactionLagMs: 0, maxCompactionLagMs: Number.MAX_SAFE_INTEGER },
    ...overrides,
  };
}

/** Appends one batch of keyed records (value null = tombstone); returns the base offset. */
function put(log: PartitionLog, records: Array<[string, string | null]>, timestamp: number, compression: number = CompressionType.NONE): number {
  const batch = encodeRecordBatch({ baseTimestamp: timestamp, compression, records: records.map(([key, value]) => ({ key, value, timestamp })) });
  return log.append(batch, validateProducedRecords(batch, { maxMessageBytes: 1 << 20 })).baseOffset;
}

/** Every record in the log: offset -> [key, value]. */
function contents(log: PartitionLog): Map<number, [string, string | null]> {
  const out = new Map<number, [string, string | null]>();
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { records } = log.read(offset, 1 << 20);
    if (records.length === 0) break;
    for (const batch of decodeRecordBatches(records)) {
      for (const record of batch.records) out.set(batch.baseOffset + record.offsetDelta, [record.key!.toString(), record.value?.toString() ?? null]);
      offset = batch.baseOffset + batch.lastOffsetDelta + 1;
    }
  }
  return out;
}

/** The latest record of each key as written: key -> [offset, value]. */
function latestByKey(written: Map<number, [string, string | null]>): Map<string, [number, string | null]> {
  const latest = new Map<string, [number, string | null]>();
  for (const [offset, [key, value]] of [...written].sort((a, b) => a[0] - b[0])) latest.set(key, [offset, value]);
  return latest;
}

/** Writes `rounds` overwrites of `keys` keys, then rolls so that everything is sealed. */
function overwrite(log: PartitionLog, clock: ManualClock, keys: number, rounds: number, compression: number = CompressionType.NONE) {
  const written = new Map<number, [string, string | null]>();
  for (let round = 0; round < rounds; round++) {
    const records: Array<[string, string | null]> = [];
    for (let k = 0; k < keys; k++) records.push([`key-${k}`, `value-${k}-${round}`.padEnd(40, ".")]);
    // Two batches per round, so that a batch can lose some records and keep others.
    const half = Math.ceil(keys / 2);
    const base = put(log, records.slice(0, half), clock.nowMs(), compression);
    const base2 = put(log, records.slice(half), clock.nowMs(), compression);
    records.forEach((record, i) => written.set(i < half ? base + i : base2 + i - half, record));
    clock.advance(10);
  }
  clock.advance(2000);
  log.maybeRoll(clock.nowMs());
  return written;
}

describe("log cleaner", () => {
  it("keeps only the latest record of each key, at its original offset", () => {
    const fs = new FaultyFileSystem();
    const clock = new ManualClock(T0);
    const log = openLog(fs, compactConfig(), clock);
    const written = overwrite(log, clock, 10, 60);
    const sizeBefore = log.sizeBytes;
    const outcome = cleanLog(log, clock.nowMs(), { fs, logger: () => {} });
    assert.ok(outcome.cleaned && outcome.segmentsRewritten > 0, JSON.stringify(outcome));
    const after = contents(log);
    const expected = new Map([...latestByKey(written)].map(([key, [offset, value]]) => [offset, [key, value] as [string, string | null]]));
    assert.deepEqual(after, expected);
    assert.ok(log.sizeBytes < sizeBefore / 10, `${log.sizeBytes} bytes after, ${sizeBefore} before`);
    assert.equal(log.logEndOffset, 600);
    log.close();
  });

  it("recompresses compressed batches with their codec", () => {
    for (const codec of [CompressionType.GZIP, CompressionType.SNAPPY, CompressionType.LZ4, CompressionType.ZSTD]) {
      const fs = new FaultyFileSystem();
      const clock = new ManualClock(T0);
      const log = openLog(fs, compactConfig(), clock);
      const written = overwrite(log, clock, 6, 40, codec);
      cleanLog(log, clock.nowMs(), { fs, logger: () => {} });
      const { records } = log.read(log.logStartOffset, 1 << 20);
      for (const batch of decodeRecordBatches(records)) assert.equal(batch.attributes & 0x07, codec, `codec ${codec}`);
      const expected = new Map([...latestByKey(written)].map(([key, [offset, value]]) => [offset, [key, value] as [string, string | null]]));
      assert.deepEqual(contents(log), expected);
      log.close();
    }
  });

  it("keeps a tombstone for delete.retention.ms, then removes it", () => {
    const fs = new FaultyFileSystem();
    const clock = new ManualClock(T0);
    const log = openLog(fs, compactConfig(), clock);
    put(log, [["gone", "v1"], ["stays", "v1"]], clock.nowMs());
    const tombstoneOffset = put(log, [["gone", null]], clock.nowMs());
    clock.advance(2000);
    log.maybeRoll(clock.nowMs());
    cleanLog(log, clock.nowMs(), { fs, logger: () => {} });
    assert.deepEqual([...contents(log)], [[1, ["stays", "v1"]], [tombstoneOffset, ["gone", null]]]);
    // Nothing new was written, but the tombstone falls due: the cleaner runs again for it.
    clock.advance(DELETE_RETENTION_MS);
    const outcome = cleanLog(log, clock.nowMs(), { fs, logger: () => {} });
    assert.ok(outcome.cleaned, JSON.stringify(outcome));
    assert.deepEqual([...contents(log)], [[1, ["stays", "v1"]]]);
    log.close();
  });

  it("respects min.cleanable.dirty.ratio and min.compaction.lag.ms, and never touches the active segment", () => {
    const fs = new FaultyFileSystem();
    const clock = new ManualClock(T0);
    const lagged = openLog(fs, compactConfig({ compaction: { deleteRetentionMs: 0, minCleanableDirtyRatio: 0, minCompactionLagMs: 3_600_000, maxCompactionLagMs: Number.MAX_SAFE_INTEGER } }), clock);
    overwrite(lagged, clock, 4, 30);
    assert.deepEqual(cleanLog(lagged, clock.nowMs(), { fs, logger: () => {} }), { cleaned: false, reason: "within min.compaction.lag.ms" });
    lagged.close();

    const fs2 = new FaultyFileSystem();
    const log = openLog(fs2, compactConfig({ compaction: { deleteRetentionMs: 0, minCleanableDirtyRatio: 0.9, minCompactionLagMs: 0, maxCompactionLagMs: Number.MAX_SAFE_INTEGER } }), clock);
    overwrite(log, clock, 4, 30);
    assert.ok(cleanLog(log, clock.nowMs(), { fs: fs2, logger: () => {} }).cleaned, "a log never cleaned is all dirty");
    // Active segment data is never cleaned: these overwrites stay until a roll.
    put(log, [["key-0", "x"]], clock.nowMs());
    put(log, [["key-0", "y"]], clock.nowMs());
    assert.deepEqual(cleanLog(log, clock.nowMs(), { fs: fs2, logger: () => {} }), { cleaned: false, reason: "below min.cleanable.dirty.ratio" });
    assert.equal([...contents(log).values()].filter(([key]) => key === "key-0").length, 3);
    log.close();
  });

  for (const merging of [false, true]) {
    it(`a crash at any point of ${merging ? "a pass that merges cleaned segments" : "cleaning"} loses nothing: the log holds the old or the cleaned segments, and the next pass finishes`, () => {
      let cuts = 0;
      for (let cut = 1; ; cut++) {
        const fs = new FaultyFileSystem();
        const clock = new ManualClock(T0);
        let log = openLog(fs, compactConfig(), clock);
        const written = overwrite(log, clock, 5, 30);
        if (merging) {
          // The first pass shrinks every segment; the next one merges them into one.
          cleanLog(log, clock.nowMs(), { fs, logger: () => {} });
          for (const [offset, record] of overwrite(log, clock, 5, 30)) written.set(offset, record);
        }
        log.flush();
        const before = contents(log);
        const segmentsBefore = log.segmentCount;
        fs.cutPowerAfter(cut);
        let finished = false;
        try {
          cleanLog(log, clock.nowMs(), { fs, logger: () => {} });
          finished = true;
        } catch {
          // The power went out mid-clean.
        }
        fs.crash();
        log = openLog(fs, compactConfig(), clock);
        const recovered = contents(log);
        // Every record still there is one that was written, at its offset; every key's latest record is there.
        for (const [offset, record] of recovered) assert.deepEqual(record, before.get(offset), `cut ${cut}: offset ${offset}`);
        for (const [key, [offset, value]] of latestByKey(written)) assert.deepEqual(recovered.get(offset), [key, value], `cut ${cut}: ${key}`);
        assert.equal(log.logEndOffset, merging ? 300 : 150, `cut ${cut}`);
        cleanLog(log, clock.nowMs(), { fs, logger: () => {} });
        assert.equal(contents(log).size, 5, `cut ${cut}: one record per key after the next pass`);
        assert.deepEqual(fs.readdirSync("/data/orders-0").filter((name) => name.endsWith(".cleaned") || name.endsWith(".swap")), []);
        if (finished && merging) assert.ok(log.segmentCount < segmentsBefore, `merged: ${segmentsBefore} -> ${log.segmentCount} segments`);
        log.close();
        cuts++;
        if (finished) break;
      }
      assert.ok(cuts > 20, `${cuts} crash points`);
    });
  }
});

describe("log cleaner and idempotent producers", () => {
  it("keeps the last batch of each producer (emptied of its records), so producer state rebuilt from the log still deduplicates", () => {
    const fs = new FaultyFileSystem();
    const clock = new ManualClock(T0);
    const log = openLog(fs, compactConfig(), clock);
    const produce = (sequence: number, key: string, compression: number) => {
      const batch = encodeRecordBatch({ producerId: 42, producerEpoch: 0, baseSequence: sequence, baseTimestamp: clock.nowMs(), compression, records: [{ key, value: `v${sequence}` }] });
      return log.append(batch, validateProducedRecords(batch, { maxMessageBytes: 1 << 20 })).baseOffset;
    };
    for (let sequence = 0; sequence < 50; sequence++) produce(sequence, "same-key", CompressionType.GZIP);
    const lastOffset = produce(50, "other", CompressionType.GZIP);
    put(log, [["other", "newer"]], clock.nowMs());
    clock.advance(2000);
    log.maybeRoll(clock.nowMs());
    cleanLog(log, clock.nowMs(), { fs, logger: () => {} });
    assert.deepEqual([...contents(log).values()], [["same-key", "v49"], ["other", "newer"]]);
    // The producer's last batch survives as a bare header at its offset.
    const { records } = log.read(lastOffset, 1 << 20);
    const [empty] = decodeRecordBatches(records);
    assert.deepEqual([empty.baseOffset, empty.records.length, empty.producerId, empty.baseSequence, empty.attributes & 0x07], [lastOffset, 0, 42, 50, 0]);
    // A second pass reads the bare header without trouble.
    put(log, [["other", "newest"]], clock.nowMs());
    clock.advance(2000);
    log.maybeRoll(clock.nowMs());
    cleanLog(log, clock.nowMs(), { fs, logger: () => {} });
    const producers = PartitionProducerState.load(log, { fs, logger: () => {} });
    assert.deepEqual(producers.table.check({ producerId: 42, producerEpoch: 0, baseSequence: 50, lastOffsetDelta: 0 }), {
      kind: "duplicate",
      firstOffset: lastOffset,
      lastOffset,
    });
    log.close();
  });
});

describe("log cleaner limits", () => {
  it("a pass stops after bytesPerPassMax (at least one dirty segment); later passes finish the log", () => {
    const fs = new FaultyFileSystem();
    const clock = new ManualClock(T0);
    const log = openLog(fs, compactConfig(), clock);
    const written = overwrite(log, clock, 8, 60);
    const first = cleanLog(log, clock.nowMs(), { fs, logger: () => {} }, { bytesPerPassMax: 1 });
    assert.ok(first.cleaned && first.cleanedUpTo < log.activeSegmentBaseOffset, JSON.stringify(first));
    let passes = 1;
    for (;;) {
      const outcome = cleanLog(log, clock.nowMs(), { fs, logger: () => {} }, { bytesPerPassMax: 1 });
      passes++;
      if (!outcome.cleaned || outcome.cleanedUpTo === log.activeSegmentBaseOffset) break;
      assert.ok(passes < 100, "passes make progress");
    }
    cleanLog(log, clock.nowMs(), { fs, logger: () => {} });
    const expected = new Map([...latestByKey(written)].map(([key, [offset, value]]) => [offset, [key, value] as [string, string | null]]));
    assert.deepEqual(contents(log), expected);
    assert.ok(passes > 2, `${passes} passes`);
    log.close();
  });
});

describe("log cleaner, sliced", () => {
  const quiet = () => {};

  /** The same writes, on a disk of their own. */
  function filledLog() {
    const fs = new FaultyFileSystem();
    const clock = new ManualClock(T0);
    const log = openLog(fs, compactConfig(), clock);
    const written = overwrite(log, clock, 40, 100);
    return { fs, clock, log, written };
  }

  it("gives the same log as a pass at once, while timers and appends run between its slices", async () => {
    const atOnce = filledLog();
    const sliced = filledLog();
    assert.ok(atOnce.log.segmentCount > 50, `a large-ish log: ${atOnce.log.segmentCount} segments`);
    const expectedOutcome = cleanLog(atOnce.log, atOnce.clock.nowMs(), { fs: atOnce.fs, logger: quiet });
    assert.ok(expectedOutcome.cleaned, JSON.stringify(expectedOutcome));

    const endBefore = sliced.log.logEndOffset;
    let ticks = 0;
    let appendedDuringPass = -1;
    const timer = setInterval(() => {
      ticks++;
      if (appendedDuringPass < 0) appendedDuringPass = put(sliced.log, [["during", "the pass"]], sliced.clock.nowMs());
    }, 1);
    let outcome;
    try {
      const pass = cleanLogSliced(sliced.log, sliced.clock.nowMs(), { fs: sliced.fs, logger: quiet, scheduler: realRuntime.scheduler }, { sliceBudgetMs: 0 });
      // Nothing of the pass's waiting has run yet: whatever ticks now ran between its slices.
      assert.equal(ticks, 0);
      outcome = await pass;
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks >= 2, `the timer fired ${ticks} times during the pass`);
    assert.deepEqual(outcome, expectedOutcome);
    assert.equal(appendedDuringPass, endBefore, "the append during the pass went to the log end");
    const afterSliced = contents(sliced.log);
    assert.deepEqual(afterSliced.get(appendedDuringPass), ["during", "the pass"]);
    afterSliced.delete(appendedDuringPass);
    assert.deepEqual(afterSliced, contents(atOnce.log));
    assert.deepEqual(sliced.log.segmentBaseOffsets.slice(0, -1), atOnce.log.segmentBaseOffsets.slice(0, -1));
    atOnce.log.close();
    sliced.log.close();
  });

  it("fsyncs each cleaned file off the event loop when the file system can, and a failing fsync leaves no cleaned file behind", async () => {
    /** The faulty disk with an fsync that completes on a later turn of the loop, as node's does on its thread pool. */
    class AsyncFsyncFileSystem extends FaultyFileSystem {
      fsyncCalls = 0;
      failFsync = false;
      fsync(fd: number): Promise<void> {
        this.fsyncCalls++;
        return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
          if (this.failFsync) throw new Error("injected fsync failure");
          this.fsyncSync(fd);
        });
      }
    }
    const atOnce = filledLog();
    const expectedOutcome = cleanLog(atOnce.log, atOnce.clock.nowMs(), { fs: atOnce.fs, logger: quiet });
    assert.ok(expectedOutcome.cleaned);

    for (const failFsync of [true, false]) {
      const fs = new AsyncFsyncFileSystem();
      fs.failFsync = failFsync;
      const clock = new ManualClock(T0);
      const log = openLog(fs, compactConfig(), clock);
      overwrite(log, clock, 40, 100);
      const before = contents(log);
      // The system scheduler's timers do not hold the process open; this one does, for the test's await.
      const keepAlive = setInterval(() => {}, 1000);
      const pass = cleanLogSliced(log, clock.nowMs(), { fs, logger: quiet, scheduler: realRuntime.scheduler }).finally(() => clearInterval(keepAlive));
      if (failFsync) {
        await assert.rejects(pass, /injected fsync failure/);
        assert.equal(fs.fsyncCalls, 1);
        assert.deepEqual(fs.readdirSync(log.dir).filter((name) => name.endsWith(".cleaned") || name.endsWith(".swap")), []);
        assert.deepEqual(contents(log), before);
      } else {
        assert.deepEqual(await pass, expectedOutcome);
        assert.ok(fs.fsyncCalls >= 1, `${fs.fsyncCalls} fsyncs off the loop`);
        assert.deepEqual(contents(log), contents(atOnce.log));
      }
      log.close();
    }
    atOnce.log.close();
  });

  it("stops without changing anything when DeleteRecords moves the log start under it, and the next pass cleans", async () => {
    const { fs, clock, log, written } = filledLog();
    const before = contents(log);
    // The second batch's base (20 keys a batch): reads from there hold nothing below it.
    const newStart = 20;
    let deleted = false;
    const timer = setInterval(() => {
      if (deleted) return;
      deleted = true;
      log.deleteRecordsBefore(newStart);
    }, 1);
    let outcome;
    try {
      outcome = await cleanLogSliced(log, clock.nowMs(), { fs, logger: quiet, scheduler: realRuntime.scheduler }, { sliceBudgetMs: 0 });
    } finally {
      clearInterval(timer);
    }
    assert.deepEqual(outcome, { cleaned: false, reason: "interrupted" });
    assert.deepEqual(fs.readdirSync(log.dir).filter((name) => name.endsWith(".cleaned") || name.endsWith(".swap")), []);
    for (const offset of before.keys()) if (offset < newStart) before.delete(offset);
    assert.deepEqual(contents(log), before);

    assert.ok(cleanLog(log, clock.nowMs(), { fs, logger: quiet }).cleaned);
    const expected = new Map([...latestByKey(written)].map(([key, [offset, value]]) => [offset, [key, value] as [string, string | null]]));
    assert.deepEqual(contents(log), expected);
    log.close();
  });
});
