import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Kafka, logLevel, type Admin } from "kafkajs";
import { effectiveBrokerValue } from "../../src/config/broker-config";
import { describeImage, type MetadataImage } from "../../src/metadata/image";
import { MetadataLoader, replayedImage } from "../../src/metadata/loader";
import { LocalMetadataLog } from "../../src/metadata/metadata-log";
import { silentLogger } from "../../src/runtime/logger";
import { capturingLogger, startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { realRuntime } from "../helpers/runtime";

const METADATA_DIR = "__cluster_metadata-0";
/** Kafka's config resource types. */
const ConfigResourceTypes = { TOPIC: 2, BROKER: 4 } as const;

/** A second loader, fresh, replaying the metadata log a stopped node left in `logDir`. */
function replayFromDisk(logDir: string, like: MetadataImage): MetadataImage {
  const log = LocalMetadataLog.open({ dir: path.join(logDir, METADATA_DIR), ...realRuntime, logger: silentLogger });
  try {
    const loader = new MetadataLoader(like.emptied(), silentLogger);
    loader.follow(log);
    return loader.image;
  } finally {
    log.close();
  }
}

describe("metadata loader: every effect comes from replaying the committed log", () => {
  let node: TestBroker;
  let admin: Admin;
  let kafka: Kafka;
  const nodes: TestBroker[] = [];

  before(async () => {
    node = await startTestBroker();
    kafka = new Kafka({ clientId: "sluice-loader-test", brokers: [node.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    admin = kafka.admin();
    await admin.connect();
  });
  after(async () => {
    await admin?.disconnect();
    await node?.destroy();
    for (const other of nodes) await other.destroy();
  });

  it("an image held across a commit does not change; the node's image is a new one", async () => {
    const held = node.broker.image;
    const heldBefore = describeImage(held);
    const topic = uniqueTopic("immutable");
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, configEntries: [{ name: "retention.ms", value: "60000" }] }] });
    assert.notEqual(node.broker.image, held);
    assert.ok(node.broker.image.topic(topic), "the new image has the topic");
    assert.equal(held.topic(topic), undefined, "the held image does not");
    assert.deepEqual(describeImage(held), heldBefore);
  });

  it("a fresh loader replaying the metadata log builds an image equal to the live one", async () => {
    const first = await startTestBroker();
    nodes.push(first);
    const client = new Kafka({ clientId: "sluice-replay-test", brokers: [first.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    const firstAdmin = client.admin();
    await firstAdmin.connect();
    const [kept, grown, dropped] = [uniqueTopic("kept"), uniqueTopic("grown"), uniqueTopic("dropped")];
    await firstAdmin.createTopics({
      topics: [
        { topic: kept, numPartitions: 3, configEntries: [{ name: "cleanup.policy", value: "compact" }] },
        { topic: grown, numPartitions: 1 },
        { topic: dropped, numPartitions: 2 },
      ],
    });
    await firstAdmin.createPartitions({ topicPartitions: [{ topic: grown, count: 4 }] });
    await firstAdmin.alterConfigs({
      validateOnly: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: kept, configEntries: [{ name: "retention.ms", value: "120000" }] },
        { type: ConfigResourceTypes.BROKER, name: "1", configEntries: [{ name: "log.retention.ms", value: "7200000" }] },
      ],
    });
    await firstAdmin.deleteTopics({ topics: [dropped] });
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: kept, messages: [{ key: "k", value: "v" }] });
    await producer.disconnect();
    await firstAdmin.disconnect();

    const live = first.broker.image;
    assert.ok(live.nextProducerId > 0, "a producer-id block was committed");
    assert.ok(live.topic(kept) && !live.topic(dropped));
    await first.stop();
    assert.deepEqual(describeImage(replayFromDisk(first.logDir, live)), describeImage(live));
  });

  it("a running node's image equals a replay of its log (the simulator's check, without stopping the node)", async () => {
    const topic = uniqueTopic("live-replay");
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] });
    const live = node.broker.image;
    assert.deepEqual(describeImage(replayedImage(node.broker.metadataLog, live.emptied())), describeImage(live));
  });

  it("deleting a topic through the API removes its log once the removal is applied", async () => {
    const topic = uniqueTopic("deleted");
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const dir = path.join(node.logDir, `${topic}-0`);
    assert.ok(existsSync(dir), "the partition log is made when the topic commits");
    await admin.deleteTopics({ topics: [topic] });
    assert.equal(existsSync(dir), false);
    assert.equal(node.broker.image.topic(topic), undefined);
  });

  it("a removal committed to the log without any request still removes the log (the publisher does it)", async () => {
    const topic = uniqueTopic("log-only");
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const dir = path.join(node.logDir, `${topic}-0`);
    assert.ok(existsSync(dir));
    await node.broker.metadataLog.propose([{ type: "RemoveTopicRecord", topicId: node.broker.image.topic(topic)!.topicId }]);
    assert.equal(existsSync(dir), false);
  });

  it("a restart that replays a delete the node never carried out removes the stray log", async () => {
    const first = await startTestBroker();
    nodes.push(first);
    const topic = uniqueTopic("stray");
    await first.broker.controller.createTopic({ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} }, { validateOnly: false });
    const topicId = first.broker.image.topic(topic)!.topicId;
    const dir = path.join(first.logDir, `${topic}-0`);
    await first.stop();
    // As if the node committed the removal and crashed before acting on it: the record is in the log, the log dir on disk.
    const log = LocalMetadataLog.open({ dir: path.join(first.logDir, METADATA_DIR), ...realRuntime, logger: silentLogger });
    await log.propose([{ type: "RemoveTopicRecord", topicId }]);
    log.close();
    assert.ok(existsSync(dir));

    const { logger, lines } = capturingLogger();
    const second = await startTestBroker({}, first.logDir, { logger });
    nodes.push(second);
    assert.equal(existsSync(dir), false);
    assert.equal(second.broker.image.topic(topic), undefined);
    assert.ok(lines.some((line) => line.msg === "deleting logs of a topic missing from the metadata" && line.topic === topic));
  });

  it("the node's effective config follows a broker config record committed to the log", async () => {
    assert.notEqual(effectiveBrokerValue(node.broker.config, "log.retention.ms"), "3600000");
    await node.broker.metadataLog.propose([{ type: "ConfigRecord", resourceType: "broker", resourceName: "1", name: "log.retention.ms", value: "3600000" }]);
    assert.equal(effectiveBrokerValue(node.broker.config, "log.retention.ms"), "3600000");
    await node.broker.metadataLog.propose([{ type: "ConfigRecord", resourceType: "broker", resourceName: "1", name: "log.retention.ms", value: null }]);
    assert.notEqual(effectiveBrokerValue(node.broker.config, "log.retention.ms"), "3600000");
  });

  it("producer ids come in blocks committed through the controller; callers that exhaust a block share the next", async () => {
    const start = node.broker.image.nextProducerId;
    const results = await Promise.all(
      Array.from({ length: 1500 }, () => node.broker.producerIds.initProducerId({ producerId: -1, producerEpoch: -1 })),
    );
    const ids = results.map((result) => (result.ok ? result.producerId : -1));
    assert.equal(new Set(ids).size, ids.length, "every id is new");
    assert.ok(ids.every((id) => id >= start - 1000 && id < node.broker.image.nextProducerId), "every id is in a committed block");
    assert.ok(node.broker.image.nextProducerId >= start + 1000, "at least one more block was committed");
  });
});
