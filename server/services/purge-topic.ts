import "server-only";
import { purgeResultSchema, type PurgeResult } from "@/lib/contracts";
import { topicCall } from "../kafka/errors";
import { clusterClients } from "../kafka/registry";
import { topicOffsets } from "./list-topics";

/** Deletes every record of every partition (DeleteRecords up to the high watermark); the topic stays. */
export async function purgeTopic(name: string, clients = clusterClients()): Promise<PurgeResult> {
  return topicCall(name, async () => {
    const admin = await clients.getAdmin();
    // kafkajs's deleteTopicRecords looks leaders up only in the metadata its own
    // fetchTopicOffsets caches, so the offsets to delete up to come from there.
    const offsets = await admin.fetchTopicOffsets(name);
    const partitions = offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => ({ partition: o.partition, offset: o.high }));
    if (partitions.length > 0) await admin.deleteTopicRecords({ topic: name, partitions });
    const after = await topicOffsets(clients, name);
    return purgeResultSchema.parse({ partitions: after.map((o) => ({ partition: o.partition, lowWatermark: o.low })) });
  });
}
