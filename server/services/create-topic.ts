import "server-only";
import type { Admin } from "kafkajs";
import type { CreateTopicInput } from "@/lib/contracts";
import { errorMessage, kafkaCall, kafkaType, ServiceError } from "../kafka/errors";
import { clusterClients, type ClusterClients } from "../kafka/registry";
import { topicCreationProblem } from "../kafka/broker-wire";

export async function createTopic(input: CreateTopicInput, clients = clusterClients()): Promise<{ name: string }> {
  return kafkaCall(async () => {
    const admin = await clients.getAdmin();
    const created = await admin
      .createTopics({
        waitForLeaders: true,
        timeout: 10_000,
        topics: [
          {
            topic: input.name,
            numPartitions: input.partitions,
            replicationFactor: input.replicationFactor,
            configEntries: Object.entries(input.configs).map(([name, value]) => ({ name, value })),
          },
        ],
      })
      .catch(async (error) => {
        throw (await creationRefused(error, input, admin, clients)) ?? error;
      });
    // kafkajs answers false (not an error) when the topic is already there.
    if (!created) throw new ServiceError("CONFLICT", `Topic '${input.name}' already exists.`, "name");
    return { name: input.name };
  });
}

/** Two names that differ only by '.' against '_' collide in Kafka: its metric names replace '.' with '_'. */
const metricName = (topic: string) => topic.replaceAll(".", "_");

/**
 * Kafka's refusal of a creation, tied to the form field at fault and in words
 * a user can act on; null for any other failure. The facts (existing topics,
 * brokers) are read after the error, since Kafka's messages differ by version.
 */
async function creationRefused(error: unknown, input: CreateTopicInput, admin: Admin, clients: ClusterClients): Promise<ServiceError | null> {
  // kafkajs drops the broker's message, keeping a generic one; ask the controller again for it.
  const why = async () => {
    const { brokers, controller } = await admin.describeCluster();
    const target = brokers.find((b) => b.nodeId === controller) ?? brokers[0];
    return (target ? await topicCreationProblem(clients, target, input).catch(() => null) : null) ?? errorMessage(error);
  };
  switch (kafkaType(error)) {
    case "INVALID_CONFIG":
      return new ServiceError("INVALID_INPUT", await why(), "configs");
    case "INVALID_TOPIC_EXCEPTION": {
      const existing = (await admin.listTopics()).find((t) => t !== input.name && metricName(t) === metricName(input.name));
      if (existing)
        return new ServiceError(
          "INVALID_INPUT",
          `'${input.name}' collides with the existing topic '${existing}': Kafka treats '.' and '_' alike in topic names (they share metric names), so only one of the two can exist.`,
          "name",
        );
      return new ServiceError("INVALID_INPUT", await why(), "name");
    }
    case "INVALID_REPLICATION_FACTOR": {
      const { brokers } = await admin.describeCluster();
      if (input.replicationFactor > brokers.length) {
        const count = brokers.length === 1 ? "1 broker" : `${brokers.length} brokers`;
        return new ServiceError("INVALID_INPUT", `The cluster has ${count}, so the replication factor can be at most ${brokers.length}.`, "replicationFactor");
      }
      return new ServiceError("INVALID_INPUT", await why(), "replicationFactor");
    }
    default:
      return null;
  }
}
