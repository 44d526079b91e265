import { ApiKey } from "../protocol/generated/api-messages";
import type { VoteRequest } from "../protocol/generated";
import type { RaftMessage } from "./messages";

/*
 * How each Raft message travels as a Kafka request or response: its API key
 * and the version this node sends, the node id a request comes from, and the
 * pre-vote flag, which Vote v2 (KIP-996) carries as a field but the specs we
 * generate from stop at v1: we carry it as a tagged field of the partition,
 * which the v1 codec keeps and a voter that does not know it skips.
 */

/** The tag of the pre-vote flag in a Vote request's partition (far above Kafka's own tags). */
export const PRE_VOTE_TAG = 0x5100;

export type RaftRequest = Extract<RaftMessage, { kind: `${string}Request` }>;
export type RaftResponse = Extract<RaftMessage, { kind: `${string}Response` }>;

/** The API key and version a Raft request is sent with. */
export function requestApi(message: RaftRequest): { apiKey: number; version: number } {
  switch (message.kind) {
    case "VoteRequest":
      return { apiKey: ApiKey.Vote, version: 1 };
    case "BeginQuorumEpochRequest":
      return { apiKey: ApiKey.BeginQuorumEpoch, version: 1 };
    case "EndQuorumEpochRequest":
      return { apiKey: ApiKey.EndQuorumEpoch, version: 1 };
    case "FetchRequest":
      // v15 carries ReplicaState; v16 is the newest our Fetch handler serves.
      return { apiKey: ApiKey.Fetch, version: 16 };
    case "FetchSnapshotRequest":
      return { apiKey: ApiKey.FetchSnapshot, version: 1 };
  }
}

/** The body to encode: a Vote request gets its pre-vote flag as a tagged field. */
export function requestBody(message: RaftRequest, clusterId: string): unknown {
  if (message.kind !== "VoteRequest") return { ...message.body, clusterId };
  const body: VoteRequest = {
    ...message.body,
    clusterId,
    topics: message.body.topics.map((topic) => ({
      ...topic,
      partitions: topic.partitions.map((partition) => ({ ...partition, _unknownTaggedFields: [{ tag: PRE_VOTE_TAG, data: Buffer.from([message.preVote ? 1 : 0]) }] })),
    })),
  };
  return body;
}

/** Whether a decoded Vote request asks for a pre-vote. */
export function isPreVote(request: VoteRequest): boolean {
  const tagged = request.topics[0]?.partitions[0]?._unknownTaggedFields?.find((field) => field.tag === PRE_VOTE_TAG);
  return tagged !== undefined && tagged.data.length === 1 && tagged.data[0] === 1;
}

/** The response message for the body that came back for `request`. */
export function responseMessage(request: RaftRequest, body: unknown): RaftResponse {
  switch (request.kind) {
    case "VoteRequest":
      return { kind: "VoteResponse", preVote: request.preVote, body: body as Extract<RaftResponse, { kind: "VoteResponse" }>["body"] };
    case "BeginQuorumEpochRequest":
      return { kind: "BeginQuorumEpochResponse", body: body as Extract<RaftResponse, { kind: "BeginQuorumEpochResponse" }>["body"] };
    case "EndQuorumEpochRequest":
      return { kind: "EndQuorumEpochResponse", body: body as Extract<RaftResponse, { kind: "EndQuorumEpochResponse" }>["body"] };
    case "FetchRequest":
      return { kind: "FetchResponse", body: body as Extract<RaftResponse, { kind: "FetchResponse" }>["body"] };
    case "FetchSnapshotRequest":
      return { kind: "FetchSnapshotResponse", body: body as Extract<RaftResponse, { kind: "FetchSnapshotResponse" }>["body"] };
  }
}

/** The node a request says it comes from (the candidate, the leader, or the fetching replica). */
export function requestSender(message: RaftRequest): number {
  switch (message.kind) {
    case "VoteRequest":
      return message.body.topics[0]?.partitions[0]?.candidateId ?? -1;
    case "BeginQuorumEpochRequest":
      return message.body.topics[0]?.partitions[0]?.leaderId ?? -1;
    case "EndQuorumEpochRequest":
      return message.body.topics[0]?.partitions[0]?.leaderId ?? -1;
    case "FetchRequest":
      return message.body.replicaState.replicaId >= 0 ? message.body.replicaState.replicaId : message.body.replicaId;
    case "FetchSnapshotRequest":
      return message.body.replicaId;
  }
}
