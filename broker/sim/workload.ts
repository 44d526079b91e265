import { ApiKey } from "@sluice/protocol/messages/api-messages";
import { ErrorCode } from "@sluice/protocol/errors";
import { decodeRecordBatch, encodeRecordBatch } from "@sluice/protocol/records/record-batch";
import { Connector, type SimContext } from "./context";

const PRODUCE_VERSION = 8;
const FETCH_VERSION = 11;
const INIT_PRODUCER_ID_VERSION = 1;
const JOIN_GROUP_VERSION = 5;
const SYNC_GROUP_VERSION = 3;
const HEARTBEAT_VERSION = 3;
const OFFSET_COMMIT_VERSION = 7;
const OFFSET_FETCH_VERSION = 6;
const CREATE_TOPICS_VERSION = 4;
const DELETE_TOPICS_VERSION = 3;

/** Errors after which the same request is simply sent again (the node is starting, a log is busy, a disk failed). */
const RETRIABLE = new Set<number>([
  ErrorCode.UNKNOWN_SERVER_ERROR,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
]);

export interface ProducerOptions {
  idempotent: boolean;
  acks: 0 | 1 | -1;
}

/**
 * A producer: small batches of unique values to random partitions; a
 * failed or unanswered batch is sent again as it was (same bytes, same
 * sequence), up to a limit. acks=0 batches get no answer and are never
 * promised. An idempotent producer that gives up on a batch, or hears its
 * sequence is out of order, starts over with a new producer id.
 */
export async function producer(ctx: SimContext, name: string, options: ProducerOptions): Promise<void> {
  const { random, loop, invariants } = ctx;
  const connection = new Connector(ctx, name);
  let producerId = -1n;
  let producerEpoch = -1;
  const sequences = new Map<number, number>();
  let counter = 0;
  while (ctx.active()) {
    await loop.sleep(random.int(1, 150));
    if (options.idempotent && producerId < 0n) {
      const answer = await connection.request(ApiKey.InitProducerId, INIT_PRODUCER_ID_VERSION, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: -1n,
        producerEpoch: -1,
      });
      if (!answer || answer.errorCode !== ErrorCode.NONE) {
        await loop.sleep(random.int(20, 200));
        continue;
      }
      producerId = answer.producerId;
      producerEpoch = answer.producerEpoch;
      sequences.clear();
      ctx.trace.add(name, "producer-id", `${producerId}/${producerEpoch}`);
    }
    const partition = random.int(0, ctx.partitions - 1);
    const values = Array.from({ length: random.int(1, 5) }, () => `${name}#${counter++}`);
    const baseSequence = options.idempotent ? (sequences.get(partition) ?? 0) : -1;
    const batch = encodeRecordBatch({
      now: ctx.clock.nowMs(),
      producerId: options.idempotent ? Number(producerId) : -1,
      producerEpoch: options.idempotent ? producerEpoch : -1,
      baseSequence,
      records: values.map((value) => ({ key: null, value })),
    });
    if (options.idempotent) for (const value of values) invariants.markIdempotent(value);
    const body = {
      transactionalId: null,
      acks: options.acks,
      timeoutMs: 3_000,
      topicData: [{ name: ctx.topic, partitionData: [{ index: partition, records: batch }] }],
    };
    if (options.acks === 0) {
      await connection.send(ApiKey.Produce, PRODUCE_VERSION, body);
      ctx.trace.add(name, "produce-acks0", `p${partition} ${values.length}`);
      continue;
    }
    let done = false;
    for (let attempt = 0; attempt < 12 && !done; attempt++) {
      const epoch = invariants.epoch;
      const answer = await connection.request(ApiKey.Produce, PRODUCE_VERSION, body, 4_000);
      const result = answer?.responses[0]?.partitionResponses[0];
      const code = result ? result.errorCode : null;
      ctx.trace.add(name, "produce", `p${partition} seq=${baseSequence} n=${values.length} attempt=${attempt} -> ${code ?? "lost"}${result && code === 0 ? ` @${result.baseOffset}` : ""}`);
      if (code === ErrorCode.NONE) {
        invariants.ack(partition, Number(result.baseOffset), values, epoch);
        if (options.idempotent) sequences.set(partition, baseSequence + values.length);
        done = true;
      } else if (code === null || RETRIABLE.has(code)) {
        await loop.sleep(random.int(10, 300));
      } else break;
    }
    if (!done && options.idempotent) producerId = -1n;
  }
  connection.close();
}

/** One partition's answer to a Fetch: its records (value text by offset), high watermark and log start. */
export interface PartitionRead {
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  records: Array<{ offset: number; value: string }>;
}

/** Fetches `partitions` from the given offsets; null when the answer was lost. */
export async function fetchOnce(
  ctx: SimContext,
  connection: Connector,
  offsets: ReadonlyMap<number, number>,
  maxWaitMs: number,
): Promise<Map<number, PartitionRead> | null> {
  const epoch = ctx.invariants.epoch;
  const answer = await connection.request(
    ApiKey.Fetch,
    FETCH_VERSION,
    {
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1n },
      maxWaitMs,
      minBytes: 1,
      maxBytes: 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: ctx.topic,
          topicId: Buffer.alloc(16),
          partitions: [...offsets].map(([partition, offset]) => ({
            partition,
            currentLeaderEpoch: -1,
            fetchOffset: BigInt(offset),
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: 64 * 1024,
            replicaDirectoryId: Buffer.alloc(16),
          })),
        },
      ],
      forgottenTopicsData: [],
      rackId: "",
    },
    maxWaitMs + 4_000,
  );
  if (!answer) return null;
  const reads = new Map<number, PartitionRead>();
  for (const topic of answer.responses) {
    for (const p of topic.partitions) {
      const read: PartitionRead = { errorCode: p.errorCode, highWatermark: Number(p.highWatermark), logStartOffset: Number(p.logStartOffset), records: [] };
      if (p.errorCode === ErrorCode.NONE && p.records) {
        for (const batch of wholeBatches(p.records)) {
          const decoded = decodeRecordBatch(batch);
          for (const record of decoded.records) {
            const offset = decoded.baseOffset + record.offsetDelta;
            const value = record.value ? record.value.toString("utf8") : "<null>";
            read.records.push({ offset, value });
            ctx.invariants.read(p.partitionIndex, offset, value, epoch);
          }
        }
      }
      reads.set(p.partitionIndex, read);
    }
  }
  return reads;
}

/** The complete batches of a Fetch answer (the last may be cut short, as Kafka allows). */
function wholeBatches(blob: Buffer): Buffer[] {
  const batches: Buffer[] = [];
  let at = 0;
  while (at + 12 <= blob.length) {
    const bytes = 12 + blob.readInt32BE(at + 8);
    if (at + bytes > blob.length) break;
    batches.push(blob.subarray(at, at + bytes));
    at += bytes;
  }
  return batches;
}

/** A consumer without a group: follows every partition from the start, checking each record it reads. */
export async function follower(ctx: SimContext, name: string): Promise<void> {
  const connection = new Connector(ctx, name);
  const positions = new Map<number, number>(Array.from({ length: ctx.partitions }, (_, p) => [p, 0]));
  while (ctx.active()) {
    const reads = await fetchOnce(ctx, connection, positions, ctx.random.int(0, 500));
    ctx.trace.add(name, "fetched", reads ? [...reads].map(([p, r]) => `${p}:${r.errorCode}/${r.records.length}/hw${r.highWatermark}`).join(",") : "lost");
    if (!reads) {
      await ctx.loop.sleep(ctx.random.int(10, 200));
      continue;
    }
    for (const [partition, read] of reads) {
      if (read.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) positions.set(partition, read.logStartOffset >= 0 ? read.logStartOffset : 0);
      const last = read.records.at(-1);
      if (last) positions.set(partition, last.offset + 1);
    }
    if ([...reads.values()].every((read) => read.records.length === 0)) await ctx.loop.sleep(ctx.random.int(10, 300));
  }
  connection.close();
}

/**
 * Reads every partition end to end and checks that each acknowledged
 * record is there. Returns false when the node could not be read (down,
 * or not answering) within a few tries, so the caller can try later.
 */
export async function verifyAll(ctx: SimContext, reason: string): Promise<boolean> {
  const connection = new Connector(ctx, `verifier`);
  try {
    for (let partition = 0; partition < ctx.partitions; partition++) {
      const ackedBefore = ctx.invariants.ackedRecords;
      const readNow = new Map<number, string>();
      let offset = 0;
      let complete: { hw: number; start: number } | null = null;
      for (let attempt = 0; attempt < 200 && !complete; attempt++) {
        if (!ctx.node.up) return false;
        const reads = await fetchOnce(ctx, connection, new Map([[partition, offset]]), 0);
        const read = reads?.get(partition);
        if (!read || read.errorCode !== ErrorCode.NONE) {
          if (read?.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && read.logStartOffset > offset) offset = read.logStartOffset;
          else await ctx.loop.sleep(50);
          continue;
        }
        for (const record of read.records) readNow.set(record.offset, record.value);
        const last = read.records.at(-1);
        if (last) offset = last.offset + 1;
        if (offset >= read.highWatermark || (!last && offset < read.logStartOffset)) complete = { hw: read.highWatermark, start: read.logStartOffset };
        if (!last && !complete) offset = Math.max(offset, read.logStartOffset);
      }
      if (!complete) return false;
      ctx.invariants.checkComplete(partition, complete.start, complete.hw, readNow, ackedBefore);
    }
    ctx.trace.add("verifier", "complete", reason);
    return true;
  } finally {
    connection.close();
  }
}

/** The groups' assignment: partitions dealt round robin over the members, in member id order. */
function assign(memberIds: string[], partitions: number): Map<string, number[]> {
  const sorted = [...memberIds].sort();
  const assignment = new Map<string, number[]>(sorted.map((id) => [id, []]));
  for (let p = 0; p < partitions; p++) assignment.get(sorted[p % sorted.length])!.push(p);
  return assignment;
}

/**
 * A classic consumer group member: JoinGroup (with the member id the node
 * hands out), SyncGroup (the leader deals the partitions), OffsetFetch,
 * then fetch, heartbeat and commit until a rebalance; now and then it stalls
 * past its session timeout and comes back as a new member.
 */
export async function groupMember(ctx: SimContext, group: string, name: string): Promise<void> {
  const { loop, random, invariants, trace } = ctx;
  const connection = new Connector(ctx, name);
  let memberId = "";
  while (ctx.active()) {
    const joinEpoch = invariants.epoch;
    const completedBefore = invariants.completedGeneration(group);
    const join = await connection.request(ApiKey.JoinGroup, JOIN_GROUP_VERSION, {
      groupId: group,
      sessionTimeoutMs: 6_000,
      rebalanceTimeoutMs: 4_000,
      memberId,
      groupInstanceId: null,
      protocolType: "consumer",
      protocols: [{ name: "sim", metadata: Buffer.from(name) }],
      reason: null,
    }, 15_000);
    if (!join) continue;
    trace.add(name, "join", `code=${join.errorCode} gen=${join.generationId} member=${join.memberId}`);
    if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      memberId = join.memberId;
      continue;
    }
    if (join.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) memberId = "";
    if (join.errorCode !== ErrorCode.NONE) {
      await loop.sleep(random.int(50, 300));
      continue;
    }
    memberId = join.memberId;
    const generation: number = join.generationId;
    invariants.generationSeen(group, generation, joinEpoch, false, completedBefore);
    const isLeader = join.leader === memberId;
    const assignments = isLeader
      ? [...assign(join.members.map((m: { memberId: string }) => m.memberId), ctx.partitions)].map(([id, parts]) => ({ memberId: id, assignment: Buffer.from(JSON.stringify(parts)) }))
      : [];
    const sync = await connection.request(ApiKey.SyncGroup, SYNC_GROUP_VERSION, { groupId: group, generationId: generation, memberId, groupInstanceId: null, protocolType: "consumer", protocolName: "sim", assignments }, 15_000);
    if (!sync) continue;
    trace.add(name, "sync", `code=${sync.errorCode} gen=${generation}`);
    if (sync.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) memberId = "";
    if (sync.errorCode !== ErrorCode.NONE) continue;
    invariants.generationSeen(group, generation, joinEpoch, true, completedBefore);
    const assigned: number[] = sync.assignment.length > 0 ? JSON.parse(sync.assignment.toString("utf8")) : [];
    await consumeUntilRebalance(ctx, connection, group, name, memberId, generation, assigned).then((outcome) => {
      if (outcome === "unknown-member") memberId = "";
    });
    if (ctx.faulty() && random.chance(0.1)) {
      trace.add(name, "stall", "past the session timeout");
      connection.close();
      await loop.sleep(random.int(6_000, 9_000));
      memberId = "";
    }
  }
  connection.close();
}

async function consumeUntilRebalance(
  ctx: SimContext,
  connection: Connector,
  group: string,
  name: string,
  memberId: string,
  generation: number,
  assigned: number[],
): Promise<"rebalance" | "unknown-member" | "done"> {
  const { loop, random, invariants, trace } = ctx;
  const positions = new Map<number, number>();
  if (assigned.length > 0) {
    const ackedBefore = new Map(assigned.map((p) => [p, invariants.committedOffset(group, p)]));
    const fetchEpoch = invariants.epoch;
    const fetched = await connection.request(ApiKey.OffsetFetch, OFFSET_FETCH_VERSION, { groupId: group, topics: [{ name: ctx.topic, partitionIndexes: assigned }] });
    if (!fetched || fetched.errorCode !== ErrorCode.NONE) return "rebalance";
    for (const p of fetched.topics.flatMap((t: any) => t.partitions)) {
      if (p.errorCode !== ErrorCode.NONE) return "rebalance";
      invariants.committedRead(group, p.partitionIndex, p.committedOffset, ackedBefore.get(p.partitionIndex) ?? -1n, fetchEpoch);
      positions.set(p.partitionIndex, p.committedOffset >= 0n ? Number(p.committedOffset) : 0);
    }
    trace.add(name, "positions", [...positions].map(([p, o]) => `${p}:${o}`).join(","));
  }
  let lastHeartbeatMs = loop.nowMs;
  let lastCommitMs = loop.nowMs;
  while (ctx.active()) {
    if (positions.size > 0) {
      const reads = await fetchOnce(ctx, connection, positions, random.int(0, 300));
      if (!reads) return "rebalance";
      for (const [partition, read] of reads) {
        const last = read.records.at(-1);
        if (last) positions.set(partition, last.offset + 1);
      }
    } else await loop.sleep(random.int(50, 300));
    if (loop.nowMs - lastCommitMs >= 700 && positions.size > 0) {
      lastCommitMs = loop.nowMs;
      const offsets = [...positions];
      const commitEpoch = invariants.epoch;
      const answer = await connection.request(ApiKey.OffsetCommit, OFFSET_COMMIT_VERSION, {
        groupId: group,
        generationIdOrMemberEpoch: generation,
        memberId,
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [{ name: ctx.topic, partitions: offsets.map(([partitionIndex, offset]) => ({ partitionIndex, committedOffset: BigInt(offset), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null })) }],
      });
      if (!answer) return "rebalance";
      const codes = answer.topics.flatMap((t: any) => t.partitions.map((p: any) => [p.partitionIndex, p.errorCode] as [number, number]));
      trace.add(name, "commit", offsets.map(([p, o]) => `${p}:${o}`).join(",") + " -> " + codes.map(([, c]: [number, number]) => c).join(","));
      const sent = new Map(offsets);
      for (const [partition, code] of codes) if (code === ErrorCode.NONE) invariants.commitAcked(group, partition, BigInt(sent.get(partition)!), commitEpoch);
      if (codes.some(([, c]: [number, number]) => c === ErrorCode.UNKNOWN_MEMBER_ID)) return "unknown-member";
      if (codes.some(([, c]: [number, number]) => c !== ErrorCode.NONE)) return "rebalance";
    }
    if (loop.nowMs - lastHeartbeatMs >= 1_000) {
      lastHeartbeatMs = loop.nowMs;
      const beat = await connection.request(ApiKey.Heartbeat, HEARTBEAT_VERSION, { groupId: group, generationId: generation, memberId, groupInstanceId: null });
      if (!beat) return "rebalance";
      if (beat.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) return "unknown-member";
      if (beat.errorCode !== ErrorCode.NONE) {
        trace.add(name, "heartbeat", `code=${beat.errorCode}`);
        return "rebalance";
      }
    }
  }
  return "done";
}

/** CreateTopics for one topic; the answer's error code, or null when lost. */
export async function createTopic(connection: Connector, name: string, partitions: number, configs: Record<string, string>): Promise<number | null> {
  const answer = await connection.request(ApiKey.CreateTopics, CREATE_TOPICS_VERSION, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: Object.entries(configs).map(([key, value]) => ({ name: key, value })) }],
    timeoutMs: 5_000,
    validateOnly: false,
  });
  return answer ? answer.topics[0].errorCode : null;
}

/** An admin: scratch topics created and deleted, their acknowledged state remembered for the checks after each restart. */
export async function admin(ctx: SimContext, name: string): Promise<void> {
  const { loop, random, invariants, trace } = ctx;
  const connection = new Connector(ctx, name);
  const tainted = new Set<string>();
  let n = 0;
  while (ctx.active()) {
    await loop.sleep(random.int(200, 2_000));
    const topic = `scratch-${n++ % 3}`;
    const create = random.chance(0.5);
    invariants.expectedTopics.delete(topic);
    let code: number | null;
    if (create) code = await createTopic(connection, topic, random.int(1, 3), {});
    else {
      const answer = await connection.request(ApiKey.DeleteTopics, DELETE_TOPICS_VERSION, { topics: [], topicNames: [topic], timeoutMs: 5_000 });
      code = answer ? answer.responses[0].errorCode : null;
    }
    trace.add(name, create ? "create" : "delete", `${topic} -> ${code ?? "lost"}`);
    // A request whose answer was lost may still take effect, even after later ones: that topic's state is unknown from now on.
    if (code === null) tainted.add(topic);
    if (tainted.has(topic)) continue;
    if (create && (code === ErrorCode.NONE || code === ErrorCode.TOPIC_ALREADY_EXISTS)) invariants.expectedTopics.set(topic, "present");
    if (!create && (code === ErrorCode.NONE || code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)) invariants.expectedTopics.set(topic, "absent");
  }
  connection.close();
}
