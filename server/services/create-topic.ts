import "server-only";
import type { CreateTopicInput } from "@/lib/contracts";
import { errorMessage, kafkaCall, kafkaType, ServiceError } from "../kafka/errors";
import { clusterClients } from "../kafka/registry";
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
        // A bad config name or value is the configs field's fault, so the form can show it there, in Kafka's words.
        if (kafkaType(error) !== "INVALID_CONFIG") throw error;
        const { brokers, controller } = await admin.describeCluster();
        const target = brokers.find((b) => b.nodeId === controller) ?? brokers[0];
        const why = target ? await topicCreationProblem(clients, target, input).catch(() => null) : null;
        throw new ServiceError("INVALID_INPUT", why ?? errorMessage(error), "configs");
      });
    // kafkajs answers false (not an error) when the topic is already there.
    if (!created) throw new ServiceError("CONFLICT", `Topic '${input.name}' already exists.`, "name");
    return { name: input.name };
  });
}
