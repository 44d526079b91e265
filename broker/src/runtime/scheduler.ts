import { ManualClock, systemClock, type Clock } from "./clock";

/** Cancels a scheduled task; calling it after the task ran does nothing. */
export type Cancel = () => void;

/**
 * Timers as the broker sees them: session timeouts, rebalance deadlines,
 * periodic expiry. Tests and the simulator pass a ManualScheduler, whose
 * tasks run only when its clock is advanced.
 */
export interface Scheduler {
  readonly clock: Clock;
  schedule(delayMs: number, task: () => void): Cancel;
}

/** setTimeout's longest delay (about 24.8 days); Node fires a longer one after 1 ms instead. */
const TIMER_DELAY_MS_MAX = 0x7fffffff;

export const systemScheduler: Scheduler = {
  clock: systemClock,
  schedule(delayMs, task) {
    const timer = setTimeout(task, Math.min(Math.max(0, delayMs), TIMER_DELAY_MS_MAX));
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};

interface ManualTask {
  dueMs: number;
  seq: number;
  task: () => void;
  cancelled: boolean;
}

/** A scheduler over a ManualClock: advance() runs due tasks in due-time order. */
export class ManualScheduler implements Scheduler {
  private tasks: ManualTask[] = [];
  private seq = 0;

  constructor(readonly clock: ManualClock = new ManualClock()) {}

  schedule(delayMs: number, task: () => void): Cancel {
    const entry: ManualTask = { dueMs: this.clock.nowMs() + Math.max(0, delayMs), seq: this.seq++, task, cancelled: false };
    this.tasks.push(entry);
    return () => {
      entry.cancelled = true;
    };
  }

  /** Moves the clock forward by `ms`, running every task that falls due on the way. */
  advance(ms: number): void {
    const targetMs = this.clock.nowMs() + ms;
    for (;;) {
      this.tasks = this.tasks.filter((task) => !task.cancelled);
      const next = this.tasks
        .filter((task) => task.dueMs <= targetMs)
        .sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq)[0];
      if (!next) break;
      this.clock.set(Math.max(next.dueMs, this.clock.nowMs()));
      next.cancelled = true;
      next.task();
    }
    this.clock.set(targetMs);
  }

  get pendingCount(): number {
    return this.tasks.filter((task) => !task.cancelled).length;
  }
}

/**
 * A scheduler whose tasks never throw into the event loop (which would end
 * the process): a task that fails is handed to `onError` and abandoned, as
 * Kafka's scheduler logs a failed task and carries on.
 */
export function containedScheduler(inner: Scheduler, onError: (error: unknown) => void): Scheduler {
  return {
    clock: inner.clock,
    schedule(delayMs, task) {
      return inner.schedule(delayMs, () => {
        try {
          task();
        } catch (error) {
          try {
            onError(error);
          } catch {
            // A failing error report must not end the process either.
          }
        }
      });
    },
  };
}
