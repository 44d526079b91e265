import type {
  BeginQuorumEpochRequest,
  BeginQuorumEpochResponse,
  EndQuorumEpochRequest,
  EndQuorumEpochResponse,
  FetchRequest,
  FetchResponse,
  FetchResponsePartitionData,
  FetchSnapshotRequest,
  FetchSnapshotResponse,
  FetchSnapshotResponsePartitionSnapshot,
  VoteRequest,
  VoteResponse,
} from "../protocol/generated";

/** The one partition the quorum replicates, as Kafka names it. */
export const METADATA_TOPIC = "__cluster_metadata";
export const METADATA_PARTITION = 0;
/** The metadata topic's fixed id in Kafka (Uuid.METADATA_TOPIC_ID: 0...01). */
export const METADATA_TOPIC_ID = Buffer.from("00000000000000000000000000000001", "hex");
export const NO_DIRECTORY_ID = Buffer.alloc(16);

/**
 * The Raft messages, each carrying Kafka's own request or response body, so
 * that the transport that wires the quorum in later sends them unchanged.
 * `preVote` rides beside the Vote body: Vote v2 (KIP-996) carries it on the
 * wire, but the specs we generate from stop at v1.
 */
export type RaftMessage =
  | { kind: "VoteRequest"; preVote: boolean; body: VoteRequest }
  | { kind: "VoteResponse"; preVote: boolean; body: VoteResponse }
  | { kind: "BeginQuorumEpochRequest"; body: BeginQuorumEpochRequest }
  | { kind: "BeginQuorumEpochResponse"; body: BeginQuorumEpochResponse }
  | { kind: "EndQuorumEpochRequest"; body: EndQuorumEpochRequest }
  | { kind: "EndQuorumEpochResponse"; body: EndQuorumEpochResponse }
  | { kind: "FetchRequest"; body: FetchRequest }
  | { kind: "FetchResponse"; body: FetchResponse }
  | { kind: "FetchSnapshotRequest"; body: FetchSnapshotRequest }
  | { kind: "FetchSnapshotResponse"; body: FetchSnapshotResponse };

/** A message between two nodes; a response carries its request's correlation id. */
export interface Envelope {
  readonly from: number;
  readonly to: number;
  readonly correlationId: number;
  readonly message: RaftMessage;
}

export function voteRequest(options: {
  candidateId: number;
  voterId: number;
  candidateEpoch: number;
  lastOffsetEpoch: number;
  lastOffset: number;
}): VoteRequest {
  return {
    clusterId: null,
    voterId: options.voterId,
    topics: [
      {
        topicName: METADATA_TOPIC,
        partitions: [
          {
            partitionIndex: METADATA_PARTITION,
            candidateEpoch: options.candidateEpoch,
            candidateId: options.candidateId,
            candidateDirectoryId: NO_DIRECTORY_ID,
            voterDirectoryId: NO_DIRECTORY_ID,
            lastOffsetEpoch: options.lastOffsetEpoch,
            lastOffset: BigInt(options.lastOffset),
          },
        ],
      },
    ],
  };
}

export function voteResponse(options: { errorCode: number; leaderId: number; leaderEpoch: number; voteGranted: boolean }): VoteResponse {
  return {
    errorCode: 0,
    topics: [
      {
        topicName: METADATA_TOPIC,
        partitions: [
          {
            partitionIndex: METADATA_PARTITION,
            errorCode: options.errorCode,
            leaderId: options.leaderId,
            leaderEpoch: options.leaderEpoch,
            voteGranted: options.voteGranted,
          },
        ],
      },
    ],
    nodeEndpoints: [],
  };
}

export function beginQuorumEpochRequest(options: { voterId: number; leaderId: number; leaderEpoch: number }): BeginQuorumEpochRequest {
  return {
    clusterId: null,
    voterId: options.voterId,
    topics: [
      {
        topicName: METADATA_TOPIC,
        partitions: [{ partitionIndex: METADATA_PARTITION, voterDirectoryId: NO_DIRECTORY_ID, leaderId: options.leaderId, leaderEpoch: options.leaderEpoch }],
      },
    ],
    leaderEndpoints: [],
  };
}

export function beginQuorumEpochResponse(options: { errorCode: number; leaderId: number; leaderEpoch: number }): BeginQuorumEpochResponse {
  return {
    errorCode: 0,
    topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: METADATA_PARTITION, ...options }] }],
    nodeEndpoints: [],
  };
}

export function endQuorumEpochRequest(options: { leaderId: number; leaderEpoch: number; preferredSuccessors: number[] }): EndQuorumEpochRequest {
  return {
    clusterId: null,
    topics: [
      {
        topicName: METADATA_TOPIC,
        partitions: [
          {
            partitionIndex: METADATA_PARTITION,
            leaderId: options.leaderId,
            leaderEpoch: options.leaderEpoch,
            preferredSuccessors: options.preferredSuccessors,
            preferredCandidates: options.preferredSuccessors.map((candidateId) => ({ candidateId, candidateDirectoryId: NO_DIRECTORY_ID })),
          },
        ],
      },
    ],
    leaderEndpoints: [],
  };
}

export function endQuorumEpochResponse(options: { errorCode: number; leaderId: number; leaderEpoch: number }): EndQuorumEpochResponse {
  return {
    errorCode: 0,
    topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: METADATA_PARTITION, ...options }] }],
    nodeEndpoints: [],
  };
}

export function fetchRequest(options: { replicaId: number; currentLeaderEpoch: number; fetchOffset: number; lastFetchedEpoch: number; maxWaitMs: number }): FetchRequest {
  return {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: options.replicaId, replicaEpoch: -1n },
    maxWaitMs: options.maxWaitMs,
    minBytes: 0,
    maxBytes: 8 * 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: METADATA_TOPIC,
        topicId: METADATA_TOPIC_ID,
        partitions: [
          {
            partition: METADATA_PARTITION,
            currentLeaderEpoch: options.currentLeaderEpoch,
            fetchOffset: BigInt(options.fetchOffset),
            lastFetchedEpoch: options.lastFetchedEpoch,
            logStartOffset: -1n,
            partitionMaxBytes: 8 * 1024 * 1024,
            replicaDirectoryId: NO_DIRECTORY_ID,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: "",
  };
}

/** A partition answer with nothing set: no divergence, no snapshot, no records. */
export function emptyFetchPartition(options: { errorCode: number; leaderId: number; leaderEpoch: number; highWatermark: number; logStartOffset: number }): FetchResponsePartitionData {
  return {
    partitionIndex: METADATA_PARTITION,
    errorCode: options.errorCode,
    highWatermark: BigInt(options.highWatermark),
    lastStableOffset: BigInt(options.highWatermark),
    logStartOffset: BigInt(options.logStartOffset),
    divergingEpoch: { epoch: -1, endOffset: -1n },
    currentLeader: { leaderId: options.leaderId, leaderEpoch: options.leaderEpoch },
    snapshotId: { endOffset: -1n, epoch: -1 },
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: null,
  };
}

export function fetchResponse(partition: FetchResponsePartitionData): FetchResponse {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [{ topic: METADATA_TOPIC, topicId: METADATA_TOPIC_ID, partitions: [partition] }],
    nodeEndpoints: [],
  };
}

export function fetchSnapshotRequest(options: { replicaId: number; currentLeaderEpoch: number; endOffset: number; epoch: number; position: number; maxBytes: number }): FetchSnapshotRequest {
  return {
    clusterId: null,
    replicaId: options.replicaId,
    maxBytes: options.maxBytes,
    topics: [
      {
        name: METADATA_TOPIC,
        partitions: [
          {
            partition: METADATA_PARTITION,
            currentLeaderEpoch: options.currentLeaderEpoch,
            snapshotId: { endOffset: BigInt(options.endOffset), epoch: options.epoch },
            position: BigInt(options.position),
            replicaDirectoryId: NO_DIRECTORY_ID,
          },
        ],
      },
    ],
  };
}

export function fetchSnapshotResponse(partition: FetchSnapshotResponsePartitionSnapshot): FetchSnapshotResponse {
  return { throttleTimeMs: 0, errorCode: 0, topics: [{ name: METADATA_TOPIC, partitions: [partition] }], nodeEndpoints: [] };
}
