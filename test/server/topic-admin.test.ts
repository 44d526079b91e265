import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestBroker, uniqueTopic, type TestBroker } from "../../broker/test/helpers/broker";
import { createTopicInputSchema, type ConfigList } from "@/lib/contracts";
import { useCluster, type ClusterClients } from "@/server/kafka/registry";
import { ServiceError } from "@/server/kafka/errors";
import { createTopic } from "@/server/services/create-topic";
import { deleteTopic } from "@/server/services/delete-topic";
import { getTopic } from "@/server/services/get-topic";
import { purgeTopic } from "@/server/services/purge-topic";
import { addPartitions } from "@/server/services/add-partitions";
import { alterTopicConfigs } from "@/server/services/alter-topic-configs";
import { describeBrokerConfigs, describeTopicConfigs } from "@/server/services/describe-configs";
import { alterBrokerConfigs } from "@/server/services/alter-broker-configs";

const create = (name: string, replicationFactor = 1) => createTopic(createTopicInputSchema.parse({ name, partitions: 1, replicationFactor }));

/** A predicate for assert.rejects: a ServiceError of `kind`, on `field` (or none), whose message matches. */
const serviceError = (kind: string, field: string | undefined, message: RegExp) => (error: unknown) => {
  assert.ok(error instanceof ServiceError, `not a ServiceError: ${error}`);
  assert.equal(error.kind, kind);
  assert.equal(error.field, field);
  assert.match(error.message, message);
  return true;
};

describe("broker configs against a real broker", () => {
  let node: TestBroker;
  let clients: ClusterClients;

  before(async () => {
    node = await startTestBroker();
    clients = useCluster({ id: "default", brokers: [node.bootstrap], clientId: "sluice-broker-configs-test", ssl: undefined, sasl: undefined });
  });
  after(async () => {
    await clients?.reset();
    await node?.destroy();
  });

  it("alterBrokerConfigs sets a dynamic config for the broker, which topics then inherit, and removes it again", async () => {
    const topic = uniqueTopic("inherits");
    await createTopic(createTopicInputSchema.parse({ name: topic, partitions: 1, replicationFactor: 1 }));
    const get = (list: ConfigList, name: string) => list.configs.find((c) => c.name === name)!;
    assert.equal(get(await describeBrokerConfigs(1), "log.retention.ms").readOnly, false, "Kafka marks the dynamic ones");

    const set = await alterBrokerConfigs(1, { set: { "log.retention.ms": "3600000" } });
    assert.deepEqual([get(set, "log.retention.ms").value, get(set, "log.retention.ms").source], ["3600000", "DYNAMIC_BROKER_CONFIG"]);
    assert.equal(get(await describeTopicConfigs(topic), "retention.ms").value, "3600000", "a topic without an override follows the broker");

    const reset = await alterBrokerConfigs(1, { set: { "log.retention.ms": null } });
    assert.notEqual(get(reset, "log.retention.ms").source, "DYNAMIC_BROKER_CONFIG");
    assert.equal(get(await describeTopicConfigs(topic), "retention.ms").value, "604800000", "back to log.retention.hours=168");
  });

  it("alterBrokerConfigs: Kafka's refusal of a read-only config or a bad value comes back with its reason; an unknown broker is NOT_FOUND", async () => {
    assert.equal((await describeBrokerConfigs(1)).configs.find((c) => c.name === "num.partitions")!.readOnly, true);
    await assert.rejects(alterBrokerConfigs(1, { set: { "num.partitions": "3" } }), serviceError("INVALID_INPUT", undefined, /num\.partitions/));
    await assert.rejects(alterBrokerConfigs(1, { set: { "log.retention.ms": "soon" } }), serviceError("INVALID_INPUT", undefined, /log\.retention\.ms/));
    await assert.rejects(alterBrokerConfigs(7, { set: { "log.retention.ms": "1" } }), serviceError("NOT_FOUND", undefined, /no broker with id 7/));
    assert.equal((await describeBrokerConfigs(1)).configs.find((c) => c.name === "num.partitions")!.value, "1", "nothing changed");
  });
});

describe("topic administration says what went wrong, in the user's terms", () => {
  let node: TestBroker;
  let clients: ClusterClients;

  before(async () => {
    node = await startTestBroker();
    clients = useCluster({ id: "default", brokers: [node.bootstrap], clientId: "sluice-topic-admin-test", ssl: undefined, sasl: undefined });
  });
  after(async () => {
    await clients?.reset();
    await node?.destroy();
  });

  it("an unknown topic is NOT_FOUND naming the topic, not a partition, for every topic operation", async () => {
    const topic = uniqueTopic("missing");
    const missing = serviceError("NOT_FOUND", undefined, new RegExp(`^Topic '${topic}' does not exist`));
    await assert.rejects(getTopic(topic), missing);
    await assert.rejects(deleteTopic(topic), missing);
    await assert.rejects(purgeTopic(topic), missing);
    await assert.rejects(describeTopicConfigs(topic), missing);
    await assert.rejects(alterTopicConfigs(topic, { set: { "retention.ms": "1000" } }), missing);
    await assert.rejects(addPartitions(topic, { count: 1 }), missing);
  });

  it("createTopic: a name colliding with an existing topic by '.' and '_' names that topic on the name field", async () => {
    const dotted = uniqueTopic("orders.eu");
    await create(dotted);
    const underscored = dotted.replace("orders.eu", "orders_eu");
    await assert.rejects(create(underscored), serviceError("INVALID_INPUT", "name", new RegExp(`collides with the existing topic '${dotted.replaceAll(".", "\\.")}'`)));
    assert.ok(!(await (await clients.getAdmin()).listTopics()).includes(underscored));
  });

  it("createTopic: a replication factor above the broker count is the field's error and says how many brokers there are", async () => {
    const topic = uniqueTopic("rf");
    await assert.rejects(create(topic, 3), serviceError("INVALID_INPUT", "replicationFactor", /cluster has 1 broker\b.*at most 1/));
    assert.ok(!(await (await clients.getAdmin()).listTopics()).includes(topic));
  });

  it("deleteTopic: an internal topic is refused as internal, and stays", async () => {
    const topic = uniqueTopic("with-group");
    await create(topic);
    // Committing an offset makes the broker create __consumer_offsets.
    const admin = await clients.getAdmin();
    await admin.setOffsets({ groupId: uniqueTopic("group"), topic, partitions: [{ partition: 0, offset: "0" }] });
    await assert.rejects(deleteTopic("__consumer_offsets"), serviceError("INVALID_INPUT", undefined, /internal topic.*cannot be deleted/));
    assert.ok((await admin.listTopics()).includes("__consumer_offsets"));
  });
});
