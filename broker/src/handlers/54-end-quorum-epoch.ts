// EndQuorumEpoch (key 54), versions 0-1: a leader that steps down asks the voters to elect another, its preferred successors first.
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { EndQuorumEpochRequest, EndQuorumEpochResponse } from "../protocol/generated";
import { defineHandler } from "./handler";
import { isMetadataPartitionOnly, quorumFor } from "./quorum-requests";

export const endQuorumEpochHandler = defineHandler<EndQuorumEpochRequest, EndQuorumEpochResponse>({
  apiKey: ApiKey.EndQuorumEpoch,
  minVersion: 0,
  maxVersion: 1,
  handle(request, context) {
    const refused = (errorCode: number): EndQuorumEpochResponse => ({ errorCode, topics: [], nodeEndpoints: [] });
    const target = quorumFor(context, request.clusterId);
    if ("errorCode" in target) return refused(target.errorCode);
    if (!isMetadataPartitionOnly(request.topics, (topic) => topic.topicName, (topic) => topic.partitions.map((partition) => partition.partitionIndex)))
      return refused(ErrorCode.INVALID_REQUEST);
    const answer = target.quorum.answer({ kind: "EndQuorumEpochRequest", body: request });
    return answer?.kind === "EndQuorumEpochResponse" ? answer.body : refused(ErrorCode.UNKNOWN_SERVER_ERROR);
  },
});
