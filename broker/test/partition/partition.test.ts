import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseBrokerConfig } from "../../src/config/broker-config";
import { resolveTopicConfig } from "../../src/config/topic-config";
import { Partition, type CommitOutcome, type Leadership } from "../../src/partition/partition";
import { logConfigOf } from "../../src/partition/partition-registry";
import { ErrorCode } from "../../src/protocol/errors";
import { encodeRecordBatch, validateProducedRecords } from "../../src/protocol/records/record-batch";
import { ManualScheduler } from "../../src/runtime/scheduler";
import { FaultyFileSystem } from "../helpers/faulty-fs";
import { openLog } from "../storage/log-fixtures";

const LOCAL_NODE = 1;
const CONFIG = resolveTopicConfig({}, parseBrokerConfig({ "node.id": String(LOCAL_NODE), listeners: "PLAINTEXT://127.0.0.1:0", "log.dirs": "/data" }));

function partitionOf(fs: FaultyFileSystem, leadership: Leadership = { leaderEpoch: 0, isr: [LOCAL_NODE] }): Partition {
  const log = openLog(fs, logConfigOf(CONFIG));
  return new Partition(log, CONFIG, leadership, LOCAL_NODE, { fs, logger: () => {} });
}

function append(partition: Partition, values: string[]) {
  const records = encodeRecordBatch({ baseTimestamp: 1_700_000_000_000, records: values.map((value) => ({ value })) });
  return partition.appendAsLeader(records, validateProducedRecords(records, { maxMessageBytes: 1 << 20 }), -1, 1_700_000_000_000);
}

describe("Partition", () => {
  test("on a node that is its own ISR, the high watermark reaches the log end as each append returns: committed at once", () => {
    const fs = new FaultyFileSystem();
    const partition = partitionOf(fs);
    assert.equal(partition.highWatermark, 0);
    const appended = append(partition, ["a", "b", "c"]);
    assert.deepEqual([appended.baseOffset, appended.lastOffset], [0, 2]);
    assert.equal(partition.logEndOffset, 3);
    assert.equal(partition.highWatermark, 3);
    assert.equal(partition.waitForCommit(appended.lastOffset + 1, 1000, new ManualScheduler()), null, "no wait: committed already");
  });

  test("the high watermark stays behind the log end while another in-sync replica lacks the records; acks=all waits, then times out", async () => {
    const fs = new FaultyFileSystem();
    const scheduler = new ManualScheduler();
    const partition = partitionOf(fs, { leaderEpoch: 0, isr: [LOCAL_NODE, 2] });
    const appended = append(partition, ["a", "b"]);
    assert.equal(partition.logEndOffset, 2);
    assert.equal(partition.highWatermark, 0, "the follower has not got them");
    const wait = partition.waitForCommit(appended.lastOffset + 1, 500, scheduler);
    assert.ok(wait, "the produce waits");
    scheduler.advance(500);
    assert.equal(await wait, "timed out" satisfies CommitOutcome);
  });

  test("a waiting commit resolves when the ISR shrinks to this node, and fetches waiting for data wake only then", async () => {
    const fs = new FaultyFileSystem();
    const scheduler = new ManualScheduler();
    const partition = partitionOf(fs, { leaderEpoch: 0, isr: [LOCAL_NODE, 2] });
    let woken = 0;
    partition.addDataWaiter({ wake: () => woken++ });
    const appended = append(partition, ["a"]);
    assert.equal(woken, 0, "an append the ISR has not got is not served, so no fetch wakes");
    const wait = partition.waitForCommit(appended.lastOffset + 1, 10_000, scheduler)!;
    partition.updateLeadership({ leaderEpoch: 0, isr: [LOCAL_NODE] });
    assert.equal(await wait, "committed");
    assert.equal(partition.highWatermark, 1);
    assert.equal(woken, 1);
  });

  test("closing the partition (its topic deleted) answers waiting commits at once", async () => {
    const fs = new FaultyFileSystem();
    const partition = partitionOf(fs, { leaderEpoch: 0, isr: [LOCAL_NODE, 2] });
    const appended = append(partition, ["a"]);
    const wait = partition.waitForCommit(appended.lastOffset + 1, 10_000, new ManualScheduler())!;
    partition.close();
    assert.equal(await wait, "partition gone");
    assert.throws(() => append(partition, ["b"]), { name: "KafkaError", message: /no longer hosted/ });
  });

  test("DeleteRecords may not pass the high watermark, even below the log end", () => {
    const fs = new FaultyFileSystem();
    const partition = partitionOf(fs, { leaderEpoch: 0, isr: [LOCAL_NODE, 2] });
    append(partition, ["a", "b", "c"]);
    assert.throws(() => partition.deleteRecordsBefore(2), { code: ErrorCode.OFFSET_OUT_OF_RANGE });
    assert.equal(partition.logStartOffset, 0);
  });

  test("appends stamp the leader epoch of the image; a new epoch is checkpointed where it starts", () => {
    const fs = new FaultyFileSystem();
    const partition = partitionOf(fs, { leaderEpoch: 3, isr: [LOCAL_NODE] });
    append(partition, ["a", "b"]);
    partition.updateLeadership({ leaderEpoch: 4, isr: [LOCAL_NODE] });
    append(partition, ["c"]);
    assert.deepEqual(partition.log.leaderEpochEntries, [{ epoch: 3, startOffset: 0 }, { epoch: 4, startOffset: 2 }]);
    const { records } = partition.log.read(2, 1 << 20);
    assert.equal(records.readInt32BE(12), 4, "the batch carries partitionLeaderEpoch 4");
    assert.throws(() => partition.updateLeadership({ leaderEpoch: 2, isr: [LOCAL_NODE] }), /older/);
  });
});
