import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseBrokerConfig } from "../../src/config/broker-config";
import { resolveTopicConfig } from "../../src/config/topic-config";
import { Partition, type Leadership, type PartitionMetrics } from "../../src/partition/partition";
import { logConfigOf } from "../../src/partition/partition-registry";
import { encodeRecordBatch, validateProducedRecords } from "../../src/protocol/records/record-batch";
import { FaultyFileSystem } from "../helpers/faulty-fs";
import { openLog } from "../storage/log-fixtures";

const LOCAL_NODE = 1;
const CONFIG = resolveTopicConfig({}, parseBrokerConfig({ "node.id": String(LOCAL_NODE), listeners: "PLAINTEXT://127.0.0.1:0", "log.dirs": "/data" }));

function counted(leadership: Leadership) {
  const counts = { records: 0, bytes: 0, shrinks: 0, expands: 0 };
  const metrics: PartitionMetrics = {
    appended: (records, bytes) => ((counts.records += records), (counts.bytes += bytes)),
    isrShrunk: () => counts.shrinks++,
    isrExpanded: () => counts.expands++,
  };
  const fs = new FaultyFileSystem();
  const partition = new Partition(openLog(fs, logConfigOf(CONFIG)), CONFIG, leadership, LOCAL_NODE, { fs, logger: () => {} }, metrics);
  return { partition, counts };
}

describe("Partition metrics", () => {
  test("an append counts its records and bytes once, whatever the number of batches", () => {
    const { partition, counts } = counted({ leaderEpoch: 0, isr: [LOCAL_NODE], leader: LOCAL_NODE });
    const one = encodeRecordBatch({ baseTimestamp: 1_700_000_000_000, records: [{ value: "a" }, { value: "b" }] });
    const two = encodeRecordBatch({ baseTimestamp: 1_700_000_000_000, records: [{ value: "c" }] });
    const records = Buffer.concat([one, two]);
    partition.appendAsLeader(records, validateProducedRecords(records, { maxMessageBytes: 1 << 20 }), -1, 1_700_000_000_000);
    assert.deepEqual([counts.records, counts.bytes], [3, records.length]);
  });

  test("the leader counts ISR shrinks and expands within its epoch; a new epoch or another leader's change is not counted", () => {
    const { partition, counts } = counted({ leaderEpoch: 0, isr: [LOCAL_NODE, 2, 3], leader: LOCAL_NODE });
    partition.updateLeadership({ leaderEpoch: 0, isr: [LOCAL_NODE, 2], leader: LOCAL_NODE });
    assert.deepEqual([counts.shrinks, counts.expands], [1, 0]);
    partition.updateLeadership({ leaderEpoch: 0, isr: [LOCAL_NODE, 2, 3], leader: LOCAL_NODE });
    assert.deepEqual([counts.shrinks, counts.expands], [1, 1]);
    partition.updateLeadership({ leaderEpoch: 0, isr: [LOCAL_NODE, 2, 3], leader: LOCAL_NODE });
    assert.deepEqual([counts.shrinks, counts.expands], [1, 1], "no change, nothing counted");
    partition.updateLeadership({ leaderEpoch: 1, isr: [LOCAL_NODE], leader: LOCAL_NODE });
    assert.deepEqual([counts.shrinks, counts.expands], [1, 1], "an election's ISR is the controller's");
    partition.updateLeadership({ leaderEpoch: 2, isr: [2, LOCAL_NODE], leader: 2 });
    partition.updateLeadership({ leaderEpoch: 2, isr: [2], leader: 2 });
    assert.deepEqual([counts.shrinks, counts.expands], [1, 1], "a follower does not count the leader's changes");
  });
});
