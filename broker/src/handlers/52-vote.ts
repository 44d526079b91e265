// Vote (key 52), versions 0-1: a candidate (or a prospective voter, pre-vote) asks for this voter's vote.
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { VoteRequest, VoteResponse } from "../protocol/generated";
import { isPreVote } from "../raft/raft-wire";
import { defineHandler } from "./handler";
import { isMetadataPartitionOnly, quorumFor } from "./quorum-requests";

export const voteHandler = defineHandler<VoteRequest, VoteResponse>({
  apiKey: ApiKey.Vote,
  minVersion: 0,
  maxVersion: 1,
  handle(request, context) {
    const refused = (errorCode: number): VoteResponse => ({ errorCode, topics: [], nodeEndpoints: [] });
    const target = quorumFor(context, request.clusterId);
    if ("errorCode" in target) return refused(target.errorCode);
    if (!isMetadataPartitionOnly(request.topics, (topic) => topic.topicName, (topic) => topic.partitions.map((partition) => partition.partitionIndex)))
      return refused(ErrorCode.INVALID_REQUEST);
    const answer = target.quorum.answer({ kind: "VoteRequest", preVote: isPreVote(request), body: request });
    return answer?.kind === "VoteResponse" ? answer.body : refused(ErrorCode.UNKNOWN_SERVER_ERROR);
  },
});
