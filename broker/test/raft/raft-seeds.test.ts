import assert from "node:assert/strict";
import { test } from "node:test";
import { SimCluster } from "./sim-cluster";

/**
 * Random runs of 3- and 5-node quorums under a hostile network and crashes,
 * with Raft's safety invariants checked after every step (sim-cluster.ts)
 * and liveness checked at the end: once the network heals and every node
 * is back, a leader is elected and new appends commit everywhere.
 * SEED=n replays one seed; RAFT_SEEDS=n sets how many run, from RAFT_SEED_START (1).
 */

const SEEDS = Number(process.env.RAFT_SEEDS ?? 300);
/** The first seed of the run (RAFT_SEED_START=301 RAFT_SEEDS=1000 goes beyond what CI runs). */
const FIRST_SEED = Number(process.env.RAFT_SEED_START ?? 1);
const ONLY_SEED = process.env.SEED === undefined ? null : Number(process.env.SEED);

function runSeed(seed: number): { committed: number; epochs: number; delivered: number; traceHash: number; snapshotsFetched: number } {
  const voterCount = seed % 2 === 0 ? 3 : 5;
  const voters = Array.from({ length: voterCount }, (_, i) => i + 1);
  const observers = seed % 3 === 0 ? [voterCount + 1] : [];
  // One seed in three runs with short timeouts: many more elections, the ground where epoch bugs show.
  const hurried = seed % 3 === 1;
  const config = hurried ? { electionTimeoutMs: 150, fetchTimeoutMs: 300, requestTimeoutMs: 100, fetchBackoffMs: 20 } : {};
  const cluster = new SimCluster(seed, voters, observers, config);
  const random = cluster.random;
  cluster.faults = { dropRate: random() * 0.2, duplicateRate: random() * 0.1, minDelayMs: 1, maxDelayMs: 5 + Math.floor(random() * 80) };
  const down = new Set<number>();
  const all = [...voters, ...observers];
  // Eight seconds of chaos, one decision every 100 ms.
  for (let step = 0; step < 80; step++) {
    const roll = random();
    if (roll < 0.4) cluster.appendAtLeader();
    else if (roll < 0.47 && down.size < Math.floor((voterCount - 1) / 2) + 1) {
      const victim = all[Math.floor(random() * all.length)];
      if (!down.has(victim)) {
        cluster.crash(victim);
        down.add(victim);
      }
    } else if (roll < 0.55 && down.size > 0) {
      const back = [...down][Math.floor(random() * down.size)];
      down.delete(back);
      cluster.start(back);
    } else if (roll < 0.6) {
      const side = all.filter(() => random() < 0.4);
      cluster.partition(side);
    } else if (roll < 0.65) cluster.heal();
    else if (roll < 0.7) {
      const running = cluster.running();
      if (running.length > 0) cluster.snapshot(running[Math.floor(random() * running.length)].id);
    }
    cluster.run(100);
  }
  // Calm: everyone back, the network whole; the quorum must recover and commit.
  cluster.heal();
  cluster.faults = { dropRate: 0, duplicateRate: 0, minDelayMs: 1, maxDelayMs: 5 };
  for (const id of down) cluster.start(id);
  cluster.run(8000);
  const leader = cluster.leader();
  assert.ok(leader, `seed ${seed}: no leader after the network healed: ${cluster.describe()}`);
  assert.ok(cluster.appendAtLeader(1), `seed ${seed}: no leader to append at`);
  const target = leader.highWatermark;
  cluster.run(3000);
  const finalLeader = cluster.leader();
  assert.ok(finalLeader && finalLeader.highWatermark > target, `seed ${seed}: the final append did not commit`);
  for (const sim of cluster.running()) {
    assert.equal(sim.raft?.highWatermark, finalLeader.highWatermark, `seed ${seed}: node ${sim.id} did not catch up to the high watermark: ${cluster.describe()}`);
  }
  cluster.checkAppliedPrefixes();
  return { committed: cluster.committed.size, epochs: cluster.leaders.size, delivered: cluster.delivered, traceHash: cluster.traceHash, snapshotsFetched: cluster.snapshotsFetched };
}

test(`raft: ${ONLY_SEED === null ? SEEDS : 1} random seeds keep Raft's invariants and recover once healed`, () => {
  const seeds = ONLY_SEED === null ? Array.from({ length: SEEDS }, (_, i) => i + FIRST_SEED) : [ONLY_SEED];
  let committed = 0;
  let epochs = 0;
  let delivered = 0;
  let snapshotsFetched = 0;
  const started = performance.now();
  for (const seed of seeds) {
    const result = runSeed(seed);
    committed += result.committed;
    epochs += result.epochs;
    delivered += result.delivered;
    snapshotsFetched += result.snapshotsFetched;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`raft seeds: ${seeds.length} seeds in ${seconds.toFixed(1)} s; ${committed} committed batches, ${epochs} leader epochs, ${delivered} messages delivered, ${snapshotsFetched} snapshots fetched; no invariant broken`);
});

test("raft: a seed replays exactly (same trace hash)", () => {
  for (const seed of [4, 7]) assert.deepEqual(runSeed(seed), runSeed(seed));
});
