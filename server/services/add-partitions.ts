import "server-only";
import type { AddPartitionsInput } from "@/lib/contracts";
import { topicCall } from "../kafka/errors";
import { clusterClients } from "../kafka/registry";

/** Grows a topic by `count` partitions (Kafka cannot shrink one). */
export async function addPartitions(name: string, input: AddPartitionsInput, clients = clusterClients()): Promise<{ partitions: number }> {
  return topicCall(name, async () => {
    const admin = await clients.getAdmin();
    const metadata = await admin.fetchTopicMetadata({ topics: [name] });
    const total = metadata.topics[0].partitions.length + input.count;
    await admin.createPartitions({ topicPartitions: [{ topic: name, count: total }], timeout: 10_000 });
    return { partitions: total };
  });
}
