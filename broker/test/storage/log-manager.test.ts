import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { ManualClock } from "../../src/runtime/clock";
import { ManualScheduler } from "../../src/runtime/scheduler";
import { LogManager } from "../../src/storage/log-manager";
import { FaultyFileSystem } from "../helpers/faulty-fs";
import { buildBatch, produceRequest } from "./batches";
import { appendEach, readAll, TEST_CONFIG } from "./log-fixtures";
import { realRuntime } from "../helpers/runtime";

const DIRS = ["/disk-a", "/disk-b", "/disk-c"];

describe("LogManager", () => {
  test("getOrCreate places each new partition on the log dir holding the fewest, and returns the existing log after", () => {
    const fs = new FaultyFileSystem();
    const manager = new LogManager(DIRS, { ...realRuntime, fs });
    const logs = [0, 1, 2, 3, 4].map((partition) => manager.getOrCreate("orders", partition, TEST_CONFIG));
    assert.deepEqual(
      logs.map((log) => path.posix.dirname(log.dir)),
      ["/disk-a", "/disk-b", "/disk-c", "/disk-a", "/disk-b"],
    );
    assert.equal(manager.getOrCreate("orders", 3, TEST_CONFIG), logs[3]);
    assert.equal(manager.get("orders", 3), logs[3]);
    assert.equal(manager.get("orders", 9), undefined);
    assert.equal(logs[4].dir, "/disk-b/orders-4");
  });

  test("loadAll finds partitions after a restart, splitting directory names at the last '-'", () => {
    const fs = new FaultyFileSystem();
    let manager = new LogManager(DIRS, { ...realRuntime, fs });
    appendEach(manager.getOrCreate("my-topic-name", 0, TEST_CONFIG), ["a", "b"]);
    appendEach(manager.getOrCreate("my-topic-name", 10, TEST_CONFIG), ["c"]);
    manager.getOrCreate("x-1", 2, TEST_CONFIG);
    manager.closeAll();
    fs.mkdirSync("/disk-a/__cluster_metadata-0", { recursive: true });
    fs.mkdirSync("/disk-b/not a partition", { recursive: true });
    fs.writeFileSync("/disk-c/meta.properties", "node.id=1\n");
    fs.mkdirSync("/disk-c/gone-0.abcdef-delete", { recursive: true });

    manager = new LogManager(DIRS, { ...realRuntime, fs });
    const loaded = manager.loadAll({ exclude: ["__cluster_metadata-0"] });
    assert.deepEqual(
      loaded.map((log) => `${log.topic}/${log.partition}`).sort(),
      ["my-topic-name/0", "my-topic-name/10", "x-1/2"],
    );
    assert.equal(manager.get("my-topic-name", 0)!.logEndOffset, 2);
    assert.equal(manager.get("my-topic-name", 10)!.logEndOffset, 1);
    assert.ok(!fs.existsSync("/disk-c/gone-0.abcdef-delete"), "an interrupted delete is finished");
    assert.ok(fs.existsSync("/disk-a/__cluster_metadata-0"), "excluded directories are left alone");
    // New partitions still balance against what was loaded.
    assert.equal(path.posix.dirname(manager.getOrCreate("new", 0, TEST_CONFIG).dir), "/disk-a");
  });

  test("loadAll gives each log its topic's config when asked, Kafka's defaults otherwise", () => {
    const fs = new FaultyFileSystem();
    let manager = new LogManager(["/d"], { ...realRuntime, fs });
    appendEach(manager.getOrCreate("small", 0, TEST_CONFIG), ["a"], { valueBytes: 200 });
    manager.closeAll();
    manager = new LogManager(["/d"], { ...realRuntime, fs });
    manager.loadAll({ configFor: () => ({ ...TEST_CONFIG, segmentBytes: 100 }) });
    appendEach(manager.get("small", 0)!, ["b"]);
    assert.equal(manager.get("small", 0)!.segmentCount, 2);
  });

  test("a partition found in two log dirs is refused", () => {
    const fs = new FaultyFileSystem();
    fs.mkdirSync("/disk-a/orders-0", { recursive: true });
    fs.mkdirSync("/disk-b/orders-0", { recursive: true });
    assert.throws(() => new LogManager(DIRS, { ...realRuntime, fs }).loadAll(), /two log dirs/);
  });

  test("delete(topic) removes every partition directory of that topic and no other", () => {
    const fs = new FaultyFileSystem();
    const manager = new LogManager(DIRS, { ...realRuntime, fs });
    for (const partition of [0, 1, 2]) appendEach(manager.getOrCreate("orders", partition, TEST_CONFIG), ["a"]);
    appendEach(manager.getOrCreate("orders-eu", 0, TEST_CONFIG), ["b"]);
    manager.delete("orders");
    assert.deepEqual(manager.all().map((log) => log.topic), ["orders-eu"]);
    const remaining = DIRS.flatMap((dir) => fs.readdirSync(dir));
    assert.deepEqual(remaining, ["orders-eu-0"]);
  });

  test("sizeBytesByPartition reports every log dir with its partitions and their sizes", () => {
    const fs = new FaultyFileSystem();
    const manager = new LogManager(["/a", "/b"], { ...realRuntime, fs });
    const log = manager.getOrCreate("t", 0, TEST_CONFIG);
    appendEach(log, ["x", "y"]);
    manager.getOrCreate("t", 1, TEST_CONFIG);
    assert.deepEqual(manager.sizeBytesByPartition(), [
      { dir: "/a", partitions: [{ topic: "t", partition: 0, sizeBytes: log.sizeBytes }] },
      { dir: "/b", partitions: [{ topic: "t", partition: 1, sizeBytes: 0 }] },
    ]);
    assert.ok(log.sizeBytes > 0, "sizes are real");
  });

  test("closeAll flushes every log so nothing is lost even if the machine crashes right after", () => {
    const fs = new FaultyFileSystem();
    let manager = new LogManager(DIRS, { ...realRuntime, fs });
    for (const partition of [0, 1, 2]) appendEach(manager.getOrCreate("orders", partition, TEST_CONFIG), ["a", "b", "c"]);
    manager.closeAll();
    assert.equal(manager.all().length, 0);
    assert.equal(fs.openFdCount, 0);
    fs.crash();
    manager = new LogManager(DIRS, { ...realRuntime, fs });
    manager.loadAll();
    for (const partition of [0, 1, 2]) assert.equal(readAll(manager.get("orders", partition)!).length, 3);
  });

  test("loadAllSliced finds the same logs as loadAll, letting timers run between partitions, and no log is created meanwhile", async () => {
    const fs = new FaultyFileSystem();
    let manager = new LogManager(DIRS, { ...realRuntime, fs });
    for (let partition = 0; partition < 6; partition++) appendEach(manager.getOrCreate("orders", partition, TEST_CONFIG), ["a", "b"]);
    fs.crash();
    manager = new LogManager(DIRS, { ...realRuntime, fs, scheduler: realRuntime.scheduler });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    let loaded;
    try {
      const loading = manager.loadAllSliced();
      assert.throws(() => manager.getOrCreate("orders", 0, TEST_CONFIG), /only once loadAllSliced\(\) has finished/);
      loaded = await loading;
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks >= 1, `the timer fired ${ticks} times during the load`);
    assert.deepEqual(loaded.map((log) => log.partition).sort(), [0, 1, 2, 3, 4, 5]);
    for (const log of loaded) assert.equal(manager.getOrCreate("orders", log.partition, TEST_CONFIG), log);
    manager.closeAll();
  });

  test("runCleanerSliced compacts the compacted logs, one run at a time, and a second call while it runs joins it", async () => {
    const clock = new ManualClock(0);
    const fs = new FaultyFileSystem();
    const manager = new LogManager(["/d"], { ...realRuntime, fs, clock, scheduler: new ManualScheduler(clock) });
    const compaction = { deleteRetentionMs: 0, minCleanableDirtyRatio: 0, minCompactionLagMs: 0, maxCompactionLagMs: Number.MAX_SAFE_INTEGER };
    const compacted = manager.getOrCreate("compacted", 0, { ...TEST_CONFIG, segmentBytes: 300, cleanupPolicy: ["compact"], compaction });
    const plain = manager.getOrCreate("plain", 0, { ...TEST_CONFIG, segmentBytes: 300 });
    for (const log of [compacted, plain]) {
      for (let i = 0; i < 10; i++) {
        const request = produceRequest(buildBatch([{ key: "same", value: `v${i}`.padEnd(100, "."), timestamp: 0 }]));
        log.append(request.records, request.batches);
      }
    }
    const run = manager.runCleanerSliced();
    assert.equal(manager.runCleanerSliced(), run);
    const outcomes = await run;
    assert.deepEqual([...outcomes.keys()], [compacted]);
    assert.ok(outcomes.get(compacted)!.cleaned, JSON.stringify(outcomes.get(compacted)));
    assert.equal(readAll(compacted).length, 2, "the latest sealed record of the key, and the active segment's");
    assert.equal(readAll(plain).length, 10);
    assert.notEqual(manager.runCleanerSliced(), run, "a new run once the last one is over");
    manager.closeAll();
  });

  test("background tasks run retention and the time-based flush on their timers", async () => {
    const clock = new ManualClock(0);
    const fs = new FaultyFileSystem();
    const manager = new LogManager(["/d"], { ...realRuntime, fs, clock });
    const log = manager.getOrCreate("events", 0, { ...TEST_CONFIG, segmentBytes: 200, retentionMs: 1000, flushIntervalMs: 500 });
    for (let i = 0; i < 6; i++) {
      const request = produceRequest(buildBatch([{ value: "v".repeat(100), timestamp: 0 }]));
      log.append(request.records, request.batches);
    }
    const segments = log.segmentCount;
    assert.ok(segments > 2, `${segments} segments`);
    manager.startBackgroundTasks({ retentionCheckIntervalMs: 5, flushSchedulerIntervalMs: 5 });
    try {
      clock.advance(600);
      await new Promise((resolve) => setTimeout(resolve, 40));
      assert.equal(fs.unsyncedBytes, 0, "flushed once flush.ms passed");
      assert.equal(log.segmentCount, segments, "nothing expired yet");
      clock.advance(1000);
      await new Promise((resolve) => setTimeout(resolve, 40));
      assert.equal(log.logStartOffset, 6, "everything expired");
      assert.equal(log.segmentCount, 1);
    } finally {
      manager.stop();
    }
  });

  test("on the real file system: partitions spread over two dirs, reload after closeAll, delete removes them", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "sluice-logs-"));
    try {
      const dirs = [path.join(root, "a"), path.join(root, "b")];
      let manager = new LogManager(dirs, realRuntime);
      for (const partition of [0, 1, 2, 3]) appendEach(manager.getOrCreate("t-1", partition, TEST_CONFIG), [`p${partition}`]);
      manager.closeAll();
      assert.deepEqual(readdirSync(dirs[0]).sort(), ["t-1-0", "t-1-2"]);
      manager = new LogManager(dirs, realRuntime);
      assert.equal(manager.loadAll().length, 4);
      manager.delete("t-1");
      assert.deepEqual([...readdirSync(dirs[0]), ...readdirSync(dirs[1])], []);
      manager.closeAll();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
