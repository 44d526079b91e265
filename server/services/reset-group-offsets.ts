import "server-only";
import {
  isResettable,
  resetPreviewSchema,
  type ApplyOffsetsInput,
  type OffsetChange,
  type ResetOffsetsInput,
  type ResetPreview,
} from "@/lib/contracts";
import { commitGroupOffsets } from "../kafka/group-wire";
import { kafkaCall, ServiceError } from "../kafka/errors";
import { clusterClients, type ClusterClients } from "../kafka/registry";
import { isUnknownGroup, readGroup } from "./describe-group";
import { committedOffsets, type CommittedOffset } from "./group-offsets";
import { topicOffsets, type PartitionOffsets } from "./list-topics";

const clamp = (value: number, o: PartitionOffsets) => Math.min(Math.max(value, o.low), o.high);

/**
 * The group's state and committed offsets, when its offsets may be reset: it
 * has no members, and it exists, unless the caller asked to create it (an
 * administrative commit to an unknown group id creates the group, so a typo
 * would otherwise leave a new group behind).
 */
async function resettableGroup(clients: ClusterClients, groupId: string, createIfMissing: boolean): Promise<{ state: string; committed: CommittedOffset[] }> {
  const group = await readGroup(clients, groupId);
  if (!isResettable(group.state))
    throw new ServiceError(
      "CONFLICT",
      `group ${groupId} is ${group.state} with ${group.members.length} member${group.members.length === 1 ? "" : "s"}; offsets can be reset only while it is empty, so stop its consumers first`,
    );
  const committed = await committedOffsets(await clients.getAdmin(), groupId);
  if (!createIfMissing && isUnknownGroup(group, committed))
    throw new ServiceError("NOT_FOUND", `group ${groupId} does not exist; to create it with these offsets, ask for that explicitly (createIfMissing)`);
  return { state: group.state, committed };
}

/** Start and end offsets of a topic's partitions; a missing topic or partition is a 404 naming the field. */
async function partitionsOf(clients: ClusterClients, topic: string, partition?: number): Promise<PartitionOffsets[]> {
  const offsets = await topicOffsets(clients, topic);
  if (partition === undefined) return offsets;
  const one = offsets.find((o) => o.partition === partition);
  if (!one) throw new ServiceError("NOT_FOUND", `topic ${topic} has no partition ${partition}`, "partition");
  return [one];
}

/**
 * What a reset would commit, without committing: for every partition in scope,
 * the current committed offset and the new one. New offsets stay within the
 * log (a shift or an offset past either end stops at it). A partition the group
 * never committed shifts from its log start.
 */
export async function previewOffsetReset(groupId: string, input: ResetOffsetsInput, clients = clusterClients()): Promise<ResetPreview> {
  return kafkaCall(async () => {
    const { state, committed } = await resettableGroup(clients, groupId, input.createIfMissing);
    const admin = await clients.getAdmin();
    const current = new Map(committed.map((c) => [`${c.topic}/${c.partition}`, c.offset]));
    const topics = input.topic ? [input.topic] : [...new Set(committed.map((c) => c.topic))].sort();
    if (topics.length === 0)
      throw new ServiceError("INVALID_INPUT", `group ${groupId} has no committed offsets; choose the topic to set offsets for`, "topic");

    // Topics are looked up side by side: a group on 50 topics costs one round of requests, not 50.
    const perTopic = await Promise.all(
      topics.map(async (topic): Promise<OffsetChange[]> => {
        // Without a topic, only the partitions the group committed are in scope.
        const inScope = (await partitionsOf(clients, topic, input.partition)).filter((o) => input.topic || current.has(`${topic}/${o.partition}`));
        const byTimestamp =
          input.strategy === "timestamp" ? new Map((await admin.fetchTopicOffsetsByTimestamp(topic, input.timestamp)).map((o) => [o.partition, Number(o.offset)])) : null;
        return inScope.map((o) => {
          const now = current.get(`${topic}/${o.partition}`) ?? null;
          const target = {
            earliest: () => o.low,
            latest: () => o.high,
            offset: () => clamp(input.offset!, o),
            shift: () => clamp((now ?? o.low) + input.shift!, o),
            timestamp: () => clamp(byTimestamp!.get(o.partition) ?? o.high, o),
          }[input.strategy]();
          return { topic, partition: o.partition, current: now, target, start: o.low, end: o.high };
        });
      }),
    );
    const changes = perTopic.flat();
    return resetPreviewSchema.parse({ groupId, state, changes });
  });
}

/**
 * Commits the previewed offsets. The group must still be empty (checked here,
 * and enforced by Kafka, which refuses an administrative commit to a group
 * with members), and every offset must lie within its partition's log.
 */
export async function applyOffsetReset(groupId: string, input: ApplyOffsetsInput, clients = clusterClients()): Promise<ResetPreview> {
  return kafkaCall(async () => {
    const { state, committed } = await resettableGroup(clients, groupId, input.createIfMissing);
    const admin = await clients.getAdmin();
    const before = new Map(committed.map((c) => [`${c.topic}/${c.partition}`, c.offset]));
    const changes: OffsetChange[] = [];
    const logs = new Map<string, PartitionOffsets[]>();
    for (const [i, o] of input.offsets.entries()) {
      if (!logs.has(o.topic)) logs.set(o.topic, await topicOffsets(clients, o.topic));
      const log = logs.get(o.topic)!.find((p) => p.partition === o.partition);
      if (!log) throw new ServiceError("NOT_FOUND", `topic ${o.topic} has no partition ${o.partition}`, `offsets.${i}.partition`);
      if (o.offset < log.low || o.offset > log.high)
        throw new ServiceError("INVALID_INPUT", `offset ${o.offset} is outside ${o.topic}/${o.partition} (${log.low} to ${log.high})`, `offsets.${i}.offset`);
      changes.push({ topic: o.topic, partition: o.partition, current: before.get(`${o.topic}/${o.partition}`) ?? null, target: o.offset, start: log.low, end: log.high });
    }
    const { brokers } = await admin.describeCluster();
    if (brokers.length === 0) throw new ServiceError("UNAVAILABLE", "the cluster listed no brokers");
    await commitGroupOffsets(clients, brokers[0], groupId, input.offsets);
    return resetPreviewSchema.parse({ groupId, state, changes });
  });
}
