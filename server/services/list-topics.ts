import "server-only";
import type { ITopicMetadata } from "kafkajs";
import { topicListSchema, topicSummarySchema, type TopicList, type TopicSummary } from "@/lib/contracts";
import { isInternalTopic } from "@/lib/topic-name";
import { describeLogDirs, partitionKey, type PartitionSizes } from "../kafka/broker-wire";
import { kafkaCall } from "../kafka/errors";
import { clusterClients, type ClusterClients } from "../kafka/registry";
import { isUnderReplicated, readClusterState } from "./cluster-state";

/** Topics whose offsets are read for record counts, at most; more topics are listed without counts. */
const OFFSET_LOOKUPS_MAX = 500;

export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
}

export async function topicOffsets(clients: ClusterClients, topic: string): Promise<PartitionOffsets[]> {
  const admin = await clients.getAdmin();
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) })).sort((a, b) => a.partition - b.partition);
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
    approximateRecords: (offsets ?? []).reduce((sum, o) => sum + Math.max(0, o.high - o.low), 0),
  });
}

/** Every topic with its partition count, replication, size and approximate record count, sorted by name. */
export async function listTopics(clients = clusterClients()): Promise<TopicList> {
  return kafkaCall(async () => {
    const state = await readClusterState(clients);
    const topics = [...state.topics].sort((a, b) => a.name.localeCompare(b.name));
    const [logDirs, offsets] = await Promise.all([
      describeLogDirs(clients, state.brokers, null),
      Promise.all(topics.map((t, i) => (i < OFFSET_LOOKUPS_MAX ? topicOffsets(clients, t.name).catch(() => null) : null))),
    ]);
    return topicListSchema.parse({ topics: topics.map((t, i) => summarize(t, offsets[i], logDirs.complete ? logDirs.sizes : null)) });
  });
}
