import "server-only";
import { groupListPageSchema, selectGroups, type GroupListPage, type GroupListQuery, type GroupRow } from "@/lib/group-list";
import { clusterClients } from "../kafka/registry";
import type { LagHistorySource, LatestGroupSample } from "../lag-status/history-source";
import { consumerActive, judgeGroup } from "../lag-status/judge";
import { currentLagHistory } from "../lag-status/current";
import { listConsumerGroups } from "./list-groups";

/**
 * Statuses of every sampled group, judged once per sampling cycle: the list is
 * asked every few seconds by every open page, the samples change once a cycle.
 */
let judged: { source: LagHistorySource; newestAtMs: number; byGroup: Map<string, { status: GroupRow["status"]; reason: string }> } | null = null;

function statusesOf(source: LagHistorySource, latest: LatestGroupSample[], nowMs: number) {
  const newestAtMs = latest.reduce((max, g) => Math.max(max, g.atMs ?? 0), 0);
  if (judged && judged.source === source && judged.newestAtMs === newestAtMs) return judged.byGroup;
  const byGroup = new Map<string, { status: GroupRow["status"]; reason: string }>();
  for (const g of latest) {
    if (g.partitions.length === 0) continue; // nothing committed: nothing to judge
    const status = judgeGroup(g.groupId, source, nowMs, () => consumerActive(g.state));
    byGroup.set(g.groupId, { status: status.status, reason: status.reason });
  }
  judged = { source, newestAtMs, byGroup };
  return byGroup;
}

function sampledRows(source: LagHistorySource, nowMs: number): { rows: GroupRow[]; sampledAtMs: number | null } {
  const latest = source.reader.latestByGroup(nowMs);
  const statuses = statusesOf(source, latest, nowMs);
  const rows = latest.map((g) => ({
    groupId: g.groupId,
    state: g.state ?? "Unknown",
    protocolType: g.protocolType,
    topics: [...new Set(g.partitions.map((p) => p.topic))].sort(),
    partitions: g.partitions.length,
    lag: g.lag,
    timeLagMs: g.timeLagMs,
    timeLagEstimated: g.timeLagMs !== null && g.timeLagMs > 0,
    status: statuses.get(g.groupId)?.status ?? null,
    statusReason: statuses.get(g.groupId)?.reason ?? null,
  }));
  const sampledAtMs = latest.reduce<number | null>((max, g) => (g.atMs === null ? max : Math.max(max ?? 0, g.atMs)), null);
  return { rows, sampledAtMs };
}

/**
 * One page of the groups list over every group the sampler saw in its latest
 * cycle, searched, filtered and sorted on the server. Before the first cycle
 * (or on a console that keeps no history) it falls back to a live read, which
 * covers the first groups by id only, and says so.
 */
export async function groupListPage(query: GroupListQuery, clients = clusterClients(), source = currentLagHistory(), nowMs = Date.now()): Promise<GroupListPage> {
  if (source) {
    const { rows, sampledAtMs } = sampledRows(source, nowMs);
    if (sampledAtMs !== null || rows.length > 0)
      return groupListPageSchema.parse(selectGroups(rows, query, { supported: true, source: "samples", sampledAtMs, total: rows.length }));
  }
  const live = await listConsumerGroups(clients);
  const described = live.groups.filter((g) => g.lag !== null || g.state !== "Unknown");
  const rows: GroupRow[] = described.map((g) => ({
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
  }));
  return groupListPageSchema.parse(selectGroups(rows, query, { supported: live.supported, source: "live", sampledAtMs: null, total: live.total }));
}
