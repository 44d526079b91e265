import "server-only";
import type { Admin } from "kafkajs";
import type { GroupPartition, GroupTopicLag } from "@/lib/contracts";
import { partitionLag } from "@/lib/lag";
import type { ClusterClients } from "../kafka/registry";
import type { EndOffsetHistory } from "../lag-time/end-offset-history";
import { endOffsetHistoryOf, largestTimeLag } from "../lag-time/time-lag";
import { offsetsOfTopics, topicOffsets, type PartitionOffsets } from "./list-topics";

/**
 * Log start and end offsets per topic, each topic read at most once per request
 * however many groups consume it. A topic that cannot be read (deleted since the
 * group committed) gives null, so its lag shows as unknown rather than failing.
 * Every end offset read is also recorded in the cluster's end-offset history,
 * from which time lag is estimated where it cannot be read exactly.
 */
export class EndOffsets {
  private readonly byTopic = new Map<string, Promise<Map<number, PartitionOffsets> | null>>();

  constructor(
    private readonly clients: ClusterClients,
    private readonly history: EndOffsetHistory = endOffsetHistoryOf(clients),
  ) {}

  private remember(topic: string, list: PartitionOffsets[]): Map<number, PartitionOffsets> {
    const now = Date.now();
    for (const o of list) this.history.record(topic, o.partition, o.high, now);
    return new Map(list.map((o) => [o.partition, o]));
  }

  /** Reads many topics at once (one batched request per leader) before `of` is asked about them one by one. */
  async load(topics: Iterable<string>): Promise<void> {
    const wanted = [...new Set(topics)].filter((t) => !this.byTopic.has(t));
    const found = await offsetsOfTopics(this.clients, wanted).catch(() => new Map<string, PartitionOffsets[]>());
    for (const [topic, list] of found) this.byTopic.set(topic, Promise.resolve(this.remember(topic, list)));
  }

  of(topic: string): Promise<Map<number, PartitionOffsets> | null> {
    let offsets = this.byTopic.get(topic);
    if (!offsets) {
      offsets = topicOffsets(this.clients, topic).then(
        (list) => this.remember(topic, list),
        () => null,
      );
      this.byTopic.set(topic, offsets);
    }
    return offsets;
  }
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
}

/** A group's committed offsets (OffsetFetch for all its topics); partitions without a commit are left out. */
export async function committedOffsets(admin: Admin, groupId: string): Promise<CommittedOffset[]> {
  const topics = await admin.fetchOffsets({ groupId });
  return topics.flatMap((t) =>
    t.partitions
      .filter((p) => Number(p.offset) >= 0)
      .map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset), metadata: p.metadata || null })),
  );
}

const unknownLag = (topic: string, partition: number): GroupPartition => ({
  topic,
  partition,
  committed: null,
  start: null,
  end: null,
  lag: null,
  timeLagMs: null,
  timeLagEstimated: false,
  memberId: null,
  metadata: null,
});

/** Committed offsets joined with the log's offsets: one row per partition, sorted by topic then partition. Time lag is left unknown (see fillTimeLag). */
export async function withLag(
  committed: CommittedOffset[],
  ends: EndOffsets,
  extra: Array<{ topic: string; partition: number; memberId: string }> = [],
): Promise<GroupPartition[]> {
  const rows = new Map<string, GroupPartition>();
  const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
  for (const c of committed)
    rows.set(key(c.topic, c.partition), { ...unknownLag(c.topic, c.partition), committed: c.offset, metadata: c.metadata });
  for (const a of extra) {
    const row = rows.get(key(a.topic, a.partition));
    if (row) row.memberId = a.memberId;
    else rows.set(key(a.topic, a.partition), { ...unknownLag(a.topic, a.partition), memberId: a.memberId });
  }
  await Promise.all(
    [...rows.values()].map(async (row) => {
      const o = (await ends.of(row.topic))?.get(row.partition);
      if (!o) return;
      row.start = o.low;
      row.end = o.high;
      row.lag = row.committed === null ? null : partitionLag(row.committed, o.low, o.high);
    }),
  );
  return [...rows.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/**
 * Lag per topic over the partitions with a commit; a topic whose offsets could
 * not be read has lag null. Its time lag is the largest of its partitions'.
 */
export function lagByTopic(rows: GroupPartition[]): GroupTopicLag[] {
  const topics = new Map<string, { lag: GroupTopicLag; rows: GroupPartition[] }>();
  for (const row of rows) {
    if (row.committed === null) continue;
    const t = topics.get(row.topic) ?? { lag: { topic: row.topic, partitions: 0, lag: 0, timeLagMs: null, timeLagEstimated: false }, rows: [] };
    t.lag.partitions++;
    t.lag.lag = t.lag.lag === null || row.lag === null ? null : t.lag.lag + row.lag;
    t.rows.push(row);
    topics.set(row.topic, t);
  }
  return [...topics.values()].map(({ lag, rows: committed }) => ({ ...lag, ...largestTimeLag(committed) }));
}

/** Total lag of a group; null when no partition has a known lag. */
export function totalLag(topics: GroupTopicLag[]): number | null {
  const known = topics.filter((t) => t.lag !== null);
  return known.length ? known.reduce((sum, t) => sum + t.lag!, 0) : null;
}
