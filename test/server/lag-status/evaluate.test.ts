import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { evaluateGroup, evaluatePartition, type LagSample } from "@/server/lag-status/evaluate";

const WINDOW_MS = 100_000;
const NOW_MS = 1_000_000;

/** Ten samples 10 s apart ending at NOW_MS, from [committed, logEnd] pairs. */
function samples(...pairs: Array<[number | null, number | null]>): LagSample[] {
  return pairs.map(([committed, logEnd], i) => ({ atMs: NOW_MS - (pairs.length - 1 - i) * 10_000, committed, logEnd }));
}
const judge = (s: LagSample[], consumerActive: boolean | null = null) => evaluatePartition(s, { nowMs: NOW_MS, windowMs: WINDOW_MS, consumerActive });

describe("lag status evaluator (Burrow's rules over sampled offsets)", () => {
  it("OK when caught up at the latest sample, whatever happened before", () => {
    const status = judge(samples([10, 50], [10, 60], [5, 60], [60, 60]));
    assert.equal(status.status, "OK");
    assert.match(status.reason, /caught up/);
  });

  it("OK when lag was zero somewhere in the window (Burrow's first rule)", () => {
    const status = judge(samples([10, 10], [10, 20], [20, 30], [30, 40], [40, 60], [50, 80]));
    assert.equal(status.status, "OK");
    assert.match(status.reason, /lag was 0/);
  });

  it("REWIND when the committed offset moves back, even with few samples", () => {
    const status = judge(samples([100, 120], [40, 130]));
    assert.equal(status.status, "REWIND");
    assert.match(status.reason, /from 100 to 40/);
  });

  it("REWIND outranks a window where lag was zero before the reset", () => {
    assert.equal(judge(samples([100, 100], [100, 100], [0, 100])).status, "REWIND");
  });

  it("not judged (OK, incomplete) with too few samples or too short a span", () => {
    const few = judge(samples([10, 50], [10, 60]));
    assert.deepEqual([few.status, few.complete], ["OK", false]);
    const short = evaluatePartition(
      [0, 1, 2, 3].map((i) => ({ atMs: NOW_MS - i * 1_000, committed: 10, logEnd: 50 })),
      { nowMs: NOW_MS, windowMs: WINDOW_MS },
    );
    assert.deepEqual([short.status, short.complete], ["OK", false]);
  });

  it("STOPPED when the offset has not moved over the window, there is lag, and no member holds the partition", () => {
    const status = judge(samples([10, 50], [10, 50], [10, 60], [10, 60], [10, 70], [10, 70]), false);
    assert.equal(status.status, "STOPPED");
    assert.match(status.reason, /stayed at 10 for 50 s/);
    assert.match(status.reason, /no member/);
  });

  it("STOPPED counts the time unchanged from samples older than the window", () => {
    const old: LagSample[] = [{ atMs: NOW_MS - 500_000, committed: 10, logEnd: 40 }];
    const status = judge([...old, ...samples([10, 50], [10, 50], [10, 60], [10, 60], [10, 70], [10, 70])], null);
    assert.equal(status.status, "STOPPED");
    assert.match(status.reason, /for 500 s/);
  });

  it("STALLED when the offset has not moved over the window with lag while a member holds the partition", () => {
    const status = judge(samples([10, 50], [10, 50], [10, 60], [10, 60], [10, 70], [10, 70]), true);
    assert.equal(status.status, "STALLED");
    assert.match(status.reason, /member of the group holds/);
  });

  it("WARNING when the consumer commits but its lag only grows", () => {
    const status = judge(samples([10, 50], [20, 70], [30, 90], [40, 100], [50, 120], [60, 150]));
    assert.equal(status.status, "WARNING");
    assert.match(status.reason, /grew from 40 to 90/);
  });

  it("OK when the consumer commits and its lag shrinks somewhere in the window", () => {
    assert.equal(judge(samples([10, 50], [20, 70], [50, 80], [60, 100], [70, 120])).status, "OK");
  });

  it("OK, not WARNING, when lag stays level while the consumer commits", () => {
    assert.equal(judge(samples([10, 50], [20, 60], [30, 70], [40, 80], [50, 90], [60, 100])).status, "OK");
  });

  it("samples without a commit or an end offset are ignored; samples after now are not seen", () => {
    const status = judge([...samples([null, 50], [10, null]), { atMs: NOW_MS + 10_000, committed: 0, logEnd: 5 }]);
    assert.equal(status.status, "OK");
    assert.equal(status.complete, false);
  });

  it("a group's status is its worst partition's, naming it", () => {
    const group = evaluateGroup([
      { topic: "a", partition: 0, status: "OK", reason: "fine", complete: true },
      { topic: "a", partition: 1, status: "STALLED", reason: "stuck", complete: true },
      { topic: "b", partition: 0, status: "WARNING", reason: "slow", complete: true },
      { topic: "b", partition: 1, status: "STALLED", reason: "stuck too", complete: true },
    ]);
    assert.equal(group.status, "STALLED");
    assert.deepEqual(group.worst, { topic: "a", partition: 1 });
    assert.match(group.reason, /^a\/1 \(and 1 more partition\): stuck/);
    assert.equal(evaluateGroup([]).status, "OK");
    assert.equal(evaluateGroup([{ topic: "a", partition: 0, status: "OK", reason: "", complete: true }]).reason, "all 1 partition OK");
  });
});
