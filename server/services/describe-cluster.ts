import "server-only";
import { clusterOverviewSchema, type ClusterOverview } from "@/lib/contracts";
import { isInternalTopic } from "@/lib/topic-name";
import { brokerApiVersions } from "../kafka/api-versions";
import { clusterClients } from "../kafka/registry";
import { kafkaCall } from "../kafka/errors";
import { isOffline, isUnderReplicated, readClusterState } from "./cluster-state";
import { listBrokersFrom } from "./list-brokers";
import { currentLagHistory } from "../lag-status/current";
import type { LagHistorySource } from "../lag-status/history-source";
import { listConsumerGroups } from "./list-groups";

/** The lag of every group the sampler's newest successful cycle saw, when there is one. */
type LargestTimeLag = { groupId: string; ms: number; estimated: boolean } | null;

/** The group with the largest known time lag among some groups. */
function largestOf(groups: ReadonlyArray<{ groupId: string; timeLagMs: number | null; timeLagEstimated: boolean }>): LargestTimeLag {
  let largest: LargestTimeLag = null;
  for (const g of groups) if (g.timeLagMs !== null && (largest === null || g.timeLagMs > largest.ms)) largest = { groupId: g.groupId, ms: g.timeLagMs, estimated: g.timeLagEstimated };
  return largest;
}

function sampledLag(source: LagHistorySource | null, nowMs: number, mayViewGroup: (groupId: string) => boolean): { totalLag: number; groups: number; sampledAtMs: number; largestTimeLag: LargestTimeLag } | null {
  const lastSuccess = source?.reader.health().lastSuccess;
  if (!source || !lastSuccess) return null;
  // A newest cycle that listed no group covers none (an older cycle's groups are gone, not current).
  const latest = lastSuccess.groups === 0 ? [] : source.reader.latestByGroup(nowMs).filter((g) => mayViewGroup(g.groupId));
  return {
    totalLag: latest.reduce((sum, g) => sum + (g.lag ?? 0), 0),
    groups: latest.length,
    sampledAtMs: lastSuccess.atMs,
    largestTimeLag: largestOf(latest.map((g) => ({ groupId: g.groupId, timeLagMs: g.timeLagMs, timeLagEstimated: g.timeLagMs !== null && g.timeLagMs > 0 }))),
  };
}

/**
 * The Overview page: cluster identity, brokers, topic and partition health, groups, and the protocol the cluster speaks.
 * The group figures (count, total lag, the group furthest behind) cover only the groups `mayViewGroup` lets the user view.
 */
export async function describeCluster(
  clients = clusterClients(),
  history = currentLagHistory(),
  nowMs = Date.now(),
  mayViewGroup: (groupId: string) => boolean = () => true,
): Promise<ClusterOverview> {
  return kafkaCall(async () => {
    const state = await readClusterState(clients);
    const partitions = state.topics.flatMap((t) => t.partitions);
    // Clusters without group support (the bundled broker, for now): count and lag are unknown (null).
    const asked = state.brokers.find((b) => b.nodeId === state.controllerId) ?? state.brokers[0];
    const [groups, versions] = await Promise.all([
      // No exact time-lag reads (no Fetch per partition): the largest time lag comes from the samples, or the estimates of a live read.
      listConsumerGroups(clients, { exactTimeLagReads: 0 }).catch(() => null),
      // The figures above do not depend on it: a broker that does not answer leaves the protocol unknown.
      asked ? brokerApiVersions(clients, asked).catch(() => null) : null,
    ]);
    const supported = groups?.supported === true;
    const sampled = supported ? sampledLag(history, nowMs, mayViewGroup) : null;
    const viewable = groups?.groups.filter((g) => mayViewGroup(g.groupId)) ?? [];
    const liveGroups = viewable.filter((g) => g.lag !== null);
    return clusterOverviewSchema.parse({
      clusterId: state.clusterId,
      controllerId: state.controllerId,
      brokers: await listBrokersFrom(clients, state),
      topicCount: state.topics.length,
      internalTopicCount: state.topics.filter((t) => isInternalTopic(t.name)).length,
      partitionCount: partitions.length,
      underReplicatedPartitions: partitions.filter(isUnderReplicated).length,
      offlinePartitions: partitions.filter(isOffline).length,
      groupCount: supported ? viewable.length : null,
      totalLag: !supported ? null : sampled ? sampled.totalLag : liveGroups.reduce((sum, g) => sum + g.lag!, 0),
      lagCoverage: !supported
        ? null
        : sampled
          ? { source: "samples", groups: sampled.groups, sampledAtMs: sampled.sampledAtMs }
          : { source: "live", groups: liveGroups.length, sampledAtMs: null },
      largestTimeLag: !supported ? null : sampled ? sampled.largestTimeLag : largestOf(liveGroups),
      protocol: versions && { nodeId: asked!.nodeId, ...versions },
    });
  });
}
