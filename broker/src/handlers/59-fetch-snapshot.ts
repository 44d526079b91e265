// FetchSnapshot (key 59), versions 0-1: a replica behind the leader's log start fetches the snapshot in chunks.
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { FetchSnapshotRequest, FetchSnapshotResponse } from "../protocol/generated";
import { defineHandler } from "./handler";
import { isMetadataPartitionOnly, quorumFor } from "./quorum-requests";

export const fetchSnapshotHandler = defineHandler<FetchSnapshotRequest, FetchSnapshotResponse>({
  apiKey: ApiKey.FetchSnapshot,
  minVersion: 0,
  maxVersion: 1,
  handle(request, context) {
    const refused = (errorCode: number): FetchSnapshotResponse => ({ throttleTimeMs: 0, errorCode, topics: [], nodeEndpoints: [] });
    const target = quorumFor(context, request.clusterId);
    if ("errorCode" in target) return refused(target.errorCode);
    if (!isMetadataPartitionOnly(request.topics, (topic) => topic.name, (topic) => topic.partitions.map((partition) => partition.partition)))
      return refused(ErrorCode.INVALID_REQUEST);
    const answer = target.quorum.answer({ kind: "FetchSnapshotRequest", body: request });
    return answer?.kind === "FetchSnapshotResponse" ? answer.body : refused(ErrorCode.UNKNOWN_SERVER_ERROR);
  },
});
