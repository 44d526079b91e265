import "server-only";
import { produceResultSchema, type ProduceInput, type ProduceResult } from "@/lib/contracts";
import { kafkaCall, ServiceError } from "../kafka/errors";
import { clusterClients } from "../kafka/registry";

/**
 * Writes `count` copies of one record (acks=all). The partition is the one
 * chosen, or the default partitioner's pick. Returns the first offset written
 * in each partition.
 */
export async function produceRecords(topic: string, input: ProduceInput, clients = clusterClients()): Promise<ProduceResult> {
  return kafkaCall(async () => {
    const admin = await clients.getAdmin();
    // Metadata first: an unknown topic or partition is a clear 404, never an auto-created topic.
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = topics[0].partitions.length;
    if (input.partition !== null && input.partition >= partitions)
      throw new ServiceError("INVALID_INPUT", `topic ${topic} has ${partitions} partitions (0 to ${partitions - 1})`, "partition");
    const producer = await clients.getProducer();
    const message = {
      key: input.key,
      value: input.value,
      headers: Object.fromEntries(input.headers.map((h) => [h.key, h.value])),
      ...(input.partition !== null ? { partition: input.partition } : {}),
    };
    const sent = await producer.send({ topic, acks: -1, timeout: 10_000, messages: Array.from({ length: input.count }, () => message) });
    return produceResultSchema.parse({
      records: sent.map((r) => ({ partition: r.partition, offset: Number(r.baseOffset ?? r.offset ?? -1) })).sort((a, b) => a.partition - b.partition),
    });
  });
}
