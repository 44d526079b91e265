import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestBroker, uniqueTopic, type TestBroker } from "../../../broker/test/helpers/broker";
import { ClusterClients } from "@/server/kafka/registry";
import { LIST_OFFSETS_PARTITIONS_MAX, offsetsError, partitionOffsets } from "@/server/kafka/list-offsets";
import { apiKeysAsked } from "../helpers/wire-spy";

describe("partitionOffsets: batched ListOffsets against a real broker", () => {
  let node: TestBroker;
  let clients: ClusterClients;
  const brokers = () => [{ nodeId: 1, host: "127.0.0.1", port: node.port }];

  before(async () => {
    node = await startTestBroker();
    clients = new ClusterClients({ id: "list-offsets", brokers: [node.bootstrap], clientId: "sluice-list-offsets-test", ssl: undefined, sasl: undefined });
  });
  after(async () => {
    await clients?.reset();
    await node?.destroy();
  });

  it("reads the log start offset and the high watermark of each partition, sorted by partition", async () => {
    const topic = uniqueTopic("offsets");
    const admin = await clients.getAdmin();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const producer = clients.kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [0, 0, 0, 2].map((partition) => ({ partition, value: "v" })) });
    await producer.disconnect();
    await admin.fetchTopicOffsets(topic); // kafkajs's deleteTopicRecords finds leaders only in metadata this call caches
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: "1" }] });

    const found = await partitionOffsets(clients, brokers(), [
      {
        topic,
        partitions: [
          { partition: 2, leader: 1 },
          { partition: 0, leader: 1 },
          { partition: 1, leader: 1 },
        ],
      },
    ]);
    assert.deepEqual(found.get(topic), {
      kind: "complete",
      partitions: [
        { partition: 0, low: 1, high: 3 },
        { partition: 1, low: 0, high: 0 },
        { partition: 2, low: 0, high: 1 },
      ],
    });
  });

  it("a failing partition leaves its topic incomplete and the other topics whole", async () => {
    const good = uniqueTopic("good");
    const bad = uniqueTopic("bad");
    const admin = await clients.getAdmin();
    await admin.createTopics({ topics: [{ topic: good }, { topic: bad }], waitForLeaders: true });
    const found = await partitionOffsets(clients, brokers(), [
      { topic: good, partitions: [{ partition: 0, leader: 1 }] },
      { topic: bad, partitions: [{ partition: 0, leader: 1 }, { partition: 7, leader: 1 }] },
      { topic: "leaderless", partitions: [{ partition: 0, leader: -1 }] },
    ]);
    assert.deepEqual(found.get(good), { kind: "complete", partitions: [{ partition: 0, low: 0, high: 0 }] });
    assert.deepEqual(found.get(bad), { kind: "incomplete", partitions: [{ partition: 0, low: 0, high: 0 }], problem: { kind: "error-code", partition: 7, errorCode: 3 } });
    assert.deepEqual(found.get("leaderless"), { kind: "incomplete", partitions: [], problem: { kind: "no-leader", partition: 0 } });
    assert.equal(offsetsError(bad, { kind: "error-code", partition: 7, errorCode: 3 }).kind, "NOT_FOUND");
    assert.equal(offsetsError("leaderless", { kind: "no-leader", partition: 0 }).kind, "UNAVAILABLE");
  });

  it("a broker that does not answer makes its partitions unreachable instead of throwing", async () => {
    const found = await partitionOffsets(clients, [{ nodeId: 9, host: "127.0.0.1", port: 1 }], [{ topic: "anywhere", partitions: [{ partition: 0, leader: 9 }] }]);
    const offsets = found.get("anywhere")!;
    assert.equal(offsets.kind, "incomplete");
    assert.equal(offsets.kind === "incomplete" && offsets.problem.kind, "unreachable");
  });

  it("splits a leader's partitions over several requests past LIST_OFFSETS_PARTITIONS_MAX", async () => {
    // Partitions of a topic that does not exist: each comes back with its own error code.
    const partitions = Array.from({ length: 2 * LIST_OFFSETS_PARTITIONS_MAX + 1 }, (_, partition) => ({ partition, leader: 1 }));
    const { result, asked } = await apiKeysAsked(() => partitionOffsets(clients, brokers(), [{ topic: uniqueTopic("absent"), partitions }]));
    const found = result.values().next().value!;
    assert.equal(asked.filter((k) => k === 2).length, 6, "three requests for each end");
    assert.equal(found.kind, "incomplete");
    assert.deepEqual(found.kind === "incomplete" && found.problem, { kind: "error-code", partition: 0, errorCode: 3 });
  });
});
