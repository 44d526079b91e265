import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { SASLOptions } from "kafkajs";
import { startTestBroker, uniqueTopic, type TestBroker } from "../../broker/test/helpers/broker";
import { saslOverrides, SASL_USERS } from "../../broker/test/helpers/sasl";
import { ApiKey } from "@sluice/protocol/messages/api-messages";
import type { MetadataResponse } from "@sluice/protocol/messages";
import { browseInputSchema, createTopicInputSchema, produceInputSchema } from "@/lib/contracts";
import { describeLogDirs } from "@/server/kafka/broker-wire";
import { ClusterClients, useCluster } from "@/server/kafka/registry";
import { SaslAuthenticationError } from "@/server/kafka/sasl";
import { browseMessages } from "@/server/services/browse-messages";
import { createTopic } from "@/server/services/create-topic";
import { getTopic } from "@/server/services/get-topic";
import { listBrokers } from "@/server/services/list-brokers";
import { listTopics } from "@/server/services/list-topics";
import { produceRecords } from "@/server/services/produce-records";

const text = (base64: string) => Buffer.from(base64, "base64").toString("utf8");
const sasl = (mechanism: string, password: string) => ({ mechanism, username: "alice", password }) as SASLOptions;

describe("console services against a SASL_PLAINTEXT-only broker (SCRAM-SHA-512)", () => {
  let node: TestBroker;
  let clients: ClusterClients;

  before(async () => {
    // No PLAINTEXT listener at all: everything the console does has to authenticate.
    node = await startTestBroker({
      ...saslOverrides("SCRAM-SHA-512,PLAIN,SCRAM-SHA-256"),
      listeners: "SASL_PLAINTEXT://127.0.0.1:0",
      "inter.broker.listener.name": "SASL_PLAINTEXT",
    });
    clients = useCluster({ id: "default", brokers: [node.bootstrap], clientId: "sluice-sasl-test", ssl: undefined, sasl: sasl("scram-sha-512", SASL_USERS.alice) });
  });
  after(async () => {
    await clients?.reset();
    await node?.destroy();
  });

  it("browseMessages reads records over authenticated Fetch requests", async () => {
    const topic = uniqueTopic("sasl-browse");
    await createTopic(createTopicInputSchema.parse({ name: topic, partitions: 2, replicationFactor: 1, configs: {} }));
    for (let i = 0; i < 6; i++) await produceRecords(topic, produceInputSchema.parse({ partition: i % 2, key: `k${i}`, value: `v${i}` }));
    const page = await browseMessages(topic, browseInputSchema.parse({ start: "oldest", order: "oldest-first", count: 10 }));
    assert.deepEqual(page.messages.map((m) => text(m.value!.base64)).sort(), ["v0", "v1", "v2", "v3", "v4", "v5"]);
    const one = await browseMessages(topic, browseInputSchema.parse({ partition: 1, count: 10 }));
    assert.deepEqual(one.messages.map((m) => text(m.key!.base64)), ["k5", "k3", "k1"]);
  });

  it("topic and broker sizes come from DescribeLogDirs over the SASL listener", async () => {
    const topic = uniqueTopic("sasl-sizes");
    await createTopic(createTopicInputSchema.parse({ name: topic, partitions: 1, replicationFactor: 1, configs: {} }));
    await produceRecords(topic, produceInputSchema.parse({ value: "x".repeat(2000) }));
    const detail = await getTopic(topic);
    assert.ok(detail.sizeBytes !== null && detail.sizeBytes >= 2000, `topic size ${detail.sizeBytes}`);
    assert.ok(detail.partitionList[0].sizeBytes! >= 2000);
    // Record counts come from the raw client's batched ListOffsets, authenticated too.
    assert.deepEqual([detail.approximateRecords, detail.partitionList[0].highWatermark], [1, 1]);
    const listed = await listTopics({ q: topic });
    assert.deepEqual([listed.uncounted, listed.topics[0].approximateRecords], [0, 1]);
    const [broker] = await listBrokers();
    assert.equal(broker.port, node.port);
    assert.ok(broker.bytesOnDisk !== null && broker.bytesOnDisk >= 2000, `bytes on disk ${broker.bytesOnDisk}`);
  });

  for (const mechanism of ["plain", "scram-sha-256", "scram-sha-512"])
    it(`the raw protocol client authenticates with ${mechanism}`, async () => {
      const other = new ClusterClients({ id: `sasl-${mechanism}`, brokers: [node.bootstrap], clientId: "sluice-sasl-test", ssl: undefined, sasl: sasl(mechanism, SASL_USERS.alice) });
      try {
        const wire = await other.wire("127.0.0.1", node.port);
        const metadata = await wire.request<MetadataResponse>(
          ApiKey.Metadata,
          9,
          { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false },
          5_000,
        );
        assert.deepEqual(metadata.brokers.map((b) => b.port), [node.port]);
      } finally {
        await other.reset();
      }
    });

  it("a wrong password: the raw client reports the broker's refusal, and sizes are left unknown", async () => {
    const wrong = new ClusterClients({ id: "sasl-wrong", brokers: [node.bootstrap], clientId: "sluice-sasl-test", ssl: undefined, sasl: sasl("scram-sha-512", "not-alices") });
    try {
      await assert.rejects(wrong.wire("127.0.0.1", node.port), (error: unknown) => {
        assert.ok(error instanceof SaslAuthenticationError);
        assert.equal(error.type, "SASL_AUTHENTICATION_FAILED");
        assert.match(error.message, /invalid credentials with SASL mechanism SCRAM-SHA-512/);
        return true;
      });
      const sizes = await describeLogDirs(wrong, [{ nodeId: 1, host: "127.0.0.1", port: node.port }], null);
      assert.equal(sizes.complete, false);
    } finally {
      await wrong.reset();
    }
  });
});
