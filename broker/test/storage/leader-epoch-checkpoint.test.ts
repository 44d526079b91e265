import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { ManualClock } from "../../src/runtime/clock";
import { formatCheckpoint, parseCheckpoint } from "../../src/storage/leader-epoch-checkpoint";
import type { PartitionLog } from "../../src/storage/partition-log";
import { FaultyFileSystem } from "../helpers/faulty-fs";
import { labelledBatch, produceRequest } from "./batches";
import { DAY_MS, openLog } from "./log-fixtures";

const DIR = "/data/orders-0";
const CHECKPOINT = path.posix.join(DIR, "leader-epoch-checkpoint");

/** Appends one batch per label in `epoch`, as the leader stamps it. */
function appendInEpoch(log: PartitionLog, epoch: number, labels: readonly string[]): void {
  for (const label of labels) {
    const request = produceRequest(labelledBatch(label));
    log.append(request.records, request.batches, { partitionLeaderEpoch: epoch });
  }
}

function checkpointText(fs: FaultyFileSystem): string {
  return fs.readFileSync(CHECKPOINT).toString("utf8");
}

describe("leader-epoch-checkpoint", () => {
  test("is Kafka's text format: a version line, a count line, then one 'epoch startOffset' line per epoch", () => {
    assert.equal(formatCheckpoint([]), "0\n0\n");
    assert.equal(formatCheckpoint([{ epoch: 0, startOffset: 0 }, { epoch: 3, startOffset: 120 }]), "0\n2\n0 0\n3 120\n");
    assert.deepEqual(parseCheckpoint("0\n2\n0 0\n3 120\n"), [{ epoch: 0, startOffset: 0 }, { epoch: 3, startOffset: 120 }]);
    for (const bad of ["1\n0\n", "0\n2\n0 0\n", "0\n1\n0 x\n", "0\n2\n3 5\n1 9\n", "0\n2\n1 9\n3 5\n", ""])
      assert.equal(parseCheckpoint(bad), null, JSON.stringify(bad));
  });

  test("a log written without a leader epoch (the metadata log) has no checkpoint file", () => {
    const fs = new FaultyFileSystem();
    const log = openLog(fs);
    const request = produceRequest(labelledBatch("a"));
    log.append(request.records, request.batches);
    assert.equal(fs.existsSync(CHECKPOINT), false);
    assert.equal(log.latestLeaderEpoch, -1);
  });

  test("the first append in an epoch writes where the epoch starts; appends in the same epoch leave the file alone", () => {
    const fs = new FaultyFileSystem();
    const log = openLog(fs);
    appendInEpoch(log, 0, ["a", "b", "c"]);
    assert.equal(checkpointText(fs), "0\n1\n0 0\n");
    appendInEpoch(log, 2, ["d", "e"]);
    assert.equal(checkpointText(fs), "0\n2\n0 0\n2 3\n");
    assert.equal(log.leaderEpochOf(1), 0);
    assert.equal(log.leaderEpochOf(4), 2);
    const request = produceRequest(labelledBatch("old"));
    assert.throws(() => log.append(request.records, request.batches, { partitionLeaderEpoch: 1 }), /older/);
  });

  test("DeleteRecords truncates it from the start: the epoch holding the new log start begins there", () => {
    const fs = new FaultyFileSystem();
    const log = openLog(fs);
    appendInEpoch(log, 0, ["a", "b", "c"]);
    appendInEpoch(log, 1, ["d", "e", "f"]);
    appendInEpoch(log, 4, ["g"]);
    log.deleteRecordsBefore(2);
    assert.equal(checkpointText(fs), "0\n3\n0 2\n1 3\n4 6\n");
    log.deleteRecordsBefore(5);
    assert.equal(checkpointText(fs), "0\n2\n1 5\n4 6\n");
  });

  test("retention truncates it with the segments it deletes", () => {
    const fs = new FaultyFileSystem();
    const clock = new ManualClock(1_700_000_000_000);
    const log = openLog(fs, { segmentBytes: 200, retentionMs: DAY_MS }, clock);
    const old = clock.nowMs() - 2 * DAY_MS;
    for (const [epoch, label] of [[0, "a"], [0, "b"], [1, "c"], [1, "d"], [2, "e"]] as const) {
      const request = produceRequest(labelledBatch(label, 1, epoch < 2 ? old : clock.nowMs(), 150));
      log.append(request.records, request.batches, { partitionLeaderEpoch: epoch });
    }
    assert.equal(checkpointText(fs), "0\n3\n0 0\n1 2\n2 4\n");
    assert.ok(log.applyRetention(clock.nowMs()) > 0, "old segments were deleted");
    assert.equal(log.logStartOffset, 4);
    assert.equal(checkpointText(fs), "0\n1\n2 4\n");
  });

  test("is loaded when the log opens again, after a clean close or a crash", () => {
    const fs = new FaultyFileSystem();
    let log = openLog(fs, { flushIntervalMessages: 1 });
    appendInEpoch(log, 0, ["a", "b"]);
    appendInEpoch(log, 5, ["c"]);
    log.close();
    log = openLog(fs);
    assert.deepEqual(log.leaderEpochEntries, [{ epoch: 0, startOffset: 0 }, { epoch: 5, startOffset: 2 }]);
    appendInEpoch(log, 5, ["d"]);
    fs.crash();
    log = openLog(fs);
    assert.equal(log.latestLeaderEpoch, 5);
    assert.equal(checkpointText(fs), "0\n2\n0 0\n5 2\n");
  });

  test("an epoch that began in a tail a crash lost is dropped at recovery, so the log and its epochs agree", () => {
    const fs = new FaultyFileSystem();
    let log = openLog(fs);
    appendInEpoch(log, 0, ["a", "b"]);
    log.flush();
    // The checkpoint is fsynced before its first batch; that batch is not, so the crash keeps the one and loses the other.
    appendInEpoch(log, 7, ["c", "d"]);
    assert.equal(checkpointText(fs), "0\n2\n0 0\n7 2\n");
    fs.crash();
    log = openLog(fs);
    assert.equal(log.logEndOffset, 2);
    assert.equal(checkpointText(fs), "0\n1\n0 0\n");
    appendInEpoch(log, 7, ["c"]);
    assert.equal(checkpointText(fs), "0\n2\n0 0\n7 2\n");
  });

  test("an unreadable checkpoint is ignored (and rewritten by the next epoch), never a reason not to open", () => {
    const fs = new FaultyFileSystem();
    let log = openLog(fs);
    appendInEpoch(log, 0, ["a"]);
    log.close();
    fs.writeFileSync(CHECKPOINT, "garbage");
    log = openLog(fs);
    assert.equal(log.latestLeaderEpoch, -1);
    appendInEpoch(log, 1, ["b"]);
    assert.equal(checkpointText(fs), "0\n1\n1 1\n");
  });
});
