import "server-only";
import { LAG_RANGES, SPARKLINE_POINTS, topicRateHistorySchema, type LagRange, type TopicRateHistory } from "@/lib/lag-history";
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
}

/**
 * The last hour's production rate of each topic named (the page of the list
 * shown) and its latest rate; empty when no history is kept.
 */
export function topicTrends(topics: string[], source = currentLagHistory(), nowMs = Date.now()): Record<string, TopicTrend> {
  if (topics.length > TRENDS_TOPICS_MAX) throw new ServiceError("INVALID_INPUT", `at most ${TRENDS_TOPICS_MAX} topics per request`, "topics");
  if (!source) return {};
  return Object.fromEntries(
    topics.map((t) => [t, { trend: topicRateHistory(t, "1h", source, nowMs, SPARKLINE_POINTS).producedPerSec, ratePerSec: latestRatePerSec(t, source, nowMs) }]),
  );
}
