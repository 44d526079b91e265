import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LagHistoryStore } from "@/server/lag-history/store";
import { applyRetention } from "@/server/lag-history/retention";
import type { CycleSample } from "@/server/lag-history/types";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const STEP_MS = 30_000;

function cycle(atMs: number, i: number, groups = 3, partitions = 4): CycleSample {
  return {
    startedAtMs: atMs,
    atMs,
    durationMs: 1,
    requests: 1,
    groups: Array.from({ length: groups }, (_, g) => ({
      groupId: `g${g}`,
      state: "Stable",
      protocolType: "consumer",
      committed: Array.from({ length: partitions }, (_, partition) => ({ topic: "t", partition, offset: i })),
    })),
    logOffsets: Array.from({ length: partitions }, (_, partition) => ({ topic: "t", partition, logStart: 0, logEnd: i * 2 })),
  };
}

/** Cycles every 30 s from `hours` hours ago until now. */
function filled(store: LagHistoryStore, nowMs: number, hours: number, groups?: number, partitions?: number): number {
  const count = (hours * HOUR_MS) / STEP_MS;
  for (let i = 0; i < count; i++) store.cluster().recordCycle(cycle(nowMs - (count - 1 - i) * STEP_MS, i, groups, partitions));
  return count;
}

describe("lag history retention", () => {
  const policy = { fullResolutionMs: HOUR_MS, downsampledStepMs: 10 * MINUTE_MS, retentionMs: 3 * HOUR_MS, bytesMax: 1024 ** 3 };

  it("keeps full resolution within fullResolutionMs, one cycle per step beyond, nothing past retentionMs", async () => {
    const store = LagHistoryStore.open(":memory:");
    const nowMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS; // on a step boundary, so the counts below are exact
    filled(store, nowMs, 4);
    const report = await applyRetention(store, policy, nowMs);
    const [series] = store.cluster().groupSeries("g0", { fromMs: 0, toMs: nowMs });
    const times = series.points.map((p) => p.atMs);
    const recent = times.filter((t) => t >= nowMs - HOUR_MS);
    const older = times.filter((t) => t < nowMs - HOUR_MS);
    assert.equal(recent.length, HOUR_MS / STEP_MS + 1, "every cycle of the last hour");
    assert.equal(older.length, (2 * HOUR_MS) / (10 * MINUTE_MS), "one per 10 minutes between 1 h and 3 h");
    assert.ok(older.every((t) => t >= nowMs - 3 * HOUR_MS), "none older than 3 h");
    assert.deepEqual(report.overSize, false);
    // Log offsets are thinned out the same way as commits.
    const [log] = store.cluster().topicSeries("t", { fromMs: 0, toMs: nowMs });
    assert.deepEqual(
      log.points.map((p) => p.atMs),
      times,
    );

    // A second pass later keeps what the first kept, and thins out what has aged since.
    const later = nowMs + 30 * MINUTE_MS;
    await applyRetention(store, policy, later);
    const [again] = store.cluster().groupSeries("g0", { fromMs: 0, toMs: later });
    const olderAgain = again.points.filter((p) => p.atMs < later - HOUR_MS);
    const steps = olderAgain.map((p) => Math.floor(p.atMs / (10 * MINUTE_MS)));
    assert.equal(new Set(steps).size, steps.length, "at most one sample per step");
    assert.equal(olderAgain.length, (2 * HOUR_MS) / (10 * MINUTE_MS));
    store.close();
  });

  it("drops the oldest cycles while the data is over the size bound, and reuses the freed pages", async () => {
    const store = LagHistoryStore.open(":memory:");
    const nowMs = Date.now();
    store.cluster().recordCycle(cycle(nowMs - 12 * HOUR_MS, 0, 1, 2));
    const schemaBytes = store.size().usedBytes;
    // Long series (many pages each), so that dropping their oldest rows empties whole pages.
    filled(store, nowMs, 12, 1, 2);
    const full = store.size().usedBytes;
    const bound = schemaBytes + Math.floor((full - schemaBytes) / 2);
    const report = await applyRetention(store, { ...policy, fullResolutionMs: 10 * HOUR_MS, retentionMs: 10 * HOUR_MS, bytesMax: bound }, nowMs);
    assert.equal(report.overSize, true);
    assert.ok(store.size().usedBytes <= bound, `used ${store.size().usedBytes} bytes, bound ${bound}`);
    const [series] = store.cluster().groupSeries("g0", { fromMs: 0, toMs: nowMs });
    assert.equal(series.points.at(-1)?.atMs, nowMs, "the newest samples stay");
    assert.ok(series.points[0].atMs > nowMs - 6 * HOUR_MS, "the oldest went first");
    const fileBefore = store.size().fileBytes;
    for (let i = 0; i < 20; i++) store.cluster().recordCycle(cycle(nowMs + (i + 1) * STEP_MS, 10_000 + i, 1, 2));
    assert.equal(store.size().fileBytes, fileBefore, "new cycles go into freed pages");
    store.close();
  });
});
