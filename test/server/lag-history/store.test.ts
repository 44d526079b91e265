import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LagHistoryStore } from "@/server/lag-history/store";
import { MIGRATIONS } from "@/server/lag-history/migrations";
import type { CycleSample } from "@/server/lag-history/types";

const STEP_MS = 30_000;

/** A cycle where group g reads topic t's two partitions: partition 0 grows by 10 a cycle and g commits 5 a cycle behind half of it. */
function cycle(i: number, t0: number): CycleSample {
  const atMs = t0 + i * STEP_MS;
  return {
    startedAtMs: atMs - 5,
    atMs,
    durationMs: 5,
    requests: 4,
    groups: [
      { groupId: "g", state: "Stable", protocolType: "consumer", committed: [{ topic: "t", partition: 0, offset: i * 5 }, { topic: "t", partition: 1, offset: 7 }] },
      { groupId: "idle", state: "Empty", protocolType: "consumer", committed: [] },
    ],
    logOffsets: [
      { topic: "t", partition: 0, logStart: 0, logEnd: i * 10 },
      { topic: "t", partition: 1, logStart: 0, logEnd: 7 },
    ],
  };
}

describe("lag history store", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-lag-store-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps the samples across closing and reopening the file, and applies each migration once", () => {
    const file = path.join(dir, "reopen.sqlite");
    const t0 = 1_700_000_000_000;
    const first = LagHistoryStore.open(file);
    for (let i = 0; i < 5; i++) first.cluster().recordCycle(cycle(i, t0));
    first.close();

    const again = LagHistoryStore.open(file);
    try {
      const versions = again.db.prepare("SELECT version FROM schema_migrations ORDER BY version").pluck().all();
      assert.deepEqual(versions, MIGRATIONS.map((m) => m.version));
      assert.equal(again.db.pragma("journal_mode", { simple: true }), "wal");
      const series = again.cluster().groupSeries("g", { fromMs: t0, toMs: t0 + 10 * STEP_MS });
      assert.deepEqual(
        series.map((s) => [s.topic, s.partition, s.points.length]),
        [
          ["t", 0, 5],
          ["t", 1, 5],
        ],
      );
      assert.deepEqual(series[0].points.at(-1), { atMs: t0 + 4 * STEP_MS, committed: 20, logStart: 0, logEnd: 40 });
    } finally {
      again.close();
    }
  });

  it("answers the latest offsets of every listed group, with lag and time lag estimated from the stored end offsets", () => {
    const store = LagHistoryStore.open(":memory:");
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 10; i++) store.cluster().recordCycle(cycle(i, t0));
    const now = t0 + 9 * STEP_MS;
    const [g, idle] = store.cluster().latestByGroup(now);
    assert.equal(g.groupId, "g");
    assert.deepEqual(
      g.partitions.map((p) => [p.partition, p.committed, p.logEnd, p.lag]),
      [
        [0, 45, 90, 45],
        [1, 7, 7, 0],
      ],
    );
    // The end passed 45 halfway between the readings 40 (cycle 4) and 50 (cycle 5): 4.5 cycles before cycle 9.
    assert.equal(g.partitions[0].timeLagMs, 4.5 * STEP_MS);
    assert.equal(g.partitions[1].timeLagMs, 0);
    assert.deepEqual([g.lag, g.timeLagMs, g.state], [45, 4.5 * STEP_MS, "Stable"]);
    assert.deepEqual([idle.groupId, idle.partitions, idle.lag, idle.atMs], ["idle", [], null, null]);
    store.close();
  });

  it("reads windows, topic series with a step, and the readings that place an offset in time", () => {
    const store = LagHistoryStore.open(":memory:");
    const history = store.cluster();
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 10; i++) history.recordCycle(cycle(i, t0));
    const window = history.window("g", 3);
    assert.deepEqual(
      window[0].points.map((p) => p.committed),
      [35, 40, 45],
    );
    const [p0] = history.topicSeries("t", { fromMs: t0, toMs: t0 + 9 * STEP_MS, stepMs: 3 * STEP_MS });
    assert.ok(p0.points.length <= 4 && p0.points.length >= 3, `one point per step: ${p0.points.length}`);
    assert.deepEqual(
      history.endOffsetReadings("t", 0, 42).map((r) => r.endOffset),
      [0, 40, 50, 90],
    );
    assert.deepEqual(history.endOffsetReadings("t", 9, 42), []);
    assert.deepEqual(history.groupSeries("nobody", { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER }), []);
    store.close();
  });

  it("drops a group's series from the latest offsets once the cluster no longer lists it, and keeps failures for the health figures", () => {
    const store = LagHistoryStore.open(":memory:");
    const history = store.cluster();
    const t0 = 1_700_000_000_000;
    history.recordCycle(cycle(0, t0));
    history.recordCycle({ ...cycle(1, t0), groups: [{ groupId: "g", state: "Empty", protocolType: "consumer", committed: [{ topic: "t", partition: 0, offset: 1 }] }] });
    history.recordFailure({ startedAtMs: t0 + 3 * STEP_MS, atMs: t0 + 3 * STEP_MS + 10, durationMs: 10, outcome: "failed", error: "connection refused", requests: 1 });
    const latest = history.latestByGroup(t0 + 2 * STEP_MS);
    assert.deepEqual(
      latest.map((g) => [g.groupId, g.partitions.map((p) => p.partition)]),
      [["g", [0]]],
    );
    history.recordCycle({ ...cycle(4, t0), groups: [] });
    assert.deepEqual(history.latestByGroup(), [], "a newest cycle that listed no group lists none");
    const health = history.health();
    assert.deepEqual([health.lastCycle?.outcome, health.lastCycle?.error, health.lastSuccess?.atMs, health.cycles], [
      "ok",
      null,
      t0 + 4 * STEP_MS,
      { ok: 3, failed: 1, skipped: 0 },
    ]);
    store.close();
  });

  it("stores a cycle in slices: reads between them see no half-stored cycle, and the groups list each group whole", async () => {
    const store = LagHistoryStore.open(":memory:");
    const history = store.cluster();
    const t0 = 1_700_000_000_000;
    history.recordCycle(cycle(0, t0));
    const next = { ...cycle(1, t0), groups: [...cycle(1, t0).groups, { groupId: "new", state: "Empty", protocolType: "consumer", committed: [{ topic: "t", partition: 1, offset: 2 }] }] };
    const writing = history.recordCycleSliced(next, 1);
    let slices = 0;
    const seen: Array<{ lastOkAtMs: number | undefined; groups: string[]; committedOfG: number[]; seriesPoints: number }> = [];
    for (let done = false; !done; slices++) {
      done = await Promise.race([writing.then(() => true), new Promise<boolean>((resolve) => setImmediate(() => resolve(false)))]);
      if (done) break;
      const latest = history.latestByGroup(t0 + 2 * STEP_MS);
      seen.push({
        lastOkAtMs: history.health().lastSuccess?.atMs,
        groups: latest.map((g) => g.groupId),
        committedOfG: latest.find((g) => g.groupId === "g")!.partitions.map((p) => p.committed),
        seriesPoints: history.groupSeries("g", { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER })[0].points.length,
      });
    }
    assert.ok(seen.length >= 3, `the write yielded ${seen.length} times`);
    for (const view of seen) {
      assert.equal(view.lastOkAtMs, t0, "the cycle being stored is not the newest success");
      assert.equal(view.seriesPoints, 1, "series take only ok cycles");
      // Group g is either still at cycle 0's commits or wholly at cycle 1's.
      assert.ok(["0,7", "5,7"].includes(view.committedOfG.join(",")), JSON.stringify(view));
      assert.ok(view.groups.includes("g") && view.groups.includes("idle"), JSON.stringify(view));
    }
    await writing;
    assert.equal(history.health().lastCycle?.outcome, "ok");
    assert.deepEqual(
      history.latestByGroup().map((g) => g.groupId),
      ["g", "idle", "new"],
    );
    store.close();
  });

  it("marks a cycle whose slices were cut off by a stop as failed when the file is opened again", async () => {
    const file = path.join(dir, "cut-off.sqlite");
    const t0 = 1_700_000_000_000;
    const first = LagHistoryStore.open(file);
    first.cluster().recordCycle(cycle(0, t0));
    const writing = first.cluster().recordCycleSliced(cycle(1, t0), 1);
    await new Promise((resolve) => setImmediate(resolve));
    first.close();
    await assert.rejects(writing, /not open/);

    const again = LagHistoryStore.open(file);
    try {
      const [cut, ok] = again.cluster().recentCycles(2);
      assert.deepEqual([cut.outcome, cut.error, ok.outcome], ["failed", "the console stopped while storing this cycle", "ok"]);
      assert.deepEqual(again.cluster().groupSeries("g", { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER })[0].points.length, 1);
    } finally {
      again.close();
    }
  });

  it("keeps the member each partition is assigned to, and forgets it once the group has none", () => {
    const store = LagHistoryStore.open(":memory:");
    const history = store.cluster();
    const t0 = 1_700_000_000_000;
    const member = { memberId: "c-1-uuid", clientId: "c-1", host: "/127.0.0.1", assignments: [{ topic: "t", partitions: [0] }] };
    const withMembers = (i: number, members: (typeof member)[]) => ({ ...cycle(i, t0), groups: cycle(i, t0).groups.map((g) => (g.groupId === "g" ? { ...g, members } : g)) });
    history.recordCycle(withMembers(0, [member]));
    const members = () => history.latestByGroup().find((g) => g.groupId === "g")!.partitions.map((p) => [p.partition, p.member?.clientId ?? null]);
    assert.deepEqual(members(), [[0, "c-1"], [1, null]]);
    history.recordCycle(withMembers(1, [{ ...member, memberId: "c-2-uuid", clientId: "c-2", assignments: [{ topic: "t", partitions: [0, 1] }] }]));
    assert.deepEqual(members(), [[0, "c-2"], [1, "c-2"]]);
    history.recordCycle(cycle(2, t0)); // not described this cycle: the last assignment stays
    assert.deepEqual(members(), [[0, "c-2"], [1, "c-2"]]);
    history.recordCycle(withMembers(3, []));
    assert.deepEqual(members(), [[0, null], [1, null]]);
    store.close();
  });

  it("an estimate for a commit older than every reading is extrapolated again each cycle, as the average rate firms up; one between readings is kept", () => {
    const store = LagHistoryStore.open(":memory:");
    const history = store.cluster();
    const t0 = 1_700_000_000_000;
    const at = (i: number, end: number, committed: number) =>
      history.recordCycle({
        startedAtMs: t0 + i * 1000,
        atMs: t0 + i * 1000,
        durationMs: 1,
        requests: 1,
        logOffsets: [{ topic: "t", partition: 0, logStart: 0, logEnd: end }],
        groups: [{ groupId: "g", state: "Empty", protocolType: "consumer", committed: [{ topic: "t", partition: 0, offset: committed }] }],
      });
    const timeLag = (i: number) => history.latestByGroup(t0 + i * 1000)[0].partitions[0].timeLagMs;
    // Ten records were there before the first reading; then one more in 30 s: extrapolated back, 9 records at 1/30 s = 270 s.
    at(0, 10, 1);
    at(30, 11, 1);
    assert.equal(timeLag(30), 300_000);
    // Then 100 records in 10 s: 101 in 40 s since the first reading, so 9 records before it are ~3.6 s, not 270 s.
    at(40, 111, 1);
    assert.equal(timeLag(40), 40_000 + Math.round((9 * 40_000) / 101));
    // A commit between two readings is placed once: offset 61 halfway from 11 (at 30 s) to 111 (at 40 s), at 35 s.
    at(41, 112, 61);
    assert.equal(timeLag(41), 6_000);
    at(50, 200, 61);
    assert.equal(timeLag(50), 15_000);
    store.close();
  });
});
