import "server-only";
import { isInternalTopic } from "@/lib/topic-name";
import { kafkaType, ServiceError, topicCall } from "../kafka/errors";
import { clusterClients } from "../kafka/registry";

export async function deleteTopic(name: string, clients = clusterClients()): Promise<void> {
  return topicCall(name, async () => {
    const admin = await clients.getAdmin();
    // Metadata first, so an unknown topic is a 404.
    await admin.fetchTopicMetadata({ topics: [name] });
    await admin.deleteTopics({ topics: [name], timeout: 10_000 }).catch((error) => {
      throw deletionRefused(name, error) ?? error;
    });
  });
}

/** Kafka's refusals of a deletion, in words a user can act on; null for any other failure. */
function deletionRefused(name: string, error: unknown): ServiceError | null {
  switch (kafkaType(error)) {
    // Kafka answers INVALID_REQUEST ("malformed request") for an internal topic.
    case "INVALID_REQUEST":
      return isInternalTopic(name) ? new ServiceError("INVALID_INPUT", `'${name}' is an internal topic: Kafka keeps its own state there, and it cannot be deleted.`) : null;
    case "TOPIC_DELETION_DISABLED":
      return new ServiceError("CONFLICT", "This cluster does not allow deleting topics (delete.topic.enable=false on its brokers).");
    default:
      return null;
  }
}
