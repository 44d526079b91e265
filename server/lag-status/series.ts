import { estimateTimeLagMs, type EndOffsetPoint } from "@/lib/lag";
import { SERIES_MAX, SERIES_POINTS_MAX, type LagBreakdown } from "@/lib/lag-history";
import type { LagSample } from "./evaluate";

/**
 * Lag and rate series for charts, cut down on the server to a bounded grid:
 * one point per step, the step at least the sampling interval and wide enough
 * for at most SERIES_POINTS_MAX points. Each point takes the last sample of
 * its step, so offsets stay offsets (rates come from their differences) and a
 * week of 30 s samples is 1,000 points, not 20,000. Pure: no clock, no I/O.
 */

export interface PartitionHistory {
  topic: string;
  partition: number;
  samples: readonly LagSample[];
}

export interface TimeGrid {
  fromMs: number;
  toMs: number;
  stepMs: number;
  /** Start of each step; aligned to multiples of the step, so points do not shift as the range slides. */
  times: number[];
}

export function timeGrid(fromMs: number, toMs: number, sampleIntervalMs: number, pointsMax = SERIES_POINTS_MAX): TimeGrid {
  const stepMs = Math.max(1, sampleIntervalMs, Math.ceil((toMs - fromMs) / (pointsMax - 1)));
  const start = Math.floor(fromMs / stepMs) * stepMs;
  const count = Math.max(1, Math.ceil((toMs - start) / stepMs));
  return { fromMs, toMs, stepMs, times: Array.from({ length: Math.min(count, pointsMax) }, (_, i) => start + i * stepMs) };
}

/** The last sample in each step of the grid (null where a step has none); samples outside it are dropped. */
export function lastPerStep<S extends { atMs: number }>(samples: readonly S[], grid: TimeGrid): Array<S | null> {
  const points: Array<S | null> = grid.times.map(() => null);
  const start = grid.times[0];
  for (const s of samples) {
    if (s.atMs < grid.fromMs || s.atMs > grid.toMs) continue;
    const i = Math.floor((s.atMs - start) / grid.stepMs);
    if (i < 0 || i >= points.length) continue;
    const held = points[i];
    if (!held || held.atMs <= s.atMs) points[i] = s;
  }
  return points;
}

const lagOf = (s: LagSample | null) => (s && s.committed !== null && s.logEnd !== null ? Math.max(0, s.logEnd - s.committed) : null);

/** Sum per point of several series; null where none of them has a value. */
function sumSeries(series: ReadonlyArray<ReadonlyArray<number | null>>, length: number): Array<number | null> {
  const out: Array<number | null> = Array.from({ length }, () => null);
  for (const values of series) values.forEach((v, i) => v !== null && (out[i] = (out[i] ?? 0) + v));
  return out;
}

/**
 * Records per second an offset advanced between each point and the previous
 * point that has one; a step back (a reset, a recreated topic) counts as no
 * progress rather than a negative rate.
 */
export function ratePerSec(points: ReadonlyArray<{ atMs: number; offset: number | null } | null>): Array<number | null> {
  let previous: { atMs: number; offset: number } | null = null;
  return points.map((p) => {
    if (!p || p.offset === null) return null;
    const rate = previous && p.atMs > previous.atMs ? (Math.max(0, p.offset - previous.offset) * 1000) / (p.atMs - previous.atMs) : null;
    previous = { atMs: p.atMs, offset: p.offset };
    return rate;
  });
}

/** Largest per point of several series; null where none of them has a value. */
function maxSeries(series: ReadonlyArray<ReadonlyArray<number | null>>, length: number): Array<number | null> {
  const out: Array<number | null> = Array.from({ length }, () => null);
  for (const values of series) values.forEach((v, i) => v !== null && (out[i] = Math.max(out[i] ?? 0, v)));
  return out;
}

/**
 * The time lag at each point, in seconds, estimated as kafka-lag-exporter does
 * from the partition's own sampled end offsets up to that point: the moment
 * the end passed the committed offset, interpolated between the readings
 * around it (extrapolated at the average rate when older than all of them),
 * over the readings since the end last went backwards. Binary searches, so a
 * week of samples costs O(points x log samples).
 */
export function timeLagSeconds(samples: readonly LagSample[], points: ReadonlyArray<LagSample | null>): Array<number | null> {
  const readings: EndOffsetPoint[] = [];
  const runStart: number[] = []; // per reading, the index of the first reading of its run
  for (const s of samples) {
    if (s.logEnd === null) continue;
    const last = readings.at(-1);
    const start = last && s.logEnd >= last.endOffset ? runStart[runStart.length - 1] : readings.length;
    readings.push({ timeMs: s.atMs, endOffset: s.logEnd });
    runStart.push(start);
  }
  // Index of the last reading at or before `atMs`, or -1.
  const upTo = (atMs: number) => {
    let low = 0;
    let high = readings.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (readings[middle].timeMs <= atMs) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  };
  return points.map((p) => {
    if (!p || p.committed === null || p.logEnd === null) return null;
    if (p.committed >= p.logEnd) return 0;
    const last = upTo(p.atMs);
    if (last < 0) return null;
    const first = runStart[last];
    // The first reading of the run past the commit (the end only grows within a run).
    let low = first;
    let high = last + 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (readings[middle].endOffset > p.committed) high = middle;
      else low = middle + 1;
    }
    const around = new Set([first, last, low, low - 1].filter((i) => i >= first && i <= last));
    const lagMs = estimateTimeLagMs(
      [...around].sort((a, b) => a - b).map((i) => readings[i]),
      p.committed,
      p.atMs,
    );
    return lagMs === null ? null : lagMs / 1000;
  });
}

export interface LagSeriesResult {
  grid: TimeGrid;
  /** Lag in records per point, and in seconds (the largest over the series' partitions, estimated from the samples). */
  series: Array<{ label: string; lag: Array<number | null>; timeLagSec: Array<number | null> }>;
  seriesLeftOut: number;
  consumedPerSec: Array<number | null>;
  producedPerSec: Array<number | null>;
  samples: number;
}

/** A group's lag per point (total, per topic or per partition) with its consumption and production rates. */
export function buildLagSeries(partitions: readonly PartitionHistory[], grid: TimeGrid, by: LagBreakdown): LagSeriesResult {
  const length = grid.times.length;
  const perPartition = partitions.map((p) => {
    const points = lastPerStep(p.samples, grid);
    return { ...p, points, lag: points.map(lagOf), timeLagSec: timeLagSeconds(p.samples, points) };
  });
  let series: LagSeriesResult["series"];
  const of = (ps: typeof perPartition) => ({ lag: sumSeries(ps.map((p) => p.lag), length), timeLagSec: maxSeries(ps.map((p) => p.timeLagSec), length) });
  if (by === "total") series = [{ label: "total", ...of(perPartition) }];
  else if (by === "topic") {
    const topics = [...new Set(perPartition.map((p) => p.topic))].sort();
    series = topics.map((topic) => ({ label: topic, ...of(perPartition.filter((p) => p.topic === topic)) }));
  } else series = perPartition.map((p) => ({ label: `${p.topic}/${p.partition}`, lag: p.lag, timeLagSec: p.timeLagSec }));
  // The series with the most lag at their latest point are the ones worth drawing.
  const latest = (values: Array<number | null>) => {
    for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i]!;
    return -1;
  };
  const kept = [...series].sort((a, b) => latest(b.lag) - latest(a.lag) || a.label.localeCompare(b.label)).slice(0, SERIES_MAX);
  const consumed = perPartition.map((p) => ratePerSec(p.points.map((s) => s && { atMs: s.atMs, offset: s.committed })));
  const produced = perPartition.map((p) => ratePerSec(p.points.map((s) => s && { atMs: s.atMs, offset: s.logEnd })));
  return {
    grid,
    series: series.filter((s) => kept.includes(s)),
    seriesLeftOut: series.length - kept.length,
    consumedPerSec: sumSeries(consumed, length),
    producedPerSec: sumSeries(produced, length),
    samples: partitions.reduce((n, p) => n + p.samples.filter((s) => s.atMs >= grid.fromMs && s.atMs <= grid.toMs).length, 0),
  };
}

/** A topic's production rate per point, summed over its partitions' end offsets. */
export function buildRateSeries(partitions: ReadonlyArray<{ samples: ReadonlyArray<{ atMs: number; logEnd: number | null }> }>, grid: TimeGrid) {
  const rates = partitions.map((p) => ratePerSec(lastPerStep(p.samples, grid).map((s) => s && { atMs: s.atMs, offset: s.logEnd })));
  return { producedPerSec: sumSeries(rates, grid.times.length), samples: partitions.reduce((n, p) => n + p.samples.length, 0) };
}
