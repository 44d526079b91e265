import type { Clock } from "../src/runtime/clock";
import type { Cancel, Scheduler } from "../src/runtime/scheduler";

const SAME_INSTANT_EVENTS_MAX = 100_000;

interface SimEvent {
  dueMs: number;
  seq: number;
  task: () => void;
  cancelled: boolean;
}

/**
 * Virtual time and the one event queue of a run. Everything that would wait
 * on the real world (the node's timers, bytes crossing the network, the
 * clients' pauses, faults) is an event here; run() jumps time to the next
 * one, runs it, and lets every promise it settled run to completion before
 * the next (a JavaScript job queue is deterministic, so the run is too).
 * Ties run in the order they were scheduled.
 */
export class SimLoop {
  /** Monotonic virtual milliseconds since the run began. */
  nowMs = 0;
  private heap: SimEvent[] = [];
  private seq = 0;
  eventsRun = 0;
  /** Events in a row at one virtual instant; past SAME_INSTANT_EVENTS_MAX something spins (a bug of the node or of the simulation). */
  private sameInstantEvents = 0;

  schedule(delayMs: number, task: () => void): Cancel {
    const event: SimEvent = { dueMs: this.nowMs + Math.max(0, Math.floor(delayMs)), seq: this.seq++, task, cancelled: false };
    this.push(event);
    return () => {
      event.cancelled = true;
    };
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.schedule(delayMs, resolve));
  }

  /** Runs events until none are left or the next is past `untilMs`; `stop` ends the run early (a failure). */
  async run(untilMs: number, stop: () => boolean): Promise<void> {
    // Whatever the caller started runs first, so that the events it schedules are in the queue before time moves.
    await settle();
    while (this.heap.length > 0 && !stop()) {
      const next = this.heap[0];
      if (next.dueMs > untilMs) break;
      this.pop();
      if (next.cancelled) continue;
      this.sameInstantEvents = next.dueMs === this.nowMs ? this.sameInstantEvents + 1 : 0;
      if (this.sameInstantEvents > SAME_INSTANT_EVENTS_MAX) throw new Error(`livelock: more than ${SAME_INSTANT_EVENTS_MAX} events at virtual time ${this.nowMs} ms without time moving`);
      this.nowMs = next.dueMs;
      this.eventsRun++;
      next.task();
      await settle();
    }
    if (!stop()) this.nowMs = Math.max(this.nowMs, untilMs);
  }

  get pending(): number {
    return this.heap.length;
  }

  private push(event: SimEvent): void {
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left], heap[smallest])) smallest = left;
      if (right < heap.length && before(heap[right], heap[smallest])) smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
      i = smallest;
    }
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq);
}

/**
 * Resolves after every job already queued, and every job those queue, has
 * run: setImmediate fires only once the job queue is empty, and nothing in a
 * simulated node waits on real I/O or real timers, so nothing else can run first.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The wall clock the node reads: virtual time plus an offset that clock
 * jumps move, forward or back, as NTP or an operator moves a real one. Timers
 * are not moved by a jump (Node's timers run on a monotonic clock too).
 */
export class SimClock implements Clock {
  /** Wall time at the start of the run: a fixed date, so that timestamps are plausible and replay. */
  static readonly EPOCH_MS = Date.UTC(2026, 0, 1);
  offsetMs = 0;

  constructor(private readonly loop: SimLoop) {}

  nowMs(): number {
    return SimClock.EPOCH_MS + this.loop.nowMs + this.offsetMs;
  }

  jump(ms: number): void {
    this.offsetMs += ms;
  }
}

/**
 * The scheduler of one incarnation of the node: when the node crashes, its
 * timers die with it (kill()), while the run's other events go on.
 */
export class IncarnationScheduler implements Scheduler {
  private dead = false;

  constructor(
    private readonly loop: SimLoop,
    readonly clock: Clock,
  ) {}

  schedule(delayMs: number, task: () => void): Cancel {
    return this.loop.schedule(delayMs, () => {
      if (!this.dead) task();
    });
  }

  kill(): void {
    this.dead = true;
  }
}
