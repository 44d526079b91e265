import "server-only";
import type { GroupDescription } from "kafkajs";
import { groupDetailSchema, type GroupDetail, type GroupMember } from "@/lib/contracts";
import { decodeConsumerAssignment } from "../kafka/consumer-assignment";
import { kafkaCall, ServiceError } from "../kafka/errors";
import { clusterClients, type ClusterClients } from "../kafka/registry";
import { committedOffsets, EndOffsets, lagByTopic, totalLag, withLag, type CommittedOffset } from "./group-offsets";
import { hasConsumerOffsets } from "./list-groups";
import { fillTimeLag, largestTimeLag } from "../lag-time/time-lag";

/** Partitions of one group whose time lag is read exactly (one small Fetch each); the rest are estimated. */
export const GROUP_EXACT_TIME_LAG_READS = 1_000;

/** The group as DescribeGroups sees it; a group Kafka does not know is a 404. */
export async function readGroup(clients: ClusterClients, groupId: string): Promise<GroupDescription> {
  const admin = await clients.getAdmin();
  const [group] = (await admin.describeGroups([groupId])).groups;
  if (!group) throw new ServiceError("NOT_FOUND", `group ${groupId} does not exist`);
  return group;
}

/**
 * Kafka describes a group it has never heard of (or one deleted since) as
 * "Dead", without an error; with no committed offsets either, there is no group.
 */
export const isUnknownGroup = (group: GroupDescription, committed: CommittedOffset[]) => group.state === "Dead" && committed.length === 0;

/** One group: members with their assignments, and per partition the committed offset, end offset, lag and time lag. */
export async function describeGroup(groupId: string, clients = clusterClients()): Promise<GroupDetail> {
  return kafkaCall(async () => {
    const admin = await clients.getAdmin();
    const group = await readGroup(clients, groupId);
    const committed = hasConsumerOffsets(group.protocolType) ? await committedOffsets(admin, groupId) : [];
    if (isUnknownGroup(group, committed)) throw new ServiceError("NOT_FOUND", `group ${groupId} does not exist`);
    const members: GroupMember[] = group.members
      .map((m) => ({
        memberId: m.memberId,
        groupInstanceId: (m as { groupInstanceId?: string | null }).groupInstanceId ?? null,
        clientId: m.clientId,
        host: m.clientHost,
        assignments: decodeConsumerAssignment(group.protocolType, m.memberAssignment),
      }))
      .sort((a, b) => a.clientId.localeCompare(b.clientId) || a.memberId.localeCompare(b.memberId));
    const assigned = members.flatMap((m) => m.assignments.flatMap((a) => a.partitions.map((partition) => ({ topic: a.topic, partition, memberId: m.memberId }))));
    const partitions = await withLag(committed, new EndOffsets(clients), assigned);
    await fillTimeLag(clients, partitions, GROUP_EXACT_TIME_LAG_READS);
    const topics = lagByTopic(partitions);
    return groupDetailSchema.parse({
      groupId,
      state: group.state,
      protocolType: group.protocolType,
      protocol: group.protocol,
      members,
      partitions,
      topics,
      lag: totalLag(topics),
      ...largestTimeLag(topics),
    });
  });
}
