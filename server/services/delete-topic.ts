import "server-only";
import { kafkaCall } from "../kafka/errors";
import { clusterClients } from "../kafka/registry";

export async function deleteTopic(name: string, clients = clusterClients()): Promise<void> {
  return kafkaCall(async () => {
    const admin = await clients.getAdmin();
    // Metadata first, so an unknown topic is a 404 with Kafka's message.
    await admin.fetchTopicMetadata({ topics: [name] });
    await admin.deleteTopics({ topics: [name], timeout: 10_000 });
  });
}
