import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatTimeLag } from "@/lib/format";
import { estimateTimeLagMs, type EndOffsetPoint } from "@/lib/lag";
import { InMemoryEndOffsetHistory } from "@/server/lag-time/end-offset-history";

const NOW = 1_000_000_000;
/** Readings a minute apart, ending now: the end was 100 two minutes ago, 160 one minute ago, 220 now. */
const points: EndOffsetPoint[] = [
  { timeMs: NOW - 120_000, endOffset: 100 },
  { timeMs: NOW - 60_000, endOffset: 160 },
  { timeMs: NOW, endOffset: 220 },
];

describe("estimateTimeLagMs (interpolating earlier end-offset readings)", () => {
  it("places a commit between two readings in proportion to the offsets between them", () => {
    assert.equal(estimateTimeLagMs(points, 130, NOW), 90_000, "halfway between 100 and 160");
    assert.equal(estimateTimeLagMs(points, 160, NOW), 60_000, "exactly a reading");
    assert.equal(estimateTimeLagMs(points, 205, NOW), 15_000);
    assert.equal(estimateTimeLagMs(points, 100, NOW + 5_000), 125_000, "counted from now, not from the newest reading");
  });

  it("is 0 at or past the newest end offset", () => {
    assert.equal(estimateTimeLagMs(points, 220, NOW), 0);
    assert.equal(estimateTimeLagMs(points, 500, NOW), 0);
  });

  it("extrapolates a commit older than every reading at the average production rate", () => {
    // 120 records in 120 s: offset 40 was at the end 60 s before the oldest reading.
    assert.equal(estimateTimeLagMs(points, 40, NOW), 180_000);
  });

  it("takes the last reading before the end moved when it stood still", () => {
    const still: EndOffsetPoint[] = [
      { timeMs: NOW - 300_000, endOffset: 50 },
      { timeMs: NOW - 100_000, endOffset: 50 },
      { timeMs: NOW, endOffset: 150 },
    ];
    assert.equal(estimateTimeLagMs(still, 50, NOW), 100_000, "offset 50 was written after the end was last seen at 50");
  });

  it("is unknown when the readings cannot place the commit", () => {
    assert.equal(estimateTimeLagMs([], 10, NOW), null, "no readings");
    assert.equal(estimateTimeLagMs([{ timeMs: NOW, endOffset: 100 }], 10, NOW), null, "one reading");
    assert.equal(estimateTimeLagMs([{ timeMs: NOW - 1_000, endOffset: 100 }, { timeMs: NOW, endOffset: 100 }], 10, NOW), null, "nothing produced between them");
  });
});

describe("InMemoryEndOffsetHistory", () => {
  it("keeps a bounded number of readings per partition, oldest first", () => {
    const history = new InMemoryEndOffsetHistory(3, 10, 0);
    for (let i = 0; i < 5; i++) history.record("t", 0, i * 10, i * 1_000);
    assert.deepEqual(history.points("t", 0), [
      { timeMs: 2_000, endOffset: 20 },
      { timeMs: 3_000, endOffset: 30 },
      { timeMs: 4_000, endOffset: 40 },
    ]);
    assert.deepEqual(history.points("t", 1), []);
  });

  it("keeps a bounded number of partitions, forgetting the one read longest ago", () => {
    const history = new InMemoryEndOffsetHistory(3, 2, 0);
    history.record("t", 0, 1, 1);
    history.record("t", 1, 1, 1);
    history.record("t", 0, 2, 2); // read again: now the most recent
    history.record("t", 2, 1, 1);
    assert.equal(history.partitionCount, 2);
    assert.equal(history.points("t", 1).length, 0, "partition 1 was read longest ago");
    assert.equal(history.points("t", 0).length, 2);
  });

  it("lets a reading closer than the spacing replace the newest instead of piling up", () => {
    const history = new InMemoryEndOffsetHistory(10, 10, 10_000);
    history.record("t", 0, 0, 0);
    history.record("t", 0, 5, 1_000);
    history.record("t", 0, 9, 2_000);
    assert.deepEqual(history.points("t", 0), [
      { timeMs: 0, endOffset: 0 },
      { timeMs: 2_000, endOffset: 9 },
    ]);
  });

  it("starts over when the end offset goes backwards (topic created again)", () => {
    const history = new InMemoryEndOffsetHistory(10, 10, 0);
    history.record("t", 0, 100, 1_000);
    history.record("t", 0, 3, 2_000);
    assert.deepEqual(history.points("t", 0), [{ timeMs: 2_000, endOffset: 3 }]);
  });
});

describe("formatTimeLag", () => {
  it("shows whole seconds in at most two units", () => {
    assert.equal(formatTimeLag(0), "0 s");
    assert.equal(formatTimeLag(400), "< 1 s");
    assert.equal(formatTimeLag(1_499), "1 s");
    assert.equal(formatTimeLag(200_000), "3 min 20 s");
    assert.equal(formatTimeLag(5_400_000), "1 h 30 min");
    assert.equal(formatTimeLag(90_061_001), "1 d 1 h");
  });

  it("marks an estimate and shows unknown as a dash", () => {
    assert.equal(formatTimeLag(120_000, true), "≈ 2 min");
    assert.equal(formatTimeLag(90_061_001, true), "≈ 1 d 1 h");
    assert.equal(formatTimeLag(null), "–");
    assert.equal(formatTimeLag(null, true), "–");
  });
});
