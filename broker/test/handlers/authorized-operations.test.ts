import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { RawClient } from "../helpers/raw-client";

// Expected bit sets written out from Kafka's AclOperation codes, not from the broker's table.
// topic: READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11
const TOPIC_OPERATIONS = 0b1101_1111_1000;
// cluster: CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12
const CLUSTER_OPERATIONS = 0b1_1111_1010_0000;
// group: READ 3, DELETE 6, DESCRIBE 8, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11
const GROUP_OPERATIONS = 0b1101_0100_1000;
const OMITTED = -2147483648;

describe("authorized operations: with no authorizer, a client that asks is granted every operation of the resource", () => {
  let node: TestBroker;
  let client: RawClient;
  const topic = uniqueTopic("authops");
  const groupId = uniqueTopic("authops-group");

  before(async () => {
    node = await startTestBroker();
    client = await RawClient.connect(node.port);
    const kafka = new Kafka({ clientId: "authops", brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    // Committed offsets make the group exist (state Empty) without a running consumer.
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: "0" }] });
    await admin.disconnect();
  });
  after(async () => {
    client?.close();
    await node?.destroy();
  });

  const metadata = (version: number, ask: boolean) =>
    client.request(ApiKey.Metadata, version, {
      topics: [{ name: topic, topicId: Buffer.alloc(16) }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: ask,
      includeTopicAuthorizedOperations: ask,
    });

  it("Metadata v8-10 answers the topic's and the cluster's operations when asked, and the sentinel otherwise", async () => {
    for (const version of [8, 9, 10]) {
      const asked = await metadata(version, true);
      assert.equal(asked.topics[0].errorCode, ErrorCode.NONE);
      assert.equal(asked.topics[0].topicAuthorizedOperations, TOPIC_OPERATIONS, `v${version} topic`);
      assert.equal(asked.clusterAuthorizedOperations, CLUSTER_OPERATIONS, `v${version} cluster`);
      const plain = await metadata(version, false);
      assert.equal(plain.topics[0].topicAuthorizedOperations, OMITTED);
      assert.equal(plain.clusterAuthorizedOperations, OMITTED);
    }
  });

  it("Metadata v11+ answers topic operations; cluster operations moved to DescribeCluster", async () => {
    const asked = await metadata(12, true);
    assert.equal(asked.topics[0].topicAuthorizedOperations, TOPIC_OPERATIONS);
    assert.equal(asked.clusterAuthorizedOperations, OMITTED);
  });

  it("DescribeCluster answers the cluster's operations when asked", async () => {
    for (const version of [0, 1]) {
      const asked = await client.request(ApiKey.DescribeCluster, version, { includeClusterAuthorizedOperations: true, endpointType: 1 });
      assert.equal(asked.errorCode, ErrorCode.NONE);
      assert.equal(asked.clusterAuthorizedOperations, CLUSTER_OPERATIONS, `v${version}`);
      const plain = await client.request(ApiKey.DescribeCluster, version, { includeClusterAuthorizedOperations: false, endpointType: 1 });
      assert.equal(plain.clusterAuthorizedOperations, OMITTED);
    }
  });

  it("DescribeGroups v3+ answers the group's operations when asked", async () => {
    for (const version of [3, 5]) {
      const asked = await client.request(ApiKey.DescribeGroups, version, { groups: [groupId], includeAuthorizedOperations: true });
      assert.equal(asked.groups[0].errorCode, ErrorCode.NONE);
      assert.equal(asked.groups[0].groupState, "Empty");
      assert.equal(asked.groups[0].authorizedOperations, GROUP_OPERATIONS, `v${version}`);
      const plain = await client.request(ApiKey.DescribeGroups, version, { groups: [groupId], includeAuthorizedOperations: false });
      assert.equal(plain.groups[0].authorizedOperations, OMITTED);
    }
  });

});
