import type { SimContext } from "./context";

export interface FaultRates {
  /** Mean virtual time between node faults (crash, power cut, clean restart). */
  nodeFaultMeanMs: number;
  /** Mean virtual time between network faults (a reset, or a partition). */
  networkFaultMeanMs: number;
  /** Mean virtual time between clock jumps. */
  clockJumpMeanMs: number;
}

/** Things that happen to the node (crash, power cut mid-operation, clean restart); `afterRestart` runs once it serves again. */
export async function nodeFaults(ctx: SimContext, rates: FaultRates, afterRestart: (how: string) => Promise<void>): Promise<void> {
  const { loop, random, node, trace } = ctx;
  while (ctx.faulty()) {
    await loop.sleep(untilFaultsEnd(ctx, random.exponential(rates.nodeFaultMeanMs)));
    if (!ctx.faulty() || !node.up) continue;
    const kind = random.pick(["crash", "crash-torn", "power-cut", "power-cut-in-recovery", "restart"] as const);
    trace.add("fault", kind);
    if (kind === "restart") await node.stopGracefully();
    else if (kind === "power-cut") {
      // The power goes after a few more disk writes: mid-append, mid-roll, mid-flush.
      node.fs.cutPowerAfter(random.int(0, 40));
      await loop.sleep(random.int(1, 200));
      node.crash(true);
    } else node.crash(kind === "crash-torn" || kind === "power-cut-in-recovery");
    ctx.invariants.crashed();
    await loop.sleep(random.int(5, 500));
    if (kind === "power-cut-in-recovery") {
      // The power goes again while the node recovers its logs.
      node.fs.cutPowerAfter(random.int(0, 60));
      await startNode(ctx);
      await loop.sleep(random.int(0, 5));
      if (node.fs.isPowerCut || !node.up) {
        trace.add("fault", "crash-in-recovery");
        node.crash(true);
        ctx.invariants.crashed();
        await loop.sleep(random.int(5, 100));
      } else node.fs.cutPowerAfter(Number.MAX_SAFE_INTEGER);
    }
    if (!node.up) await startNode(ctx);
    if (node.up) await afterRestart(kind);
  }
}

/** Starts the node, retrying once the disk has power again; a start that fails on a healthy disk is a finding. */
export async function startNode(ctx: SimContext): Promise<void> {
  const { node, trace } = ctx;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await node.start();
      return;
    } catch (error) {
      trace.add("node", "start-failed", String(error));
      if (!node.fs.isPowerCut) throw new Error(`the node failed to start on a healthy disk: ${(error as Error).stack ?? String(error)}`, { cause: error });
      node.crash(true);
      ctx.invariants.crashed();
    }
  }
}

/** Connection resets and partitions between the clients and the node. */
export async function networkFaults(ctx: SimContext, rates: FaultRates): Promise<void> {
  const { loop, random, network, trace } = ctx;
  while (ctx.faulty()) {
    await loop.sleep(untilFaultsEnd(ctx, random.exponential(rates.networkFaultMeanMs)));
    if (!ctx.faulty()) break;
    if (random.chance(0.7)) {
      const victim = network.resetRandomConnection();
      if (victim) trace.add("fault", "reset", victim);
    } else {
      const ms = random.int(100, 8_000);
      network.partitionedUntilMs = loop.nowMs + ms;
      trace.add("fault", "partition", `${ms} ms`);
    }
  }
}

/** The wall clock jumps: forward (up to an hour), now and then back (up to a minute), as NTP corrections and operators do. */
export async function clockJumps(ctx: SimContext, rates: FaultRates): Promise<void> {
  const { loop, random, clock, trace } = ctx;
  while (ctx.faulty()) {
    await loop.sleep(untilFaultsEnd(ctx, random.exponential(rates.clockJumpMeanMs)));
    if (!ctx.faulty()) break;
    const ms = random.chance(0.75) ? random.int(1, 3_600_000) : -random.int(1, 60_000);
    clock.jump(ms);
    trace.add("fault", "clock-jump", `${ms} ms`);
  }
}

/** A pause of `ms`, cut short where the faults end, so that each fault actor is done when they do. */
function untilFaultsEnd(ctx: SimContext, ms: number): number {
  return Math.min(ms, Math.max(0, ctx.faultsEndMs - ctx.loop.nowMs));
}
