import { ErrorCode } from "@sluice/protocol/errors";
import { parseBrokerConfig } from "../src/config/broker-config";
import { FaultyFileSystem } from "../test/helpers/faulty-fs";
import { Connector, type SimContext } from "./context";
import { clockJumps, networkFaults, nodeFaults, startNode, type FaultRates } from "./faults";
import { InvariantViolation, Invariants } from "./invariants";
import { SimClock, SimLoop } from "./loop";
import { SimNetwork } from "./network";
import { SimNode } from "./node";
import { SimRandom } from "./random";
import { Trace } from "./trace";
import { admin, createTopic, follower, groupMember, producer, verifyAll } from "./workload";

export interface SimOptions {
  seed: number;
  /** Virtual milliseconds of traffic and faults, before the quiet end in which the final checks run. */
  durationMs?: number;
  /** Print every trace line as it happens. */
  echo?: boolean;
}

export interface SimResult {
  seed: number;
  /** Identifies the run: the same seed gives the same hash. */
  traceHash: string;
  /** The broken invariant or the error that ended the run, if any. */
  failure: string | null;
  /** The last trace lines, to read when the run failed. */
  traceTail: string[];
  durable: boolean;
  stats: { virtualMs: number; events: number; traceLines: number; crashes: number; incarnations: number; ackedRecords: number; recordsRead: number; checks: number };
}

const DEFAULT_DURATION_MS = 20_000;
/** After the faults stop: time for the clients to finish and the node to settle, before the final checks. */
const QUIET_MS = 3_000;

/**
 * One simulated run: the node, its clients and the faults, all drawn from
 * `seed`. The run's shape (partitions, durability, which clients, the fault
 * rates, segment size) is drawn first, then everything happens on virtual
 * time. Ends with a final check: a last crash (durable runs), every
 * partition read end to end, and the metadata image replayed from its log.
 */
export async function runSimulation(options: SimOptions): Promise<SimResult> {
  const seed = options.seed;
  const durationMs = options.durationMs ?? DEFAULT_DURATION_MS;
  const random = new SimRandom(seed);
  const loop = new SimLoop();
  const clock = new SimClock(loop);
  const trace = new Trace(() => loop.nowMs, 80, options.echo ?? false);
  const durable = random.chance(0.8);
  const partitions = random.int(1, 3);
  const rates: FaultRates = {
    nodeFaultMeanMs: random.pick([2_000, 5_000, 15_000]),
    networkFaultMeanMs: random.pick([500, 2_000, 10_000]),
    clockJumpMeanMs: random.pick([3_000, 20_000, 1e12]),
  };
  const network = new SimNetwork(loop, random, trace, {
    latencyMsMax: random.pick([1, 5, 30]),
    spikeChance: random.pick([0, 0.01, 0.05]),
    spikeMsMax: random.pick([100, 1_000]),
    splitChance: random.pick([0, 0.1, 0.5]),
  });
  const fs = new FaultyFileSystem({ seed: random.uint32(), clock });
  const config = parseBrokerConfig({
    "node.id": "1",
    listeners: "PLAINTEXT://sim:9092",
    "log.dirs": "/data",
    "offsets.topic.num.partitions": String(random.int(1, 3)),
    "group.initial.rebalance.delay.ms": String(random.pick([0, 300, 3_000])),
    "log.segment.bytes": String(random.pick([1_024, 16_384, 1_073_741_824])),
    ...(durable ? { "log.flush.interval.messages": "1" } : {}),
  });
  const invariants = new Invariants(durable, trace);
  const node = new SimNode(config, fs, loop, clock, network, random, trace);
  let failure: string | null = null;
  let clientsActive = true;
  let faultsActive = true;
  /** The node-fault actor's run: the final checks wait for it, so that no start or stop of its overlaps theirs. */
  let nodeFaultsDone: Promise<void> = Promise.resolve();
  const ctx: SimContext = {
    loop,
    clock,
    random,
    network,
    node,
    trace,
    invariants,
    topic: "data",
    partitions,
    faultsEndMs: durationMs,
    active: () => clientsActive && failure === null,
    faulty: () => faultsActive && loop.nowMs < durationMs && failure === null,
  };
  trace.add("sim", "begin", `seed=${seed} durable=${durable} partitions=${partitions} rates=${JSON.stringify(rates)}`);

  const fail = (error: unknown) => {
    if (failure !== null) return;
    failure = error instanceof InvariantViolation ? `invariant: ${error.message}` : `error: ${(error as Error)?.stack ?? String(error)}`;
    trace.add("sim", "failed", failure.split("\n")[0]);
  };
  const spawn = (name: string, body: () => Promise<void>) => {
    trace.add("sim", "spawn", name);
    body().catch(fail);
  };
  /** Checks made whenever the node serves again after a fault. */
  const afterRestart = async (how: string) => {
    checkMetadataReplay(node, invariants);
    checkExpectedTopics(node, invariants);
    if (durable && how !== "restart") await verifyAll(ctx, `after ${how}`);
  };

  const main = async () => {
    await startNode(ctx);
    // The data topic first: the clients have nothing to do before it exists.
    const setup = new Connector(ctx, "setup");
    for (;;) {
      const code = await createTopic(setup, ctx.topic, partitions, {});
      if (code === ErrorCode.NONE || code === ErrorCode.TOPIC_ALREADY_EXISTS) break;
      await loop.sleep(100);
    }
    setup.close();
    const producers = random.int(1, 3);
    for (let i = 0; i < producers; i++) {
      const options = { idempotent: random.chance(0.6), acks: random.pick([0, 1, -1] as const) };
      spawn(`producer-${i} idempotent=${options.idempotent} acks=${options.acks}`, () => producer(ctx, `producer-${i}`, options));
    }
    spawn("follower", () => follower(ctx, "follower"));
    const members = random.int(0, 3);
    for (let i = 0; i < members; i++) spawn(`member-${i}`, () => groupMember(ctx, "group-a", `member-${i}`));
    if (random.chance(0.5)) spawn("admin", () => admin(ctx, "admin"));
    spawn("node faults", () => (nodeFaultsDone = nodeFaults(ctx, rates, afterRestart)));
    spawn("network faults", () => networkFaults(ctx, rates));
    spawn("clock jumps", () => clockJumps(ctx, rates));
  };
  main().catch(fail);

  await loop.run(durationMs, () => failure !== null).catch(fail);
  faultsActive = false;
  network.partitionedUntilMs = 0;
  clientsActive = false;
  trace.add("sim", "quiet");
  await loop.run(durationMs + QUIET_MS, () => failure !== null).catch(fail);

  if (failure === null) {
    const final = async () => {
      // Wait out a fault still under way at the very end (a clean stop waits up to its grace period).
      await nodeFaultsDone;
      if (!node.up) await startNode(ctx);
      if (!node.up) throw new Error("the node did not come back up");
      if (durable) {
        node.crash(true);
        invariants.crashed();
        await startNode(ctx);
      }
      checkMetadataReplay(node, invariants);
      checkExpectedTopics(node, invariants);
      if (!(await verifyAll(ctx, "final"))) throw new Error("the final read of every partition did not complete");
      const unexpected = node.broker?.unexpectedErrors.total ?? 0;
      if (unexpected > 0) throw new Error(`the node contained ${unexpected} unexpected errors (bugs) in its last incarnation`);
      await node.stopGracefully();
    };
    let finished = false;
    final().then(() => (finished = true), fail);
    await loop.run(durationMs + QUIET_MS + 60_000, () => failure !== null || finished).catch(fail);
    if (!finished && failure === null) failure = "error: the final checks did not finish within a virtual minute";
  }
  trace.add("sim", "end", failure === null ? "ok" : "failed");
  return {
    seed,
    traceHash: trace.digest(),
    failure,
    traceTail: trace.lastLines(),
    durable,
    stats: {
      virtualMs: loop.nowMs,
      events: loop.eventsRun,
      traceLines: trace.lines,
      crashes: node.crashes,
      incarnations: node.incarnations,
      ackedRecords: invariants.ackedRecords,
      recordsRead: invariants.recordsRead,
      checks: invariants.checks,
    },
  };
}

function checkMetadataReplay(node: SimNode, invariants: Invariants): void {
  const difference = node.metadataReplayDiffers();
  invariants.checks++;
  if (difference !== null) invariants.fail(`the metadata image differs from a replay of the metadata log:\n${difference}`);
}

function checkExpectedTopics(node: SimNode, invariants: Invariants): void {
  const image = node.image();
  if (!image) return;
  for (const [topic, expected] of invariants.expectedTopics) {
    invariants.checks++;
    const present = image.topicsByName.has(topic);
    if (present !== (expected === "present")) invariants.fail(`topic ${topic}: its ${expected === "present" ? "creation" : "deletion"} was acknowledged, but after a restart it is ${present ? "present" : "absent"}`);
  }
}
