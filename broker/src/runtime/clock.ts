/**
 * Wall-clock time as the broker sees it: timestamps, retention, segment age,
 * flush intervals. Tests and the simulator pass a ManualClock.
 */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/**
 * A clock for measuring durations (request times): monotonic and finer
 * than a millisecond, with an arbitrary origin, so never a timestamp.
 */
export const monotonicClock: Clock = { nowMs: () => performance.now() };

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  constructor(private currentMs = 0) {}

  nowMs(): number {
    return this.currentMs;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`a clock only moves forward (advance by ${ms} ms)`);
    this.currentMs += ms;
  }

  set(ms: number): void {
    if (ms < this.currentMs) throw new Error(`a clock only moves forward (${this.currentMs} -> ${ms})`);
    this.currentMs = ms;
  }
}
