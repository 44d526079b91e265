import "server-only";
import type { GroupStatus } from "@/lib/lag-history";
import { evaluateGroup, evaluatePartition, type LagSample } from "./evaluate";
import type { GroupOffsetsSeries, LagHistorySource } from "./history-source";

/** Samples judged per partition, as Burrow judges its last 10 commits. */
export const STATUS_WINDOW_SAMPLES = 10;
/** The window in time: that many sampling intervals (a skipped cycle shortens what it holds rather than stretching it). */
export const statusWindowMs = (sampleIntervalMs: number) => STATUS_WINDOW_SAMPLES * sampleIntervalMs;

/** Group states in which the group has live members (Kafka's classic and KIP-848 names). */
const STATES_WITH_MEMBERS = new Set(["Stable", "PreparingRebalance", "CompletingRebalance", "Assigning", "Reconciling"]);

/**
 * Whether a live member consumes a partition, from the group's state and, where
 * known, whether a member is assigned the partition; null when it cannot be told.
 */
export function consumerActive(state: string | null, assigned: boolean | null = null): boolean | null {
  if (state === null) return null;
  if (state === "Empty" || state === "Dead") return false;
  if (!STATES_WITH_MEMBERS.has(state)) return null;
  return assigned ?? true;
}

const toSamples = (series: GroupOffsetsSeries): LagSample[] => series.points.map((p) => ({ atMs: p.atMs, committed: p.committed, logEnd: p.logEnd }));

/**
 * A group's status now from its latest samples in the history: each partition
 * judged over the window, the group taking its worst partition's status.
 * `activeOf` says whether a live member holds a partition (see consumerActive).
 */
export function judgeGroup(
  groupId: string,
  source: LagHistorySource,
  nowMs: number,
  activeOf: (topic: string, partition: number) => boolean | null,
): GroupStatus {
  const windowMs = statusWindowMs(source.sampleIntervalMs);
  // Twice the window's samples, so "unchanged for" can look back past the window's start.
  const series = source.reader.window(groupId, 2 * STATUS_WINDOW_SAMPLES);
  const partitions = series.map((s) => ({
    topic: s.topic,
    partition: s.partition,
    ...evaluatePartition(toSamples(s), { nowMs, windowMs, consumerActive: activeOf(s.topic, s.partition) }),
  }));
  const { status, reason, complete } = evaluateGroup(partitions);
  return { groupId, status, reason, complete, windowMs, partitions };
}
