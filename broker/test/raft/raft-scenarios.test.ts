import assert from "node:assert/strict";
import { test } from "node:test";
import { ErrorCode } from "../../src/protocol/errors";
import type { MetadataLog } from "../../src/metadata/metadata-log";
import { decodeMetadataRecord, encodeMetadataRecord, type MetadataRecord } from "../../src/metadata/records";
import { ManualClock } from "../../src/runtime/clock";
import { InMemoryRaftLog } from "../../src/raft/log";
import { emptyFetchPartition, fetchRequest, fetchResponse, fetchSnapshotRequest, voteRequest, voteResponse, type Envelope } from "../../src/raft/messages";
import { FileQuorumStateStore } from "../../src/raft/quorum-state-store";
import { RaftMetadataLog } from "../../src/raft/raft-metadata-log";
import { RaftNode } from "../../src/raft/raft-node";
import { FaultyFileSystem } from "../helpers/faulty-fs";
import { SimCluster, describeBatch } from "./sim-cluster";

function electLeader(cluster: SimCluster, withinMs = 10_000): RaftNode {
  for (let waited = 0; waited < withinMs; waited += 100) {
    cluster.run(100);
    const leader = cluster.leader();
    if (leader && leader.highWatermark > 0) return leader;
  }
  throw new Error(`no leader within ${withinMs} ms: ${cluster.describe()}`);
}

function logOf(cluster: SimCluster, id: number): string[] {
  const log = cluster.node(id).log;
  return log.read(log.startOffset, Number.MAX_SAFE_INTEGER).map(describeBatch);
}

test("raft: after the leader crashes, the others elect a new leader in a later epoch and keep what was committed", () => {
  const cluster = new SimCluster(7, [1, 2, 3]);
  const first = electLeader(cluster);
  cluster.appendAtLeader(2);
  cluster.run(500);
  const committedBefore = first.highWatermark;
  assert.ok(committedBefore > 1, "the append committed");
  cluster.crash(first.nodeId);
  const second = electLeader(cluster);
  assert.notEqual(second.nodeId, first.nodeId);
  assert.ok(second.epoch > first.epoch, `epoch ${second.epoch} after ${first.epoch}`);
  assert.ok(second.highWatermark >= committedBefore);
  assert.ok(logOf(cluster, second.nodeId).some((batch) => batch.includes("v0.0,v0.1")), "the committed batch survived");
  // The old leader comes back as a follower of the new one and catches up.
  cluster.start(first.nodeId);
  cluster.run(3000);
  assert.equal(cluster.raft(first.nodeId).role, "follower");
  assert.deepEqual(logOf(cluster, first.nodeId), logOf(cluster, second.nodeId));
});

test("raft: pre-vote keeps a node that was cut off from bumping the epoch, so it does not depose the leader when it rejoins", () => {
  const cluster = new SimCluster(11, [1, 2, 3]);
  const leader = electLeader(cluster);
  const cutOff = [1, 2, 3].find((id) => id !== leader.nodeId) as number;
  cluster.isolate(cutOff);
  cluster.run(15_000);
  assert.equal(cluster.raft(cutOff).epoch, leader.epoch, "the isolated node did not start a new epoch");
  assert.equal(cluster.raft(cutOff).role, "prospective");
  assert.equal(leader.role, "leader");
  cluster.heal();
  cluster.appendAtLeader(1);
  cluster.run(3000);
  assert.equal(cluster.leader()?.nodeId, leader.nodeId, "the same leader");
  assert.equal(cluster.leader()?.epoch, leader.epoch, "in the same epoch");
  assert.equal(cluster.raft(cutOff).role, "follower");
  assert.equal(cluster.raft(cutOff).highWatermark, leader.highWatermark);
});

test("raft: a leader cut off with uncommitted batches truncates them when it rejoins as a follower (divergingEpoch)", () => {
  const cluster = new SimCluster(5, [1, 2, 3]);
  const old = electLeader(cluster);
  cluster.run(300);
  cluster.isolate(old.nodeId);
  old.append([Buffer.from("lost-1")], cluster.now);
  old.append([Buffer.from("lost-2")], cluster.now);
  const oldEnd = cluster.node(old.nodeId).log.endOffset;
  const next = (() => {
    for (let waited = 0; waited < 15_000; waited += 100) {
      cluster.run(100);
      const leader = cluster.leader();
      if (leader && leader.nodeId !== old.nodeId && leader.highWatermark > 0) return leader;
    }
    throw new Error(`no new leader: ${cluster.describe()}`);
  })();
  next.append([Buffer.from("kept")], cluster.now);
  cluster.run(1500);
  assert.notEqual(old.role, "leader", "the cut-off leader resigned when no majority fetched from it");
  const newEnd = cluster.node(next.nodeId).log.endOffset;
  assert.ok(oldEnd > 0 && newEnd > 0);
  cluster.heal();
  cluster.run(4000);
  const oldLog = logOf(cluster, old.nodeId);
  assert.ok(!oldLog.some((batch) => batch.includes("lost-")), `the uncommitted batches were truncated: ${oldLog.join(" ")}`);
  assert.ok(oldLog.some((batch) => batch.includes("kept")));
  assert.deepEqual(oldLog, logOf(cluster, next.nodeId));
});

test("raft: an observer that joins late is sent a snapshot, catches up, and DescribeQuorum lists it", () => {
  const cluster = new SimCluster(3, [1, 2, 3], [4]);
  cluster.crash(4);
  const leader = electLeader(cluster);
  for (let i = 0; i < 10; i++) {
    cluster.appendAtLeader(2);
    cluster.run(100);
  }
  cluster.run(500);
  for (const id of [1, 2, 3]) cluster.snapshot(id);
  const leaderLog = cluster.node(leader.nodeId).log;
  assert.ok(leaderLog.startOffset > 0, "the leader's log starts behind its snapshot");
  cluster.appendAtLeader(1);
  cluster.start(4);
  cluster.run(3000);
  const observer = cluster.node(4);
  assert.equal(observer.raft?.role, "follower");
  assert.equal(observer.log.startOffset, leaderLog.startOffset, "the observer's log starts at the snapshot it fetched");
  assert.equal(observer.raft?.highWatermark, leader.highWatermark);
  cluster.checkAppliedPrefixes();
  assert.equal(observer.applied.batches.length, 11, "all eleven application batches, ten of them through the snapshot");
  const quorum = leader.describeQuorum(cluster.now);
  assert.equal(quorum.leaderId, leader.nodeId);
  assert.equal(quorum.highWatermark, BigInt(leader.highWatermark));
  assert.deepEqual(quorum.currentVoters.map((voter) => voter.replicaId), [1, 2, 3]);
  assert.deepEqual(quorum.observers.map((replica) => replica.replicaId), [4]);
  for (const replica of [...quorum.currentVoters, ...quorum.observers]) assert.equal(replica.logEndOffset, BigInt(leaderLog.endOffset));
  assert.equal(cluster.raft(4).describeQuorum(cluster.now).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER, "only the leader describes the quorum");
});

test("raft: a vote survives a crash: quorum-state is written before the answer, and the node never votes twice in one epoch", () => {
  const fs = new FaultyFileSystem({ seed: 1 });
  const log = new InMemoryRaftLog();
  const make = () =>
    new RaftNode({ nodeId: 1, voters: [1, 2, 3], log, store: FileQuorumStateStore.inDirectory(fs, "/meta", [1, 2, 3]), random: () => Buffer.alloc(4) });
  const ask = (node: RaftNode, candidateId: number, epoch: number): boolean => {
    const request: Envelope = {
      from: candidateId,
      to: 1,
      correlationId: 1,
      message: { kind: "VoteRequest", preVote: false, body: voteRequest({ candidateId, voterId: 1, candidateEpoch: epoch, lastOffsetEpoch: 0, lastOffset: 0 }) },
    };
    const [reply] = node.handle(request, 0);
    assert.equal(reply.message.kind, "VoteResponse");
    return reply.message.kind === "VoteResponse" && reply.message.body.topics[0].partitions[0].voteGranted;
  };
  const before = make();
  before.start(0);
  assert.equal(ask(before, 2, 1), true, "the first vote in epoch 1 is granted");
  assert.equal(ask(before, 3, 1), false, "a second candidate in epoch 1 is refused");
  fs.crash({ tornBytes: true });
  const after = make();
  after.start(0);
  assert.equal(after.epoch, 1);
  assert.equal(after.votedFor, 2, "the vote was read back from quorum-state");
  assert.equal(ask(after, 3, 1), false, "after the crash, still no second vote in epoch 1");
  assert.equal(ask(after, 2, 1), true, "the same candidate may ask again");
  assert.equal(ask(after, 3, 2), true, "a later epoch is a new vote");
  const file = JSON.parse(fs.readFileSync("/meta/quorum-state").toString("utf8")) as { leaderEpoch: number; votedId: number };
  assert.deepEqual([file.leaderEpoch, file.votedId], [2, 3]);
});

test("raft: RaftMetadataLog resolves a proposal once committed, and rejects at a follower and when leadership is lost first", async () => {
  const clock = new ManualClock();
  const logs = new Map<number, RaftMetadataLog<MetadataRecord>>();
  const codec = { encode: (record: MetadataRecord) => encodeMetadataRecord(record).value, decode: decodeMetadataRecord };
  const cluster = new SimCluster(9, [1, 2, 3], [], {}, (id) => {
    const metadataLog = new RaftMetadataLog(codec, clock);
    logs.set(id, metadataLog);
    return { listener: metadataLog.raftListener, made: (raft) => metadataLog.attach(raft) };
  });
  // The broker's controller and loader take it where they take a MetadataLog.
  const asMetadataLog: MetadataLog = logs.get(1) as RaftMetadataLog<MetadataRecord>;
  assert.ok(asMetadataLog);
  const leader = electLeader(cluster);
  clock.set(cluster.now);
  const seen: string[] = [];
  const follower = [1, 2, 3].find((id) => id !== leader.nodeId) as number;
  logs.get(follower)?.onCommit((batch) => seen.push(`${batch.baseOffset}:${batch.records.map((record) => record.type).join(",")}`));
  const committed = logs.get(leader.nodeId)?.propose([{ type: "TopicRecord", name: "t", topicId: "id-1" }]) as Promise<number>;
  cluster.run(500);
  const offset = await committed;
  assert.ok(offset >= 1, `committed at ${offset}`);
  assert.deepEqual(seen, [`${offset}:TopicRecord`], "the follower's loader saw the record once");
  await assert.rejects(logs.get(follower)?.propose([{ type: "RemoveTopicRecord", topicId: "id-1" }]) as Promise<number>, (error: { code?: number }) => error.code === ErrorCode.NOT_LEADER_OR_FOLLOWER);
  cluster.isolate(leader.nodeId);
  const lost = logs.get(leader.nodeId)?.propose([{ type: "RemoveTopicRecord", topicId: "id-1" }]) as Promise<number>;
  const outcome = lost.then(
    () => "resolved",
    (error: { code?: number }) => (error.code === ErrorCode.NOT_LEADER_OR_FOLLOWER ? "rejected" : `failed: ${String(error)}`),
  );
  // Isolated, the leader resigns once no majority fetches from it (check quorum): the proposal is rejected then.
  let settled = false;
  void outcome.then(() => (settled = true));
  for (let waited = 0; waited < 8000 && !settled; waited += 50) {
    cluster.run(50);
    await Promise.resolve();
    await Promise.resolve();
  }
  assert.equal(await outcome, "rejected");
  assert.equal(cluster.raft(leader.nodeId).role, "resigned", "rejected at the resignation, before a new leader was heard of");
  cluster.heal();
  cluster.run(3000);
  assert.ok([...(logs.get(follower)?.committedBatches() ?? [])].every((batch) => batch.records.every((record) => record.type === "TopicRecord")), "the lost proposal never committed");
});

test("raft: a follower takes no high watermark from a response that made it truncate: its cut may still be above the real divergence", () => {
  // The follower holds epoch 1 at [0,2) and epoch 3 at [2,5); the leader of epoch 4 holds epoch 1 at [0,1),
  // epoch 2 at [1,3) and its own from 3. The leader answers the fetch (5, epoch 3) with divergingEpoch (2, 3);
  // the follower's epoch cache cuts at 2, yet offset 1 still differs: a second round cuts it to 1.
  const log = new InMemoryRaftLog();
  log.append({ baseOffset: 0, epoch: 1, control: false, records: [Buffer.from("a")] });
  log.append({ baseOffset: 1, epoch: 1, control: false, records: [Buffer.from("b")] });
  log.append({ baseOffset: 2, epoch: 3, control: true, records: [Buffer.from("leader 3"), Buffer.from("x"), Buffer.from("y")] });
  const fs = new FaultyFileSystem({ seed: 2 });
  const store = FileQuorumStateStore.inDirectory(fs, "/meta", [1, 2, 3]);
  store.write({ epoch: 4, votedId: -1, leaderId: 1 });
  const follower = new RaftNode({ nodeId: 2, voters: [1, 2, 3], log, store, random: () => Buffer.alloc(4) });
  const [first] = follower.start(0);
  assert.equal(follower.role, "follower");
  assert.equal(first.message.kind, "FetchRequest");
  const answer = (request: Envelope, divergingEpoch: { epoch: number; endOffset: bigint }): Envelope[] => {
    const partition = emptyFetchPartition({ errorCode: 0, leaderId: 1, leaderEpoch: 4, highWatermark: 4, logStartOffset: 0 });
    partition.divergingEpoch = divergingEpoch;
    return follower.handle({ from: 1, to: 2, correlationId: request.correlationId, message: { kind: "FetchResponse", body: fetchResponse(partition) } }, 1);
  };
  const [second] = answer(first, { epoch: 2, endOffset: 3n });
  assert.equal(log.endOffset, 2);
  assert.equal(follower.highWatermark, 0, "no high watermark from a divergence answer");
  assert.equal(second.message.kind, "FetchRequest");
  const partition = second.message.kind === "FetchRequest" ? second.message.body.topics[0].partitions[0] : null;
  assert.deepEqual([partition?.fetchOffset, partition?.lastFetchedEpoch], [2n, 1]);
  answer(second, { epoch: 1, endOffset: 1n });
  assert.equal(log.endOffset, 1, "the second round cuts at the real divergence");
  assert.equal(follower.highWatermark, 0);
});

test("raft: a new leader commits batches of earlier epochs only under a batch of its own (no commit by count of an old epoch)", () => {
  // Node 1 holds epoch 1 at [0,1) and epoch 2 at [1,2), never committed; it wins epoch 3 and appends its marker at [2,3).
  const log = new InMemoryRaftLog();
  log.append({ baseOffset: 0, epoch: 1, control: false, records: [Buffer.from("a")] });
  log.append({ baseOffset: 1, epoch: 2, control: false, records: [Buffer.from("b")] });
  const store = FileQuorumStateStore.inDirectory(new FaultyFileSystem({ seed: 3 }), "/meta", [1, 2, 3]);
  store.write({ epoch: 2, votedId: -1, leaderId: -1 });
  const leader = new RaftNode({ nodeId: 1, voters: [1, 2, 3], log, store, random: () => Buffer.alloc(4) });
  leader.start(0);
  const grant = (requests: Envelope[], now: number): Envelope[] => {
    const request = requests.find((envelope) => envelope.to === 2 && envelope.message.kind === "VoteRequest");
    assert.ok(request && request.message.kind === "VoteRequest");
    const body = voteResponse({ errorCode: 0, leaderId: -1, leaderEpoch: request.message.preVote ? 2 : 3, voteGranted: true });
    return leader.handle({ from: 2, to: 1, correlationId: request.correlationId, message: { kind: "VoteResponse", preVote: request.message.preVote, body } }, now);
  };
  const preVotes = leader.tick(1000);
  assert.equal(leader.role, "prospective");
  const votes = grant(preVotes, 1001);
  assert.equal(leader.role, "candidate");
  assert.equal(leader.epoch, 3, "only the real election bumps the epoch");
  grant(votes, 1002);
  assert.equal(leader.role, "leader");
  assert.equal(log.endOffset, 3, "the marker batch of epoch 3");
  const fetchFrom2 = (fetchOffset: number, lastFetchedEpoch: number, now: number) => {
    const body = fetchRequest({ replicaId: 2, currentLeaderEpoch: 3, fetchOffset, lastFetchedEpoch, maxWaitMs: 0 });
    const [reply] = leader.handle({ from: 2, to: 1, correlationId: now, message: { kind: "FetchRequest", body } }, now);
    assert.ok(reply.message.kind === "FetchResponse");
    return reply.message.body.responses[0].partitions[0];
  };
  // Node 2 has everything of epochs 1 and 2: a majority holds offset 1, yet it is not committed.
  const answer = fetchFrom2(2, 2, 1003);
  assert.equal(answer.divergingEpoch.endOffset, -1n);
  assert.equal(leader.highWatermark, 0, "the epoch-2 batch held by a majority is not committed by count");
  // Once node 2 has the marker too, everything up to it commits.
  fetchFrom2(3, 3, 1004);
  assert.equal(leader.highWatermark, 3);
  const quorum = leader.describeQuorum(1005);
  assert.deepEqual(quorum.currentVoters.map((voter) => [voter.replicaId, voter.logEndOffset]), [[1, 3n], [2, 3n], [3, -1n]]);
  assert.equal(quorum.currentVoters[1].lastCaughtUpTimestamp, 1004n);
});

test("raft: fetches with arbitrary offsets and epochs from a replica never make the leader throw, and the quorum carries on", () => {
  const cluster = new SimCluster(13, [1, 2, 3]);
  const leader = electLeader(cluster);
  for (let i = 0; i < 6; i++) {
    cluster.appendAtLeader(3);
    cluster.run(200);
    // Half the log behind a snapshot, half still in batches of three records.
    if (i === 2) cluster.snapshot(leader.nodeId);
  }
  assert.ok(cluster.node(leader.nodeId).log.startOffset > 0 && cluster.node(leader.nodeId).log.endOffset - cluster.node(leader.nodeId).log.startOffset >= 9);
  const random = cluster.random;
  const pick = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const log = cluster.node(leader.nodeId).log;
  for (let i = 0; i < 2000; i++) {
    const fetchOffset = pick(-3, log.endOffset + 3);
    const epoch = pick(leader.epoch - 1, leader.epoch);
    const body =
      random() < 0.7
        ? { kind: "FetchRequest" as const, body: fetchRequest({ replicaId: 99, currentLeaderEpoch: epoch, fetchOffset, lastFetchedEpoch: pick(-2, leader.epoch + 2), maxWaitMs: 0 }) }
        : { kind: "FetchSnapshotRequest" as const, body: fetchSnapshotRequest({ replicaId: 99, currentLeaderEpoch: epoch, endOffset: pick(-1, log.endOffset), epoch: pick(-1, leader.epoch), position: pick(-2, 400), maxBytes: pick(-1, 100) }) };
    const replies = leader.handle({ from: 99, to: leader.nodeId, correlationId: i, message: body }, cluster.now);
    assert.equal(replies.length, 1, "one answer per request");
  }
  assert.equal(leader.role, "leader");
  const before = leader.highWatermark;
  cluster.appendAtLeader(1);
  cluster.run(1000);
  assert.ok(leader.highWatermark > before, "the quorum still commits");
});
