import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Kafka, logLevel, type Admin } from "kafkajs";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { RawClient } from "../helpers/raw-client";

/** Kafka's config resource types (kafkajs's ConfigResourceTypes, which ESM cannot import by name). */
const ConfigResourceTypes = { TOPIC: 2, BROKER: 4 } as const;

/** IncrementalAlterConfigs operations. */
const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

describe("admin APIs: configs, log dirs, partitions and records", () => {
  let node: TestBroker;
  let admin: Admin;
  const connect = async () => {
    const kafka = new Kafka({ clientId: "sluice-admin-test", brokers: [node.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    admin = kafka.admin();
    await admin.connect();
    return kafka;
  };

  before(async () => {
    node = await startTestBroker({ "log.retention.hours": "24" });
    await connect();
  });
  after(async () => {
    await admin?.disconnect();
    await node?.destroy();
  });

  const topicConfigs = async (topic: string, names?: string[]) => {
    const described = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: names }],
      includeSynonyms: true,
    });
    return new Map(described.resources[0].configEntries.map((entry) => [entry.configName, entry]));
  };

  it("describeConfigs of a topic: overrides have source TOPIC_CONFIG, the rest come from the broker with their synonyms", async () => {
    const topic = uniqueTopic("cfg");
    await admin.createTopics({ topics: [{ topic, configEntries: [{ name: "cleanup.policy", value: "compact" }] }] });
    const configs = await topicConfigs(topic);
    const cleanup = configs.get("cleanup.policy")!;
    assert.equal(cleanup.configValue, "compact");
    assert.equal(cleanup.isDefault, false);
    const retention = configs.get("retention.ms")!;
    assert.equal(retention.configValue, String(24 * 3600 * 1000), "log.retention.hours=24 is the topic default");
    assert.ok(
      retention.configSynonyms.some((s) => s.configName === "log.retention.hours" && s.configValue === "24"),
      "the synonym names the broker property that supplies the value",
    );
  });

  it("describeConfigs of the broker reports static and default values, and marks read-only properties", async () => {
    const described = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.BROKER, name: "1", configNames: ["log.retention.hours", "num.partitions", "node.id"] }],
      includeSynonyms: false,
    });
    const entries = new Map(described.resources[0].configEntries.map((entry) => [entry.configName, entry]));
    assert.equal(entries.get("log.retention.hours")!.configValue, "24");
    assert.equal(entries.get("log.retention.hours")!.isDefault, false);
    assert.equal(entries.get("num.partitions")!.isDefault, true);
    assert.equal(entries.get("node.id")!.readOnly, true);
  });

  it("describeConfigs of an unknown topic answers UNKNOWN_TOPIC_OR_PARTITION", async () => {
    await assert.rejects(
      admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: uniqueTopic("missing") }], includeSynonyms: false }),
      (error: { type?: string }) => error.type === "UNKNOWN_TOPIC_OR_PARTITION",
    );
  });

  it("alterConfigs replaces a topic's overrides, rejects invalid values without changing anything, and persists across a restart", async () => {
    const topic = uniqueTopic("alter");
    await admin.createTopics({ topics: [{ topic, configEntries: [{ name: "cleanup.policy", value: "compact" }] }] });
    await admin.alterConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: "retention.ms", value: "60000" }] }],
      validateOnly: false,
    });
    let configs = await topicConfigs(topic);
    assert.equal(configs.get("retention.ms")!.configValue, "60000");
    assert.equal(configs.get("cleanup.policy")!.configValue, "delete", "AlterConfigs replaces the whole set of overrides");

    await assert.rejects(
      admin.alterConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: "retention.ms", value: "soon" }] }],
        validateOnly: false,
      }),
      (error: { type?: string }) => error.type === "INVALID_CONFIG",
    );
    await assert.rejects(
      admin.alterConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: "no.such.config", value: "1" }] }],
        validateOnly: false,
      }),
      (error: { type?: string }) => error.type === "INVALID_CONFIG",
    );
    await admin.alterConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: "retention.ms", value: "5" }] }],
      validateOnly: true,
    });
    assert.equal((await topicConfigs(topic)).get("retention.ms")!.configValue, "60000", "validateOnly changes nothing");

    await admin.disconnect();
    await node.stop();
    node = await startTestBroker({ "log.retention.hours": "24" }, node.logDir);
    await connect();
    configs = await topicConfigs(topic);
    assert.equal(configs.get("retention.ms")!.configValue, "60000", "the override survives a restart");
    assert.equal(node.broker.produceFetch.partitionLog(topic, 0).logConfig.retentionMs, 60000, "and the reopened log obeys it");
  });

  it("IncrementalAlterConfigs sets, deletes, appends to and subtracts from single configs", async () => {
    const topic = uniqueTopic("incr");
    await admin.createTopics({ topics: [{ topic, configEntries: [{ name: "retention.ms", value: "60000" }] }] });
    const client = await RawClient.connect(node.port);
    const alter = async (configs: Array<{ name: string; configOperation: number; value: string | null }>) => {
      const response = await client.request(ApiKey.IncrementalAlterConfigs, 1, {
        resources: [{ resourceType: 2, resourceName: topic, configs }],
        validateOnly: false,
      });
      return response.responses[0];
    };
    assert.equal((await alter([{ name: "segment.ms", configOperation: SET, value: "120000" }])).errorCode, ErrorCode.NONE);
    assert.equal((await alter([{ name: "cleanup.policy", configOperation: APPEND, value: "compact" }])).errorCode, ErrorCode.NONE);
    let configs = await topicConfigs(topic);
    assert.equal(configs.get("retention.ms")!.configValue, "60000", "other overrides stay");
    assert.equal(configs.get("segment.ms")!.configValue, "120000");
    assert.equal(configs.get("cleanup.policy")!.configValue, "delete,compact", "APPEND extends the default list");

    assert.equal((await alter([{ name: "cleanup.policy", configOperation: SUBTRACT, value: "delete" }])).errorCode, ErrorCode.NONE);
    assert.equal((await alter([{ name: "retention.ms", configOperation: DELETE, value: null }])).errorCode, ErrorCode.NONE);
    configs = await topicConfigs(topic);
    assert.equal(configs.get("cleanup.policy")!.configValue, "compact");
    assert.equal(configs.get("retention.ms")!.configValue, String(24 * 3600 * 1000), "DELETE falls back to the broker default");

    const appendToNumber = await alter([{ name: "segment.ms", configOperation: APPEND, value: "1" }]);
    assert.equal(appendToNumber.errorCode, ErrorCode.INVALID_CONFIG);
    const duplicate = await alter([
      { name: "segment.ms", configOperation: SET, value: "1000" },
      { name: "segment.ms", configOperation: DELETE, value: null },
    ]);
    assert.equal(duplicate.errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal((await topicConfigs(topic)).get("segment.ms")!.configValue, "120000", "a refused request changes nothing");
    client.close();
  });

  it("a dynamic broker config changes the default of every topic that has no override, and persists", async () => {
    const topic = uniqueTopic("dyn");
    await admin.createTopics({ topics: [{ topic }] });
    const client = await RawClient.connect(node.port);
    const response = await client.request(ApiKey.IncrementalAlterConfigs, 1, {
      resources: [{ resourceType: 4, resourceName: "1", configs: [{ name: "log.retention.ms", configOperation: SET, value: "7200000" }] }],
      validateOnly: false,
    });
    assert.equal(response.responses[0].errorCode, ErrorCode.NONE);
    const readOnly = await client.request(ApiKey.IncrementalAlterConfigs, 1, {
      resources: [{ resourceType: 4, resourceName: "1", configs: [{ name: "num.partitions", configOperation: SET, value: "3" }] }],
      validateOnly: false,
    });
    assert.equal(readOnly.responses[0].errorCode, ErrorCode.INVALID_REQUEST, "read-only properties need a restart (Kafka answers INVALID_REQUEST)");
    client.close();

    const retention = (await topicConfigs(topic, ["retention.ms"])).get("retention.ms")!;
    assert.equal(retention.configValue, "7200000");
    assert.equal(node.broker.produceFetch.partitionLog(topic, 0).logConfig.retentionMs, 7200000, "the open log follows the new default");

    await admin.disconnect();
    await node.stop();
    node = await startTestBroker({ "log.retention.hours": "24" }, node.logDir);
    await connect();
    const broker = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.BROKER, name: "1", configNames: ["log.retention.ms"] }],
      includeSynonyms: false,
    });
    assert.equal(broker.resources[0].configEntries[0].configValue, "7200000");
    // Put the broker default back for the tests that follow.
    const reset = await RawClient.connect(node.port);
    await reset.request(ApiKey.IncrementalAlterConfigs, 1, {
      resources: [{ resourceType: 4, resourceName: "1", configs: [{ name: "log.retention.ms", configOperation: DELETE, value: null }] }],
      validateOnly: false,
    });
    reset.close();
  });

  it("createPartitions grows a topic and refuses to shrink it", async () => {
    const topic = uniqueTopic("grow");
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] });
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.equal(metadata.topics[0].partitions.length, 5);
    await assert.rejects(admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] }), /INVALID_PARTITIONS|partitions/i);
  });

  it("deleteTopicRecords moves the log start offset; DescribeLogDirs reports the partition's bytes", async () => {
    const topic = uniqueTopic("purge");
    await admin.createTopics({ topics: [{ topic }] });
    const kafka = new Kafka({ clientId: "sluice-admin-test", brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })) });
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `w${i}` })) });
    await producer.disconnect();

    // kafkajs looks the leader up in its cached metadata before it refreshes, so the topic must be known to it first.
    await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: "10" }] });
    const [offsets] = await admin.fetchTopicOffsets(topic);
    assert.equal(offsets.low, "10");
    assert.equal(offsets.high, "20");
    await assert.rejects(
      admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: "25" }] }),
      // kafkajs wraps the per-partition errors once its retries give up.
      (error: { cause?: { partitions?: Array<{ error: { type?: string } }> } }) =>
        error.cause?.partitions?.[0]?.error.type === "OFFSET_OUT_OF_RANGE",
    );

    const client = await RawClient.connect(node.port);
    const dirs = await client.request(ApiKey.DescribeLogDirs, 4, { topics: [{ topic, partitions: [0] }] });
    client.close();
    assert.equal(dirs.errorCode, ErrorCode.NONE);
    assert.equal(dirs.results.length, 1);
    assert.ok(dirs.results[0].totalBytes > 0n && dirs.results[0].usableBytes > 0n);
    assert.deepEqual(
      dirs.results[0].topics.map((t: { name: string; partitions: Array<{ partitionIndex: number; partitionSize: bigint }> }) => [
        t.name,
        t.partitions.map((p) => [p.partitionIndex, p.partitionSize]),
      ]),
      [[topic, [[0, BigInt(node.broker.produceFetch.partitionLog(topic, 0).sizeBytes)]]]],
    );
    assert.ok(node.broker.produceFetch.partitionLog(topic, 0).sizeBytes > 0);
  });
});
