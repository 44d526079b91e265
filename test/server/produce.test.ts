import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Kafka, logLevel, type Admin } from "kafkajs";
import { startTestBroker, uniqueTopic, type TestBroker } from "../../broker/test/helpers/broker";
import { browseInputSchema, createTopicInputSchema, produceInputSchema } from "@/lib/contracts";
import { useCluster, type ClusterClients } from "@/server/kafka/registry";
import { ServiceError } from "@/server/kafka/errors";
import { createTopic } from "@/server/services/create-topic";
import { deleteTopic } from "@/server/services/delete-topic";
import { browseMessages } from "@/server/services/browse-messages";
import { produceRecords } from "@/server/services/produce-records";
import { purgeTopic } from "@/server/services/purge-topic";

const browse = (topic: string, input: Record<string, unknown>) => browseMessages(topic, browseInputSchema.parse(input));
const produce = (topic: string, input: Record<string, unknown>) => produceRecords(topic, produceInputSchema.parse(input));
const create = (name: string, partitions = 1, configs: Record<string, string> = {}) =>
  createTopic(createTopicInputSchema.parse({ name, partitions, replicationFactor: 1, configs }));
const text = (base64: string) => Buffer.from(base64, "base64").toString("utf8");

describe("produce and browse while topics come and go", () => {
  let node: TestBroker;
  let clients: ClusterClients;
  /** Another administrator of the cluster, as kcat or a second console would be. */
  let outsider: Admin;

  before(async () => {
    node = await startTestBroker();
    clients = useCluster({ id: "default", brokers: [node.bootstrap], clientId: "sluice-produce-test", ssl: undefined, sasl: undefined });
    outsider = new Kafka({ clientId: "outsider", brokers: [node.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await outsider.connect();
  });
  after(async () => {
    await outsider?.disconnect();
    await clients?.reset();
    await node?.destroy();
  });

  it("producing goes on after a topic it wrote to is deleted from the console", async () => {
    const gone = uniqueTopic("gone");
    const kept = uniqueTopic("kept");
    await create(gone);
    await create(kept);
    await produce(gone, { value: "a" });
    await produce(kept, { value: "b" });
    await deleteTopic(gone);
    assert.deepEqual((await produce(kept, { value: "c" })).records, [{ partition: 0, offset: 1 }]);
    const fresh = uniqueTopic("fresh");
    await create(fresh);
    assert.deepEqual((await produce(fresh, { value: "d" })).records, [{ partition: 0, offset: 0 }]);
  });

  it("producing, browsing and creating go on after another administrator deletes a topic the console used", async () => {
    const gone = uniqueTopic("gone-outside");
    const kept = uniqueTopic("kept-outside");
    await create(gone);
    await create(kept);
    await produce(gone, { value: "a" });
    await produce(kept, { value: "b" });
    // Purging reads the topic's offsets with kafkajs, whose admin then asks about the topic on every metadata refresh.
    await purgeTopic(gone);
    await browse(gone, { start: "timestamp", timestamp: 0 });
    await outsider.deleteTopics({ topics: [gone] });

    assert.deepEqual((await produce(kept, { value: "c" })).records, [{ partition: 0, offset: 1 }]);
    assert.deepEqual(
      (await browse(kept, { start: "timestamp", timestamp: 0 })).messages.map((m) => text(m.value!.base64)),
      ["b", "c"],
    );
    const fresh = uniqueTopic("fresh-outside");
    await create(fresh);
    await produce(fresh, { value: "d" });
    await assert.rejects(produce(gone, { value: "e" }), (e: unknown) => e instanceof ServiceError && e.kind === "NOT_FOUND");
  });

  it("a topic deleted outside and created again with more partitions is written and read with its new partitions", async () => {
    const topic = uniqueTopic("again");
    await create(topic, 1);
    await produce(topic, { value: "old" });
    await purgeTopic(topic);
    await browse(topic, { start: "timestamp", timestamp: 0 });
    await outsider.deleteTopics({ topics: [topic] });
    await outsider.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });

    assert.deepEqual((await produce(topic, { partition: 2, value: "new" })).records, [{ partition: 2, offset: 0 }]);
    const page = await browse(topic, { partition: 2, start: "timestamp", timestamp: 0 });
    assert.deepEqual(page.messages.map((m) => [m.partition, m.offset, text(m.value!.base64)]), [[2, 0, "new"]]);
    assert.deepEqual((await browse(topic, { partition: "all" })).messages.map((m) => text(m.value!.base64)), ["new"], "the old record went with the old topic");
  });
});
