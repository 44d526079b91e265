// CreateTopics (key 19), versions 0-7: validate-only, explicit assignments, topic configs.
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { CreateTopicsRequest, CreateTopicsResponse } from "../protocol/generated";
import { topicIdBytes, ZERO_UUID } from "../metadata/topic-ids";
import { describedTopicConfigs } from "./config-resources";
import { defineHandler, errorOf } from "./handler";

type TopicResult = CreateTopicsResponse["topics"][number];

export const createTopicsHandler = defineHandler<CreateTopicsRequest, CreateTopicsResponse>({
  apiKey: ApiKey.CreateTopics,
  minVersion: 0,
  maxVersion: 7,
  async handle(request, context) {
    const { services } = context;
    const viaControllerListener = services.config.quorum?.controllerListenerNames.includes(context.connection.listenerName) ?? false;
    const counts = new Map<string, number>();
    for (const topic of request.topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1);

    // One at a time, in request order: each topic is validated against the ones committed before it.
    const topics: TopicResult[] = [];
    for (const topic of request.topics) {
      const result: TopicResult = {
        name: topic.name,
        topicId: ZERO_UUID,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        topicConfigErrorCode: ErrorCode.NONE,
        numPartitions: -1,
        replicationFactor: -1,
        configs: null,
      };
      if (counts.get(topic.name)! > 1) {
        result.errorCode = ErrorCode.INVALID_REQUEST;
        result.errorMessage = "Create topics request from client contains duplicate topic names";
        topics.push(result);
        continue;
      }
      try {
        const configs: Record<string, string | null> = {};
        for (const config of topic.configs) configs[config.name] = config.value;
        const created = await services.controller.createTopic(
          {
            name: topic.name,
            numPartitions: topic.numPartitions,
            replicationFactor: topic.replicationFactor,
            assignments: topic.assignments.map((a) => ({ partition: a.partitionIndex, brokerIds: a.brokerIds })),
            configs,
          },
          // A request over a controller listener was forwarded by a node of the quorum, which may create internal topics.
          { validateOnly: request.validateOnly, allowInternal: viaControllerListener, forwarded: viaControllerListener },
        );
        if (created) {
          result.topicId = topicIdBytes(created.topicId);
          result.numPartitions = created.partitions.length;
          result.replicationFactor = created.partitions[0]?.replicas.length ?? -1;
          result.configs = describedTopicConfigs(services, created.name).map((entry) => ({
            name: entry.name,
            value: entry.value,
            readOnly: entry.readOnly,
            configSource: entry.configSource,
            isSensitive: entry.isSensitive,
          }));
        } else {
          result.numPartitions = topic.numPartitions === -1 ? services.config.numPartitions : topic.numPartitions;
          result.replicationFactor =
            topic.replicationFactor === -1 ? services.config.defaultReplicationFactor : topic.replicationFactor;
        }
      } catch (error) {
        Object.assign(result, errorOf(error, context));
      }
      topics.push(result);
    }
    return { throttleTimeMs: 0, topics };
  },
});
