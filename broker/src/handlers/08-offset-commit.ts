// OffsetCommit (key 8), versions 0-9: committed offsets with metadata and
// leader epoch (v6+), acknowledged once appended to __consumer_offsets.
// v1 carries a per-partition commit timestamp (ignored: the broker stamps
// commits), v2-4 a retention time, v7+ group.instance.id. v9 is accepted for
// classic groups, where its member epoch is the generation.
import { ApiKey } from "../protocol/generated/api-messages";
import type { OffsetCommitRequest, OffsetCommitResponse } from "../protocol/generated";
import { defineHandler } from "./handler";

export const offsetCommitHandler = defineHandler<OffsetCommitRequest, OffsetCommitResponse>({
  apiKey: ApiKey.OffsetCommit,
  minVersion: 0,
  maxVersion: 9,
  async handle(request, { services, apiVersion }) {
    const results = await services.groups.commitOffsets({
      groupId: request.groupId,
      // v0 has no generation: a simple commit.
      generationId: apiVersion >= 1 ? request.generationIdOrMemberEpoch : -1,
      memberId: apiVersion >= 1 ? request.memberId : "",
      groupInstanceId: apiVersion >= 7 ? request.groupInstanceId : null,
      retentionTimeMs: apiVersion >= 2 && apiVersion <= 4 ? Number(request.retentionTimeMs) : -1,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => ({
          partition: p.partitionIndex,
          offset: Number(p.committedOffset),
          leaderEpoch: apiVersion >= 6 ? p.committedLeaderEpoch : -1,
          metadata: p.committedMetadata,
        })),
      })),
    });
    return {
      throttleTimeMs: 0,
      topics: results.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: p.errorCode })),
      })),
    };
  },
});
