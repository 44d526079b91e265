import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { encodeRecordBatch } from "../../src/protocol/records/record-batch";
import type { FileSystem } from "../../src/runtime/fs";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { RawClient } from "../helpers/raw-client";
import { realRuntime } from "../helpers/runtime";

/**
 * A partition the metadata has but this node holds no log of: its topic was
 * created while making partition directories failed. Reads of it must
 * answer an error, as Kafka's replica manager does, and leave the disk alone.
 */
describe("reads of a partition without a log", () => {
  const topic = uniqueTopic("unhosted");
  let failMkdir = false;
  const fs: FileSystem = {
    ...realRuntime.fs,
    mkdirSync(dir, options) {
      if (failMkdir && path.basename(dir).startsWith(topic))
        throw Object.assign(new Error(`EACCES: permission denied, mkdir '${dir}'`), { code: "EACCES", syscall: "mkdir" });
      realRuntime.fs.mkdirSync(dir, options);
    },
  };
  let node: TestBroker;
  let client: RawClient;
  const partitionDir = (partition: number) => path.join(node.logDir, `${topic}-${partition}`);

  before(async () => {
    node = await startTestBroker({}, undefined, { fs });
    client = await RawClient.connect(node.port);
    failMkdir = true;
    node.broker.controller.createTopic({ name: topic, numPartitions: 2, replicationFactor: 1, assignments: [], configs: {} }, { validateOnly: false });
    failMkdir = false;
    assert.equal(existsSync(partitionDir(0)), false, "the topic exists with no log on disk");
  });
  after(async () => {
    client?.close();
    await node?.destroy();
  });

  it("Fetch answers NOT_LEADER_OR_FOLLOWER for a partition the metadata has, UNKNOWN_TOPIC_OR_PARTITION past its partitions, and makes no log", async () => {
    const response = await client.request(ApiKey.Fetch, 11, {
      clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, topicId: Buffer.alloc(16), partitions: [0, 7].map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20, replicaDirectoryId: Buffer.alloc(16) })) }],
      forgottenTopicsData: [], rackId: "",
    });
    assert.deepEqual(
      response.responses[0].partitions.map((p: { partitionIndex: number; errorCode: number }) => [p.partitionIndex, p.errorCode]),
      [[0, ErrorCode.NOT_LEADER_OR_FOLLOWER], [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
    );
    assert.equal(existsSync(partitionDir(0)), false);
  });

  it("ListOffsets (latest and earliest) answers NOT_LEADER_OR_FOLLOWER and makes no log", async () => {
    const response = await client.request(ApiKey.ListOffsets, 7, {
      replicaId: -1, isolationLevel: 0, timeoutMs: 0,
      topics: [{ name: topic, partitions: [-1n, -2n].map((timestamp) => ({ partitionIndex: 0, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 })) }],
    });
    assert.deepEqual(response.topics[0].partitions.map((p: { errorCode: number }) => p.errorCode), [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.NOT_LEADER_OR_FOLLOWER]);
    assert.equal(existsSync(partitionDir(0)), false);
  });

  it("DeleteRecords answers NOT_LEADER_OR_FOLLOWER and makes no log", async () => {
    const response = await client.request(ApiKey.DeleteRecords, 2, { timeoutMs: 1000, topics: [{ name: topic, partitions: [{ partitionIndex: 1, offset: -1n }] }] });
    assert.equal(response.topics[0].partitions[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.equal(existsSync(partitionDir(1)), false);
  });

  it("DescribeLogDirs lists no such partition and makes no log", async () => {
    const response = await client.request(ApiKey.DescribeLogDirs, 4, { topics: [{ topic, partitions: [0, 1] }] });
    assert.equal(response.errorCode, ErrorCode.NONE);
    assert.deepEqual(response.results.flatMap((dir: { topics: unknown[] }) => dir.topics), []);
    assert.equal(existsSync(partitionDir(0)), false);
    assert.equal(existsSync(partitionDir(1)), false);
  });

  const produceTo = (partitions: number[]) =>
    client.request(ApiKey.Produce, 9, {
      transactionalId: null, acks: -1, timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: partitions.map((index) => ({ index, records: encodeRecordBatch({ now: Date.now(), records: [{ key: "k", value: "v" }] }) })) }],
    });

  it("Produce answers NOT_LEADER_OR_FOLLOWER for a partition the metadata has, UNKNOWN_TOPIC_OR_PARTITION past its partitions, and makes no log", async () => {
    const produced = await produceTo([0, 7]);
    assert.deepEqual(
      produced.responses[0].partitionResponses.map((p: { index: number; errorCode: number }) => [p.index, p.errorCode]),
      [[0, ErrorCode.NOT_LEADER_OR_FOLLOWER], [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
    );
    assert.equal(existsSync(partitionDir(0)), false, "only the metadata makes a log, never a request");
    assert.equal(existsSync(partitionDir(7)), false);
  });

  it("the next start-up makes the missing logs (the publisher's snapshot update); then produce and reads serve them, and the first append checkpoints epoch 0", async () => {
    client.close();
    await node.stop();
    node = await startTestBroker({}, node.logDir, { fs });
    client = await RawClient.connect(node.port);
    assert.equal(existsSync(partitionDir(0)), true);
    assert.equal(existsSync(partitionDir(1)), true);
    const produced = await produceTo([0]);
    assert.equal(produced.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);
    assert.equal(readFileSync(path.join(partitionDir(0), "leader-epoch-checkpoint"), "utf8"), "0\n1\n0 0\n");
    const listed = await client.request(ApiKey.ListOffsets, 7, {
      replicaId: -1, isolationLevel: 0, timeoutMs: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }],
    });
    assert.deepEqual([listed.topics[0].partitions[0].errorCode, listed.topics[0].partitions[0].offset], [ErrorCode.NONE, 1n]);
  });
});

describe("leader-epoch-checkpoint on a broker node", () => {
  it("is written by the first produce, truncated by DeleteRecords, and loaded again after a restart", async () => {
    let node = await startTestBroker();
    const topic = uniqueTopic("epochs");
    try {
      node.broker.controller.createTopic({ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} }, { validateOnly: false });
      const dir = path.join(node.logDir, `${topic}-0`);
      assert.equal(existsSync(path.join(dir, "leader-epoch-checkpoint")), false, "no epoch before the first append");
      let client = await RawClient.connect(node.port);
      for (let i = 0; i < 3; i++) {
        const produced = await client.request(ApiKey.Produce, 9, {
          transactionalId: null, acks: 1, timeoutMs: 5000,
          topicData: [{ name: topic, partitionData: [{ index: 0, records: encodeRecordBatch({ now: Date.now(), records: [{ value: `v${i}` }] }) }] }],
        });
        assert.equal(produced.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);
      }
      assert.equal(readFileSync(path.join(dir, "leader-epoch-checkpoint"), "utf8"), "0\n1\n0 0\n");
      const deleted = await client.request(ApiKey.DeleteRecords, 2, { timeoutMs: 1000, topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: 2n }] }] });
      assert.equal(deleted.topics[0].partitions[0].lowWatermark, 2n);
      assert.equal(readFileSync(path.join(dir, "leader-epoch-checkpoint"), "utf8"), "0\n1\n0 2\n");
      client.close();
      await node.stop();
      node = await startTestBroker({}, node.logDir);
      assert.deepEqual(node.broker.produceFetch.partitionLog(topic, 0).leaderEpochEntries, [{ epoch: 0, startOffset: 2 }]);
      client = await RawClient.connect(node.port);
      const fetched = await client.request(ApiKey.Fetch, 11, {
        clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic, topicId: Buffer.alloc(16), partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 2n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20, replicaDirectoryId: Buffer.alloc(16) }] }],
        forgottenTopicsData: [], rackId: "",
      });
      const partition = fetched.responses[0].partitions[0];
      assert.deepEqual([partition.errorCode, partition.highWatermark, partition.logStartOffset], [ErrorCode.NONE, 3n, 2n]);
      client.close();
    } finally {
      await node.destroy();
    }
  });
});
