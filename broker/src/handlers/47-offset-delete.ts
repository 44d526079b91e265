// OffsetDelete (key 47), version 0: deletes committed offsets of partitions no member is subscribed to.
import { ApiKey } from "../protocol/generated/api-messages";
import type { OffsetDeleteRequest, OffsetDeleteResponse } from "../protocol/generated";
import { defineHandler } from "./handler";

export const offsetDeleteHandler = defineHandler<OffsetDeleteRequest, OffsetDeleteResponse>({
  apiKey: ApiKey.OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  handle(request, { services }) {
    const result = services.groups.deleteOffsets(
      request.groupId,
      request.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((p) => p.partitionIndex) })),
    );
    return {
      errorCode: result.errorCode,
      throttleTimeMs: 0,
      topics: result.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: p.errorCode })),
      })),
    };
  },
});
