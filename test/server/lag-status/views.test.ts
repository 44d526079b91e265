import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { groupListQuerySchema } from "@/lib/group-list";
import { groupLagQuerySchema, SERIES_POINTS_MAX } from "@/lib/lag-history";
import { LagHistoryStore } from "@/server/lag-history/store";
import type { LagHistorySource } from "@/server/lag-status/history-source";
import { groupLagHistory } from "@/server/services/group-lag-history";
import { groupListPage, sampledGroupStatuses } from "@/server/services/group-list-page";
import { topicRateHistory, topicTrends } from "@/server/services/topic-rates";

/**
 * The views over a real lag-history database (SQLite in memory) holding
 * recorded cycles: the groups list over 10,000 groups, a day of a group's lag
 * cut to at most 1,000 points, and a topic's production rate.
 */
const INTERVAL_MS = 30_000;
const NOW_MS = 1_800_000_000_000;
const noCluster = null as never; // the views read the samples only; a live read would fail loudly

describe("lag views over the sample store", () => {
  let store: LagHistoryStore;
  let source: LagHistorySource;

  before(() => {
    store = LagHistoryStore.open(":memory:", NOW_MS - 86_400_000);
    const history = store.cluster();
    source = { reader: history, sampleIntervalMs: INTERVAL_MS };
    // A day of cycles for "orders" (2 partitions, 10 records/s each) and its consumer "billing", 5 records/s behind per partition.
    const cycles = 86_400_000 / INTERVAL_MS;
    for (let c = 0; c <= cycles; c++) {
      const atMs = NOW_MS - (cycles - c) * INTERVAL_MS;
      const end = c * 300;
      const committed = c * 150;
      const last = c === cycles;
      history.recordCycle({
        startedAtMs: atMs - 10,
        atMs,
        durationMs: 10,
        requests: 3,
        groups: [
          { groupId: "billing", state: "Stable", protocolType: "consumer", committed: [0, 1].map((partition) => ({ topic: "orders", partition, offset: committed })) },
          // The newest cycle lists 10,000 more groups, each 1 record behind times its number.
          ...(last
            ? Array.from({ length: 10_000 }, (_, i) => ({
                groupId: `g-${String(i).padStart(5, "0")}`,
                state: "Empty",
                protocolType: "consumer",
                committed: [{ topic: "orders", partition: 0, offset: end - i }],
              }))
            : []),
        ],
        logOffsets: [0, 1].map((partition) => ({ topic: "orders", partition, logStart: 0, logEnd: end })),
      });
    }
  });
  after(() => store?.close());

  it("the groups list covers all 10,001 groups: paged, sorted by lag, filtered by name, totals over all", async () => {
    const page = await groupListPage(groupListQuerySchema.parse({ sort: "lag", dir: "desc" }), noCluster, source, NOW_MS);
    assert.equal(page.source, "samples");
    assert.equal(page.statusesCurrent, false, "10,001 groups are judged in the background, not within the request");
    assert.equal(page.covered, 10_001);
    assert.equal(page.groups.length, 100);
    assert.equal(page.sampledAtMs, NOW_MS);
    assert.equal(page.groups[0].groupId, "billing");
    assert.equal(page.groups[1].groupId, "g-09999");
    assert.equal(page.groups[1].lag, 9_999);
    assert.equal(page.coveredLag, (9_999 * 10_000) / 2 + page.groups[0].lag!);
    const named = await groupListPage(groupListQuerySchema.parse({ q: "g-0999" }), noCluster, source, NOW_MS);
    assert.equal(named.matching, 10);
  });

  it("statuses are judged for every group, in the background past 500 groups: billing falls behind while committing (WARNING), sorted worst first", async () => {
    const query = groupListQuerySchema.parse({ sort: "status", dir: "desc" });
    let page = await groupListPage(query, noCluster, source, NOW_MS);
    while (!page.statusesCurrent) {
      await new Promise((r) => setTimeout(r, 50)); // the request did not wait for 10,001 windows to be read
      page = await groupListPage(query, noCluster, source, NOW_MS);
    }
    assert.equal(page.groups[0].groupId, "billing");
    assert.equal(page.groups[0].status, "WARNING");
    assert.match(page.groups[0].statusReason!, /lag grew/);
    // One sample each: not judged yet, OK.
    assert.equal(page.statusCounts.OK, 10_000);
    const warned = await groupListPage(groupListQuerySchema.parse({ status: "WARNING" }), noCluster, source, NOW_MS);
    assert.deepEqual(warned.groups.map((g) => g.groupId), ["billing"]);
  });

  it("filtered to one topic, the list has the groups committing on it, each row's partitions, lag and status over that topic alone (the topic's Consumers tab)", async () => {
    const small = LagHistoryStore.open(":memory:", NOW_MS);
    try {
      const history = small.cluster();
      for (const [i, atMs] of [NOW_MS - INTERVAL_MS, NOW_MS].entries())
        history.recordCycle({
          startedAtMs: atMs - 10,
          atMs,
          durationMs: 10,
          requests: 3,
          groups: [
            { groupId: "both", state: "Stable", protocolType: "consumer", committed: [{ topic: "x", partition: 0, offset: 1 }, { topic: "x", partition: 1, offset: 2 }, { topic: "y", partition: 0, offset: 0 }] },
            { groupId: "only-y", state: "Stable", protocolType: "consumer", committed: [{ topic: "y", partition: 0, offset: 10 + i }] },
          ],
          logOffsets: [
            { topic: "x", partition: 0, logStart: 0, logEnd: 5 },
            { topic: "x", partition: 1, logStart: 0, logEnd: 5 },
            { topic: "y", partition: 0, logStart: 0, logEnd: 100 + i * 10 },
          ],
        });
      const page = await groupListPage(groupListQuerySchema.parse({ topic: "x", sort: "lag", dir: "desc" }), noCluster, { reader: history, sampleIntervalMs: INTERVAL_MS }, NOW_MS);
      assert.equal(page.source, "samples");
      assert.deepEqual(
        page.groups.map((g) => [g.groupId, g.topics, g.partitions, g.lag]),
        [["both", ["x"], 2, 7]],
      );
      assert.equal(page.covered, 1);
      assert.equal(page.coveredLag, 7, "the total is the lag on x, not the group's 100 more on y");
      const onY = await groupListPage(groupListQuerySchema.parse({ topic: "y", sort: "lag", dir: "desc" }), noCluster, { reader: history, sampleIntervalMs: INTERVAL_MS }, NOW_MS);
      assert.deepEqual(
        onY.groups.map((g) => [g.groupId, g.lag]),
        [
          ["both", 110],
          ["only-y", 99],
        ],
      );
      assert.ok(onY.groups.every((g) => g.status !== null), "each row has its status on the topic");
    } finally {
      small.close();
    }
  });

  it("a live group's partition that no member holds is STOPPED, one a member holds and does not move is STALLED (the sampled assignment)", async () => {
    const small = LagHistoryStore.open(":memory:", NOW_MS);
    try {
      const history = small.cluster();
      const member = { memberId: "m-1", clientId: "c-1", host: "/127.0.0.1", assignments: [{ topic: "x", partitions: [0] }] };
      for (let i = 0; i <= 12; i++) {
        const atMs = NOW_MS - (12 - i) * INTERVAL_MS;
        history.recordCycle({
          startedAtMs: atMs - 10,
          atMs,
          durationMs: 10,
          requests: 3,
          groups: [{ groupId: "stuck", state: "Stable", protocolType: "consumer", committed: [0, 1].map((partition) => ({ topic: "x", partition, offset: 5 })), members: [member] }],
          logOffsets: [0, 1].map((partition) => ({ topic: "x", partition, logStart: 0, logEnd: 10 + i * 10 })),
        });
      }
      const page = await groupListPage(groupListQuerySchema.parse({ topic: "x" }), noCluster, { reader: history, sampleIntervalMs: INTERVAL_MS }, NOW_MS);
      const judged = sampledGroupStatuses({ reader: history, sampleIntervalMs: INTERVAL_MS }, NOW_MS)!;
      assert.deepEqual(
        judged.byGroup.get("stuck")!.partitions.map((p) => [p.partition, p.status]),
        [
          [0, "STALLED"],
          [1, "STOPPED"],
        ],
      );
      assert.equal(page.groups[0].status, "STOPPED", "the worst of its partitions");
    } finally {
      small.close();
    }
  });

  it("a newest cycle that lists no group is an empty list, not the groups of the cycle before", async () => {
    const empty = LagHistoryStore.open(":memory:", NOW_MS);
    try {
      const history = empty.cluster();
      const base = { durationMs: 1, requests: 1, logOffsets: [{ topic: "t", partition: 0, logStart: 0, logEnd: 5 }] };
      history.recordCycle({ ...base, startedAtMs: NOW_MS - 2_000, atMs: NOW_MS - 2_000, groups: [{ groupId: "gone", state: "Empty", protocolType: "consumer", committed: [{ topic: "t", partition: 0, offset: 1 }] }] });
      history.recordCycle({ ...base, startedAtMs: NOW_MS - 1_000, atMs: NOW_MS - 1_000, groups: [] });
      const page = await groupListPage(groupListQuerySchema.parse({}), noCluster, { reader: history, sampleIntervalMs: 1_000 }, NOW_MS);
      assert.deepEqual([page.source, page.covered, page.sampledAtMs], ["samples", 0, NOW_MS - 1_000]);
    } finally {
      empty.close();
    }
  });

  it("a day of a group's lag is at most 1,000 points per series, with consumption against production", () => {
    const day = groupLagHistory("billing", groupLagQuerySchema.parse({ range: "1d", by: "partition" }), source, NOW_MS);
    assert.ok(day.times.length <= SERIES_POINTS_MAX, `${day.times.length} points`);
    assert.ok(day.stepMs >= INTERVAL_MS);
    assert.deepEqual(day.series.map((s) => s.label), ["orders/0", "orders/1"]);
    for (const s of day.series) assert.ok(s.lag.length === day.times.length);
    const latest = (values: Array<number | null>) => values.filter((v) => v !== null).at(-1);
    assert.equal(latest(day.series[0].lag), (2880 * 300) / 2);
    assert.equal(latest(day.producedPerSec), 20);
    assert.equal(latest(day.consumedPerSec), 10);
    const hour = groupLagHistory("billing", groupLagQuerySchema.parse({ range: "1h" }), source, NOW_MS);
    assert.equal(hour.stepMs, INTERVAL_MS);
    assert.equal(hour.samples, 2 * 121);
  });

  it("a topic's production rate over time and its trend for the list", () => {
    const rate = topicRateHistory("orders", "1h", source, NOW_MS);
    assert.equal(rate.producedPerSec.filter((v) => v !== null).at(-1), 20);
    const trends = topicTrends(["orders", "unknown"], source, NOW_MS);
    assert.equal(trends.orders.trend.length <= 30, true);
    assert.equal(trends.orders.ratePerSec, 20);
    assert.deepEqual(trends.unknown, { trend: trends.unknown.trend.map(() => null), ratePerSec: null, consumers: { groups: 0, lag: 0, timeLagMs: null, named: [] } });
    // Its consumers over every sampled group, not the first 200 a live read describes.
    const consumers = trends.orders.consumers!;
    assert.equal(consumers.groups, 10_001);
    assert.equal(consumers.lag, 2 * 2_880 * 150 + (9_999 * 10_000) / 2);
    assert.equal(consumers.named.length, 10);
    assert.deepEqual(consumers.named.slice(0, 2), [
      { groupId: "billing", lag: 2 * 2_880 * 150 },
      { groupId: "g-09999", lag: 9_999 },
    ]);
  });
});
