// DescribeQuorum (key 55), versions 0-2: the quorum's leader, epoch, high watermark, voters and observers with their
// log ends and fetch times, and from v2 the voters' controller listeners. Clients may ask any node: index.ts forwards
// the request to the active controller, as Kafka's brokers do; a node that cannot (or a non-leader asked over its
// controller listener) answers NOT_LEADER_OR_FOLLOWER with the leader it knows. A cluster of one describes itself as
// a quorum of one.
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { DescribeQuorumRequest, DescribeQuorumResponse, DescribeQuorumResponsePartitionData } from "../protocol/generated";
import { METADATA_PARTITION, METADATA_TOPIC, NO_DIRECTORY_ID } from "../raft/messages";
import { defineHandler, type RequestContext } from "./handler";
import { isMetadataPartitionOnly, quorumFor } from "./quorum-requests";

export const describeQuorumHandler = defineHandler<DescribeQuorumRequest, DescribeQuorumResponse>({
  apiKey: ApiKey.DescribeQuorum,
  minVersion: 0,
  maxVersion: 2,
  handle(request, context) {
    const refused = (errorCode: number, errorMessage: string | null): DescribeQuorumResponse => ({ errorCode, errorMessage, topics: [], nodes: [] });
    if (!isMetadataPartitionOnly(request.topics, (topic) => topic.topicName, (topic) => topic.partitions.map((partition) => partition.partitionIndex)))
      return refused(ErrorCode.INVALID_REQUEST, `DescribeQuorum describes ${METADATA_TOPIC}-${METADATA_PARTITION} only`);
    const { services } = context;
    const quorumConfig = services.config.quorum;
    let data: DescribeQuorumResponsePartitionData;
    if (services.quorum === null || quorumConfig === null) data = quorumOfOne(context);
    else {
      const target = quorumFor(context, null, { anyListener: true });
      if ("errorCode" in target) return refused(target.errorCode, null);
      data = target.quorum.describe();
    }
    const listenerName = quorumConfig?.controllerListenerNames[0];
    const nodes =
      quorumConfig === null || listenerName === undefined
        ? []
        : quorumConfig.voters.map((voter) => ({ nodeId: voter.id, listeners: [{ name: listenerName, host: voter.host, port: voter.port }] }));
    return { errorCode: ErrorCode.NONE, errorMessage: null, topics: [{ topicName: METADATA_TOPIC, partitions: [data] }], nodes };
  },
});

function quorumOfOne(context: RequestContext): DescribeQuorumResponsePartitionData {
  const { services } = context;
  const now = BigInt(services.clock.nowMs());
  const end = BigInt(services.image.lastAppliedOffset + 1);
  return {
    partitionIndex: METADATA_PARTITION,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    leaderId: services.nodeId,
    leaderEpoch: 0,
    highWatermark: end,
    currentVoters: [{ replicaId: services.nodeId, replicaDirectoryId: NO_DIRECTORY_ID, logEndOffset: end, lastFetchTimestamp: now, lastCaughtUpTimestamp: now }],
    observers: [],
  };
}
