import "server-only";
import type { ITopicMetadata } from "kafkajs";
import { topicSummarySchema, type TopicSummary } from "@/lib/contracts";
import { selectTopics, topicListQuerySchema, topicListSchema, type TopicList, type TopicListQuery } from "@/lib/topic-list";
import { isInternalTopic } from "@/lib/topic-name";
import { describeLogDirs, partitionKey, type PartitionSizes } from "../kafka/broker-wire";
import { kafkaCall, ServiceError } from "../kafka/errors";
import { isLeadershipProblem, offsetsError, partitionOffsets, type PartitionOffsets } from "../kafka/list-offsets";
import { clusterClients, type ClusterClients } from "../kafka/registry";
import { isUnderReplicated, readClusterState, type ClusterState } from "./cluster-state";

export type { PartitionOffsets } from "../kafka/list-offsets";

const leadersOf = (topic: ITopicMetadata) => ({ topic: topic.name, partitions: topic.partitions.map((p) => ({ partition: p.partitionId, leader: p.leader })) });

/**
 * Offsets of every partition of a topic whose metadata the caller already
 * read. Throws when a partition cannot be read; a moved leader gets one more
 * try with fresh metadata.
 */
export async function offsetsOfTopic(clients: ClusterClients, state: ClusterState, topic: string): Promise<PartitionOffsets[]> {
  const metadata = state.topics.find((t) => t.name === topic);
  if (!metadata) throw new ServiceError("NOT_FOUND", `This server does not host this topic-partition: ${topic}`);
  const first = (await partitionOffsets(clients, state.brokers, [leadersOf(metadata)])).get(topic)!;
  if (first.kind === "complete") return first.partitions;
  if (!isLeadershipProblem(first.problem)) throw offsetsError(topic, first.problem);
  const fresh = await readClusterState(clients, [topic]);
  const again = fresh.topics.find((t) => t.name === topic);
  if (!again) throw new ServiceError("NOT_FOUND", `This server does not host this topic-partition: ${topic}`);
  const second = (await partitionOffsets(clients, fresh.brokers, [leadersOf(again)])).get(topic)!;
  if (second.kind === "complete") return second.partitions;
  throw offsetsError(topic, second.problem);
}

/** Log start offset and high watermark of each partition of a topic, sorted by partition. */
export async function topicOffsets(clients: ClusterClients, topic: string): Promise<PartitionOffsets[]> {
  return offsetsOfTopic(clients, await readClusterState(clients, [topic]), topic);
}

export function summarize(topic: ITopicMetadata, offsets: PartitionOffsets[] | null, sizes: PartitionSizes | null): TopicSummary {
  let sizeBytes: number | null = sizes ? 0 : null;
  if (sizes) for (const p of topic.partitions) sizeBytes! += sizes.get(partitionKey(topic.name, p.partitionId)) ?? 0;
  return topicSummarySchema.parse({
    name: topic.name,
    internal: isInternalTopic(topic.name),
    partitions: topic.partitions.length,
    replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
    underReplicatedPartitions: topic.partitions.filter(isUnderReplicated).length,
    sizeBytes,
    approximateRecords: offsets ? offsets.reduce((sum, o) => sum + Math.max(0, o.high - o.low), 0) : null,
  });
}

/** Offsets of every topic listed; null for a topic whose offsets could not all be read. */
async function offsetsOfAll(clients: ClusterClients, state: ClusterState, topics: ITopicMetadata[]): Promise<Array<PartitionOffsets[] | null>> {
  const found = await partitionOffsets(clients, state.brokers, topics.map(leadersOf));
  return topics.map((t) => {
    const offsets = found.get(t.name)!;
    return offsets.kind === "complete" ? offsets.partitions : null;
  });
}

/**
 * Offsets of several topics in one metadata read and one batched ListOffsets
 * per leader. A topic that is gone or not fully readable is left out of the
 * map; topicOffsets (with its retry) is the way to ask about it alone.
 */
export async function offsetsOfTopics(clients: ClusterClients, names: string[]): Promise<Map<string, PartitionOffsets[]>> {
  const found = new Map<string, PartitionOffsets[]>();
  if (names.length === 0) return found;
  const state = await readClusterState(clients, names).catch(() => null); // a deleted topic fails the whole read
  if (!state) return found;
  const topics = state.topics.filter((t) => names.includes(t.name));
  const offsets = await offsetsOfAll(clients, state, topics);
  topics.forEach((t, i) => offsets[i] && found.set(t.name, offsets[i]));
  return found;
}

/** Every topic with its partition count, replication, size and approximate record count, sorted by name. */
export async function allTopicSummaries(clients = clusterClients()): Promise<TopicSummary[]> {
  return kafkaCall(async () => {
    const state = await readClusterState(clients);
    const topics = [...state.topics].sort((a, b) => a.name.localeCompare(b.name));
    const [logDirs, offsets] = await Promise.all([describeLogDirs(clients, state.brokers, null), offsetsOfAll(clients, state, topics)]);
    return topics.map((t, i) => summarize(t, offsets[i], logDirs.complete ? logDirs.sizes : null));
  });
}

/**
 * One page of the topic list for a search and sort. Sorting by size or records
 * needs every topic's figures, so all are summarised here on the server (a few
 * batched requests); only the page goes to the browser.
 */
export async function listTopics(query: Partial<TopicListQuery> = {}, clients = clusterClients(), visible: (topic: string) => boolean = () => true): Promise<TopicList> {
  // Topics the user may not see are left out before counting and paging, so the page and its totals cover only the others.
  const summaries = (await allTopicSummaries(clients)).filter((t) => visible(t.name));
  return topicListSchema.parse(selectTopics(summaries, topicListQuerySchema.parse(query)));
}
