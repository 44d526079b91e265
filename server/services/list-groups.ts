import "server-only";
import { groupListSchema, GROUPS_DESCRIBED_MAX, GROUPS_LISTED_MAX, type GroupList, type GroupSummary } from "@/lib/contracts";
import { kafkaCall, toServiceError, ServiceError } from "../kafka/errors";
import { clusterClients } from "../kafka/registry";
import { committedOffsets, EndOffsets, lagByTopic, totalLag, withLag } from "./group-offsets";
import { fillTimeLag, largestTimeLag } from "../lag-time/time-lag";

/** Partitions, over all groups listed, whose time lag is read exactly (one small Fetch each); the rest are estimated. */
export const LIST_EXACT_TIME_LAG_READS = 200;

/** Protocol types whose offsets are committed per topic-partition (the consumer protocol, or none). */
export const hasConsumerOffsets = (protocolType: string) => protocolType === "consumer" || protocolType === "";

/**
 * Consumer groups with state, members, topics and lag, from ListGroups,
 * DescribeGroups, OffsetFetch and ListOffsets. A cluster that does not serve
 * group APIs answers `supported: false` instead of an error. Time lag is read
 * exactly for at most `exactTimeLagReads` partitions and estimated for the rest.
 */
export async function listConsumerGroups(clients = clusterClients(), { exactTimeLagReads = LIST_EXACT_TIME_LAG_READS } = {}): Promise<GroupList> {
  const admin = await kafkaCall(() => clients.getAdmin());
  let listed: Array<{ groupId: string; protocolType: string }>;
  try {
    listed = (await admin.listGroups()).groups;
  } catch (error) {
    const mapped = toServiceError(error);
    if (mapped instanceof ServiceError && mapped.kind === "UNAVAILABLE") throw mapped;
    return groupListSchema.parse({ supported: false, groups: [], truncated: false, total: 0 });
  }
  return kafkaCall(async () => {
    listed.sort((a, b) => a.groupId.localeCompare(b.groupId));
    const described = listed.slice(0, GROUPS_DESCRIBED_MAX);
    const descriptions = described.length ? (await admin.describeGroups(described.map((g) => g.groupId))).groups : [];
    const committed = await Promise.all(descriptions.map((d) => (hasConsumerOffsets(d.protocolType) ? committedOffsets(admin, d.groupId) : [])));
    // Every committed topic's offsets in one batch, however many groups share them.
    const ends = new EndOffsets(clients);
    await ends.load(committed.flat().map((c) => c.topic));
    const partitions = await Promise.all(descriptions.map((_, i) => withLag(committed[i], ends)));
    await fillTimeLag(clients, partitions.flat(), exactTimeLagReads);
    const groups: GroupSummary[] = descriptions.map((d, i) => {
      const topics = lagByTopic(partitions[i]);
      return { groupId: d.groupId, state: d.state, protocolType: d.protocolType, members: d.members.length, topics, lag: totalLag(topics), ...largestTimeLag(topics) };
    });
    const rest = listed
      .slice(GROUPS_DESCRIBED_MAX, GROUPS_LISTED_MAX)
      .map((g) => ({ groupId: g.groupId, state: "Unknown", protocolType: g.protocolType, members: 0, topics: [], lag: null, timeLagMs: null, timeLagEstimated: false }));
    return groupListSchema.parse({ supported: true, groups: [...groups, ...rest], truncated: listed.length > GROUPS_DESCRIBED_MAX, total: listed.length });
  });
}
