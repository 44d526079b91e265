import "server-only";
import { groupListSchema, type GroupList, type GroupSummary } from "@/lib/contracts";
import { partitionLag } from "@/lib/lag";
import { kafkaCall, toServiceError, ServiceError } from "../kafka/errors";
import { clusterClients } from "../kafka/registry";
import { topicOffsets, type PartitionOffsets } from "./list-topics";

/** Groups described (with lag) per request; more are listed by id only. */
export const GROUPS_DESCRIBED_MAX = 200;

/**
 * Consumer groups with state, members, topics and lag, from ListGroups,
 * DescribeGroups, OffsetFetch and ListOffsets. A cluster that does not serve
 * group APIs answers `supported: false` instead of an error.
 */
export async function listConsumerGroups(clients = clusterClients()): Promise<GroupList> {
  const admin = await kafkaCall(() => clients.getAdmin());
  let listed: Array<{ groupId: string; protocolType: string }>;
  try {
    listed = (await admin.listGroups()).groups;
  } catch (error) {
    const mapped = toServiceError(error);
    if (mapped instanceof ServiceError && mapped.kind === "UNAVAILABLE") throw mapped;
    return groupListSchema.parse({ supported: false, groups: [], truncated: false });
  }
  return kafkaCall(async () => {
    listed.sort((a, b) => a.groupId.localeCompare(b.groupId));
    const described = listed.slice(0, GROUPS_DESCRIBED_MAX);
    const descriptions = described.length ? (await admin.describeGroups(described.map((g) => g.groupId))).groups : [];
    const offsetsByTopic = new Map<string, Promise<PartitionOffsets[]>>();
    const highs = (topic: string) => {
      if (!offsetsByTopic.has(topic)) offsetsByTopic.set(topic, topicOffsets(clients, topic));
      return offsetsByTopic.get(topic)!;
    };
    const groups: GroupSummary[] = await Promise.all(
      descriptions.map(async (d) => {
        const consumer = d.protocolType === "consumer" || d.protocolType === "";
        const committed = consumer ? await admin.fetchOffsets({ groupId: d.groupId }) : [];
        let lag: number | null = null;
        const topics: string[] = [];
        for (const t of committed) {
          const partitions = t.partitions.filter((p) => Number(p.offset) >= 0);
          if (partitions.length === 0) continue;
          topics.push(t.topic);
          const offsets = new Map((await highs(t.topic)).map((o) => [o.partition, o]));
          for (const p of partitions) {
            const o = offsets.get(p.partition);
            const l = o ? partitionLag(Number(p.offset), o.low, o.high) : null;
            if (l !== null) lag = (lag ?? 0) + l;
          }
        }
        return { groupId: d.groupId, state: d.state, protocolType: d.protocolType, members: d.members.length, topics: topics.sort(), lag };
      }),
    );
    const rest = listed.slice(GROUPS_DESCRIBED_MAX).map((g) => ({ groupId: g.groupId, state: "Unknown", protocolType: g.protocolType, members: 0, topics: [], lag: null }));
    return groupListSchema.parse({ supported: true, groups: [...groups, ...rest], truncated: rest.length > 0 });
  });
}
