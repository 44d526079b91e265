import { ErrorCode } from "../protocol/errors";
import { METADATA_PARTITION, METADATA_TOPIC } from "../raft/messages";
import type { QuorumEndpoint } from "../raft/quorum";
import type { RequestContext } from "./handler";

/*
 * What the Raft APIs (Vote, BeginQuorumEpoch, EndQuorumEpoch, FetchSnapshot,
 * and Fetch of __cluster_metadata by a replica) check before a request
 * reaches the quorum: that this node is in one, that the request comes over
 * a controller listener, that it names this cluster, and that it is about
 * the one partition the quorum replicates.
 */

/** The quorum to hand the request to, or the top-level error code that refuses it. */
export function quorumFor(context: RequestContext, clusterId: string | null, options: { anyListener?: boolean } = {}): { quorum: QuorumEndpoint } | { errorCode: number } {
  const { services } = context;
  const quorum = services.quorum;
  const config = services.config.quorum;
  // A cluster of one runs no quorum: nothing to vote on or replicate.
  if (quorum === null || config === null) return { errorCode: ErrorCode.INVALID_REQUEST };
  if (!options.anyListener && !config.controllerListenerNames.includes(context.connection.listenerName)) return { errorCode: ErrorCode.INVALID_REQUEST };
  if (clusterId !== null && clusterId !== quorum.clusterId) return { errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID };
  return { quorum };
}

/** Whether a request's topics are exactly the metadata topic's one partition. */
export function isMetadataPartitionOnly<T>(topics: readonly T[], name: (topic: T) => string, partitions: (topic: T) => readonly number[]): boolean {
  if (topics.length !== 1 || name(topics[0]) !== METADATA_TOPIC) return false;
  const indexes = partitions(topics[0]);
  return indexes.length === 1 && indexes[0] === METADATA_PARTITION;
}
