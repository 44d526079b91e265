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

/** host:port of a bootstrap entry; the port defaults to Kafka's 9092. */
function address(entry: string): BrokerAddress {
  const at = entry.lastIndexOf(":");
  return at < 0 ? { nodeId: -1, host: entry, port: 9092 } : { nodeId: -1, host: entry.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(entry.slice(at + 1)) };
}

/**
 * The brokers to ask, one after another: the configured bootstrap servers (any KRaft broker forwards
 * DescribeQuorum to the leader), then those the cluster's Metadata lists. kafkajs is asked only when every
 * bootstrap server failed, so a stopped node among them does not hold up the answer.
 */
async function* brokersToAsk(clients: ClusterClients): AsyncGenerator<BrokerAddress> {
  const tried = new Set<string>();
  for (const entry of clients.config.brokers) {
    const broker = address(entry);
    tried.add(`${broker.host}:${broker.port}`);
    yield broker;
  }
  // When kafkajs cannot list them either, the bootstrap servers' failure is the one to report.
  const cluster = await clients
    .getAdmin()
    .then((admin) => admin.describeCluster())
    .catch(() => null);
  for (const { nodeId, host, port } of cluster?.brokers ?? []) if (!tried.has(`${host}:${port}`)) yield { nodeId, host, port };
}

/**
 * The KRaft metadata quorum: its leader, epoch and high watermark, and each voter's and observer's
 * log end, lag behind the leader and fetch times, from DescribeQuorum sent to one broker (which
 * forwards it to the quorum's leader, as Kafka 3.3+ brokers do). A cluster whose ApiVersions lacks
 * DescribeQuorum, or shares no version of it with the console, is answered as not supported rather
 * than as a failure. A broker that cannot be reached (or answer ApiVersions) is skipped for the next one.
 */
export async function describeQuorum(clients = clusterClients()): Promise<MetadataQuorum> {
  return kafkaCall(async () => {
    let lastError: unknown = new Error("the cluster lists no brokers");
    for await (const broker of brokersToAsk(clients)) {
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
      if (!data) throw errorFromCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `DescribeQuorum of ${broker.host}:${broker.port} left out ${METADATA_TOPIC}-${METADATA_PARTITION}`);
      if (data.errorCode !== ErrorCode.NONE) throw errorFromCode(data.errorCode, "DescribeQuorum", data.errorMessage);
      const leader = data.currentVoters.find((v) => v.replicaId === data.leaderId) ?? data.observers.find((o) => o.replicaId === data.leaderId);
      const leaderEndOffset = leader ? known(leader.logEndOffset) : null;
      // The leader reports its own last caught-up time as its current time: the clock the others are measured by.
      const leaderNowMs = leader ? known(leader.lastCaughtUpTimestamp) : null;
      return metadataQuorumSchema.parse({
        supported: true,
        askedBroker: `${broker.host}:${broker.port}`,
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
