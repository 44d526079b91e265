import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Kafka, logLevel, type Producer } from "kafkajs";
import { startTestBroker, uniqueTopic, type TestBroker } from "../../broker/test/helpers/broker";
import { ClusterClients, useCluster } from "@/server/kafka/registry";
import { describeGroup } from "@/server/services/describe-group";
import { listConsumerGroups } from "@/server/services/list-groups";
import { purgeTopic } from "@/server/services/purge-topic";
import { endOffsetHistoryOf } from "@/server/lag-time/time-lag";

const HOUR = 3_600_000;

describe("time lag against a real broker", () => {
  let node: TestBroker;
  let clients: ClusterClients;
  let producer: Producer;

  before(async () => {
    node = await startTestBroker();
    clients = useCluster({ id: "default", brokers: [node.bootstrap], clientId: "sluice-time-lag-test", ssl: undefined, sasl: undefined });
    producer = new Kafka({ clientId: "time-lag-test", brokers: [node.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  });
  after(async () => {
    await producer?.disconnect();
    await clients?.reset();
    await node?.destroy();
  });

  /** A one-partition topic with 10 records stamped `firstTimestamp`, +1 s, +2 s ... */
  async function oldRecords(firstTimestamp: number): Promise<string> {
    const topic = uniqueTopic("timelag");
    const admin = await clients.getAdmin();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `r${i}`, timestamp: String(firstTimestamp + i * 1_000) })) });
    return topic;
  }

  async function commit(groupId: string, topic: string, offset: number) {
    const admin = await clients.getAdmin();
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: String(offset) }] });
  }

  it("is exact where the record at the committed offset is in the log: now minus its timestamp, on the partition, topic, group and list", async () => {
    const firstTimestamp = Date.now() - HOUR;
    const topic = await oldRecords(firstTimestamp);
    const groupId = uniqueTopic("g-exact");
    await commit(groupId, topic, 3);
    const before = Date.now();
    const group = await describeGroup(groupId);
    const afterRead = Date.now();
    const [row] = group.partitions;
    assert.equal(row.lag, 7);
    assert.equal(row.timeLagEstimated, false);
    const recordAt3 = firstTimestamp + 3_000;
    assert.ok(row.timeLagMs !== null && row.timeLagMs >= before - recordAt3 && row.timeLagMs <= afterRead - recordAt3, `time lag ${row.timeLagMs} is now minus the timestamp of offset 3`);
    assert.deepEqual([group.topics[0].timeLagMs, group.topics[0].timeLagEstimated], [row.timeLagMs, false]);
    assert.deepEqual([group.timeLagMs, group.timeLagEstimated], [row.timeLagMs, false]);

    const listed = (await listConsumerGroups()).groups.find((g) => g.groupId === groupId)!;
    assert.equal(listed.timeLagEstimated, false);
    assert.ok(listed.timeLagMs! >= before - recordAt3 && listed.timeLagMs! <= Date.now() - recordAt3, "the groups list reads it the same way");
  });

  it("is 0 for a caught-up group", async () => {
    const topic = await oldRecords(Date.now() - HOUR);
    const groupId = uniqueTopic("g-caught-up");
    await commit(groupId, topic, 10);
    const group = await describeGroup(groupId);
    assert.deepEqual(
      [group.partitions[0].lag, group.partitions[0].timeLagMs, group.partitions[0].timeLagEstimated, group.timeLagMs],
      [0, 0, false, 0],
    );
  });

  it("below the log start (purged): unknown without earlier readings, estimated from them otherwise, and said so", async () => {
    const topic = await oldRecords(Date.now() - HOUR);
    const groupId = uniqueTopic("g-purged");
    await commit(groupId, topic, 2);
    const beforePurge = await describeGroup(groupId); // reads end offset 10 into the history
    const firstReadingDone = Date.now();
    assert.equal(beforePurge.partitions[0].timeLagEstimated, false, "still in the log: exact");
    await purgeTopic(topic);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: `new${i}` })) });

    // Other clients of the same cluster have read no end offsets before: nothing to estimate from.
    const fresh = new ClusterClients({ id: "fresh", brokers: [node.bootstrap], clientId: "sluice-time-lag-fresh", ssl: undefined, sasl: undefined });
    try {
      const unknown = await describeGroup(groupId, fresh);
      assert.deepEqual([unknown.partitions[0].start, unknown.partitions[0].end, unknown.partitions[0].lag], [10, 15, 5], "the commit is below the log start");
      assert.deepEqual([unknown.partitions[0].timeLagMs, unknown.partitions[0].timeLagEstimated, unknown.timeLagMs], [null, false, null]);
    } finally {
      await fresh.reset();
    }

    const estimated = await describeGroup(groupId);
    const [row] = estimated.partitions;
    assert.deepEqual(
      endOffsetHistoryOf(clients)
        .points(topic, 0)
        .map((p) => p.endOffset),
      [10, 15],
      "the end offsets this console read",
    );
    assert.equal(row.timeLagEstimated, true);
    // Offset 2 was behind the end already at the first reading, so its estimate is older than that reading.
    assert.ok(row.timeLagMs !== null && row.timeLagMs > Date.now() - firstReadingDone && row.timeLagMs < HOUR, `estimate ${row.timeLagMs}`);
    assert.deepEqual([estimated.timeLagMs, estimated.timeLagEstimated, estimated.topics[0].timeLagEstimated], [row.timeLagMs, true, true]);
  });
});
