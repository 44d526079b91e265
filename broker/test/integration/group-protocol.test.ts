import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { OFFSETS_TOPIC } from "../../src/coordinator/offsets-log";
import { decodeKey, decodeOffsetValue } from "../../src/coordinator/offsets-records";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { decodeRecordBatches } from "../../src/protocol/records/record-batch";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { RawClient } from "../helpers/raw-client";

const OVERRIDES = { "group.initial.rebalance.delay.ms": "0", "offsets.topic.num.partitions": "7", "group.min.session.timeout.ms": "1000" };

function joinBody(groupId: string, memberId = "", groupInstanceId: string | null = null) {
  return {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId,
    groupInstanceId,
    protocolType: "consumer",
    protocols: [{ name: "range", metadata: Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }],
    reason: null,
  };
}

function commitBody(groupId: string, topic: string, offsets: number[], generation = -1, memberId = "") {
  return {
    groupId,
    generationIdOrMemberEpoch: generation,
    memberId,
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [
      {
        name: topic,
        partitions: offsets.map((offset, partitionIndex) => ({
          partitionIndex,
          committedOffset: BigInt(offset),
          committedLeaderEpoch: 1,
          commitTimestamp: -1n,
          committedMetadata: `m${partitionIndex}`,
        })),
      },
    ],
  };
}

describe("group APIs on the wire", () => {
  let node: TestBroker;
  let client: RawClient;

  before(async () => {
    node = await startTestBroker(OVERRIDES);
    client = await RawClient.connect(node.port);
  });
  after(async () => {
    client?.close();
    await node?.destroy();
  });

  it("FindCoordinator: v0 and batched v4 name this node; __consumer_offsets is created internal and compacted", async () => {
    const v0 = await client.request(ApiKey.FindCoordinator, 0, { key: "g1", keyType: 0, coordinatorKeys: [] });
    assert.equal(v0.errorCode, ErrorCode.NONE);
    assert.equal(v0.nodeId, 1);
    assert.equal(v0.port, node.port);
    const v4 = await client.request(ApiKey.FindCoordinator, 4, { key: "", keyType: 0, coordinatorKeys: ["a", "b", ""] });
    assert.deepEqual(
      v4.coordinators.map((c: any) => [c.key, c.nodeId, c.errorCode]),
      [["a", 1, 0], ["b", 1, 0], ["", -1, ErrorCode.INVALID_REQUEST]],
    );
    const topic = node.broker.image.topic(OFFSETS_TOPIC)!;
    assert.equal(topic.partitions.length, 7);
    assert.equal(topic.configs.get("cleanup.policy"), "compact");
    const metadata = await client.request(ApiKey.Metadata, 12, { topics: [{ topicId: Buffer.alloc(16), name: OFFSETS_TOPIC }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    assert.equal(metadata.topics[0].isInternal, true);
  });

  it("JoinGroup: v0-3 join at once, v4+ first answer MEMBER_ID_REQUIRED", async () => {
    const old = await client.request(ApiKey.JoinGroup, 0, joinBody("join-v0"));
    assert.equal(old.errorCode, ErrorCode.NONE);
    assert.equal(old.generationId, 1);
    assert.equal(old.leader, old.memberId);
    const first = await client.request(ApiKey.JoinGroup, 9, joinBody("join-v9"));
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    const joined = await client.request(ApiKey.JoinGroup, 9, joinBody("join-v9", first.memberId));
    assert.equal(joined.errorCode, ErrorCode.NONE);
    assert.equal(joined.protocolType, "consumer");
    assert.equal(joined.protocolName, "range");
    const sync = await client.request(ApiKey.SyncGroup, 5, {
      groupId: "join-v9",
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: null,
      protocolType: "consumer",
      protocolName: "range",
      assignments: [{ memberId: joined.memberId, assignment: Buffer.from("x") }],
    });
    assert.equal(sync.errorCode, ErrorCode.NONE);
    assert.equal(sync.assignment.toString(), "x");
    const stale = await client.request(ApiKey.Heartbeat, 4, { groupId: "join-v9", generationId: 0, memberId: joined.memberId, groupInstanceId: null });
    assert.equal(stale.errorCode, ErrorCode.ILLEGAL_GENERATION);
  });

  it("OffsetCommit is in the log when acknowledged; OffsetFetch v8 reads several groups, null topics meaning all", async () => {
    const topic = uniqueTopic("wire");
    await client.request(ApiKey.CreateTopics, 7, { topics: [{ name: topic, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    const committed = await client.request(ApiKey.OffsetCommit, 8, commitBody("wire-a", topic, [5, 6]));
    assert.deepEqual(committed.topics[0].partitions.map((p: any) => p.errorCode), [0, 0]);
    await client.request(ApiKey.OffsetCommit, 2, commitBody("wire-b", topic, [9]));
    const unknown = await client.request(ApiKey.OffsetCommit, 8, commitBody("wire-a", "no-such-topic", [1]));
    assert.equal(unknown.topics[0].partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

    const log = node.broker.produceFetch.partitionLog(OFFSETS_TOPIC, node.broker.offsetsLog.partitionFor("wire-a"));
    const entries = decodeRecordBatches(log.read(0, 1 << 20).records).flatMap((batch) => batch.records);
    const ours = entries.map((record) => ({ key: decodeKey(record.key!), value: record.value })).filter((entry) => entry.key.group === "wire-a");
    assert.deepEqual(ours.map((entry) => entry.key.kind === "offset" && entry.key.partition), [0, 1]);
    assert.equal(decodeOffsetValue(ours[1].value!).offset, 6);
    assert.equal(decodeOffsetValue(ours[1].value!).leaderEpoch, 1);

    const fetched = await client.request(ApiKey.OffsetFetch, 8, {
      groupId: "",
      topics: [],
      requireStable: true,
      groups: [
        { groupId: "wire-a", memberId: null, memberEpoch: -1, topics: null },
        { groupId: "wire-b", memberId: null, memberEpoch: -1, topics: [{ name: topic, partitionIndexes: [0, 1] }] },
      ],
    });
    const [a, b] = fetched.groups;
    assert.deepEqual(a.topics[0].partitions.map((p: any) => [p.partitionIndex, Number(p.committedOffset), p.committedLeaderEpoch, p.metadata]), [
      [0, 5, 1, "m0"],
      [1, 6, 1, "m1"],
    ]);
    assert.deepEqual(b.topics[0].partitions.map((p: any) => Number(p.committedOffset)), [9, -1]);
    const v1 = await client.request(ApiKey.OffsetFetch, 1, { groupId: "wire-b", topics: [{ name: topic, partitionIndexes: [0] }], requireStable: false, groups: [] });
    assert.equal(Number(v1.topics[0].partitions[0].committedOffset), 9);

    const offsetDelete = await client.request(ApiKey.OffsetDelete, 0, { groupId: "wire-a", topics: [{ name: topic, partitions: [{ partitionIndex: 0 }] }] });
    assert.equal(offsetDelete.errorCode, ErrorCode.NONE);
    assert.equal(offsetDelete.topics[0].partitions[0].errorCode, ErrorCode.NONE);
    const remaining = await client.request(ApiKey.OffsetFetch, 7, { groupId: "wire-a", topics: null, requireStable: false, groups: [] });
    assert.deepEqual(remaining.topics[0].partitions.map((p: any) => [p.partitionIndex, Number(p.committedOffset)]), [[1, 6]]);
    const unknownGroup = await client.request(ApiKey.OffsetDelete, 0, { groupId: "no-such-group", topics: [] });
    assert.equal(unknownGroup.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);

    // Deleting the topic deletes its committed offsets too.
    await client.request(ApiKey.DeleteTopics, 4, { topicNames: [topic], topics: [], timeoutMs: 5000 });
    const afterDelete = await client.request(ApiKey.OffsetFetch, 7, { groupId: "wire-a", topics: null, requireStable: false, groups: [] });
    assert.deepEqual(afterDelete.topics, []);
  });

  it("ListGroups v4 filters by state; DescribeGroups and LeaveGroup v3+ take batches", async () => {
    const one = await client.request(ApiKey.JoinGroup, 3, joinBody("batch-leave"));
    const other = await RawClient.connect(node.port);
    try {
      const second = other.request(ApiKey.JoinGroup, 3, joinBody("batch-leave"));
      await new Promise((resolve) => setTimeout(resolve, 200)); // the newcomer's join starts the rebalance
      const rejoin = await client.request(ApiKey.JoinGroup, 3, joinBody("batch-leave", one.memberId));
      const two = await second;
      assert.equal(rejoin.generationId, 2);
      const listed = await client.request(ApiKey.ListGroups, 4, { statesFilter: ["CompletingRebalance"], typesFilter: [] });
      assert.ok(listed.groups.every((g: any) => g.groupState === "CompletingRebalance"));
      assert.deepEqual(listed.groups.filter((g: any) => g.groupId === "batch-leave").map((g: any) => [g.groupId, g.groupState, g.protocolType]), [
        ["batch-leave", "CompletingRebalance", "consumer"],
      ]);
      const empty = await client.request(ApiKey.ListGroups, 4, { statesFilter: ["Empty"], typesFilter: [] });
      assert.ok(empty.groups.some((g: any) => g.groupId === "wire-a"));
      assert.ok(!empty.groups.some((g: any) => g.groupId === "batch-leave"));

      const described = await client.request(ApiKey.DescribeGroups, 5, { groups: ["batch-leave", "never-seen"], includeAuthorizedOperations: false });
      assert.equal(described.groups[0].members.length, 2);
      assert.equal(described.groups[1].groupState, "Dead");

      const left = await client.request(ApiKey.LeaveGroup, 5, {
        groupId: "batch-leave",
        memberId: "",
        members: [
          { memberId: rejoin.memberId, groupInstanceId: null, reason: "test" },
          { memberId: two.memberId, groupInstanceId: null, reason: null },
          { memberId: "ghost", groupInstanceId: null, reason: null },
        ],
      });
      assert.equal(left.errorCode, ErrorCode.NONE);
      assert.deepEqual(left.members.map((m: any) => m.errorCode), [0, 0, ErrorCode.UNKNOWN_MEMBER_ID]);
      const deleted = await client.request(ApiKey.DeleteGroups, 2, { groupsNames: ["batch-leave", "never-seen"] });
      assert.deepEqual(deleted.results.map((r: any) => r.errorCode), [0, ErrorCode.GROUP_ID_NOT_FOUND]);
    } finally {
      other.close();
    }
  });
});

describe("group coordinator shutdown", () => {
  it("a JoinGroup waiting on the initial rebalance delay does not hold up shutdown", async () => {
    const node = await startTestBroker({ ...OVERRIDES, "group.initial.rebalance.delay.ms": "60000" });
    const client = await RawClient.connect(node.port);
    try {
      const correlationId = client.send(ApiKey.JoinGroup, 3, { ...joinBody("slow"), rebalanceTimeoutMs: 120_000 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const startedAt = Date.now();
      await node.stop();
      assert.ok(Date.now() - startedAt < 3000, `shutdown took ${Date.now() - startedAt} ms`);
      const response = await client.readResponse(ApiKey.JoinGroup, 3, correlationId).catch(() => null);
      if (response) assert.equal(response.errorCode, ErrorCode.NOT_COORDINATOR);
    } finally {
      client.close();
      await node.destroy();
    }
  });
});
