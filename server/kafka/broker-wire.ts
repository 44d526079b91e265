import "server-only";
import { ApiKey } from "../../broker/src/protocol/generated/api-messages";
import type { DescribeLogDirsResponse, MetadataResponse } from "../../broker/src/protocol/generated";
import { REQUEST_TIMEOUT_MS, type ClusterClients } from "./registry";

export interface BrokerAddress {
  nodeId: number;
  host: string;
  port: number;
}

/** "topic/partition" -> bytes on disk, summed over log dirs (and over brokers holding replicas: the disk cost). */
export type PartitionSizes = Map<string, number>;
export const partitionKey = (topic: string, partition: number) => `${topic}/${partition}`;

// DescribeLogDirs v1 (non-flexible) is served by every Kafka since 2.0 and by the bundled broker.
const DESCRIBE_LOG_DIRS_VERSION = 1;
// Metadata v9 is the first flexible version; served by Kafka 2.4+.
const METADATA_VERSION = 9;

/**
 * Sizes of partitions on each broker, with DescribeLogDirs (which kafkajs lacks).
 * A broker that cannot be asked (down, or refusing the console's credentials) is left out: its bytes are unknown.
 */
export async function describeLogDirs(
  clients: ClusterClients,
  brokers: BrokerAddress[],
  topics: Array<{ topic: string; partitions: number[] }> | null,
): Promise<{ sizes: PartitionSizes; byBroker: Map<number, number>; complete: boolean }> {
  const sizes: PartitionSizes = new Map();
  const byBroker = new Map<number, number>();
  let complete = true;
  await Promise.all(
    brokers.map(async (broker) => {
      try {
        const wire = await clients.wire(broker.host, broker.port);
        const response = await wire.request<DescribeLogDirsResponse>(ApiKey.DescribeLogDirs, DESCRIBE_LOG_DIRS_VERSION, { topics }, REQUEST_TIMEOUT_MS);
        let total = 0;
        for (const dir of response.results) {
          if (dir.errorCode !== 0) continue;
          for (const topic of dir.topics)
            for (const partition of topic.partitions) {
              if (partition.isFutureKey) continue;
              const bytes = Number(partition.partitionSize);
              total += bytes;
              const key = partitionKey(topic.name, partition.partitionIndex);
              sizes.set(key, (sizes.get(key) ?? 0) + bytes);
            }
        }
        byBroker.set(broker.nodeId, total);
      } catch {
        complete = false;
      }
    }),
  );
  return { sizes, byBroker, complete };
}

/** Racks of the brokers (kafkajs's describeCluster leaves them out), or an empty map when unavailable. */
export async function brokerRacks(clients: ClusterClients, broker: BrokerAddress): Promise<Map<number, string | null>> {
  try {
    const wire = await clients.wire(broker.host, broker.port);
    const response = await wire.request<MetadataResponse>(
      ApiKey.Metadata,
      METADATA_VERSION,
      { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false },
      REQUEST_TIMEOUT_MS,
    );
    return new Map(response.brokers.map((b) => [b.nodeId, b.rack]));
  } catch {
    return new Map();
  }
}
