import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SERIES_MAX, SERIES_POINTS_MAX } from "@/lib/lag-history";
import { buildLagSeries, buildRateSeries, lastPerStep, ratePerSec, timeGrid, timeLagSeconds } from "@/server/lag-status/series";

const WEEK_MS = 7 * 86_400_000;

describe("lag series cut to a bounded grid", () => {
  it("a week of 30 s samples is at most 1,000 points, a step at least the sampling interval", () => {
    const now = 1_800_000_000_000;
    const week = timeGrid(now - WEEK_MS, now, 30_000);
    assert.ok(week.times.length <= SERIES_POINTS_MAX, `${week.times.length} points`);
    assert.ok(week.times.length >= SERIES_POINTS_MAX - 2);
    assert.equal(week.times[0] % week.stepMs, 0, "aligned, so points do not shift as the range slides");
    const hour = timeGrid(now - 3_600_000, now, 30_000);
    assert.equal(hour.stepMs, 30_000);
    assert.ok(hour.times.length <= 121);
  });

  it("each point takes the last sample of its step; samples outside the range are dropped", () => {
    const grid = { fromMs: 1000, toMs: 4999, stepMs: 1000, times: [1000, 2000, 3000, 4000] };
    const points = lastPerStep(
      [
        { atMs: 500, v: "before" },
        { atMs: 1100, v: "a" },
        { atMs: 1900, v: "b" },
        { atMs: 3500, v: "c" },
        { atMs: 6000, v: "after" },
      ],
      grid,
    );
    assert.deepEqual(points.map((p) => p?.v ?? null), ["b", null, "c", null]);
  });

  it("rates from offset differences over time; a step back is no progress, not a negative rate", () => {
    assert.deepEqual(ratePerSec([{ atMs: 0, offset: 0 }, null, { atMs: 2000, offset: 100 }, { atMs: 3000, offset: 50 }, { atMs: 4000, offset: 60 }]), [null, null, 50, 0, 10]);
  });

  it("a group's lag in total, per topic and per partition, with consumption against production", () => {
    const grid = { fromMs: 0, toMs: 2999, stepMs: 1000, times: [0, 1000, 2000] };
    const samples = (pairs: Array<[number, number]>) => pairs.map(([committed, logEnd], i) => ({ atMs: i * 1000, committed, logEnd }));
    const partitions = [
      { topic: "a", partition: 0, samples: samples([[0, 10], [5, 20], [10, 30]]) },
      { topic: "a", partition: 1, samples: samples([[0, 0], [0, 0], [0, 0]]) },
      { topic: "b", partition: 0, samples: samples([[0, 100], [50, 100], [100, 100]]) },
    ];
    const total = buildLagSeries(partitions, grid, "total");
    assert.deepEqual(total.series, [{ label: "total", lag: [110, 65, 20], timeLagSec: [0, 1.5, 2] }]);
    assert.deepEqual(total.consumedPerSec, [null, 55, 55]);
    assert.deepEqual(total.producedPerSec, [null, 10, 10]);
    assert.equal(total.samples, 9);
    // Time lag from each partition's own end offsets: a/0's commit 5 at 1 s is extrapolated back (0.5 s before the
    // first reading), its commit 10 at 2 s is where the end was at 0 s; b/0's end never moved, so only "caught up" is known.
    assert.deepEqual(buildLagSeries(partitions, grid, "topic").series, [
      { label: "a", lag: [10, 15, 20], timeLagSec: [0, 1.5, 2] },
      { label: "b", lag: [100, 50, 0], timeLagSec: [null, null, 0] },
    ]);
    assert.deepEqual(buildLagSeries(partitions, grid, "partition").series.map((s) => s.label), ["a/0", "a/1", "b/0"]);
  });

  it("time lag per point interpolates between the partition's readings around the commit, and starts over where the end went back", () => {
    const at = (atMs: number, committed: number, logEnd: number) => ({ atMs, committed, logEnd });
    // The end grows 10 per second; then the topic is recreated (end back to 5) at 10 s.
    const samples = [at(0, 0, 0), at(1000, 5, 10), at(2000, 5, 20), at(3000, 25, 30), at(10_000, 0, 5), at(11_000, 2, 15)];
    // After the recreation only the new run counts: commit 2 is extrapolated 0.3 s before its first reading (10 records/s).
    assert.deepEqual(timeLagSeconds(samples, samples), [0, 0.5, 1.5, 0.5, null, 1.3]);
    // A week of 30 s samples, 500 records behind at 100 records per 30 s: 150 s at every point past the first.
    const week = Array.from({ length: 20_160 }, (_, i) => at(i * 30_000, i * 100, i * 100 + 500));
    const values = timeLagSeconds(week, week.filter((_, i) => i % 20 === 0));
    assert.deepEqual(new Set(values.slice(1)), new Set([150]));
  });

  it("per partition draws at most SERIES_MAX series, the ones with most lag, and counts the rest", () => {
    const grid = { fromMs: 0, toMs: 999, stepMs: 1000, times: [0] };
    const partitions = Array.from({ length: SERIES_MAX + 5 }, (_, p) => ({ topic: "t", partition: p, samples: [{ atMs: 0, committed: 0, logEnd: p }] }));
    const built = buildLagSeries(partitions, grid, "partition");
    assert.equal(built.series.length, SERIES_MAX);
    assert.equal(built.seriesLeftOut, 5);
    assert.ok(!built.series.some((s) => s.label === "t/0"), "the partitions with least lag are left out");
  });

  it("a topic's production rate sums its partitions'", () => {
    const grid = { fromMs: 0, toMs: 1999, stepMs: 1000, times: [0, 1000] };
    const rate = buildRateSeries(
      [
        { samples: [{ atMs: 0, logEnd: 0 }, { atMs: 1000, logEnd: 30 }] },
        { samples: [{ atMs: 0, logEnd: 5 }, { atMs: 1000, logEnd: 15 }] },
      ],
      grid,
    );
    assert.deepEqual(rate.producedPerSec, [null, 40]);
  });
});
