import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { ManualClock, systemClock } from "../../src/runtime/clock";
import { nodeFileSystem, readFully, writeFileAtomicSync, writeFully } from "../../src/runtime/fs";
import { FaultyFileSystem, seededRandom } from "../helpers/faulty-fs";

describe("nodeFileSystem", () => {
  test("positional writes and reads, fsync, truncate, stat and an atomic replace on a real directory", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "sluice-fs-"));
    try {
      const fs = nodeFileSystem;
      const file = path.join(root, "data.bin");
      const fd = fs.openSync(file, "w+");
      writeFully(fs, fd, Buffer.from("hello world"), 0, 11, 0);
      writeFully(fs, fd, Buffer.from("W"), 0, 1, 6);
      fs.fsyncSync(fd);
      const back = Buffer.alloc(20);
      assert.equal(readFully(fs, fd, back, 0, 20, 0), 11);
      assert.equal(back.subarray(0, 11).toString(), "hello World");
      fs.ftruncateSync(fd, 5);
      assert.equal(fs.fstatSync(fd).size, 5);
      fs.closeSync(fd);
      assert.ok(fs.statSync(root).isDirectory(), "stat of a directory");
      writeFileAtomicSync(fs, path.join(root, "checkpoint"), "0\n42\n");
      writeFileAtomicSync(fs, path.join(root, "checkpoint"), "0\n43\n");
      assert.equal(readFileSync(path.join(root, "checkpoint"), "utf8"), "0\n43\n");
      assert.deepEqual(readdirSync(root).sort(), ["checkpoint", "data.bin"], "no temp file is left behind");
      fs.fsyncDirectorySync(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("FaultyFileSystem", () => {
  test("a crash keeps fsynced bytes and drops the ones only written", () => {
    const fs = new FaultyFileSystem();
    fs.mkdirSync("/d", { recursive: true });
    const fd = fs.openSync("/d/f", "w+");
    fs.writeSync(fd, Buffer.from("durable"), 0, 7, 0);
    fs.fsyncSync(fd);
    fs.writeSync(fd, Buffer.from("-volatile"), 0, 9, 7);
    assert.equal(fs.readFileSync("/d/f").toString(), "durable-volatile");
    assert.equal(fs.unsyncedBytes, 9);
    fs.crash();
    assert.equal(fs.readFileSync("/d/f").toString(), "durable");
    assert.equal(fs.openFdCount, 0);
    assert.throws(() => fs.readSync(fd, Buffer.alloc(1), 0, 1, 0), /EBADF/);
  });

  test("a torn crash keeps a prefix of the unsynced writes, in the order they were made", () => {
    const fs = new FaultyFileSystem();
    fs.mkdirSync("/d", { recursive: true });
    const fd = fs.openSync("/d/f", "w+");
    fs.writeSync(fd, Buffer.from("abc"), 0, 3, 0);
    fs.writeSync(fd, Buffer.from("defg"), 0, 4, 3);
    fs.crash({ tornBytes: 5 });
    assert.equal(fs.readFileSync("/d/f").toString(), "abcde");
  });

  test("torn crashes drawn from a seed are reproducible", () => {
    const outcome = (seed: number) => {
      const fs = new FaultyFileSystem({ seed });
      fs.mkdirSync("/d", { recursive: true });
      const fd = fs.openSync("/d/f", "w+");
      for (let i = 0; i < 20; i++) fs.writeSync(fd, Buffer.from("0123456789"), 0, 10, i * 10);
      fs.crash({ tornBytes: true });
      return fs.readFileSync("/d/f").length;
    };
    const lengths = Array.from({ length: 30 }, (_, seed) => outcome(seed));
    assert.deepEqual(lengths, Array.from({ length: 30 }, (_, seed) => outcome(seed)));
    assert.ok(new Set(lengths).size > 3, `varied outcomes: ${lengths}`);
  });

  test("an unsynced truncate is undone by a crash; a synced one is kept", () => {
    const fs = new FaultyFileSystem();
    fs.mkdirSync("/d", { recursive: true });
    const fd = fs.openSync("/d/f", "w+");
    fs.writeSync(fd, Buffer.from("0123456789"), 0, 10, 0);
    fs.fsyncSync(fd);
    fs.ftruncateSync(fd, 4);
    fs.crash();
    assert.equal(fs.readFileSync("/d/f").toString(), "0123456789");
    const again = fs.openSync("/d/f", "r+");
    fs.ftruncateSync(again, 4);
    fs.fsyncSync(again);
    fs.crash();
    assert.equal(fs.readFileSync("/d/f").toString(), "0123");
  });

  test("writeFileAtomicSync leaves the old or the new content after a power cut at any step, never a mix", () => {
    for (let cut = 0; cut < 8; cut++) {
      const fs = new FaultyFileSystem({ seed: cut });
      fs.mkdirSync("/d", { recursive: true });
      writeFileAtomicSync(fs, "/d/checkpoint", "old-value");
      fs.cutPowerAfter(cut);
      try {
        writeFileAtomicSync(fs, "/d/checkpoint", "new-value!");
      } catch (error) {
        assert.match(String(error), /EIO/);
      }
      fs.crash({ tornBytes: true });
      assert.ok(["old-value", "new-value!"].includes(fs.readFileSync("/d/checkpoint").toString()), `cut ${cut}`);
    }
  });

  test("failNext injects an errno error into the chosen call", () => {
    const fs = new FaultyFileSystem();
    fs.mkdirSync("/d", { recursive: true });
    const fd = fs.openSync("/d/f", "w+");
    fs.failNext("writeSync", { code: "ENOSPC" });
    assert.throws(() => fs.writeSync(fd, Buffer.from("x"), 0, 1, 0), (error: NodeJS.ErrnoException) => error.code === "ENOSPC");
    assert.equal(fs.writeSync(fd, Buffer.from("x"), 0, 1, 0), 1);
  });

  test("directories: recursive mkdir, readdir of direct children, recursive rm, rename of a directory", () => {
    const fs = new FaultyFileSystem();
    fs.mkdirSync("/a/b/c", { recursive: true });
    fs.writeFileSync("/a/b/file", "x");
    assert.deepEqual(fs.readdirSync("/a/b"), ["c", "file"]);
    fs.renameSync("/a/b", "/a/z");
    assert.deepEqual(fs.readdirSync("/a/z"), ["c", "file"]);
    assert.equal(fs.readFileSync("/a/z/file").toString(), "x");
    fs.rmSync("/a", { recursive: true, force: true });
    assert.ok(!fs.existsSync("/a/z/file"), "removed");
    assert.deepEqual(fs.readdirSync("/"), []);
  });
});

describe("clocks", () => {
  test("the manual clock moves only forward and only when told", () => {
    const clock = new ManualClock(100);
    clock.advance(50);
    assert.equal(clock.nowMs(), 150);
    clock.set(200);
    assert.equal(clock.nowMs(), 200);
    assert.throws(() => clock.set(199), /forward/);
    assert.throws(() => clock.advance(-1), /forward/);
    assert.ok(Math.abs(systemClock.nowMs() - Date.now()) < 1000, "the system clock is wall time");
    assert.ok(seededRandom(1)() === seededRandom(1)(), "same seed, same draw");
  });
});
