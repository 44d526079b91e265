import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GroupCoordinator, type CoordinatorConfig, type JoinRequest, type OffsetsStore } from "../../src/coordinator/group-coordinator";
import type { JoinResult, SyncResult } from "../../src/coordinator/group";
import type { OffsetsLogEntry } from "../../src/coordinator/offsets-log";
import { decodeGroupValue, decodeKey, decodeOffsetValue, offsetsPartitionFor } from "../../src/coordinator/offsets-records";
import type { CommitOutcome } from "../../src/partition/partition";
import { ErrorCode, KafkaError } from "../../src/protocol/errors";
import { silentLogger } from "../../src/runtime/logger";
import type { RandomBytes } from "../../src/runtime/random";
import { realRuntime } from "../helpers/runtime";
import { ManualScheduler } from "../../src/runtime/scheduler";
import { writeConsumerProtocolSubscription } from "../../src/protocol/generated/consumer-protocol-subscription";
import { Writer } from "../../src/protocol/writer";

const PARTITIONS = 4;

/** __consumer_offsets in memory: the same encoded records, replayed through the same decoders. */
class MemoryOffsetsLog implements OffsetsStore {
  readonly records: Array<{ partition: number; key: Buffer; value: Buffer | null }> = [];
  partitionFor(groupId: string): number {
    return offsetsPartitionFor(groupId, PARTITIONS);
  }
  isLocal(): boolean {
    return true;
  }
  /** When set, an append throws it (as a partition this node no longer leads does). */
  failWith: Error | null = null;
  /** When true, an append waits for the test to say how its commit ends (`release`), as under a lagging in-sync replica. */
  holdCommits = false;
  readonly held: Array<(outcome: CommitOutcome) => void> = [];
  /** Committed at once, as on a node that is its partition's only in-sync replica, unless told otherwise above. */
  append(groupId: string, records: Array<{ key: Buffer; value: Buffer | null }>): Promise<CommitOutcome> | null {
    if (this.failWith) throw this.failWith;
    for (const record of records) this.records.push({ partition: this.partitionFor(groupId), ...record });
    if (!this.holdCommits) return null;
    return new Promise((resolve) => this.held.push(resolve));
  }
  release(outcome: CommitOutcome): void {
    for (const resolve of this.held.splice(0)) resolve(outcome);
  }
  localPartitions(): number[] {
    return [0, 1, 2, 3];
  }
  *replay(partition: number): Generator<OffsetsLogEntry> {
    for (const record of this.records.filter((r) => r.partition === partition)) {
      const key = decodeKey(record.key);
      if (key.kind === "offset") yield { ...key, value: record.value ? decodeOffsetValue(record.value) : null };
      else yield { kind: "group", group: key.group, value: record.value ? decodeGroupValue(record.value) : null };
    }
  }
  tombstones(): number {
    return this.records.filter((record) => record.value === null).length;
  }
}

const CONFIG: CoordinatorConfig = {
  groupInitialRebalanceDelayMs: 0,
  groupMinSessionTimeoutMs: 1000,
  groupMaxSessionTimeoutMs: 60_000,
  offsetsRetentionMs: 60_000,
};

function setup(config: Partial<CoordinatorConfig> = {}, random: RandomBytes = realRuntime.random) {
  const scheduler = new ManualScheduler();
  const log = new MemoryOffsetsLog();
  const coordinator = new GroupCoordinator(log, scheduler, () => ({ ...CONFIG, ...config }), silentLogger, () => true, random);
  coordinator.load();
  return { scheduler, log, coordinator };
}

function joinRequest(overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId: "g",
    memberId: "",
    groupInstanceId: null,
    clientId: "client",
    clientHost: "/127.0.0.1",
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: "consumer",
    protocols: [{ name: "range", metadata: Buffer.from("m") }],
    requireKnownMemberId: false,
    ...overrides,
  };
}

/** A promise's settled value, or "pending" (microtasks run first). */
async function peek<T>(promise: Promise<T>): Promise<T | "pending"> {
  return Promise.race([promise, new Promise<"pending">((resolve) => setImmediate(() => resolve("pending")))]);
}

/** Two members joined and synced into a Stable generation 1; a is the leader. */
async function stableGroupOfTwo(coordinator: GroupCoordinator) {
  const joinA = coordinator.join(joinRequest({ clientId: "a" }));
  const a = await joinA; // alone: completes at once (no initial delay)
  assert.equal(a.generationId, 1);
  await coordinator.sync({ groupId: "g", generationId: 1, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
  const joinB = coordinator.join(joinRequest({ clientId: "b" }));
  assert.equal(coordinator.stateOf("g"), "PreparingRebalance");
  assert.equal(coordinator.heartbeat({ groupId: "g", generationId: 1, memberId: a.memberId, groupInstanceId: null }), ErrorCode.REBALANCE_IN_PROGRESS);
  const rejoinA = coordinator.join(joinRequest({ clientId: "a", memberId: a.memberId }));
  const [a2, b] = await Promise.all([rejoinA, joinB]);
  assert.equal(a2.generationId, 2);
  assert.equal(b.generationId, 2);
  const syncB = coordinator.sync({ groupId: "g", generationId: 2, memberId: b.memberId, groupInstanceId: null, protocolType: "consumer", protocolName: "range", assignments: [] });
  assert.equal(await peek(syncB), "pending");
  const syncA = coordinator.sync({
    groupId: "g",
    generationId: 2,
    memberId: a.memberId,
    groupInstanceId: null,
    protocolType: "consumer",
    protocolName: "range",
    assignments: [
      { memberId: a.memberId, assignment: Buffer.from("for-a") },
      { memberId: b.memberId, assignment: Buffer.from("for-b") },
    ],
  });
  assert.equal((await syncA).assignment.toString(), "for-a");
  assert.equal((await syncB).assignment.toString(), "for-b");
  assert.equal(coordinator.stateOf("g"), "Stable");
  return { a: a2, b };
}

describe("group coordinator: membership", () => {
  it("join v4+: a new member first gets MEMBER_ID_REQUIRED with its id, then joins with it", async () => {
    const { coordinator } = setup();
    const first = await coordinator.join(joinRequest({ requireKnownMemberId: true }));
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    assert.match(first.memberId, /^client-/);
    const joined = await coordinator.join(joinRequest({ requireKnownMemberId: true, memberId: first.memberId }));
    assert.equal(joined.errorCode, ErrorCode.NONE);
    assert.equal(joined.memberId, first.memberId);
    assert.equal(joined.leader, first.memberId);
    assert.deepEqual(joined.members.map((m) => m.memberId), [first.memberId]);
    assert.equal(joined.protocolName, "range");
  });

  it("member ids are the client id and a UUID drawn from the injected random source", async () => {
    let draws = 0;
    const counting: RandomBytes = (size) => Buffer.alloc(size, ++draws);
    const { coordinator } = setup({}, counting);
    const first = await coordinator.join(joinRequest({ requireKnownMemberId: true }));
    const second = await coordinator.join(joinRequest({ clientId: "other", requireKnownMemberId: true }));
    assert.equal(first.memberId, "client-01010101-0101-4101-8101-010101010101");
    assert.equal(second.memberId, "other-02020202-0202-4202-8202-020202020202");
    assert.equal(draws, 2);
    const { coordinator: byDefault } = setup();
    assert.match((await byDefault.join(joinRequest({ requireKnownMemberId: true }))).memberId, /^client-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("rebalance: everyone rejoins, the leader alone gets the members, the leader's sync makes the group Stable", async () => {
    const { coordinator } = setup();
    const { a, b } = await stableGroupOfTwo(coordinator);
    assert.equal(a.leader, a.memberId);
    assert.equal(a.members.length, 2);
    assert.equal(b.members.length, 0);
  });

  it("errors: stale generations, unknown members, a rebalance in progress, mismatched protocols", async () => {
    const { coordinator } = setup();
    const { a } = await stableGroupOfTwo(coordinator);
    const hb = (generationId: number, memberId: string) => coordinator.heartbeat({ groupId: "g", generationId, memberId, groupInstanceId: null });
    assert.equal(hb(2, a.memberId), ErrorCode.NONE);
    assert.equal(hb(1, a.memberId), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(hb(2, "nobody"), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(coordinator.heartbeat({ groupId: "other", generationId: 1, memberId: "x", groupInstanceId: null }), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(hb(2, ""), ErrorCode.UNKNOWN_MEMBER_ID);
    const sync = await coordinator.sync({ groupId: "g", generationId: 1, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    assert.equal(sync.errorCode, ErrorCode.ILLEGAL_GENERATION);
    const wrongType = await coordinator.join(joinRequest({ protocolType: "connect" }));
    assert.equal(wrongType.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const noSharedProtocol = await coordinator.join(joinRequest({ protocols: [{ name: "sticky", metadata: Buffer.alloc(0) }] }));
    assert.equal(noSharedProtocol.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const badSession = await coordinator.join(joinRequest({ sessionTimeoutMs: 10 }));
    assert.equal(badSession.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
    assert.equal((await coordinator.join(joinRequest({ groupId: "" }))).errorCode, ErrorCode.INVALID_GROUP_ID);
  });

  it("session timeout: a member that stops heartbeating is removed and the rest rebalance", async () => {
    const { coordinator, scheduler } = setup();
    const { a, b } = await stableGroupOfTwo(coordinator);
    scheduler.advance(5000);
    assert.equal(coordinator.heartbeat({ groupId: "g", generationId: 2, memberId: a.memberId, groupInstanceId: null }), ErrorCode.NONE);
    scheduler.advance(5000); // b's 10 s session ends without a heartbeat
    assert.equal(coordinator.describeGroup("g").members.length, 1, "b's session expired");
    assert.equal(coordinator.stateOf("g"), "PreparingRebalance");
    assert.equal(coordinator.heartbeat({ groupId: "g", generationId: 2, memberId: a.memberId, groupInstanceId: null }), ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoined = await coordinator.join(joinRequest({ clientId: "a", memberId: a.memberId }));
    assert.equal(rejoined.generationId, 3);
    assert.deepEqual(rejoined.members.map((m) => m.memberId), [a.memberId]);
    assert.equal(coordinator.heartbeat({ groupId: "g", generationId: 2, memberId: b.memberId, groupInstanceId: null }), ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it("rebalance timeout: members that do not rejoin in time are dropped from the next generation", async () => {
    const { coordinator, scheduler } = setup();
    const { a, b } = await stableGroupOfTwo(coordinator);
    const joinC = coordinator.join(joinRequest({ clientId: "c" }));
    const rejoinA = coordinator.join(joinRequest({ clientId: "a", memberId: a.memberId }));
    assert.equal(await peek(rejoinA), "pending");
    // b keeps heartbeating (REBALANCE_IN_PROGRESS) but never rejoins.
    for (let t = 0; t < 30_000; t += 5000) {
      scheduler.advance(5000);
      coordinator.heartbeat({ groupId: "g", generationId: 2, memberId: b.memberId, groupInstanceId: null });
    }
    const [a3, c] = await Promise.all([rejoinA, joinC]);
    assert.equal(a3.generationId, 3);
    assert.deepEqual(a3.members.map((m) => m.memberId).sort(), [a.memberId, c.memberId].sort());
  });

  it("leave: the member goes at once and the others rebalance; an unknown member gets UNKNOWN_MEMBER_ID", async () => {
    const { coordinator } = setup();
    const { a, b } = await stableGroupOfTwo(coordinator);
    const result = coordinator.leave("g", [
      { memberId: b.memberId, groupInstanceId: null },
      { memberId: "ghost", groupInstanceId: null },
    ]);
    assert.deepEqual(result.members.map((m) => m.errorCode), [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID]);
    assert.equal(coordinator.stateOf("g"), "PreparingRebalance");
    const rejoined = await coordinator.join(joinRequest({ clientId: "a", memberId: a.memberId }));
    assert.equal(rejoined.generationId, 3);
    // The last member left during CompletingRebalance: the group is Empty at once, not after a timer.
    coordinator.leave("g", [{ memberId: a.memberId, groupInstanceId: null }]);
    assert.equal(coordinator.stateOf("g"), "Empty");
  });

  it("leave: when the last member of a Stable group leaves, the next request already sees it Empty", async () => {
    const { coordinator } = setup();
    const a = await coordinator.join(joinRequest({ clientId: "a" }));
    await coordinator.sync({ groupId: "g", generationId: 1, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    assert.equal(coordinator.stateOf("g"), "Stable");
    coordinator.leave("g", [{ memberId: a.memberId, groupInstanceId: null }]);
    // No timer advanced: kafkajs's admin.setOffsets describes the group right after the previous one left.
    assert.equal(coordinator.stateOf("g"), "Empty");
    assert.equal(coordinator.describeGroup("g").members.length, 0);
  });

  it("static membership: a restarted instance takes its place back without a rebalance and fences the old id", async () => {
    const { coordinator } = setup();
    const instance = (clientId: string, memberId = "") => joinRequest({ clientId, memberId, groupInstanceId: `instance-${clientId}` });
    const a = await coordinator.join(instance("a"));
    await coordinator.sync({ groupId: "g", generationId: 1, memberId: a.memberId, groupInstanceId: "instance-a", protocolType: null, protocolName: null, assignments: [] });
    const joinB = coordinator.join(instance("b"));
    const a2 = await coordinator.join(instance("a", a.memberId));
    const b = await joinB;
    const syncB = coordinator.sync({ groupId: "g", generationId: 2, memberId: b.memberId, groupInstanceId: "instance-b", protocolType: null, protocolName: null, assignments: [] });
    await coordinator.sync({
      groupId: "g",
      generationId: 2,
      memberId: a2.memberId,
      groupInstanceId: "instance-a",
      protocolType: null,
      protocolName: null,
      assignments: [{ memberId: b.memberId, assignment: Buffer.from("b-part") }],
    });
    assert.equal((await syncB).assignment.toString(), "b-part");

    // b restarts: a new member id, same instance id, same subscription.
    const restarted = await coordinator.join(instance("b"));
    assert.equal(restarted.errorCode, ErrorCode.NONE);
    assert.notEqual(restarted.memberId, b.memberId);
    assert.equal(restarted.generationId, 2);
    assert.equal(coordinator.stateOf("g"), "Stable");
    const resync = await coordinator.sync({ groupId: "g", generationId: 2, memberId: restarted.memberId, groupInstanceId: "instance-b", protocolType: null, protocolName: null, assignments: [] });
    assert.equal(resync.assignment.toString(), "b-part");
    assert.equal(coordinator.heartbeat({ groupId: "g", generationId: 2, memberId: b.memberId, groupInstanceId: "instance-b" }), ErrorCode.FENCED_INSTANCE_ID);
    const leave = coordinator.leave("g", [{ memberId: b.memberId, groupInstanceId: "instance-b" }]);
    assert.equal(leave.members[0].errorCode, ErrorCode.FENCED_INSTANCE_ID);
  });

  it("group.initial.rebalance.delay.ms: a new group waits, and each arrival extends the wait up to the rebalance timeout", async () => {
    const { coordinator, scheduler } = setup({ groupInitialRebalanceDelayMs: 3000 });
    const joins: Array<Promise<JoinResult>> = [coordinator.join(joinRequest({ clientId: "a", rebalanceTimeoutMs: 7000 }))];
    scheduler.advance(2000);
    joins.push(coordinator.join(joinRequest({ clientId: "b", rebalanceTimeoutMs: 7000 })));
    scheduler.advance(1000); // the first delay ends, b arrived: another delay
    assert.equal(await peek(joins[0]), "pending");
    scheduler.advance(2999);
    assert.equal(await peek(joins[0]), "pending");
    scheduler.advance(1);
    const [a, b] = await Promise.all(joins);
    assert.equal(a.generationId, 1);
    assert.equal(b.generationId, 1);
    assert.equal(scheduler.clock.nowMs(), 6000);
  });

  it("shutdown answers waiting JoinGroup and SyncGroup requests with NOT_COORDINATOR", async () => {
    const { coordinator } = setup({ groupInitialRebalanceDelayMs: 3000 });
    const join = coordinator.join(joinRequest());
    coordinator.shutdown();
    assert.equal((await join).errorCode, ErrorCode.NOT_COORDINATOR);
    const late: SyncResult = await coordinator.sync({ groupId: "g", generationId: 1, memberId: "x", groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    assert.equal(late.errorCode, ErrorCode.NOT_COORDINATOR);
  });
});

describe("group coordinator: offsets", () => {
  const commit = async (coordinator: GroupCoordinator, generationId: number, memberId: string, offset: number, groupId = "g") =>
    (await coordinator.commitOffsets({
      groupId,
      generationId,
      memberId,
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [{ name: "t", partitions: [{ partition: 0, offset, leaderEpoch: 3, metadata: "meta" }] }],
    }))[0].partitions[0].errorCode;

  it("commits: members in their generation; simple commits only to empty groups; none while the assignment is pending", async () => {
    const { coordinator, log } = setup();
    const { a } = await stableGroupOfTwo(coordinator);
    assert.equal(await commit(coordinator, 2, a.memberId, 10), ErrorCode.NONE);
    assert.equal(await commit(coordinator, 1, a.memberId, 11), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(await commit(coordinator, 2, "ghost", 11), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(await commit(coordinator, -1, "", 11), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(await commit(coordinator, 5, "x", 1, "fresh"), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(await commit(coordinator, -1, "", 7, "simple"), ErrorCode.NONE);
    const fetched = coordinator.fetchOffsets("g", null);
    assert.deepEqual(fetched.topics, [{ name: "t", partitions: [{ partition: 0, offset: 10, leaderEpoch: 3, metadata: "meta", errorCode: 0 }] }]);
    assert.equal(coordinator.fetchOffsets("g", [{ name: "t", partitions: [1] }]).topics[0].partitions[0].offset, -1);
    assert.equal(log.records.filter((r) => decodeKey(r.key).kind === "offset").length, 2);

    const tooLarge = await coordinator.commitOffsets({
      groupId: "simple",
      generationId: -1,
      memberId: "",
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [{ name: "t", partitions: [{ partition: 0, offset: 1, leaderEpoch: -1, metadata: "x".repeat(5000) }] }],
    });
    assert.equal(tooLarge[0].partitions[0].errorCode, ErrorCode.OFFSET_METADATA_TOO_LARGE);
  });

  it("a coordinator replaying the log finds every group's offsets, its generation and its members", async () => {
    const { coordinator, log, scheduler } = setup();
    const { a } = await stableGroupOfTwo(coordinator);
    await commit(coordinator, 2, a.memberId, 42);
    await commit(coordinator, -1, "", 5, "simple");
    await commit(coordinator, -1, "", 6, "deleted");
    assert.equal(coordinator.deleteGroup("deleted"), ErrorCode.NONE);
    coordinator.shutdown();

    const reloaded = new GroupCoordinator(log, scheduler, () => CONFIG, silentLogger, () => true, realRuntime.random);
    reloaded.load();
    assert.equal(reloaded.fetchOffsets("g", null).topics[0].partitions[0].offset, 42);
    assert.equal(reloaded.fetchOffsets("simple", null).topics[0].partitions[0].offset, 5);
    assert.deepEqual(reloaded.fetchOffsets("deleted", null).topics, []);
    assert.equal(reloaded.stateOf("g"), "Stable");
    assert.equal(reloaded.describeGroup("g").members.length, 2);
    assert.equal(reloaded.heartbeat({ groupId: "g", generationId: 2, memberId: a.memberId, groupInstanceId: null }), ErrorCode.NONE);
    assert.deepEqual(reloaded.listGroups([]).map((g) => g.groupId).sort(), ["g", "simple"]);
  });

  it("delete: NON_EMPTY_GROUP while members remain, GROUP_ID_NOT_FOUND for unknown groups, tombstones for the rest", async () => {
    const { coordinator, log } = setup();
    const { a, b } = await stableGroupOfTwo(coordinator);
    await commit(coordinator, 2, a.memberId, 1);
    assert.equal(coordinator.deleteGroup("g"), ErrorCode.NON_EMPTY_GROUP);
    assert.equal(coordinator.deleteGroup("nope"), ErrorCode.GROUP_ID_NOT_FOUND);
    coordinator.leave("g", [a, b].map((m) => ({ memberId: m.memberId, groupInstanceId: null })));
    assert.equal(coordinator.stateOf("g"), "Empty");
    const before = log.tombstones();
    assert.equal(coordinator.deleteGroup("g"), ErrorCode.NONE);
    assert.equal(log.tombstones() - before, 2, "one for the offset, one for the group");
    assert.equal(coordinator.stateOf("g"), undefined);
  });

  it("offsets of an empty group expire offsets.retention after it became empty; standalone commits after their commit", async () => {
    const { coordinator, scheduler, log } = setup();
    const { a, b } = await stableGroupOfTwo(coordinator);
    await commit(coordinator, 2, a.memberId, 9);
    await commit(coordinator, -1, "", 3, "simple");
    for (let t = 0; t < 50_000; t += 5000) {
      scheduler.advance(5000);
      for (const member of [a, b]) coordinator.heartbeat({ groupId: "g", generationId: 2, memberId: member.memberId, groupInstanceId: null });
    }
    assert.equal(coordinator.stateOf("g"), "Stable");
    assert.equal(coordinator.expireOffsets(), 0, "a group with members keeps its offsets");
    coordinator.leave("g", [a, b].map((m) => ({ memberId: m.memberId, groupInstanceId: null })));
    scheduler.advance(10_000); // the periodic expiry (every min(10 min, retention)) runs at 60 s
    assert.equal(coordinator.stateOf("simple"), undefined, "the standalone commit was 60 s old");
    assert.equal(coordinator.stateOf("g"), "Empty");
    scheduler.advance(49_999);
    assert.equal(coordinator.expireOffsets(), 0);
    assert.equal(coordinator.fetchOffsets("g", null).topics.length, 1);
    scheduler.advance(1);
    assert.equal(coordinator.expireOffsets(), 1, "60 s after the group became empty");
    assert.equal(coordinator.stateOf("g"), undefined);
    assert.deepEqual(coordinator.fetchOffsets("g", null).topics, []);
    assert.ok(log.tombstones() >= 4);
  });

  it("offset delete: refused for topics the group consumes, allowed once it is empty", async () => {
    const { coordinator } = setup();
    const { a, b } = await stableGroupOfTwo(coordinator);
    await commit(coordinator, 2, a.memberId, 4);
    // The members' metadata ("m") is no consumer subscription: every committed topic counts as subscribed.
    const refused = coordinator.deleteOffsets("g", [{ name: "t", partitions: [0] }]);
    assert.equal(refused.topics[0].partitions[0].errorCode, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
    coordinator.leave("g", [a, b].map((m) => ({ memberId: m.memberId, groupInstanceId: null })));
    const deleted = coordinator.deleteOffsets("g", [{ name: "t", partitions: [0] }]);
    assert.equal(deleted.errorCode, ErrorCode.NONE);
    assert.equal(coordinator.fetchOffsets("g", [{ name: "t", partitions: [0] }]).topics[0].partitions[0].offset, -1);
    assert.equal(coordinator.deleteOffsets("missing", []).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it("offset delete: a consumer group's subscriptions decide which topics are in use", async () => {
    const { coordinator } = setup();
    const writer = new Writer().writeInt16(1);
    writeConsumerProtocolSubscription(writer, 1, { topics: ["used"], userData: null, ownedPartitions: [], generationId: -1, rackId: null });
    const protocols = [{ name: "range", metadata: writer.toBuffer() }];
    const member = await coordinator.join(joinRequest({ protocols }));
    await coordinator.sync({ groupId: "g", generationId: 1, memberId: member.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    for (const name of ["used", "unused"])
      await coordinator.commitOffsets({
        groupId: "g",
        generationId: 1,
        memberId: member.memberId,
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [{ name, partitions: [{ partition: 0, offset: 1, leaderEpoch: -1, metadata: null }] }],
      });
    const result = coordinator.deleteOffsets("g", [
      { name: "used", partitions: [0] },
      { name: "unused", partitions: [0] },
    ]);
    assert.deepEqual(result.topics.map((t) => t.partitions[0].errorCode), [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, ErrorCode.NONE]);
    assert.deepEqual(coordinator.fetchOffsets("g", null).topics.map((t) => t.name), ["used"]);
  });

  it("expiry: a Stable consumer group keeps the offsets of topics it subscribes to and loses the others after retention", async () => {
    const { coordinator, scheduler } = setup({ offsetsRetentionMs: 20_000 });
    const writer = new Writer().writeInt16(0);
    writeConsumerProtocolSubscription(writer, 0, { topics: ["used"], userData: null, ownedPartitions: [], generationId: -1, rackId: null });
    const member = await coordinator.join(joinRequest({ protocols: [{ name: "range", metadata: writer.toBuffer() }] }));
    await coordinator.sync({ groupId: "g", generationId: 1, memberId: member.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    for (const name of ["used", "old"])
      await coordinator.commitOffsets({
        groupId: "g",
        generationId: 1,
        memberId: member.memberId,
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [{ name, partitions: [{ partition: 0, offset: 1, leaderEpoch: -1, metadata: null }] }],
      });
    for (let t = 0; t < 20_000; t += 5000) {
      scheduler.advance(5000);
      coordinator.heartbeat({ groupId: "g", generationId: 1, memberId: member.memberId, groupInstanceId: null });
    }
    coordinator.expireOffsets();
    assert.deepEqual(coordinator.fetchOffsets("g", null).topics.map((t) => t.name), ["used"]);
    assert.equal(coordinator.stateOf("g"), "Stable");
  });
});

describe("group coordinator: leadership of an offsets partition", () => {
  /** A group id that lands on another partition than "g". */
  function groupElsewhere(): string {
    for (let i = 0; ; i++) if (offsetsPartitionFor(`other-${i}`, PARTITIONS) !== offsetsPartitionFor("g", PARTITIONS)) return `other-${i}`;
  }

  it("losing a partition answers its groups with NOT_COORDINATOR; gaining it again brings the committed offsets back", async () => {
    const { coordinator, scheduler, log } = setup();
    const partition = offsetsPartitionFor("g", PARTITIONS);
    const other = groupElsewhere();
    const { a, b } = await stableGroupOfTwo(coordinator);
    const commitTo = async (groupId: string, generationId: number, memberId: string, offset: number) =>
      (await coordinator.commitOffsets({
        groupId,
        generationId,
        memberId,
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [{ name: "t", partitions: [{ partition: 0, offset, leaderEpoch: -1, metadata: null }] }],
      }))[0].partitions[0].errorCode;
    assert.equal(await commitTo("g", 2, a.memberId, 42), ErrorCode.NONE);
    assert.equal(await commitTo(other, -1, "", 7), ErrorCode.NONE);
    const waitingJoin = coordinator.join(joinRequest({ clientId: "c" })); // a rebalance starts and waits for a and b
    assert.equal(await peek(waitingJoin), "pending");

    coordinator.onLeadershipLost(partition);
    assert.equal((await waitingJoin).errorCode, ErrorCode.NOT_COORDINATOR, "the waiting JoinGroup is answered");
    assert.equal(coordinator.stateOf("g"), undefined);
    assert.equal(coordinator.heartbeat({ groupId: "g", generationId: 2, memberId: a.memberId, groupInstanceId: null }), ErrorCode.NOT_COORDINATOR);
    assert.equal((await coordinator.join(joinRequest())).errorCode, ErrorCode.NOT_COORDINATOR);
    const sync = await coordinator.sync({ groupId: "g", generationId: 2, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    assert.equal(sync.errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(await commitTo("g", 2, a.memberId, 43), ErrorCode.NOT_COORDINATOR);
    assert.equal(coordinator.fetchOffsets("g", null).errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(coordinator.describeGroup("g").errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(coordinator.deleteGroup("g"), ErrorCode.NOT_COORDINATOR);
    assert.equal(coordinator.deleteOffsets("g", [{ name: "t", partitions: [0] }]).errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(coordinator.leave("g", [{ memberId: b.memberId, groupInstanceId: null }]).errorCode, ErrorCode.NOT_COORDINATOR);
    assert.deepEqual(coordinator.listGroups([]).map((g) => g.groupId), [other]);
    assert.equal(coordinator.fetchOffsets(other, null).topics[0].partitions[0].offset, 7, "other partitions are still served");

    // The unloaded group's timers are gone (only the offsets expiry remains): nothing more happens to it or is written for it.
    assert.equal(scheduler.pendingCount, 1);
    const written = log.records.length;
    scheduler.advance(20_000);
    assert.equal(log.records.length, written);

    coordinator.onLeadershipGained(partition);
    assert.equal(coordinator.fetchOffsets("g", null).topics[0].partitions[0].offset, 42);
    assert.equal(coordinator.stateOf("g"), "Stable", "the stored generation comes back");
    assert.equal(coordinator.describeGroup("g").members.length, 2);
    assert.equal(coordinator.heartbeat({ groupId: "g", generationId: 2, memberId: a.memberId, groupInstanceId: null }), ErrorCode.NONE);
    assert.equal(await commitTo("g", 2, a.memberId, 44), ErrorCode.NONE);
    assert.equal(coordinator.fetchOffsets("g", null).topics[0].partitions[0].offset, 44);
  });

  it("gaining a partition that is already loaded keeps its live groups as they are", async () => {
    const { coordinator } = setup();
    const { a } = await stableGroupOfTwo(coordinator);
    const rejoin = coordinator.join(joinRequest({ clientId: "a", memberId: a.memberId })); // waits for b
    coordinator.onLeadershipGained(offsetsPartitionFor("g", PARTITIONS));
    assert.equal(coordinator.stateOf("g"), "PreparingRebalance");
    assert.equal(await peek(rejoin), "pending");
    coordinator.shutdown();
    assert.equal((await rejoin).errorCode, ErrorCode.NOT_COORDINATOR);
  });
});

describe("group coordinator: answers once its write to __consumer_offsets is committed", () => {
  const simpleCommit = (coordinator: GroupCoordinator, groupId: string, offset: number) =>
    coordinator
      .commitOffsets({
        groupId, generationId: -1, memberId: "", groupInstanceId: null, retentionTimeMs: -1,
        topics: [{ name: "t", partitions: [{ partition: 0, offset, leaderEpoch: -1, metadata: null }] }],
      })
      .then((result) => result[0].partitions[0].errorCode);
  const fetchedOffset = (coordinator: GroupCoordinator, groupId: string) => coordinator.fetchOffsets(groupId, [{ name: "t", partitions: [0] }]).topics[0].partitions[0].offset;

  it("an OffsetCommit waits for its commit and is fetched only then; one that fails to commit is answered with Kafka's error and not applied", async () => {
    const { coordinator, log } = setup();
    log.holdCommits = true;
    const first = simpleCommit(coordinator, "simple", 10);
    assert.equal(await peek(first), "pending");
    assert.equal(fetchedOffset(coordinator, "simple"), -1, "not visible before it is committed");
    assert.equal(coordinator.stateOf("simple"), "Empty", "the group made for the commit stays while it is in flight");
    log.release("committed");
    assert.equal(await first, ErrorCode.NONE);
    assert.equal(fetchedOffset(coordinator, "simple"), 10);

    for (const [outcome, errorCode] of [["timed out", ErrorCode.REQUEST_TIMED_OUT], ["partition gone", ErrorCode.NOT_COORDINATOR]] as const) {
      const failed = simpleCommit(coordinator, "simple", 11);
      log.release(outcome);
      assert.equal(await failed, errorCode, outcome);
      assert.equal(fetchedOffset(coordinator, "simple"), 10, `${outcome}: the offset is unchanged`);
    }
    const neverCommitted = simpleCommit(coordinator, "fresh", 1);
    log.release("timed out");
    assert.equal(await neverCommitted, ErrorCode.REQUEST_TIMED_OUT);
    assert.equal(coordinator.stateOf("fresh"), undefined, "a group made only for a commit that failed goes again");

    log.holdCommits = false;
    // An int64 offset near its maximum becomes 2^63 as a number, which the record cannot hold (found by the request-path fuzzer).
    assert.equal(await simpleCommit(coordinator, "simple", 2 ** 63), ErrorCode.UNKNOWN_SERVER_ERROR);
    log.failWith = new KafkaError("NOT_LEADER_OR_FOLLOWER", "not the leader of the offsets partition");
    assert.equal(await simpleCommit(coordinator, "simple", 12), ErrorCode.NOT_COORDINATOR);
    log.failWith = new KafkaError("NOT_ENOUGH_REPLICAS", "too few in-sync replicas");
    assert.equal(await simpleCommit(coordinator, "simple", 12), ErrorCode.COORDINATOR_NOT_AVAILABLE);
    log.failWith = new KafkaError("RECORD_LIST_TOO_LARGE", "too large");
    assert.equal(await simpleCommit(coordinator, "simple", 12), ErrorCode.INVALID_COMMIT_OFFSET_SIZE);
    assert.equal(fetchedOffset(coordinator, "simple"), 10);
  });

  it("SyncGroup: the members get the leader's assignment once it is committed; a store that does not commit answers REBALANCE_IN_PROGRESS and rebalances", async () => {
    const { coordinator, log } = setup();
    const member = await coordinator.join(joinRequest());
    const syncOf = (generationId: number) =>
      coordinator.sync({
        groupId: "g", generationId, memberId: member.memberId, groupInstanceId: null, protocolType: null, protocolName: null,
        assignments: [{ memberId: member.memberId, assignment: Buffer.from("p0") }],
      });
    log.holdCommits = true;
    const synced = syncOf(member.generationId);
    assert.equal(await peek(synced), "pending");
    assert.equal(coordinator.stateOf("g"), "CompletingRebalance");
    log.release("committed");
    const result = await synced;
    assert.deepEqual([result.errorCode, result.assignment.toString()], [ErrorCode.NONE, "p0"]);
    assert.equal(coordinator.stateOf("g"), "Stable");

    const rejoined = coordinator.join(joinRequest({ memberId: member.memberId }));
    const next = await rejoined;
    const failed = syncOf(next.generationId);
    log.release("timed out");
    // Kafka's storeGroup answers a timed-out group write with REBALANCE_IN_PROGRESS: the members rejoin.
    assert.equal((await failed).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    assert.equal(coordinator.stateOf("g"), "PreparingRebalance");
  });
});
