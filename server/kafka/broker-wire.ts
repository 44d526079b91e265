import "server-only";
import { ApiKey } from "@sluice/protocol/messages/api-messages";
import type { CreateTopicsResponse, DescribeLogDirsResponse, IncrementalAlterConfigsResponse, MetadataResponse } from "@sluice/protocol/messages";
import { errorCodeName, errorFromCode } from "./errors";
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

// IncrementalAlterConfigs v0 (non-flexible) is served by Kafka 2.3 and later.
const INCREMENTAL_ALTER_CONFIGS_VERSION = 0;
const CONFIG_OPERATION = { SET: 0, DELETE: 1 } as const;
/** Kafka's ConfigResource.Type ids. */
const RESOURCE_TYPE = { topic: 2, broker: 4 } as const;

/** A topic, or a broker by its id ("" is the cluster-wide default of every broker). */
export type ConfigResource = { type: keyof typeof RESOURCE_TYPE; name: string };

/**
 * Sets (value) or removes (null) config overrides with
 * IncrementalAlterConfigs, which kafkajs lacks. Unlike the legacy AlterConfigs
 * it changes only the named configs, so two users editing different configs
 * of one topic do not undo each other's change. Kafka takes a broker's own
 * configs only from that broker, so `broker` must be the one named.
 */
export async function incrementalAlterConfigs(
  clients: ClusterClients,
  broker: BrokerAddress,
  resource: ConfigResource,
  changes: Record<string, string | null>,
): Promise<void> {
  const wire = await clients.wire(broker.host, broker.port);
  const response = await wire.request<IncrementalAlterConfigsResponse>(
    ApiKey.IncrementalAlterConfigs,
    INCREMENTAL_ALTER_CONFIGS_VERSION,
    {
      validateOnly: false,
      resources: [
        {
          resourceType: RESOURCE_TYPE[resource.type],
          resourceName: resource.name,
          configs: Object.entries(changes).map(([name, value]) => ({ name, value, configOperation: value === null ? CONFIG_OPERATION.DELETE : CONFIG_OPERATION.SET })),
        },
      ],
    },
    REQUEST_TIMEOUT_MS,
  );
  // The reason is shown beside the config it is about, so it need not name the topic or broker.
  for (const r of response.responses) if (r.errorCode !== 0) throw errorFromCode(r.errorCode, "Kafka refused the change", r.errorMessage);
}

// CreateTopics v4 (non-flexible, with error messages) is served by Kafka 2.4 and later.
const CREATE_TOPICS_VERSION = 4;

/**
 * Asks the controller whether a topic could be created, changing nothing
 * (validateOnly), and returns its error message. kafkajs drops the broker's
 * message ("Invalid value soon for configuration retention.ms ..."), keeping
 * only a generic one, so a failed creation asks again this way to say why.
 */
export async function topicCreationProblem(
  clients: ClusterClients,
  controller: BrokerAddress,
  topic: { name: string; partitions: number; replicationFactor: number; configs: Record<string, string> },
): Promise<string | null> {
  const wire = await clients.wire(controller.host, controller.port);
  const response = await wire.request<CreateTopicsResponse>(
    ApiKey.CreateTopics,
    CREATE_TOPICS_VERSION,
    {
      validateOnly: true,
      timeoutMs: REQUEST_TIMEOUT_MS,
      topics: [
        {
          name: topic.name,
          numPartitions: topic.partitions,
          replicationFactor: topic.replicationFactor,
          assignments: [],
          configs: Object.entries(topic.configs).map(([name, value]) => ({ name, value })),
        },
      ],
    },
    REQUEST_TIMEOUT_MS,
  );
  const result = response.topics[0];
  return result && result.errorCode !== 0 ? (result.errorMessage ?? errorCodeName(result.errorCode)) : null;
}
