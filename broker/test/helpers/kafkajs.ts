import type { Kafka } from "kafkajs";

/** kafkajs keeps its cluster factory behind a private symbol; tests use it to fetch without a group. */
function createCluster(kafka: Kafka): any {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.toString().includes("createCluster"))!;
  return (kafka as any)[symbol]({});
}

/**
 * Reads partitions from offset 0 up to their high watermark with kafkajs's
 * fetch path, without a consumer group. Returns the values by partition.
 */
export async function readPartitions(
  kafka: Kafka,
  topic: string,
  highs: ReadonlyArray<{ partition: number; high: number | string }>,
): Promise<Map<number, string[]>> {
  const cluster = createCluster(kafka);
  await cluster.connect();
  await cluster.refreshMetadata([topic]);
  const metadata = cluster.findTopicPartitionMetadata(topic);
  const values = new Map<number, string[]>();
  try {
    for (const { partition, high } of highs) {
      const leaderId = metadata.find((p: any) => p.partitionId === partition).leader;
      const leader = await cluster.findBroker({ nodeId: String(leaderId) });
      const read: string[] = [];
      let offset = 0;
      while (offset < Number(high)) {
        const response = await leader.fetch({
          maxWaitTime: 100,
          minBytes: 1,
          maxBytes: 4 << 20,
          topics: [{ topic, partitions: [{ partition, fetchOffset: String(offset), maxBytes: 4 << 20 }] }],
        });
        for (const message of response.responses[0].partitions[0].messages) {
          if (Number(message.offset) < offset) continue;
          read.push(message.value.toString());
          offset = Number(message.offset) + 1;
        }
      }
      values.set(partition, read);
    }
  } finally {
    await cluster.disconnect();
  }
  return values;
}
