import "server-only";
import type { ClusterClients } from "../kafka/registry";
import { readCluster, type VersionsCache } from "./read-cluster";
import { applyRetention, type RetentionPolicy } from "./retention";
import type { ClusterLagHistory, LagHistoryStore } from "./store";

/** After n failed cycles in a row the next min(2^(n-1), this) ticks are skipped, so an unreachable cluster is not hammered. */
export const FAILURE_BACKOFF_TICKS_MAX = 8;

export type TickOutcome = "ok" | "failed" | "skipped";

export interface LagSamplerOptions {
  intervalMs: number;
  /** Applied after every ok cycle; none when left out. */
  retention?: RetentionPolicy;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Samples one cluster every `intervalMs`: each tick reads every group's
 * committed offsets and every partition's log offsets (readCluster) and
 * stores them as one cycle. A tick never waits for another: while a cycle is
 * still running, or after failures (backing off), the tick is skipped and
 * recorded as such; a failed cycle is recorded with its error.
 */
export class LagSampler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<TickOutcome> | null = null;
  private failuresInRow = 0;
  private ticksToSkip = 0;
  /** Brokers' API versions, learned once and forgotten after a failure (the cluster may have been upgraded). */
  private readonly versions: VersionsCache = new Map();
  /** Ticks by outcome since this sampler was made (for /metrics counters). */
  readonly cycles: Record<TickOutcome, number> = { ok: 0, failed: 0, skipped: 0 };

  constructor(
    private readonly clients: ClusterClients,
    private readonly store: LagHistoryStore,
    private readonly options: LagSamplerOptions,
  ) {}

  get history(): ClusterLagHistory {
    return this.store.cluster(this.clients.config.id);
  }

  /** Starts ticking, with a first cycle at once. The timer does not keep the process alive. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  /** Stops ticking and waits for a cycle in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One tick: a cycle, or a recorded skip. Public so tests can drive ticks without waiting for the timer. */
  async tick(): Promise<TickOutcome> {
    const outcome = await this.tickOnce();
    this.cycles[outcome]++;
    return outcome;
  }

  private async tickOnce(): Promise<TickOutcome> {
    const nowMs = Date.now();
    if (this.running) {
      this.history.recordFailure({ startedAtMs: nowMs, atMs: nowMs, durationMs: 0, outcome: "skipped", error: "the previous cycle is still running", requests: 0 });
      return "skipped";
    }
    if (this.ticksToSkip > 0) {
      this.ticksToSkip--;
      this.history.recordFailure({
        startedAtMs: nowMs,
        atMs: nowMs,
        durationMs: 0,
        outcome: "skipped",
        error: `backing off after ${this.failuresInRow} failed cycle${this.failuresInRow === 1 ? "" : "s"}`,
        requests: 0,
      });
      return "skipped";
    }
    this.running = this.cycle();
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  private async cycle(): Promise<TickOutcome> {
    const startedAtMs = Date.now();
    const counter = { requests: 0 };
    try {
      const reading = await readCluster(this.clients, this.versions, counter);
      // In slices: a cycle of 1,000 groups over 10,000 partitions is ~20,000 rows, too long a stretch for the console's one event loop.
      await this.history.recordCycleSliced({ ...reading, startedAtMs, durationMs: Date.now() - startedAtMs });
      this.failuresInRow = 0;
    } catch (error) {
      this.failuresInRow++;
      this.ticksToSkip = Math.min(2 ** (this.failuresInRow - 1), FAILURE_BACKOFF_TICKS_MAX);
      this.versions.clear();
      const atMs = Date.now();
      this.history.recordFailure({ startedAtMs, atMs, durationMs: atMs - startedAtMs, outcome: "failed", error: messageOf(error), requests: counter.requests });
      return "failed";
    }
    if (this.options.retention) {
      try {
        await applyRetention(this.store, this.options.retention);
      } catch (error) {
        console.error(`lag history retention failed: ${messageOf(error)}`);
      }
    }
    return "ok";
  }
}
