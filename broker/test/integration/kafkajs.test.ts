import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Kafka, logLevel, type Admin } from "kafkajs";
import { readPartitions } from "../helpers/kafkajs";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";

describe("kafkajs against a broker node", () => {
  let node: TestBroker;
  let kafka: Kafka;
  let admin: Admin;

  before(async () => {
    node = await startTestBroker();
    kafka = new Kafka({ clientId: "sluice-test", brokers: [node.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    admin = kafka.admin();
    await admin.connect();
  });

  after(async () => {
    await admin?.disconnect();
    await node?.destroy();
  });

  it("admin: describeCluster names this node as broker and controller", async () => {
    const cluster = await admin.describeCluster();
    assert.equal(cluster.brokers.length, 1);
    assert.equal(cluster.brokers[0].nodeId, 1);
    assert.equal(cluster.brokers[0].port, node.port);
    assert.equal(cluster.controller, 1);
    assert.ok(cluster.clusterId.length > 0);
  });

  it("admin: createTopics, listTopics and fetchTopicMetadata agree", async () => {
    const topic = uniqueTopic();
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] }), true);
    assert.ok((await admin.listTopics()).includes(topic));
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.equal(metadata.topics[0].partitions.length, 3);
    for (const partition of metadata.topics[0].partitions) assert.equal(partition.leader, 1);
  });

  it("admin: creating an existing topic answers TOPIC_ALREADY_EXISTS (kafkajs reports it as false)", async () => {
    const topic = uniqueTopic();
    assert.equal(await admin.createTopics({ topics: [{ topic }] }), true);
    assert.equal(await admin.createTopics({ topics: [{ topic }] }), false);
  });

  it("admin: an invalid topic name is refused with INVALID_TOPIC_EXCEPTION", async () => {
    await assert.rejects(admin.createTopics({ topics: [{ topic: "bad name!" }] }), (error: { errors?: Array<{ type: string }> }) => {
      assert.equal(error.errors?.[0]?.type, "INVALID_TOPIC_EXCEPTION");
      return true;
    });
  });

  it("producer and consumer: every record produced to three partitions is read back", async () => {
    const topic = uniqueTopic();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 300 }, (_, i) => ({ key: `k${i % 7}`, value: `value-${i}`, headers: { n: String(i) } }));
    for (let i = 0; i < sent.length; i += 50) await producer.send({ topic, messages: sent.slice(i, i + 50) });
    await producer.disconnect();

    const offsets = await admin.fetchTopicOffsets(topic);
    assert.equal(offsets.reduce((sum, p) => sum + Number(p.high), 0), 300);

    const byPartition = await readPartitions(kafka, topic, offsets);
    const received = [...byPartition.values()].flat();
    assert.deepEqual(received.sort(), sent.map((m) => m.value).sort());
  });

  it("admin: fetchTopicOffsetsByTimestamp finds the first record at or after a time", async () => {
    const topic = uniqueTopic();
    await admin.createTopics({ topics: [{ topic }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: "a", timestamp: "1000" }, { value: "b", timestamp: "2000" }] });
    await producer.send({ topic, messages: [{ value: "c", timestamp: "3000" }] });
    await producer.disconnect();
    const [atOrAfter2500] = await admin.fetchTopicOffsetsByTimestamp(topic, 2500);
    assert.equal(atOrAfter2500.offset, "2");
    const [beyondAll] = await admin.fetchTopicOffsetsByTimestamp(topic, 10_000);
    assert.equal(beyondAll.offset, "3", "kafkajs maps 'no such record' to the latest offset");
  });

  it("admin: deleteTopics removes the topic", async () => {
    const topic = uniqueTopic();
    await admin.createTopics({ topics: [{ topic }] });
    await admin.deleteTopics({ topics: [topic] });
    assert.ok(!(await admin.listTopics()).includes(topic));
  });
});
