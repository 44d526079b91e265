import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { OFFSETS_TOPIC } from "../../src/coordinator/offsets-log";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { RawClient } from "../helpers/raw-client";

/** Resolves "pending" when `promise` has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | "pending"> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<"pending">((resolve) => (timer = setTimeout(() => resolve("pending"), ms)));
  try {
    return await Promise.race([promise, pending]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The offsets partition of the group is given an ISR of two whose second
 * replica never fetches (as test/partition/high-watermark.test.ts does for
 * acks=-1), so its high watermark stays behind what the coordinator appends.
 */
describe("group coordinator: a write to __consumer_offsets is answered once committed", () => {
  const topic = uniqueTopic("commit-wait");
  let node: TestBroker;
  let client: RawClient;
  /** A connection of its own: a broker answers one connection's requests in order, so a fetch behind a waiting commit would wait too. */
  let fetcher: RawClient;

  const commit = async (groupId: string, offset: number) => {
    const correlationId = client.send(ApiKey.OffsetCommit, 8, {
      groupId, generationIdOrMemberEpoch: -1, memberId: "", groupInstanceId: null,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: BigInt(offset), committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
    // Longer than offsets.commit.timeout.ms (5 s), after which the broker answers a commit that did not commit.
    const response = await client.readResponse(ApiKey.OffsetCommit, 8, correlationId, 15_000);
    return response.topics[0].partitions[0].errorCode as number;
  };
  const fetched = async (groupId: string, requireStable = false) => {
    const response = await fetcher.request(ApiKey.OffsetFetch, 8, {
      groups: [{ groupId, topics: [{ name: topic, partitionIndexes: [0] }] }], requireStable,
    });
    return response.groups[0].topics[0].partitions[0].committedOffset as bigint;
  };
  const offsetsPartitionOf = (groupId: string) => node.broker.produceFetch.partition(OFFSETS_TOPIC, node.broker.offsetsLog.partitionFor(groupId))!;

  before(async () => {
    node = await startTestBroker();
    client = await RawClient.connect(node.port);
    fetcher = await RawClient.connect(node.port);
    await node.broker.controller.createTopic({ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} }, { validateOnly: false });
    // The first commit creates __consumer_offsets (COORDINATOR_NOT_AVAILABLE until it exists).
    for (let attempt = 0; (await commit("warm-up", 1)) !== ErrorCode.NONE; attempt++) assert.ok(attempt < 50, "the offsets topic is created");
  });
  after(async () => {
    client?.close();
    fetcher?.close();
    await node?.destroy();
  });

  it("OffsetCommit waits for the high watermark; OffsetFetch shows the offset only once it is committed", async () => {
    const group = uniqueTopic("held-group");
    assert.equal(await commit(group, 5), ErrorCode.NONE);
    const partition = offsetsPartitionOf(group);
    partition.updateLeadership({ leaderEpoch: partition.leaderEpoch, isr: [1, 2] });

    const answer = commit(group, 9);
    assert.equal(await within(answer, 300), "pending", "no answer while the follower lags");
    assert.ok(partition.logEndOffset > partition.highWatermark, "the commit is in the log, not committed");
    assert.equal(await fetched(group), 5n, "OffsetFetch shows the last committed offset, not the one in flight");
    assert.equal(await fetched(group, true), 5n);

    partition.updateLeadership({ leaderEpoch: partition.leaderEpoch, isr: [1] });
    assert.equal(await answer, ErrorCode.NONE);
    assert.equal(await fetched(group), 9n);
  });

  it("a commit that is not committed in offsets.commit.timeout.ms answers REQUEST_TIMED_OUT and changes no offset", async () => {
    const group = uniqueTopic("timed-out-group");
    assert.equal(await commit(group, 3), ErrorCode.NONE);
    const partition = offsetsPartitionOf(group);
    partition.updateLeadership({ leaderEpoch: partition.leaderEpoch, isr: [1, 2] });
    try {
      assert.equal(await commit(group, 4), ErrorCode.REQUEST_TIMED_OUT);
      assert.equal(await fetched(group), 3n);
    } finally {
      partition.updateLeadership({ leaderEpoch: partition.leaderEpoch, isr: [1] });
    }
    // The batch stays in the log (as Kafka's does); the next commit supersedes it.
    assert.equal(await commit(group, 6), ErrorCode.NONE);
    assert.equal(await fetched(group), 6n);
  });
});
