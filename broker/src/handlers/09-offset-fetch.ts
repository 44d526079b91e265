// OffsetFetch (key 9), versions 0-8: committed offsets of a group (v0-7) or of
// several groups (v8+); a null topic list (v2+) means every topic with an
// offset. require_stable (v7+) needs no wait: there are no transactional commits yet.
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { OffsetFetchRequest, OffsetFetchResponse } from "../protocol/generated";
import { defineHandler } from "./handler";

interface FetchedTopic {
  name: string;
  partitions: Array<{ partition: number; offset: number; leaderEpoch: number; metadata: string | null; errorCode: number }>;
}

/** The committed offsets in the response's shape (the same in the v0-7 body and the v8+ per-group one). */
function toWire(topics: readonly FetchedTopic[]) {
  return topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map((p) => ({
      partitionIndex: p.partition,
      committedOffset: BigInt(p.offset),
      committedLeaderEpoch: p.leaderEpoch,
      metadata: p.metadata,
      errorCode: p.errorCode,
    })),
  }));
}

export const offsetFetchHandler = defineHandler<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: ApiKey.OffsetFetch,
  minVersion: 0,
  maxVersion: 8,
  handle(request, { services, apiVersion }) {
    const topicsOf = (topics: Array<{ name: string; partitionIndexes: number[] }> | null) =>
      topics === null ? null : topics.map((topic) => ({ name: topic.name, partitions: topic.partitionIndexes }));
    if (apiVersion >= 8) {
      return {
        throttleTimeMs: 0,
        topics: [],
        errorCode: ErrorCode.NONE,
        groups: request.groups.map((group) => {
          const fetched = services.groups.fetchOffsets(group.groupId, topicsOf(group.topics));
          return {
            groupId: group.groupId,
            errorCode: fetched.errorCode,
            topics: toWire(fetched.topics),
          };
        }),
      };
    }
    const fetched = services.groups.fetchOffsets(request.groupId, topicsOf(request.topics));
    // v0-1 have no top-level error: a group error goes on every partition asked for.
    const partitionError = apiVersion < 2 ? fetched.errorCode : ErrorCode.NONE;
    const topics =
      apiVersion < 2 && fetched.errorCode !== ErrorCode.NONE
        ? (request.topics ?? []).map((topic) => ({
            name: topic.name,
            partitions: topic.partitionIndexes.map((partition) => ({ partition, offset: -1, leaderEpoch: -1, metadata: "", errorCode: partitionError })),
          }))
        : fetched.topics;
    return {
      throttleTimeMs: 0,
      errorCode: apiVersion >= 2 ? fetched.errorCode : ErrorCode.NONE,
      groups: [],
      topics: toWire(topics),
    };
  },
});
