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

export const systemScheduler: Scheduler = {
  clock: systemClock,
  schedule(delayMs, task) {
    const timer = setTimeout(task, Math.max(0, delayMs));
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
