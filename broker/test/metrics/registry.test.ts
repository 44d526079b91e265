import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { quorumViewOf, type RaftStateSource } from "../../src/metrics/node-metrics";
import { MetricsRegistry } from "../../src/metrics/registry";
import type { RaftNode } from "../../src/raft/raft-node";
import { WindowedSummary } from "../../src/metrics/summary";
import { parseExposition, valueOf } from "../helpers/exposition";

describe("MetricsRegistry", () => {
  test("renders counters, gauges and summaries in the text format, label values escaped", () => {
    let nowMs = 0;
    const registry = new MetricsRegistry(() => nowMs);
    const requests = registry.counter("requests_total", "Requests\nserved", ["request"]);
    requests.child(['a "quoted"\\name\nwith a newline']).inc(2);
    requests.child([], []).inc(5);
    registry.gauge("open", "Open things", ["kind"], (emit) => {
      emit(["x"], 1.5);
      emit(["y"], NaN);
    });
    const time = registry.summary("time_ms", "Time", ["request"], [[0.5, "0.50"], [0.99, "0.99"]], 60_000).child(["Produce"]);
    for (let i = 1; i <= 100; i++) time.observe(i, (nowMs += 1));
    const text = registry.render();
    const { samples, types } = parseExposition(text);
    assert.deepEqual([...types], [["requests_total", "counter"], ["open", "gauge"], ["time_ms", "summary"]]);
    assert.ok(text.includes("# HELP requests_total Requests\\nserved\n"));
    assert.equal(valueOf(samples, "requests_total", { request: 'a "quoted"\\name\nwith a newline' }), 2);
    assert.equal(valueOf(samples, "requests_total"), 5, "the series without labels");
    assert.equal(valueOf(samples, "open", { kind: "x" }), 1.5);
    assert.ok(Number.isNaN(valueOf(samples, "open", { kind: "y" })!));
    assert.equal(valueOf(samples, "time_ms_count", { request: "Produce" }), 100);
    assert.equal(valueOf(samples, "time_ms_sum", { request: "Produce" }), 5050);
    const median = valueOf(samples, "time_ms", { request: "Produce", quantile: "0.50" })!;
    assert.ok(median >= 50 && median <= 50 * 1.1, `median ${median}`);
  });

  test("refuses names the format does not allow, and a name registered twice", () => {
    const registry = new MetricsRegistry(() => 0);
    assert.throws(() => registry.counter("bad-name", "x"), /not a metric name/);
    assert.throws(() => registry.counter("ok", "x", ["__reserved"]), /not a label name/);
    registry.counter("twice", "x");
    assert.throws(() => registry.counter("twice", "x"), /registered twice/);
  });

  test("a gauge whose reading throws is left out of the scrape, which still succeeds", () => {
    const registry = new MetricsRegistry(() => 0);
    registry.gauge("broken", "x", [], () => {
      throw new Error("no image yet");
    });
    registry.counter("fine_total", "x").child().inc();
    const { samples } = parseExposition(registry.render());
    assert.equal(valueOf(samples, "fine_total"), 1);
    assert.equal(valueOf(samples, "broken"), undefined);
  });
});

describe("WindowedSummary", () => {
  test("estimates quantiles within 9% and forgets observations two windows old", () => {
    const summary = new WindowedSummary(1000);
    for (let i = 1; i <= 1000; i++) summary.observe(i / 10, 0);
    const [p50, p99, p999] = summary.quantiles([0.5, 0.99, 0.999], 0);
    for (const [estimate, truth] of [[p50, 50], [p99, 99], [p999, 99.9]])
      assert.ok(estimate >= truth && estimate <= truth * 1.09, `${estimate} for ${truth}`);
    // One window later the old observations still count; two later they are gone, the count and sum stay.
    assert.ok(summary.quantiles([0.5], 1500)[0] > 0);
    assert.deepEqual(summary.quantiles([0.5, 0.99], 2500), [0, 0]);
    assert.equal(summary.count, 1000);
    summary.observe(7, 2600);
    const [only] = summary.quantiles([0.99], 2600);
    assert.ok(only >= 7 && only <= 7 * 1.09, `${only}`);
  });

  test("puts zero and sub-microsecond durations in the first bucket and huge ones in the last", () => {
    const summary = new WindowedSummary(1000);
    summary.observe(0, 0);
    summary.observe(-1, 0);
    summary.observe(1e15, 0);
    const [low, high] = summary.quantiles([0.5, 1], 0);
    assert.equal(low, 0.001);
    assert.ok(high > 1e8);
  });
});

// The quorum's RaftNode can be handed to quorumViewOf as it is (a compile-time check).
const raftNodeIsASource: RaftNode extends RaftStateSource ? true : never = true;

describe("quorumViewOf", () => {
  test("names a Raft node's role as Kafka's current-state does: voted, observer, and the roles as they are", () => {
    const raft = (role: RaftStateSource["role"], isVoter: boolean, votedFor: number): RaftStateSource => ({
      role,
      isVoter,
      votedFor,
      leaderId: role === "leader" ? 1 : -1,
      epoch: 4,
      highWatermark: 10,
      logEndOffset: 12,
    });
    assert.equal(quorumViewOf(raft("unattached", true, 2)).state, "voted");
    assert.equal(quorumViewOf(raft("unattached", true, -1)).state, "unattached");
    assert.equal(quorumViewOf(raft("follower", false, -1)).state, "observer");
    assert.equal(quorumViewOf(raft("follower", true, -1)).state, "follower");
    for (const role of ["prospective", "candidate", "leader", "resigned"] as const) assert.equal(quorumViewOf(raft(role, true, 1)).state, role);
    assert.ok(raftNodeIsASource);
    assert.deepEqual(quorumViewOf(raft("leader", true, 1)), { state: "leader", leaderId: 1, epoch: 4, votedFor: 1, highWatermark: 10, logEndOffset: 12 });
  });
});
