import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { formatStorage, newClusterId } from "../../src/metadata/meta-properties";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import type { DescribeQuorumResponse, VoteResponse } from "../../src/protocol/generated";
import { voteRequest } from "../../src/raft/messages";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { waitFor } from "../helpers/groups";
import { RawClient } from "../helpers/raw-client";
import { realRuntime } from "../helpers/runtime";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A node that is the one voter of its quorum (nobody dials the voter's address, so its port is a placeholder). */
async function startSingleVoter(logDir?: string): Promise<{ node: TestBroker; clusterId: string; controllerPort: number }> {
  const dir = logDir ?? mkdtempSync(path.join(os.tmpdir(), "sluice-voter-"));
  if (!logDir) dirs.push(dir);
  const clusterId = logDir ? "" : newClusterId(realRuntime.random);
  if (!logDir) formatStorage(realRuntime.fs, [dir], 1, clusterId);
  const node = await startTestBroker(
    {
      listeners: "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0",
      "controller.listener.names": "CONTROLLER",
      "controller.quorum.voters": "1@127.0.0.1:1",
      "controller.quorum.election.timeout.ms": "100",
    },
    dir,
  );
  return { node, clusterId: node.broker.image.clusterId, controllerPort: node.broker.boundPort("CONTROLLER") };
}

const describeBody = { topics: [{ topicName: "__cluster_metadata", partitions: [{ partitionIndex: 0 }] }] };

async function request<T>(port: number, apiKey: number, version: number, body: unknown): Promise<T> {
  const client = await RawClient.connect(port);
  try {
    return await client.request<T>(apiKey, version, body);
  } finally {
    client.close();
  }
}

describe("the quorum's requests on a node", () => {
  it("a single voter elects itself, serves produce and fetch over metadata from its Raft log, and keeps its topics across a restart", async () => {
    const { node, controllerPort } = await startSingleVoter();
    await waitFor(async () => (await request<DescribeQuorumResponse>(controllerPort, ApiKey.DescribeQuorum, 2, describeBody)).topics[0].partitions[0].errorCode === ErrorCode.NONE, "the voter to lead");
    const topic = uniqueTopic("single-voter");
    const kafka = new Kafka({ brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] }), true);
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ partition: 1, value: "over raft" }] });
    await producer.disconnect();
    const logDir = node.logDir;
    await node.stop();

    const again = await startSingleVoter(logDir);
    await waitFor(() => again.node.broker.image.topic(topic) !== undefined, "the topic replayed from the quorum's log");
    const offsets = await (async () => {
      const restartedAdmin = new Kafka({ brokers: [again.node.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await restartedAdmin.connect();
      try {
        return await restartedAdmin.fetchTopicOffsets(topic);
      } finally {
        await restartedAdmin.disconnect();
      }
    })();
    assert.deepEqual(offsets.map(({ partition, high }) => [partition, high]).sort(), [
      [0, "0"],
      [1, "1"],
    ]);
    const data = (await request<DescribeQuorumResponse>(again.controllerPort, ApiKey.DescribeQuorum, 2, describeBody)).topics[0].partitions[0];
    assert.equal(data.leaderId, 1);
    assert.ok(data.leaderEpoch >= 2, `a restarted leader leads a new epoch (got ${data.leaderEpoch})`);
    await again.node.stop();
  });

  it("refuse Raft requests over a client listener, from another cluster, or about another partition", async () => {
    const { node, clusterId, controllerPort } = await startSingleVoter();
    const vote = voteRequest({ candidateId: 1, voterId: 1, candidateEpoch: 1, lastOffsetEpoch: 0, lastOffset: 0 });
    const overClientListener = await request<VoteResponse>(node.port, ApiKey.Vote, 1, { ...vote, clusterId });
    assert.equal(overClientListener.errorCode, ErrorCode.INVALID_REQUEST);
    const otherCluster = await request<VoteResponse>(controllerPort, ApiKey.Vote, 1, { ...vote, clusterId: newClusterId(realRuntime.random) });
    assert.equal(otherCluster.errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID);
    const otherTopic = await request<VoteResponse>(controllerPort, ApiKey.Vote, 1, { ...vote, clusterId, topics: [{ ...vote.topics[0], topicName: "other" }] });
    assert.equal(otherTopic.errorCode, ErrorCode.INVALID_REQUEST);
    const noPartition = await request<VoteResponse>(controllerPort, ApiKey.Vote, 1, { ...vote, clusterId, topics: [{ ...vote.topics[0], partitions: [] }] });
    assert.equal(noPartition.errorCode, ErrorCode.INVALID_REQUEST);
    // A well-formed vote from a node that is not a voter gets the quorum's own answer.
    const stranger = await request<VoteResponse>(controllerPort, ApiKey.Vote, 1, { ...voteRequest({ candidateId: 9, voterId: 1, candidateEpoch: 99, lastOffsetEpoch: 0, lastOffset: 0 }), clusterId });
    assert.equal(stranger.errorCode, ErrorCode.NONE);
    assert.equal(stranger.topics[0].partitions[0].errorCode, ErrorCode.INCONSISTENT_VOTER_SET);
    assert.equal(stranger.topics[0].partitions[0].voteGranted, false);
    await node.stop();
  });

  it("a cluster of one answers DescribeQuorum as a quorum of one and refuses Raft requests", async () => {
    const node = await startTestBroker();
    try {
      const data = (await request<DescribeQuorumResponse>(node.port, ApiKey.DescribeQuorum, 2, describeBody)).topics[0].partitions[0];
      assert.equal(data.errorCode, ErrorCode.NONE);
      assert.equal(data.leaderId, 1);
      assert.deepEqual(data.currentVoters.map((voter) => voter.replicaId), [1]);
      const vote = voteRequest({ candidateId: 2, voterId: 1, candidateEpoch: 1, lastOffsetEpoch: 0, lastOffset: 0 });
      assert.equal((await request<VoteResponse>(node.port, ApiKey.Vote, 1, vote)).errorCode, ErrorCode.INVALID_REQUEST);
    } finally {
      await node.destroy();
    }
  });
});
