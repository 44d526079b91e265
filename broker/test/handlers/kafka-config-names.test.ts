import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Kafka, logLevel, type Admin } from "kafkajs";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { createLogger } from "../../src/runtime/logger";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { RawClient } from "../helpers/raw-client";

/** Kafka's config resource types (kafkajs's ConfigResourceTypes, which ESM cannot import by name). */
const TOPIC = 2;
const BROKER = 4;
const SET = 0;

describe("DescribeConfigs, AlterConfigs and IncrementalAlterConfigs with Kafka's config names", () => {
  let node: TestBroker;
  let admin: Admin;
  let client: RawClient;
  const logLines: Array<{ msg: string; config?: string }> = [];
  const topic = uniqueTopic("kafka-names");

  before(async () => {
    const logger = createLogger({ write: (line) => logLines.push(JSON.parse(line)) });
    node = await startTestBroker({ "sasl.kerberos.min.time.before.relogin": "30000" }, undefined, { logger });
    admin = new Kafka({ clientId: "kafka-names", brokers: [node.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic }] });
    client = await RawClient.connect(node.port);
  });
  after(async () => {
    client?.close();
    await admin?.disconnect();
    await node?.destroy();
  });

  const brokerConfigs = async () => {
    const described = await admin.describeConfigs({ resources: [{ type: BROKER, name: "1" }], includeSynonyms: false });
    return new Map(described.resources[0].configEntries.map((entry) => [entry.configName, entry]));
  };
  const unusedLogged = (name: string) => logLines.filter((line) => line.msg === "config accepted and unused" && line.config === name).length;
  const incremental = async (name: string, value: string) => {
    const response = await client.request(ApiKey.IncrementalAlterConfigs, 1, {
      resources: [{ resourceType: BROKER, resourceName: "1", configs: [{ name, configOperation: SET, value }] }],
      validateOnly: false,
    });
    return response.responses[0];
  };

  it("kafkajs describes the broker's Kafka properties with their values, defaults and sources", async () => {
    const configs = await brokerConfigs();
    const relogin = configs.get("sasl.kerberos.min.time.before.relogin")!;
    assert.deepEqual([relogin.configValue, relogin.configSource, relogin.readOnly], ["30000", 4 /* STATIC_BROKER_CONFIG */, false]);
    const truststore = configs.get("ssl.truststore.type")!;
    assert.deepEqual([truststore.configValue, truststore.isDefault], ["JKS", true]);
    assert.equal(configs.get("remote.log.storage.system.enable")!.readOnly, true);
    assert.equal(unusedLogged("sasl.kerberos.min.time.before.relogin"), 1, "logged once at start");
  });

  it("kafkajs describes a topic's Kafka configs with their defaults", async () => {
    const described = await admin.describeConfigs({ resources: [{ type: TOPIC, name: topic }], includeSynonyms: false });
    const configs = new Map(described.resources[0].configEntries.map((entry) => [entry.configName, entry.configValue]));
    assert.equal(configs.get("remote.storage.enable"), "false");
    assert.equal(configs.get("local.retention.ms"), "-2");
    assert.equal(configs.get("compression.zstd.level"), "3");
  });

  it("IncrementalAlterConfigs sets a dynamic one (logged once however often it is set) and refuses a read-only one with Kafka's error", async () => {
    assert.equal((await incremental("log.cleaner.threads", "2")).errorCode, ErrorCode.NONE);
    assert.equal((await incremental("log.cleaner.threads", "3")).errorCode, ErrorCode.NONE);
    const threads = (await brokerConfigs()).get("log.cleaner.threads")!;
    assert.deepEqual([threads.configValue, threads.configSource], ["3", 2 /* DYNAMIC_BROKER_CONFIG */]);
    assert.equal(unusedLogged("log.cleaner.threads"), 1);

    const readOnly = await incremental("broker.heartbeat.interval.ms", "1000");
    assert.equal(readOnly.errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal(readOnly.errorMessage, "Cannot update these configs dynamically: Set(broker.heartbeat.interval.ms)");
    const keystore = await incremental("ssl.keystore.type", "PKCS12");
    assert.equal(keystore.errorCode, ErrorCode.INVALID_REQUEST);
    assert.match(keystore.errorMessage, /only per-listener using the listener prefix: Set\(ssl\.keystore\.type\)/);
    const unknown = await incremental("sasl.kerberos.min.time.before.relogins", "1");
    assert.equal(unknown.errorCode, ErrorCode.INVALID_CONFIG);
  });

  it("kafkajs alterConfigs (AlterConfigs) takes a per-broker one and a topic one, and refuses a read-only one", async () => {
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: BROKER, name: "1", configEntries: [{ name: "sasl.kerberos.min.time.before.relogin", value: "45000" }] }] });
    const relogin = (await brokerConfigs()).get("sasl.kerberos.min.time.before.relogin")!;
    assert.deepEqual([relogin.configValue, relogin.configSource], ["45000", 2]);
    await assert.rejects(
      admin.alterConfigs({ validateOnly: false, resources: [{ type: BROKER, name: "1", configEntries: [{ name: "authorizer.class.name", value: "x" }] }] }),
      (error: { type?: string }) => error.type === "INVALID_REQUEST",
    );
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: TOPIC, name: topic, configEntries: [{ name: "compression.gzip.level", value: "5" }] }] });
    const described = await admin.describeConfigs({ resources: [{ type: TOPIC, name: topic, configNames: ["compression.gzip.level"] }], includeSynonyms: false });
    assert.deepEqual(
      described.resources[0].configEntries.map((entry) => [entry.configName, entry.configValue, entry.configSource]),
      [["compression.gzip.level", "5", 1 /* TOPIC_CONFIG */]],
    );
    assert.equal(unusedLogged("compression.gzip.level"), 1);
  });

  it("a topic created with a Kafka config Sluice does not act on is served, and the config logged once", async () => {
    const created = uniqueTopic("kafka-names-created");
    await admin.createTopics({ topics: [{ topic: created, configEntries: [{ name: "local.retention.ms", value: "60000" }] }] });
    const producer = new Kafka({ clientId: "kafka-names", brokers: [node.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: created, messages: [{ value: "a" }] });
    await producer.send({ topic: created, messages: [{ value: "b" }] });
    await producer.disconnect();
    assert.equal(node.broker.produceFetch.partitionLog(created, 0).logEndOffset, 2);
    assert.equal(unusedLogged("local.retention.ms"), 1);
  });
});
