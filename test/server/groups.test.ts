import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Kafka, logLevel, type Consumer, type Producer } from "kafkajs";
import { startTestBroker, uniqueTopic, type TestBroker } from "../../broker/test/helpers/broker";
import { applyOffsetsInputSchema, resetOffsetsInputSchema } from "@/lib/contracts";
import { ClusterClients, useCluster } from "@/server/kafka/registry";
import { ServiceError } from "@/server/kafka/errors";
import { describeGroup } from "@/server/services/describe-group";
import { deleteGroup } from "@/server/services/delete-group";
import { listConsumerGroups } from "@/server/services/list-groups";
import { applyOffsetReset, previewOffsetReset } from "@/server/services/reset-group-offsets";
import { describeCluster } from "@/server/services/describe-cluster";
import { apiKeysAsked } from "./helpers/wire-spy";

const rejectsWith = (kind: string, text?: RegExp) => (error: unknown) =>
  error instanceof ServiceError && error.kind === kind && (!text || text.test(error.message));
const preview = (group: string, input: Record<string, unknown>) => previewOffsetReset(group, resetOffsetsInputSchema.parse(input));
const apply = (group: string, input: Record<string, unknown>) => applyOffsetReset(group, applyOffsetsInputSchema.parse(input));

describe("consumer-group services against a real broker", () => {
  let node: TestBroker;
  let clients: ClusterClients;
  let kafka: Kafka;
  let producer: Producer;

  before(async () => {
    node = await startTestBroker({ "group.initial.rebalance.delay.ms": "0" });
    clients = useCluster({ id: "default", brokers: [node.bootstrap], clientId: "sluice-group-test", ssl: undefined, sasl: undefined });
    kafka = new Kafka({ clientId: "group-test", brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
    producer = kafka.producer();
    await producer.connect();
  });
  after(async () => {
    await producer?.disconnect();
    await clients?.reset();
    await node?.destroy();
  });

  /** A topic with `perPartition` records in each of its partitions. */
  async function filledTopic(partitions: number, perPartition: number): Promise<string> {
    const topic = uniqueTopic("grp");
    const admin = await clients.getAdmin();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    for (let p = 0; p < partitions; p++)
      await producer.send({ topic, messages: Array.from({ length: perPartition }, (_, i) => ({ partition: p, value: `p${p}-${i}` })) });
    return topic;
  }

  /** Runs a consumer in `groupId` until it has read `count` records and committed them. */
  async function consume(groupId: string, topic: string, count: number): Promise<Consumer> {
    const consumer = kafka.consumer({ groupId, heartbeatInterval: 100, sessionTimeout: 6_000 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (seen >= count) return;
          seen++;
          await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
          if (seen === count) resolve();
        },
      });
    });
    await done;
    return consumer;
  }

  it("describeGroup: members with assignments, and per partition committed, end and lag with totals", async () => {
    const topic = await filledTopic(2, 10);
    const groupId = uniqueTopic("g-describe");
    const consumer = await consume(groupId, topic, 20);
    try {
      const group = await describeGroup(groupId);
      assert.equal(group.state, "Stable");
      assert.equal(group.protocolType, "consumer");
      assert.ok(group.protocol.length > 0, "the assignor is named");
      assert.equal(group.members.length, 1);
      assert.deepEqual(group.members[0].assignments, [{ topic, partitions: [0, 1] }]);
      assert.deepEqual(
        group.partitions.map((p) => [p.topic, p.partition, p.committed, p.end, p.lag, p.memberId]),
        [
          [topic, 0, 10, 10, 0, group.members[0].memberId],
          [topic, 1, 10, 10, 0, group.members[0].memberId],
        ],
      );
      await producer.send({ topic, messages: [{ partition: 1, value: "new" }, { partition: 1, value: "newer" }] });
      const after = await describeGroup(groupId);
      assert.equal(after.lag, 2, "two records arrived after the last commit");
      assert.deepEqual(
        after.topics.map(({ topic, partitions, lag }) => ({ topic, partitions, lag })),
        [{ topic, partitions: 2, lag: 2 }],
      );

      const list = await listConsumerGroups();
      assert.deepEqual([list.total, list.truncated], [list.groups.length, false], "every group listed and described");
      const listed = list.groups.find((g) => g.groupId === groupId);
      assert.deepEqual(
        listed && [listed.state, listed.members, listed.lag, listed.topics.map(({ topic, partitions, lag }) => ({ topic, partitions, lag }))],
        ["Stable", 1, 2, [{ topic, partitions: 2, lag: 2 }]],
      );
      // Without a lag history (null), the overview sums the groups read live and says so.
      const overview = await describeCluster(undefined, null);
      assert.ok(overview.groupCount! >= 1 && overview.totalLag! >= 2, "the overview counts the group and its lag");
      assert.equal(overview.lagCoverage?.source, "live");
      assert.ok(overview.lagCoverage.groups >= 1);

      await assert.rejects(preview(groupId, { strategy: "earliest" }), rejectsWith("CONFLICT", /Stable with 1 member; .*stop its consumers/));
      await assert.rejects(deleteGroup(groupId), rejectsWith("CONFLICT", /still has members/));
    } finally {
      await consumer.disconnect();
    }
    assert.equal((await describeGroup(groupId)).state, "Empty");
  });

  it("previewOffsetReset: each strategy's targets for the group, a topic or a partition, clamped to the log, changing nothing", async () => {
    const topic = await filledTopic(2, 10);
    const groupId = uniqueTopic("g-preview");
    const admin = await clients.getAdmin();
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: "4" }, { partition: 1, offset: "7" }] });
    const targets = async (input: Record<string, unknown>) => (await preview(groupId, input)).changes.map((c) => [c.partition, c.current, c.target]);

    assert.deepEqual(await targets({ strategy: "earliest" }), [[0, 4, 0], [1, 7, 0]]);
    assert.deepEqual(await targets({ strategy: "latest" }), [[0, 4, 10], [1, 7, 10]]);
    assert.deepEqual(await targets({ strategy: "offset", offset: 5, topic }), [[0, 4, 5], [1, 7, 5]]);
    assert.deepEqual(await targets({ strategy: "offset", offset: 500, topic, partition: 1 }), [[1, 7, 10]], "past the end stops at the end");
    assert.deepEqual(await targets({ strategy: "shift", shift: -5 }), [[0, 4, 0], [1, 7, 2]], "shifting before the start stops at the start");
    assert.deepEqual(await targets({ strategy: "shift", shift: 2, topic, partition: 0 }), [[0, 4, 6]]);
    assert.deepEqual(await targets({ strategy: "timestamp", timestamp: 0 }), [[0, 4, 0], [1, 7, 0]]);
    assert.deepEqual(await targets({ strategy: "timestamp", timestamp: Date.now() + 3_600_000 }), [[0, 4, 10], [1, 7, 10]], "after the last record is the end");

    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    assert.deepEqual(committed[0].partitions.map((p) => p.offset).sort(), ["4", "7"], "a preview commits nothing");

    await assert.rejects(preview(groupId, { strategy: "earliest", topic: uniqueTopic("missing") }), rejectsWith("NOT_FOUND"));
    await assert.rejects(preview(groupId, { strategy: "earliest", topic, partition: 9 }), rejectsWith("NOT_FOUND", /no partition 9/));
    await assert.rejects(preview(uniqueTopic("g-none"), { strategy: "earliest", createIfMissing: true }), rejectsWith("INVALID_INPUT", /no committed offsets/));
    assert.throws(() => resetOffsetsInputSchema.parse({ strategy: "shift" }), /shift/);
    assert.throws(() => resetOffsetsInputSchema.parse({ strategy: "earliest", partition: 1 }), /a partition needs its topic/);
  });

  it("applyOffsetReset commits the previewed offsets; a consumer then resumes from them", async () => {
    const topic = await filledTopic(1, 10);
    const groupId = uniqueTopic("g-apply");
    await (await consume(groupId, topic, 10)).disconnect();
    assert.equal((await describeGroup(groupId)).lag, 0);

    const { changes } = await preview(groupId, { strategy: "shift", shift: -3 });
    const applied = await apply(groupId, { offsets: changes.map((c) => ({ topic: c.topic, partition: c.partition, offset: c.target })) });
    assert.deepEqual(applied.changes.map((c) => [c.current, c.target]), [[10, 7]]);
    const group = await describeGroup(groupId);
    assert.deepEqual([group.partitions[0].committed, group.lag], [7, 3]);

    // A new member of the group starts where the reset put it.
    const values: string[] = [];
    const consumer = kafka.consumer({ groupId, heartbeatInterval: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic });
    await new Promise<void>((resolve) => void consumer.run({ eachMessage: async ({ message }) => void (values.push(String(message.value)) === 3 && resolve()) }));
    await consumer.disconnect();
    assert.deepEqual(values, ["p0-7", "p0-8", "p0-9"]);

    await assert.rejects(apply(groupId, { offsets: [{ topic, partition: 0, offset: 11 }] }), rejectsWith("INVALID_INPUT", /outside/));
    await assert.rejects(apply(groupId, { offsets: [{ topic, partition: 3, offset: 0 }] }), rejectsWith("NOT_FOUND"));
  });

  it("a reset of a group that does not exist is a 404 naming it, and creates it only when asked to", async () => {
    const topic = await filledTopic(2, 4);
    const groupId = uniqueTopic("g-typo");
    const admin = await clients.getAdmin();
    const offsets = [{ topic, partition: 0, offset: 1 }];

    const missing = rejectsWith("NOT_FOUND", new RegExp(`group ${groupId} does not exist; .*createIfMissing`));
    await assert.rejects(preview(groupId, { strategy: "earliest" }), missing);
    await assert.rejects(preview(groupId, { strategy: "latest", topic }), missing);
    await assert.rejects(apply(groupId, { offsets }), missing);
    assert.ok(!(await admin.listGroups()).groups.some((g) => g.groupId === groupId), "refusing left no group behind");
    await assert.rejects(describeGroup(groupId), rejectsWith("NOT_FOUND"));

    const planned = await preview(groupId, { strategy: "latest", topic, createIfMissing: true });
    assert.deepEqual(planned.changes.map((c) => [c.partition, c.current, c.target]), [[0, null, 4], [1, null, 4]]);
    await apply(groupId, { offsets, createIfMissing: true });
    const created = await describeGroup(groupId);
    assert.deepEqual([created.state, created.partitions.map((p) => [p.partition, p.committed])], ["Empty", [[0, 1]]]);
    // Now that it exists, the flag is not needed.
    await apply(groupId, { offsets: [{ topic, partition: 1, offset: 2 }] });
    assert.deepEqual((await describeGroup(groupId)).partitions.map((p) => p.committed), [1, 2]);
  });

  it("applyOffsetReset refuses a group with members, and the broker's commit stays untouched", async () => {
    const topic = await filledTopic(1, 5);
    const groupId = uniqueTopic("g-busy");
    const consumer = await consume(groupId, topic, 5);
    try {
      await assert.rejects(apply(groupId, { offsets: [{ topic, partition: 0, offset: 0 }] }), rejectsWith("CONFLICT"));
      assert.equal((await describeGroup(groupId)).partitions[0].committed, 5);
    } finally {
      await consumer.disconnect();
    }
  });

  it("listConsumerGroups reads the end offsets of all groups' topics in one batch, and still answers after one topic is deleted", async () => {
    const topics = [await filledTopic(2, 4), await filledTopic(1, 6), await filledTopic(1, 2)];
    const admin = await clients.getAdmin();
    const groupIds = [uniqueTopic("g-batch"), uniqueTopic("g-batch"), uniqueTopic("g-batch")];
    for (const [i, groupId] of groupIds.entries())
      for (const topic of topics.slice(0, i + 1)) await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: "1" }] });
    const { result, asked } = await apiKeysAsked(() => listConsumerGroups());
    const lags = groupIds.map((id) => result.groups.find((g) => g.groupId === id)!.topics.map((t) => t.lag));
    assert.deepEqual(lags, [[3], [3, 5], [3, 5, 1]]);
    assert.equal(asked.filter((k) => k === 2).length, 2, "one ListOffsets per end for every topic of every group, on the one broker");

    await admin.deleteTopics({ topics: [topics[2]] });
    const afterDelete = (await listConsumerGroups()).groups.find((g) => g.groupId === groupIds[2])!;
    assert.deepEqual(
      afterDelete.topics.map((t) => [t.topic, t.lag]),
      [
        [topics[0], 3],
        [topics[1], 5],
      ],
      "the deleted topic's offsets went with it; the batch still reads the others",
    );
  });

  it("deleteGroup removes an empty group and its offsets; unknown groups are 404s", async () => {
    const topic = await filledTopic(1, 3);
    const groupId = uniqueTopic("g-delete");
    await (await consume(groupId, topic, 3)).disconnect();
    await deleteGroup(groupId);
    await assert.rejects(describeGroup(groupId), rejectsWith("NOT_FOUND"));
    assert.ok(!(await listConsumerGroups()).groups.some((g) => g.groupId === groupId));
    await assert.rejects(describeGroup(uniqueTopic("g-never")), rejectsWith("NOT_FOUND", /does not exist/));
  });
});
