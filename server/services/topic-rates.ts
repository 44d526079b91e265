import "server-only";
import { LAG_RANGES, SPARKLINE_POINTS, TREND_CONSUMERS_NAMED_MAX, topicRateHistorySchema, type LagRange, type TopicRateHistory } from "@/lib/lag-history";
import { ServiceError } from "../kafka/errors";
import { currentLagHistory } from "../lag-status/current";
import type { LagHistorySource } from "../lag-status/history-source";
import { buildRateSeries, timeGrid } from "../lag-status/series";

/** Topics one trends request may ask about: a page of the topic list. */
export const TRENDS_TOPICS_MAX = 100;

/** A topic's production rate (records/s, over all its partitions) from its sampled end offsets. */
export function topicRateHistory(topic: string, range: LagRange, source = currentLagHistory(), nowMs = Date.now(), pointsMax?: number): TopicRateHistory {
  if (!source) throw new ServiceError("UNAVAILABLE", "the lag history is not running on this console (no samples are kept)");
  const grid = timeGrid(nowMs - LAG_RANGES[range], nowMs, source.sampleIntervalMs, pointsMax);
  const partitions = source.reader.topicSeries(topic, { fromMs: grid.fromMs, toMs: grid.toMs, stepMs: grid.stepMs });
  const built = buildRateSeries(partitions.map((p) => ({ samples: p.points })), grid);
  return topicRateHistorySchema.parse({ topic, range, fromMs: grid.fromMs, toMs: grid.toMs, stepMs: grid.stepMs, times: grid.times, ...built });
}

/** A topic's latest production rate: between the two newest samples of each partition, summed; null with fewer than two. */
function latestRatePerSec(topic: string, source: LagHistorySource, nowMs: number): number | null {
  const recent = source.reader.topicSeries(topic, { fromMs: nowMs - 5 * source.sampleIntervalMs, toMs: nowMs });
  let sum: number | null = null;
  for (const { points } of recent) {
    const [before, last] = points.slice(-2);
    if (!last || !before || last.atMs <= before.atMs) continue;
    sum = (sum ?? 0) + (Math.max(0, last.logEnd - before.logEnd) * 1000) / (last.atMs - before.atMs);
  }
  return sum;
}

export interface TopicTrend {
  /** The last hour, SPARKLINE_POINTS points of records/s. */
  trend: Array<number | null>;
  /** Records/s between the two newest samples. */
  ratePerSec: number | null;
  consumers: TopicConsumers | null;
}

export interface TopicConsumers {
  groups: number;
  lag: number;
  timeLagMs: number | null;
  /** The first TREND_CONSUMERS_NAMED_MAX groups by lag, for a tooltip. */
  named: Array<{ groupId: string; lag: number | null }>;
}

/** Per topic asked about, the groups of the newest ok cycle committing on it, with their lag there (one read of the latest samples). */
function consumersOf(topics: string[], source: LagHistorySource, nowMs: number): Map<string, TopicConsumers> | null {
  const lastSuccess = source.reader.health().lastSuccess;
  if (!lastSuccess) return null;
  const wanted = new Set(topics);
  const byTopic = new Map<string, { groups: Array<{ groupId: string; lag: number | null }>; lag: number; timeLagMs: number | null }>();
  for (const t of topics) byTopic.set(t, { groups: [], lag: 0, timeLagMs: null });
  // A newest cycle that listed no group covers none.
  for (const g of lastSuccess.groups === 0 ? [] : source.reader.latestByGroup(nowMs)) {
    const perTopic = new Map<string, { lag: number | null; timeLagMs: number | null }>();
    for (const p of g.partitions) {
      if (!wanted.has(p.topic)) continue;
      const entry = perTopic.get(p.topic) ?? { lag: null, timeLagMs: null };
      if (p.lag !== null) entry.lag = (entry.lag ?? 0) + p.lag;
      if (p.timeLagMs !== null) entry.timeLagMs = Math.max(entry.timeLagMs ?? 0, p.timeLagMs);
      perTopic.set(p.topic, entry);
    }
    for (const [topic, entry] of perTopic) {
      const into = byTopic.get(topic)!;
      into.groups.push({ groupId: g.groupId, lag: entry.lag });
      into.lag += entry.lag ?? 0;
      if (entry.timeLagMs !== null) into.timeLagMs = Math.max(into.timeLagMs ?? 0, entry.timeLagMs);
    }
  }
  const out = new Map<string, TopicConsumers>();
  for (const [topic, c] of byTopic)
    out.set(topic, {
      groups: c.groups.length,
      lag: c.lag,
      timeLagMs: c.timeLagMs,
      named: [...c.groups].sort((a, b) => (b.lag ?? -1) - (a.lag ?? -1)).slice(0, TREND_CONSUMERS_NAMED_MAX),
    });
  return out;
}

/**
 * The last hour's production rate of each topic named (the page of the list
 * shown), its latest rate and its consumers from the newest samples; empty
 * when no history is kept.
 */
export function topicTrends(topics: string[], source = currentLagHistory(), nowMs = Date.now()): Record<string, TopicTrend> {
  if (topics.length > TRENDS_TOPICS_MAX) throw new ServiceError("INVALID_INPUT", `at most ${TRENDS_TOPICS_MAX} topics per request`, "topics");
  if (!source) return {};
  const consumers = consumersOf(topics, source, nowMs);
  return Object.fromEntries(
    topics.map((t) => [
      t,
      { trend: topicRateHistory(t, "1h", source, nowMs, SPARKLINE_POINTS).producedPerSec, ratePerSec: latestRatePerSec(t, source, nowMs), consumers: consumers?.get(t) ?? null },
    ]),
  );
}
