import "server-only";
import { ApiKey } from "@sluice/protocol/messages/api-messages";
import { ErrorCode } from "@sluice/protocol/errors";
import type { DescribeQuorumResponse, DescribeQuorumResponseReplicaState } from "@sluice/protocol/messages";
import { metadataQuorumSchema, QUORUM_CAUGHT_UP_MS, type MetadataQuorum, type QuorumReplica } from "@/lib/contracts";
import { brokerApiVersions } from "../kafka/api-versions";
import type { BrokerAddress } from "../kafka/broker-wire";
import { errorFromCode, kafkaCall } from "../kafka/errors";
import { clusterClients, REQUEST_TIMEOUT_MS, type ClusterClients } from "../kafka/registry";

/** The console's DescribeQuorum codec covers v0 to v2 (v1 adds fetch times, v2 the voters' listeners). */
const DESCRIBE_QUORUM_VERSION_MAX = 2;
const METADATA_TOPIC = "__cluster_metadata";
const METADATA_PARTITION = 0;

const NOT_KRAFT = "The cluster does not serve DescribeQuorum: it is not a KRaft cluster (ZooKeeper mode), or its Kafka is older than 3.3.";

/** -1 means unknown in DescribeQuorum's offsets and timestamps. */
const known = (value: bigint): number | null => (value < 0n ? null : Number(value));

function replicaFrom(state: DescribeQuorumResponseReplicaState, leaderEndOffset: number | null, leaderNowMs: number | null): QuorumReplica {
  const logEndOffset = known(state.logEndOffset);
  const lag = logEndOffset === null || leaderEndOffset === null ? null : Math.max(0, leaderEndOffset - logEndOffset);
  const lastCaughtUpMs = known(state.lastCaughtUpTimestamp);
  const recentlyCaughtUp = lastCaughtUpMs !== null && leaderNowMs !== null && leaderNowMs - lastCaughtUpMs <= QUORUM_CAUGHT_UP_MS;
  return { nodeId: state.replicaId, logEndOffset, lag, lastFetchMs: known(state.lastFetchTimestamp), lastCaughtUpMs, caughtUp: lag === 0 || recentlyCaughtUp };
}

/** Brokers in the order to ask them: the controller Metadata names first (on KRaft any broker forwards to the leader). */
async function brokersToAsk(clients: ClusterClients): Promise<BrokerAddress[]> {
  const cluster = await (await clients.getAdmin()).describeCluster();
  const brokers = cluster.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port }));
  return brokers.sort((a, b) => Number(b.nodeId === cluster.controller) - Number(a.nodeId === cluster.controller) || a.nodeId - b.nodeId);
}

/**
 * The KRaft metadata quorum: its leader, epoch and high watermark, and each voter's and observer's
 * log end, lag behind the leader and fetch times, from DescribeQuorum sent to one broker (which
 * forwards it to the quorum's leader, as Kafka 3.3+ brokers do). A cluster whose ApiVersions lacks
 * DescribeQuorum, or shares no version of it with the console, is answered as not supported rather
 * than as a failure. A broker that cannot be reached is skipped for the next one.
 */
export async function describeQuorum(clients = clusterClients()): Promise<MetadataQuorum> {
  return kafkaCall(async () => {
    const brokers = await brokersToAsk(clients);
    let lastError: unknown = new Error("the cluster lists no brokers");
    for (const broker of brokers) {
      let versions;
      try {
        versions = await brokerApiVersions(clients, broker);
      } catch (error) {
        lastError = error;
        continue;
      }
      const served = versions.apis.find((a) => a.apiKey === ApiKey.DescribeQuorum);
      if (!served) return { supported: false, reason: NOT_KRAFT };
      const version = Math.min(served.maxVersion, DESCRIBE_QUORUM_VERSION_MAX);
      if (version < served.minVersion)
        return { supported: false, reason: `The cluster serves DescribeQuorum v${served.minVersion}-${served.maxVersion}; the console speaks v0-${DESCRIBE_QUORUM_VERSION_MAX}.` };
      const wire = await clients.wire(broker.host, broker.port);
      const response = await wire.request<DescribeQuorumResponse>(
        ApiKey.DescribeQuorum,
        version,
        { topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: METADATA_PARTITION }] }] },
        REQUEST_TIMEOUT_MS,
      );
      if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION) return { supported: false, reason: NOT_KRAFT };
      if (response.errorCode !== ErrorCode.NONE) throw errorFromCode(response.errorCode, "DescribeQuorum", response.errorMessage);
      const data = response.topics.find((t) => t.topicName === METADATA_TOPIC)?.partitions.find((p) => p.partitionIndex === METADATA_PARTITION);
      if (!data) throw errorFromCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `DescribeQuorum of broker ${broker.nodeId} left out ${METADATA_TOPIC}-${METADATA_PARTITION}`);
      if (data.errorCode !== ErrorCode.NONE) throw errorFromCode(data.errorCode, "DescribeQuorum", data.errorMessage);
      const leader = data.currentVoters.find((v) => v.replicaId === data.leaderId) ?? data.observers.find((o) => o.replicaId === data.leaderId);
      const leaderEndOffset = leader ? known(leader.logEndOffset) : null;
      // The leader reports its own last caught-up time as its current time: the clock the others are measured by.
      const leaderNowMs = leader ? known(leader.lastCaughtUpTimestamp) : null;
      return metadataQuorumSchema.parse({
        supported: true,
        askedNodeId: broker.nodeId,
        version,
        leaderId: data.leaderId,
        leaderEpoch: data.leaderEpoch,
        highWatermark: Number(data.highWatermark),
        voters: data.currentVoters.map((v) => replicaFrom(v, leaderEndOffset, leaderNowMs)).sort((a, b) => a.nodeId - b.nodeId),
        observers: data.observers.map((o) => replicaFrom(o, leaderEndOffset, leaderNowMs)).sort((a, b) => a.nodeId - b.nodeId),
      });
    }
    throw lastError;
  });
}
