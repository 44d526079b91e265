import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { ErrorCode, KafkaError } from "../../src/protocol/errors";
import { LogManager } from "../../src/storage/log-manager";
import { openFileLimitFor, openSegmentFilesMaxFor, readOpenFileLimit } from "../../src/storage/open-file-limit";
import { OpenFilePool } from "../../src/storage/open-files";
import { PartitionLog } from "../../src/storage/partition-log";
import { FaultyFileSystem } from "../helpers/faulty-fs";
import { appendEach, labelOf, readAll, TEST_CONFIG } from "./log-fixtures";
import { realRuntime } from "../helpers/runtime";

/** Descriptors this process holds on files under `dir`, as the kernel lists them. */
function descriptorsUnder(dir: string): number {
  let count = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir + path.sep)) count++;
    } catch {
      // The descriptor of the listing itself, closed by now.
    }
  }
  return count;
}

const onLinux = process.platform === "linux";

describe("the pool of open segment files", () => {
  test(
    "a node over many partitions and segments keeps at most openSegmentFilesMax descriptors, and still reads every old segment",
    { skip: !onLinux && "counts descriptors in /proc/self/fd" },
    () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-pool-"));
      const OPEN_FILES_MAX = 8;
      const PARTITIONS = 30;
      try {
        let manager = new LogManager([dir], { ...realRuntime, openSegmentFilesMax: OPEN_FILES_MAX });
        const logs = Array.from({ length: PARTITIONS }, (_, partition) => manager.getOrCreate("wide", partition, { ...TEST_CONFIG, segmentBytes: 400 }));
        let descriptorsMax = 0;
        // Round robin, so every append finds its partition's file closed by the others: the worst case for the pool.
        for (let round = 0; round < 12; round++) {
          for (const log of logs) appendEach(log, [`p${log.partition}-r${round}`], { valueBytes: 60 });
          descriptorsMax = Math.max(descriptorsMax, descriptorsUnder(dir));
        }
        assert.ok(logs.every((log) => log.segmentCount >= 3), "every partition rolled into several segments");
        for (const log of logs) {
          assert.deepEqual(
            readAll(log).map((batch) => labelOf(batch.bytes)),
            Array.from({ length: 12 }, (_, round) => `p${log.partition}-r${round}`),
          );
          descriptorsMax = Math.max(descriptorsMax, descriptorsUnder(dir));
        }
        assert.ok(descriptorsMax <= OPEN_FILES_MAX, `at most ${OPEN_FILES_MAX} descriptors under the log dir, saw ${descriptorsMax}`);
        assert.ok(manager.files.evictions > 0, "the pool closed files to stay within its bound");
        manager.closeAll();
        assert.equal(descriptorsUnder(dir), 0, "closeAll gives every descriptor back");

        // A restart loads all 30 partitions (90 segment files and more) under the same bound.
        manager = new LogManager([dir], { ...realRuntime, openSegmentFilesMax: OPEN_FILES_MAX });
        const reloaded = manager.loadAll();
        assert.equal(reloaded.length, PARTITIONS);
        assert.ok(descriptorsUnder(dir) <= OPEN_FILES_MAX, "loading stays within the bound");
        for (const log of reloaded) assert.equal(readAll(log).length, 12);
        assert.ok(descriptorsUnder(dir) <= OPEN_FILES_MAX, "reading after a restart stays within the bound");
        manager.closeAll();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test("a descriptor in use is never closed to make room, and the least recently used one goes first", () => {
    const fs = new FaultyFileSystem();
    for (const name of ["a", "b", "c"]) fs.writeFileSync(`/${name}`, name);
    const pool = new OpenFilePool(fs, 1);
    const [a, b, c] = ["/a", "/b", "/c"].map((file) => pool.file(file));
    const read = (fd: number) => {
      const byte = Buffer.alloc(1);
      fs.readSync(fd, byte, 0, 1, 0);
      return byte.toString();
    };
    const seen = a.use((fdA) => {
      const fromB = b.use(read);
      // a is pinned while its work runs: b went over the bound rather than close it.
      return [read(fdA), fromB, String(a.isOpen)];
    });
    assert.deepEqual(seen, ["a", "b", "true"]);
    assert.equal(pool.openCount, 2);
    c.use(read);
    // Back within the bound: a and b were unpinned; a was used least recently, then b.
    assert.equal(pool.openCount, 1);
    assert.deepEqual([a.isOpen, b.isOpen, c.isOpen], [false, false, true]);
    assert.equal(fs.openFdCount, 1);
  });

  test("an open that meets the open-file limit closes pooled files and tries again", () => {
    const fs = new FaultyFileSystem();
    const manager = new LogManager(["/d"], { ...realRuntime, fs, openSegmentFilesMax: 100 });
    const logs = [0, 1, 2, 3].map((partition) => manager.getOrCreate("t", partition, TEST_CONFIG));
    for (const log of logs) appendEach(log, ["x"]);
    assert.equal(manager.files.openCount, 4);
    const fresh = manager.getOrCreate("t", 4, TEST_CONFIG);
    fs.failNext("openSync", { code: "EMFILE", count: 1 });
    appendEach(fresh, ["y"]);
    assert.equal(manager.files.limitRetries, 1);
    assert.ok(manager.files.evictions >= 1, "a pooled file was closed to make room");
    assert.deepEqual(readAll(fresh).map((batch) => labelOf(batch.bytes)), ["y"]);
  });

  test("with nothing left to close, the limit fails the append with a retriable KAFKA_STORAGE_ERROR and a loud line; the log stays usable", () => {
    const fs = new FaultyFileSystem();
    const lines: Array<{ msg: string; level: string }> = [];
    const log = PartitionLog.open("/d/t-0", TEST_CONFIG, { ...realRuntime, fs, logger: (msg, _fields, level = "info") => lines.push({ msg, level }) });
    // The new log's .log is not open yet, so the append must open it, and the pool holds nothing to give back.
    fs.failNext("openSync", { code: "EMFILE", count: 1 });
    assert.throws(
      () => appendEach(log, ["lost"]),
      (error: unknown) => error instanceof KafkaError && error.code === ErrorCode.KAFKA_STORAGE_ERROR && /open-file limit/.test(error.message),
    );
    assert.ok(
      lines.some((line) => line.level === "error" && /open-file limit is exhausted/.test(line.msg)),
      "an error-level line names the open-file limit",
    );
    assert.equal(log.logEndOffset, 0);
    assert.deepEqual(appendEach(log, ["kept"]), [0], "the next append succeeds: the log did not go offline");
    assert.deepEqual(readAll(log).map((batch) => labelOf(batch.bytes)), ["kept"]);
  });
});

describe("the open-file limit", () => {
  test("is read from /proc/self/limits where there is one, and nowhere else", { skip: !onLinux && "Linux only" }, () => {
    const limit = readOpenFileLimit(realRuntime.fs);
    assert.ok(limit !== null && limit.soft > 0 && limit.hard >= limit.soft, JSON.stringify(limit));
    // The in-memory disk has no /proc: the limit is unknown, and the pool takes a fixed size.
    assert.equal(readOpenFileLimit(new FaultyFileSystem()), null);
    assert.equal(openSegmentFilesMaxFor(null), 768);
  });

  test("leaves a reserve for sockets and the rest, and names a limit that fits every partition", () => {
    assert.equal(openSegmentFilesMaxFor({ soft: 20_000, hard: 20_000 }), 20_000 - 4096);
    assert.equal(openSegmentFilesMaxFor({ soft: 1024, hard: 4096 }), 1024 - 256);
    assert.equal(openSegmentFilesMaxFor({ soft: 64, hard: 64 }), 16);
    for (const partitions of [100, 6_650, 10_000, 50_000]) {
      const raiseTo = openFileLimitFor(partitions);
      assert.ok(openSegmentFilesMaxFor({ soft: raiseTo, hard: raiseTo }) >= partitions, `${raiseTo} fits ${partitions}`);
      assert.ok(raiseTo <= partitions + 5_000, `${raiseTo} is not far above ${partitions}`);
    }
  });
});
