import "server-only";
import type { ConfigEntries } from "kafkajs";
import { ConfigResourceTypes } from "../kafka/kafkajs-constants";
import { configListSchema, type ConfigList } from "@/lib/contracts";
import { kafkaCall, ServiceError, topicCall } from "../kafka/errors";
import { clusterClients } from "../kafka/registry";

// kafkajs reports configSource as Kafka's numeric code.
const SOURCES: Record<number, string> = {
  0: "UNKNOWN",
  1: "DYNAMIC_TOPIC_CONFIG",
  2: "DYNAMIC_BROKER_CONFIG",
  3: "DYNAMIC_DEFAULT_BROKER_CONFIG",
  4: "STATIC_BROKER_CONFIG",
  5: "DEFAULT_CONFIG",
  6: "DYNAMIC_BROKER_LOGGER_CONFIG",
};

function toContract(entries: ConfigEntries[]): ConfigList {
  return configListSchema.parse({
    configs: entries
      .map((e) => ({
        name: e.configName,
        value: e.isSensitive ? null : e.configValue,
        source: SOURCES[e.configSource] ?? (e.isDefault ? "DEFAULT_CONFIG" : "UNKNOWN"),
        isDefault: e.isDefault,
        isSensitive: e.isSensitive,
        readOnly: e.readOnly,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  });
}

/** A topic's configs with their sources (overrides are DYNAMIC_TOPIC_CONFIG). */
export async function describeTopicConfigs(topic: string, clients = clusterClients()): Promise<ConfigList> {
  return topicCall(topic, async () => {
    const admin = await clients.getAdmin();
    const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }], includeSynonyms: false });
    return toContract(described.resources[0].configEntries);
  });
}

/** A broker's configs with their sources. */
export async function describeBrokerConfigs(nodeId: number, clients = clusterClients()): Promise<ConfigList> {
  return kafkaCall(async () => {
    const admin = await clients.getAdmin();
    const { brokers } = await admin.describeCluster();
    if (!brokers.some((b) => b.nodeId === nodeId)) throw new ServiceError("NOT_FOUND", `no broker with id ${nodeId} in the cluster`);
    const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: String(nodeId) }], includeSynonyms: false });
    return toContract(described.resources[0].configEntries);
  });
}
