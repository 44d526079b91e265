import "server-only";
import { topicDetailSchema, type TopicDetail } from "@/lib/contracts";
import { describeLogDirs, partitionKey } from "../kafka/broker-wire";
import { topicCall, topicNotFound } from "../kafka/errors";
import { clusterClients } from "../kafka/registry";
import { readClusterState } from "./cluster-state";
import { offsetsOfTopic, summarize } from "./list-topics";

/** One topic with its partitions: offsets, records, size, leader, replicas and ISR. */
export async function getTopic(name: string, clients = clusterClients()): Promise<TopicDetail> {
  return topicCall(name, async () => {
    const state = await readClusterState(clients, [name]);
    const topic = state.topics.find((t) => t.name === name);
    if (!topic) throw topicNotFound(name);
    const [offsets, logDirs] = await Promise.all([
      offsetsOfTopic(clients, state, name),
      describeLogDirs(clients, state.brokers, [{ topic: name, partitions: topic.partitions.map((p) => p.partitionId) }]),
    ]);
    const sizes = logDirs.complete ? logDirs.sizes : null;
    const byPartition = new Map(offsets.map((o) => [o.partition, o]));
    return topicDetailSchema.parse({
      ...summarize(topic, offsets, sizes),
      partitionList: [...topic.partitions]
        .sort((a, b) => a.partitionId - b.partitionId)
        .map((p) => {
          const o = byPartition.get(p.partitionId) ?? { low: 0, high: 0 };
          return {
            partition: p.partitionId,
            firstOffset: o.low,
            lastOffset: o.high > o.low ? o.high - 1 : o.high,
            highWatermark: o.high,
            records: Math.max(0, o.high - o.low),
            sizeBytes: sizes ? (sizes.get(partitionKey(name, p.partitionId)) ?? 0) : null,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
          };
        }),
    });
  });
}
