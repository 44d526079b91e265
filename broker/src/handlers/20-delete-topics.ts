// DeleteTopics (key 20), versions 0-6: by name, or by topic id from v6.
import { ErrorCode, KafkaError } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { DeleteTopicsRequest, DeleteTopicsResponse } from "../protocol/generated";
import { isInternalTopic } from "../metadata/image";
import { topicIdBytes, topicIdHex, ZERO_UUID } from "../metadata/topic-ids";
import { defineHandler, errorOf } from "./handler";

type TopicResult = DeleteTopicsResponse["responses"][number];

export const deleteTopicsHandler = defineHandler<DeleteTopicsRequest, DeleteTopicsResponse>({
  apiKey: ApiKey.DeleteTopics,
  minVersion: 0,
  maxVersion: 6,
  async handle(request, context) {
    const { services, apiVersion } = context;
    const targets =
      apiVersion >= 6
        ? request.topics.map((t) => ({ name: t.name, topicId: t.topicId }))
        : request.topicNames.map((name) => ({ name: name as string | null, topicId: ZERO_UUID }));
    const responses: TopicResult[] = [];
    for (const target of targets) {
      const result: TopicResult = { name: target.name as string, topicId: target.topicId, errorCode: ErrorCode.NONE, errorMessage: null };
      try {
        let name = target.name;
        if (name === null) {
          const topic = services.image.topicsById.get(topicIdHex(target.topicId));
          if (!topic) throw new KafkaError("UNKNOWN_TOPIC_ID", "This server does not host this topic ID.");
          name = topic.name;
          result.name = name;
        }
        if (!services.config.deleteTopicEnable) throw new KafkaError("TOPIC_DELETION_DISABLED", "Topic deletion is disabled.");
        if (isInternalTopic(name)) throw new KafkaError("INVALID_REQUEST", `Deletion of internal topic ${name} is prohibited.`);
        const topic = services.image.topic(name);
        if (topic) result.topicId = topicIdBytes(topic.topicId);
        // Its logs and committed offsets go when the removal is applied, by the metadata publishers.
        await services.controller.deleteTopic(name);
      } catch (error) {
        Object.assign(result, errorOf(error, context));
      }
      responses.push(result);
    }
    return { throttleTimeMs: 0, responses };
  },
});
