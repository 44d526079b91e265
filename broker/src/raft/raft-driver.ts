import type { Cancel, Scheduler } from "../runtime/scheduler";
import type { Envelope } from "./messages";
import type { RaftNode } from "./raft-node";

/**
 * Runs a RaftNode on a Scheduler: ticks it every `tickMs`, hands it what
 * arrives, and passes what it returns to `send`. The node itself stays a
 * pure state machine; this is the one place its time comes from, so a node
 * runs the same on the system scheduler and on a ManualScheduler.
 */
export class RaftDriver {
  private cancelTick: Cancel | null = null;

  constructor(
    readonly node: RaftNode,
    private readonly scheduler: Scheduler,
    private readonly send: (envelope: Envelope) => void,
    /** A message that makes the node throw is dropped and reported here (the node's state is unchanged by a refused message). */
    private readonly onError: (error: unknown, envelope: Envelope | null) => void,
    private readonly tickMs = 10,
  ) {}

  start(): void {
    this.dispatch(this.node.start(this.scheduler.clock.nowMs()));
    this.scheduleTick();
  }

  stop(): void {
    this.cancelTick?.();
    this.cancelTick = null;
  }

  receive(envelope: Envelope): void {
    let out: Envelope[];
    try {
      out = this.node.handle(envelope, this.scheduler.clock.nowMs());
    } catch (error) {
      this.onError(error, envelope);
      return;
    }
    this.dispatch(out);
  }

  /**
   * Hands the node a request that arrived over the wire and returns its
   * answer, to be sent back on the same connection; whatever else the node
   * sends goes out through `send`. Null when the node gives no answer (it
   * ignored the request, or refused it by throwing).
   */
  request(envelope: Envelope): Envelope | null {
    let out: Envelope[];
    try {
      out = this.node.handle(envelope, this.scheduler.clock.nowMs());
    } catch (error) {
      this.onError(error, envelope);
      return null;
    }
    let answer: Envelope | null = null;
    for (const sent of out) {
      if (answer === null && sent.to === envelope.from && sent.correlationId === envelope.correlationId && sent.message.kind.endsWith("Response")) answer = sent;
      else this.send(sent);
    }
    return answer;
  }

  /** Gives up leadership before a controlled shutdown. */
  resign(): void {
    this.dispatch(this.node.resign(this.scheduler.clock.nowMs()));
  }

  private scheduleTick(): void {
    this.cancelTick = this.scheduler.schedule(this.tickMs, () => {
      try {
        this.dispatch(this.node.tick(this.scheduler.clock.nowMs()));
      } catch (error) {
        this.onError(error, null);
      }
      if (this.cancelTick) this.scheduleTick();
    });
  }

  private dispatch(envelopes: readonly Envelope[]): void {
    for (const envelope of envelopes) this.send(envelope);
  }
}
