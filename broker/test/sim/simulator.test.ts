import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runSimulation, type SimResult } from "../../sim/run";

/** Seeds per `npm test` run (a few hundred, about a minute); SIM_SEEDS and SIM_FROM pick others. */
const SEEDS = Number(process.env.SIM_SEEDS ?? 250);
const FROM = Number(process.env.SIM_FROM ?? 1);
/** Virtual time per seed: shorter than `npm run simulate`'s, so that many seeds fit in the suite. */
const DURATION_MS = 10_000;

function report(result: SimResult): string {
  return [
    `seed ${result.seed} failed: ${result.failure}`,
    "last trace lines:",
    ...result.traceTail.map((line) => `  ${line}`),
    `replay: SEED=${result.seed} npm run simulate -- --duration ${DURATION_MS}`,
  ].join("\n");
}

describe("deterministic simulation of one node", () => {
  it("replays a seed exactly: the same seed gives the same event trace hash, another seed another", async () => {
    const first = await runSimulation({ seed: 7, durationMs: DURATION_MS });
    const again = await runSimulation({ seed: 7, durationMs: DURATION_MS });
    const other = await runSimulation({ seed: 8, durationMs: DURATION_MS });
    assert.equal(first.failure, null, report(first));
    assert.equal(again.traceHash, first.traceHash);
    assert.deepEqual(again.stats, first.stats);
    assert.notEqual(other.traceHash, first.traceHash);
    // The run did something worth replaying: records acknowledged and read back, and the node crashed at least once.
    assert.ok(first.stats.ackedRecords > 0 && first.stats.recordsRead > 0, JSON.stringify(first.stats));
    assert.ok(first.stats.crashes > 0, JSON.stringify(first.stats));
  });

  it(`keeps every invariant over ${SEEDS} seeds of crashes, torn writes, resets, partitions and clock jumps`, async () => {
    const failures: string[] = [];
    let crashes = 0;
    let acked = 0;
    for (let seed = FROM; seed < FROM + SEEDS; seed++) {
      const result = await runSimulation({ seed, durationMs: DURATION_MS });
      crashes += result.stats.crashes;
      acked += result.stats.ackedRecords;
      if (result.failure) failures.push(report(result));
    }
    assert.deepEqual(failures, [], failures.join("\n\n"));
    // The seeds exercised what they claim to: many crashes, many acknowledged records.
    assert.ok(crashes >= SEEDS, `only ${crashes} crashes over ${SEEDS} seeds`);
    assert.ok(acked >= SEEDS * 50, `only ${acked} acknowledged records over ${SEEDS} seeds`);
  });
});
