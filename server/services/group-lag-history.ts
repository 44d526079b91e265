import "server-only";
import { decodeConsumerAssignment } from "../kafka/consumer-assignment";
import { groupLagHistorySchema, groupStatusSchema, LAG_RANGES, type GroupLagHistory, type GroupLagQuery, type GroupStatus } from "@/lib/lag-history";
import { ServiceError } from "../kafka/errors";
import { clusterClients } from "../kafka/registry";
import { readGroup } from "./describe-group";
import type { LagHistorySource } from "../lag-status/history-source";
import { consumerActive, judgeGroup } from "../lag-status/judge";
import { buildLagSeries, timeGrid } from "../lag-status/series";
import { currentLagHistory } from "../lag-status/current";

function historyOrFail(source: LagHistorySource | null): LagHistorySource {
  if (!source) throw new ServiceError("UNAVAILABLE", "the lag history is not running on this console (no samples are kept)");
  return source;
}

/**
 * A group's lag over the last hour, day or week: total, per topic or per
 * partition, with its consumption and production rates, on a grid of at most
 * SERIES_POINTS_MAX points (the store keeps one sample per step; the rest is
 * never read).
 */
export function groupLagHistory(groupId: string, query: GroupLagQuery, source = currentLagHistory(), nowMs = Date.now()): GroupLagHistory {
  const { reader, sampleIntervalMs } = historyOrFail(source);
  const grid = timeGrid(nowMs - LAG_RANGES[query.range], nowMs, sampleIntervalMs);
  let partitions = reader.groupSeries(groupId, { fromMs: grid.fromMs, toMs: grid.toMs, stepMs: grid.stepMs });
  if (query.by === "partition" && query.topic) partitions = partitions.filter((p) => p.topic === query.topic);
  const built = buildLagSeries(
    partitions.map((p) => ({ topic: p.topic, partition: p.partition, samples: p.points })),
    grid,
    query.by,
  );
  return groupLagHistorySchema.parse({
    groupId,
    range: query.range,
    by: query.by,
    fromMs: grid.fromMs,
    toMs: grid.toMs,
    stepMs: grid.stepMs,
    times: grid.times,
    series: built.series,
    seriesLeftOut: built.seriesLeftOut,
    consumedPerSec: built.consumedPerSec,
    producedPerSec: built.producedPerSec,
    samples: built.samples,
  });
}

/**
 * A group's status now, per partition and overall, from its latest samples; a
 * live member is told from the group's state and assignment read now (one
 * DescribeGroups), so a consumer that died shows STOPPED once Kafka has
 * dropped it from the group, and a partition no member holds is STOPPED
 * rather than STALLED (as the groups list judges it from the sampled assignment).
 */
export async function groupStatus(groupId: string, clients = clusterClients(), source = currentLagHistory(), nowMs = Date.now()): Promise<GroupStatus> {
  const history = historyOrFail(source);
  const group = await readGroup(clients, groupId).catch(() => null);
  const state = group?.state ?? null;
  const held = new Set<string>();
  for (const m of group?.members ?? []) for (const a of decodeConsumerAssignment(group!.protocolType, m.memberAssignment)) for (const p of a.partitions) held.add(`${p}/${a.topic}`);
  // Without a decodable assignment (another protocol), a live group's partitions count as held.
  return groupStatusSchema.parse(judgeGroup(groupId, history, nowMs, (topic, partition) => consumerActive(state, held.size ? held.has(`${partition}/${topic}`) : null)));
}
