import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FileRaftLog } from "../../src/raft/file-raft-log";
import type { LogBatch } from "../../src/raft/log";
import { FaultyFileSystem } from "../helpers/faulty-fs";

const batch = (baseOffset: number, epoch: number, values: string[], control = false): LogBatch => ({ baseOffset, epoch, control, records: values.map((value) => Buffer.from(value)) });
const contents = (log: FileRaftLog) => log.read(log.startOffset, 1000).map((entry) => [entry.baseOffset, entry.epoch, entry.control, entry.records.map(String)]);

describe("FileRaftLog", () => {
  it("keeps every appended batch, with its epoch and control flag, across a crash; the high watermark is not kept", () => {
    const fs = new FaultyFileSystem({ seed: 1 });
    const log = FileRaftLog.open(fs, "/meta");
    log.append(batch(0, 1, ["leader 1"], true));
    log.append(batch(1, 1, ["a", "b"]));
    log.append(batch(3, 2, ["leader 2"], true));
    log.append(batch(4, 2, ["c"]));
    log.setHighWatermark(4);
    fs.crash({ tornBytes: true });
    const reopened = FileRaftLog.open(fs, "/meta");
    assert.deepEqual(contents(reopened), [
      [0, 1, true, ["leader 1"]],
      [1, 1, false, ["a", "b"]],
      [3, 2, true, ["leader 2"]],
      [4, 2, false, ["c"]],
    ]);
    assert.equal(reopened.endOffset, 5);
    assert.equal(reopened.lastEpoch, 2);
    assert.deepEqual(reopened.endOffsetForEpoch(1), { epoch: 1, offset: 3 });
    assert.equal(reopened.highWatermark, 0);
  });

  it("makes a truncation durable before it returns, and appends after it", () => {
    const fs = new FaultyFileSystem({ seed: 2 });
    const log = FileRaftLog.open(fs, "/meta");
    log.append(batch(0, 1, ["x"]));
    log.append(batch(1, 1, ["y"]));
    log.append(batch(2, 1, ["z"]));
    log.truncateTo(1);
    log.append(batch(1, 3, ["y2"]));
    fs.crash({ tornBytes: true });
    assert.deepEqual(contents(FileRaftLog.open(fs, "/meta")), [
      [0, 1, false, ["x"]],
      [1, 3, false, ["y2"]],
    ]);
  });

  it("cuts off a torn batch left by a crash during an append, and refuses changes after a failed fsync", () => {
    const fs = new FaultyFileSystem({ seed: 3 });
    const lines: Array<Record<string, unknown>> = [];
    const log = FileRaftLog.open(fs, "/meta");
    log.append(batch(0, 1, ["kept"]));
    // The write of the next batch reaches the page cache, its fsync fails: the power went.
    fs.cutPowerAfter(1);
    assert.throws(() => log.append(batch(1, 1, ["torn"])));
    assert.throws(() => log.append(batch(2, 1, ["after"])), /failed and takes no more changes/);
    fs.crash({ tornBytes: 30 });
    const reopened = FileRaftLog.open(fs, "/meta", (fields) => lines.push(fields));
    assert.deepEqual(contents(reopened), [[0, 1, false, ["kept"]]]);
    assert.equal(lines.length, 1);
    assert.equal(lines[0].truncatedBytes, 30);
    // The cut is durable, and the log takes appends again where it ends.
    reopened.append(batch(1, 1, ["again"]));
    fs.crash();
    assert.deepEqual(contents(FileRaftLog.open(fs, "/meta")), [
      [0, 1, false, ["kept"]],
      [1, 1, false, ["again"]],
    ]);
  });
});
