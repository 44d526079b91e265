// BeginQuorumEpoch (key 53), versions 0-1: a newly elected leader announces its epoch to the voters.
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { BeginQuorumEpochRequest, BeginQuorumEpochResponse } from "../protocol/generated";
import { defineHandler } from "./handler";
import { isMetadataPartitionOnly, quorumFor } from "./quorum-requests";

export const beginQuorumEpochHandler = defineHandler<BeginQuorumEpochRequest, BeginQuorumEpochResponse>({
  apiKey: ApiKey.BeginQuorumEpoch,
  minVersion: 0,
  maxVersion: 1,
  handle(request, context) {
    const refused = (errorCode: number): BeginQuorumEpochResponse => ({ errorCode, topics: [], nodeEndpoints: [] });
    const target = quorumFor(context, request.clusterId);
    if ("errorCode" in target) return refused(target.errorCode);
    if (!isMetadataPartitionOnly(request.topics, (topic) => topic.topicName, (topic) => topic.partitions.map((partition) => partition.partitionIndex)))
      return refused(ErrorCode.INVALID_REQUEST);
    const answer = target.quorum.answer({ kind: "BeginQuorumEpochRequest", body: request });
    return answer?.kind === "BeginQuorumEpochResponse" ? answer.body : refused(ErrorCode.UNKNOWN_SERVER_ERROR);
  },
});
