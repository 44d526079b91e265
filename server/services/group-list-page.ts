import "server-only";
import { groupListPageSchema, selectGroups, type GroupListPage, type GroupListQuery, type GroupRow } from "@/lib/group-list";
import { lagStatusRank } from "@/lib/lag-status";
import { clusterClients } from "../kafka/registry";
import type { LagHistorySource, LatestGroupSample } from "../lag-status/history-source";
import { consumerActive, judgeGroup } from "../lag-status/judge";
import { currentLagHistory } from "../lag-status/current";
import { listConsumerGroups } from "./list-groups";

type JudgedGroup = { status: GroupRow["status"]; reason: string; partitions: Array<{ topic: string; partition: number; status: GroupRow["status"] }> };
type Statuses = Map<string, JudgedGroup>;

/** Groups judged within a list request; a larger cluster is judged in the background, a chunk per tick. */
export const STATUS_JUDGED_INLINE_MAX = 500;
const STATUS_JUDGED_PER_TICK = 200;

/**
 * Statuses of every sampled group, judged once per sampling cycle: the list is
 * asked every few seconds by every open page, the samples change once a cycle.
 * Judging reads each group's window (about 1 ms a group), so past
 * STATUS_JUDGED_INLINE_MAX groups it runs in the background without blocking
 * requests, and the list shows the previous cycle's statuses meanwhile.
 */
let judged: { source: LagHistorySource; newestAtMs: number; byGroup: Statuses } | null = null;
let judgingFor: { source: LagHistorySource; newestAtMs: number } | null = null;

function judgeOne(source: LagHistorySource, g: LatestGroupSample, nowMs: number, into: Statuses): void {
  if (g.partitions.length === 0) return; // nothing committed: nothing to judge
  // Which partitions a member holds, when the sampler described the group (any partition with a member): a partition
  // of a live group that no member holds is STOPPED rather than STALLED, as Burrow tells them.
  const held = new Set(g.partitions.filter((p) => p.member).map((p) => `${p.partition}/${p.topic}`));
  const status = judgeGroup(g.groupId, source, nowMs, (topic, partition) => consumerActive(g.state, held.size ? held.has(`${partition}/${topic}`) : null));
  into.set(g.groupId, { status: status.status, reason: status.reason, partitions: status.partitions.map((p) => ({ topic: p.topic, partition: p.partition, status: p.status })) });
}

/** Judges every group as of `nowMs` (the request that found the cycle new), yielding to other work between chunks. */
async function judgeInBackground(source: LagHistorySource, latest: LatestGroupSample[], newestAtMs: number, nowMs: number): Promise<void> {
  const byGroup: Statuses = new Map();
  for (let i = 0; i < latest.length; i += STATUS_JUDGED_PER_TICK) {
    for (const g of latest.slice(i, i + STATUS_JUDGED_PER_TICK)) judgeOne(source, g, nowMs, byGroup);
    await new Promise((resolve) => setImmediate(resolve));
  }
  judged = { source, newestAtMs, byGroup };
}

/** The statuses to show, and whether they are those of the latest cycle (false while a newer judgement runs). */
function statusesOf(source: LagHistorySource, latest: LatestGroupSample[], nowMs: number): { byGroup: Statuses | null; current: boolean } {
  const newestAtMs = latest.reduce((max, g) => Math.max(max, g.atMs ?? 0), 0);
  if (judged && judged.source === source && judged.newestAtMs === newestAtMs) return { byGroup: judged.byGroup, current: true };
  if (latest.length <= STATUS_JUDGED_INLINE_MAX) {
    const byGroup: Statuses = new Map();
    for (const g of latest) judgeOne(source, g, nowMs, byGroup);
    judged = { source, newestAtMs, byGroup };
    return { byGroup, current: true };
  }
  if (!judgingFor || judgingFor.source !== source || judgingFor.newestAtMs !== newestAtMs) {
    const job = (judgingFor = { source, newestAtMs });
    judgeInBackground(source, latest, newestAtMs, nowMs)
      .catch((error) => console.error("judging the groups' lag statuses failed", error))
      .finally(() => judgingFor === job && (judgingFor = null));
  }
  return { byGroup: judged?.source === source ? judged.byGroup : null, current: false };
}

/**
 * Every sampled group's status with its partitions', as judged for the groups
 * list (once per cycle, in the background past STATUS_JUDGED_INLINE_MAX
 * groups), for /metrics; `current` is false while a newer judgement runs and
 * the statuses are the cycle before's. Null before there is any judgement.
 */
export function sampledGroupStatuses(source = currentLagHistory(), nowMs = Date.now()): { byGroup: ReadonlyMap<string, JudgedGroup>; current: boolean; cycleAtMs: number } | null {
  if (!source || !source.reader.health().lastSuccess) return null;
  const latest = source.reader.latestByGroup(nowMs);
  const { byGroup, current } = statusesOf(source, latest, nowMs);
  return byGroup ? { byGroup, current, cycleAtMs: judged?.newestAtMs ?? 0 } : null;
}

/** The worst of some partitions' statuses (lib/lag-status ranks them), with what it means; null when none is judged. */
function worstOf(partitions: JudgedGroup["partitions"]): GroupRow["status"] {
  let worst: GroupRow["status"] = null;
  for (const p of partitions) if (p.status && (worst === null || lagStatusRank(p.status) > lagStatusRank(worst))) worst = p.status;
  return worst;
}

function sampledRows(source: LagHistorySource, nowMs: number, topic: string): { rows: GroupRow[]; statusesCurrent: boolean } {
  const latest = source.reader.latestByGroup(nowMs);
  const { byGroup: statuses, current: statusesCurrent } = statusesOf(source, latest, nowMs);
  const rows: GroupRow[] = [];
  for (const g of latest) {
    const judgedGroup = statuses?.get(g.groupId);
    if (!topic) {
      rows.push({
        groupId: g.groupId,
        state: g.state ?? "Unknown",
        protocolType: g.protocolType,
        topics: [...new Set(g.partitions.map((p) => p.topic))].sort(),
        partitions: g.partitions.length,
        lag: g.lag,
        timeLagMs: g.timeLagMs,
        timeLagEstimated: g.timeLagMs !== null && g.timeLagMs > 0,
        status: judgedGroup?.status ?? null,
        statusReason: judgedGroup?.reason ?? null,
      });
      continue;
    }
    // One topic's part of the group: its partitions there, their lag and the worst of their statuses.
    const on = g.partitions.filter((p) => p.topic === topic);
    if (on.length === 0) continue;
    const known = on.filter((p) => p.lag !== null);
    const timed = on.filter((p) => p.timeLagMs !== null);
    const timeLagMs = timed.length ? Math.max(...timed.map((p) => p.timeLagMs!)) : null;
    const status = judgedGroup ? worstOf(judgedGroup.partitions.filter((p) => p.topic === topic)) : null;
    rows.push({
      groupId: g.groupId,
      state: g.state ?? "Unknown",
      protocolType: g.protocolType,
      topics: [topic],
      partitions: on.length,
      lag: known.length ? known.reduce((sum, p) => sum + p.lag!, 0) : null,
      timeLagMs,
      timeLagEstimated: timeLagMs !== null && timeLagMs > 0,
      status,
      statusReason: status === null ? null : status === judgedGroup?.status ? judgedGroup.reason : `the worst status of the group's partitions of ${topic}`,
    });
  }
  return { rows, statusesCurrent };
}

/**
 * One page of the groups list over every group the sampler saw in its latest
 * successful cycle, searched, filtered and sorted on the server. Before the
 * first cycle (or on a console that keeps no history) it falls back to a live
 * read, which covers the first groups by id only, and says so.
 */
/**
 * `mayView` leaves out the groups the user may not view before anything is
 * counted, sorted or paged, so totals cover only what the user can see.
 */
export async function groupListPage(
  query: GroupListQuery,
  clients = clusterClients(),
  source = currentLagHistory(),
  nowMs = Date.now(),
  mayView: (groupId: string) => boolean = () => true,
): Promise<GroupListPage> {
  const lastCycle = source?.reader.health().lastSuccess ?? null;
  if (source && lastCycle) {
    // A newest cycle that listed no group is an empty list (the groups of an older cycle are gone, not current).
    const sampled = lastCycle.groups === 0 ? { rows: [], statusesCurrent: true } : sampledRows(source, nowMs, query.topic);
    const rows = sampled.rows.filter((row) => mayView(row.groupId));
    const { statusesCurrent } = sampled;
    return groupListPageSchema.parse({ ...selectGroups(rows, query, { supported: true, source: "samples", sampledAtMs: lastCycle.atMs, total: rows.length }), statusesCurrent });
  }
  const live = await listConsumerGroups(clients);
  const visible = live.groups.filter((g) => mayView(g.groupId));
  const described = visible.filter((g) => g.lag !== null || g.state !== "Unknown");
  const rows: GroupRow[] = described.flatMap((g) => {
    if (!query.topic)
      return [
        {
          groupId: g.groupId,
          state: g.state,
          protocolType: g.protocolType,
          topics: g.topics.map((t) => t.topic),
          partitions: g.topics.reduce((n, t) => n + t.partitions, 0),
          lag: g.lag,
          timeLagMs: g.timeLagMs,
          timeLagEstimated: g.timeLagEstimated,
          status: null,
          statusReason: null,
        },
      ];
    const on = g.topics.find((t) => t.topic === query.topic);
    if (!on) return [];
    return [{ groupId: g.groupId, state: g.state, protocolType: g.protocolType, topics: [on.topic], partitions: on.partitions, lag: on.lag, timeLagMs: on.timeLagMs, timeLagEstimated: on.timeLagEstimated, status: null, statusReason: null }];
  });
  return groupListPageSchema.parse({ ...selectGroups(rows, query, { supported: live.supported, source: "live", sampledAtMs: null, total: live.total - (live.groups.length - visible.length) }), statusesCurrent: true });
}
