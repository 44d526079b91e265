import "server-only";
import { ErrorCode } from "@sluice/protocol/errors";
import { ApiKey } from "@sluice/protocol/messages/api-messages";
import type { ListOffsetsRequest, ListOffsetsResponse } from "@sluice/protocol/messages";
import type { BrokerAddress } from "./broker-wire";
import { errorCodeName, errorFromCode, ServiceError } from "./errors";
import { REQUEST_TIMEOUT_MS, type ClusterClients } from "./registry";

// ListOffsets v2 (non-flexible, with the isolation level) is served by every
// Kafka from 0.11 through 4.x, by Redpanda and by the bundled broker.
const LIST_OFFSETS_VERSION = 2;
const READ_UNCOMMITTED = 0;
/** The special timestamps of ListOffsets: the log start offset and the high watermark. */
const EARLIEST = -2n;
const LATEST = -1n;
/** Partitions asked about in one request; a leader of more gets several requests, sent together. */
export const LIST_OFFSETS_PARTITIONS_MAX = 5_000;

export interface PartitionOffsets {
  partition: number;
  /** Log start offset. */
  low: number;
  /** High watermark: the offset the next record will get. */
  high: number;
}

export interface TopicLeaders {
  topic: string;
  /** `leader` is a node id; negative when the partition has none. */
  partitions: Array<{ partition: number; leader: number }>;
}

/** Why one partition's offsets are missing. */
export type OffsetsProblem =
  | { kind: "no-leader"; partition: number }
  | { kind: "error-code"; partition: number; errorCode: number }
  | { kind: "unreachable"; partition: number; message: string };

/**
 * One topic's offsets. `complete` when every partition answered; otherwise the
 * partitions that did, and what went wrong with the first one that did not.
 */
export type TopicOffsets =
  | { kind: "complete"; partitions: PartitionOffsets[] }
  | { kind: "incomplete"; partitions: PartitionOffsets[]; problem: OffsetsProblem };

/** Leadership moved or is moving: asking again after a metadata refresh may succeed. */
export function isLeadershipProblem(problem: OffsetsProblem): boolean {
  if (problem.kind === "no-leader") return true;
  if (problem.kind !== "error-code") return false;
  const code = problem.errorCode;
  return (
    code === ErrorCode.NOT_LEADER_OR_FOLLOWER ||
    code === ErrorCode.LEADER_NOT_AVAILABLE ||
    code === ErrorCode.FENCED_LEADER_EPOCH ||
    code === ErrorCode.UNKNOWN_LEADER_EPOCH ||
    code === ErrorCode.REPLICA_NOT_AVAILABLE
  );
}

interface Answer {
  earliest: number | null;
  latest: number | null;
  problem: OffsetsProblem | null;
}

const keyOf = (topic: string, partition: number) => `${partition}/${topic}`;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The log start offset and high watermark of many partitions at once: the
 * partitions are grouped by leader, and each leader gets one ListOffsets
 * request for the earliest offsets and one for the latest (more when it leads
 * over LIST_OFFSETS_PARTITIONS_MAX partitions), all in flight together. So
 * 2,000 topics on three brokers cost six requests, not 4,000.
 *
 * A failure never throws: a partition without a leader, with an error code,
 * or on a broker that did not answer makes its topic `incomplete`. The raw
 * connection does not speak SASL; callers fall back to kafkajs there.
 */
export async function partitionOffsets(clients: ClusterClients, brokers: BrokerAddress[], topics: TopicLeaders[]): Promise<Map<string, TopicOffsets>> {
  const addresses = new Map(brokers.map((b) => [b.nodeId, b]));
  const answers = new Map<string, Answer>();
  const byLeader = new Map<number, Array<{ topic: string; partition: number }>>();
  for (const t of topics)
    for (const p of t.partitions) {
      const answer: Answer = { earliest: null, latest: null, problem: null };
      answers.set(keyOf(t.topic, p.partition), answer);
      if (p.leader < 0 || !addresses.has(p.leader)) {
        answer.problem = { kind: "no-leader", partition: p.partition };
        continue;
      }
      let list = byLeader.get(p.leader);
      if (!list) byLeader.set(p.leader, (list = []));
      list.push({ topic: t.topic, partition: p.partition });
    }

  const ask = async (leader: BrokerAddress, partitions: Array<{ topic: string; partition: number }>, timestamp: bigint) => {
    const field = timestamp === EARLIEST ? "earliest" : "latest";
    try {
      const byTopic = new Map<string, number[]>();
      for (const p of partitions) {
        let list = byTopic.get(p.topic);
        if (!list) byTopic.set(p.topic, (list = []));
        list.push(p.partition);
      }
      const request: ListOffsetsRequest = {
        replicaId: -1,
        isolationLevel: READ_UNCOMMITTED,
        timeoutMs: REQUEST_TIMEOUT_MS,
        topics: [...byTopic].map(([name, indexes]) => ({
          name,
          partitions: indexes.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 })),
        })),
      };
      const wire = await clients.wire(leader.host, leader.port);
      const response = await wire.request<ListOffsetsResponse>(ApiKey.ListOffsets, LIST_OFFSETS_VERSION, request, REQUEST_TIMEOUT_MS);
      for (const topic of response.topics)
        for (const p of topic.partitions) {
          const answer = answers.get(keyOf(topic.name, p.partitionIndex));
          if (!answer) continue; // a partition that was not asked about
          if (p.errorCode !== 0) answer.problem ??= { kind: "error-code", partition: p.partitionIndex, errorCode: p.errorCode };
          else answer[field] = Number(p.offset);
        }
    } catch (error) {
      for (const p of partitions) {
        const answer = answers.get(keyOf(p.topic, p.partition))!;
        answer.problem ??= { kind: "unreachable", partition: p.partition, message: (error as Error).message };
      }
    }
  };

  const requests: Array<Promise<void>> = [];
  for (const [nodeId, partitions] of byLeader) {
    const leader = addresses.get(nodeId)!;
    for (const chunk of chunks(partitions, LIST_OFFSETS_PARTITIONS_MAX)) requests.push(ask(leader, chunk, EARLIEST), ask(leader, chunk, LATEST));
  }
  await Promise.all(requests);

  const result = new Map<string, TopicOffsets>();
  for (const t of topics) {
    const found: PartitionOffsets[] = [];
    let problem: OffsetsProblem | null = null;
    for (const p of [...t.partitions].sort((a, b) => a.partition - b.partition)) {
      const answer = answers.get(keyOf(t.topic, p.partition))!;
      if (answer.earliest !== null && answer.latest !== null) found.push({ partition: p.partition, low: answer.earliest, high: answer.latest });
      else problem ??= answer.problem ?? { kind: "unreachable", partition: p.partition, message: "the leader left the partition out of its answer" };
    }
    result.set(t.topic, problem ? { kind: "incomplete", partitions: found, problem } : { kind: "complete", partitions: found });
  }
  return result;
}

/** The service error for a topic whose offsets could not all be read. */
export function offsetsError(topic: string, problem: OffsetsProblem): ServiceError {
  switch (problem.kind) {
    case "no-leader":
      return new ServiceError("UNAVAILABLE", `partition ${problem.partition} of ${topic} has no leader`);
    case "unreachable":
      return new ServiceError("UNAVAILABLE", `ListOffsets for ${topic}/${problem.partition} failed: ${problem.message}`);
    case "error-code":
      if (isLeadershipProblem(problem)) return new ServiceError("UNAVAILABLE", `ListOffsets for ${topic}/${problem.partition} failed: ${errorCodeName(problem.errorCode)}`);
      return errorFromCode(problem.errorCode, `ListOffsets for ${topic}/${problem.partition}`);
  }
}
