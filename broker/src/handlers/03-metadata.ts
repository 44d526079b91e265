// Metadata (key 3), versions 0-12: brokers, controller and topic layout; auto-creates topics.
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { MetadataRequest, MetadataResponse } from "../protocol/generated";
import { isInternalTopic, type TopicState } from "../metadata/image";
import { topicNameProblem } from "../metadata/topic-names";
import { defineHandler } from "./handler";
import { topicIdBytes, ZERO_UUID } from "../metadata/topic-ids";
import { authorizedOperations } from "./authorized-operations";

type ResponseTopic = MetadataResponse["topics"][number];

export const metadataHandler = defineHandler<MetadataRequest, MetadataResponse>({
  apiKey: ApiKey.Metadata,
  minVersion: 0,
  maxVersion: 12,
  async handle(request, { services, apiVersion, connection }) {
    // Re-read after an auto-creation, which commits a newer image.
    let image = services.image;
    // v0 says "all topics" with an empty list; v1+ with null.
    const allTopics = request.topics === null || (apiVersion === 0 && request.topics.length === 0);
    // Versions before 4 have no flag: they always allowed auto-creation.
    const mayAutoCreate = apiVersion < 4 || request.allowAutoTopicCreation;
    // Asked for per topic from v8; for the cluster only in v8-10 (later clients use DescribeCluster).
    const topicOperations = authorizedOperations("topic", request.includeTopicAuthorizedOperations);
    const describeTopic = (topic: TopicState) => describedTopic(topic, topicOperations);
    const errorTopic = (name: string | null, topicId: Buffer, errorCode: number) => failedTopic(name, topicId, errorCode, topicOperations);

    const topics: ResponseTopic[] = [];
    if (!allTopics && apiVersion < 12 && request.topics!.some((t) => t.name == null || !ZERO_UUID.equals(t.topicId))) {
      // Topic ids came with v10 but are served from v12; before that Kafka refuses the whole request
      // with INVALID_REQUEST on every topic, and "" where the name is null (not nullable in those responses).
      for (const requested of request.topics!) topics.push(errorTopic(requested.name ?? "", ZERO_UUID, ErrorCode.INVALID_REQUEST));
    } else if (allTopics) {
      for (const topic of image.topicsByName.values()) topics.push(describeTopic(topic));
    } else {
      for (const requested of request.topics!) {
        if (requested.name === null || requested.name === undefined) {
          const id = Buffer.from(requested.topicId).toString("hex");
          const topic = image.topicsById.get(id);
          topics.push(topic ? describeTopic(topic) : errorTopic(null, requested.topicId, ErrorCode.UNKNOWN_TOPIC_ID));
          continue;
        }
        const name = requested.name;
        let topic = image.topic(name);
        if (!topic) {
          if (topicNameProblem(name)) {
            topics.push(errorTopic(name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION));
            continue;
          }
          if (mayAutoCreate && !isInternalTopic(name) && (await services.controller.autoCreateTopic(name))) {
            image = services.image;
            topic = image.topic(name);
          }
        }
        topics.push(topic ? describeTopic(topic) : errorTopic(name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
      }
    }

    const listed = image.brokersOn(connection.listenerName);
    return {
      throttleTimeMs: 0,
      brokers: listed.map((endpoint) => ({
        nodeId: endpoint.nodeId,
        host: endpoint.host,
        port: endpoint.port,
        rack: endpoint.rack,
      })),
      clusterId: image.clusterId,
      controllerId: image.controllerIdAmong(listed),
      topics,
      clusterAuthorizedOperations: authorizedOperations("cluster", apiVersion <= 10 && request.includeClusterAuthorizedOperations),
    };
  },
});

function describedTopic(topic: TopicState, topicAuthorizedOperations: number): ResponseTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topicIdBytes(topic.topicId),
    isInternal: isInternalTopic(topic.name),
    partitions: topic.partitions.map((state) => ({
      // A partition whose leader was fenced with no in-sync replica to take over (Kafka answers so).
      errorCode: state.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
      partitionIndex: state.partition,
      leaderId: state.leader,
      leaderEpoch: state.leaderEpoch,
      replicaNodes: [...state.replicas],
      isrNodes: [...state.isr],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations,
  };
}

function failedTopic(name: string | null, topicId: Buffer, errorCode: number, topicAuthorizedOperations: number): ResponseTopic {
  return {
    errorCode,
    name: name as string,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations,
  };
}
