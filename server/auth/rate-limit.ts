/**
 * Failed logins per (client address, user name): after FAILURES_MAX within
 * WINDOW_MS, further attempts are refused until the window passes, whether
 * the password is right or not. In memory, bounded by KEYS_MAX.
 */
export const FAILURES_MAX = 5;
export const WINDOW_MS = 15 * 60_000;
const KEYS_MAX = 10_000;

export class LoginRateLimit {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly failuresMax = FAILURES_MAX,
    private readonly windowMs = WINDOW_MS,
  ) {}

  private recent(key: string, nowMs: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => t > nowMs - this.windowMs);
    if (times.length) this.failures.set(key, times);
    else this.failures.delete(key);
    return times;
  }

  /** Seconds until an attempt is allowed again, or 0 when it is allowed now. */
  retryAfterSeconds(address: string, user: string, nowMs: number): number {
    const times = this.recent(`${address}\n${user}`, nowMs);
    if (times.length < this.failuresMax) return 0;
    return Math.ceil((times[0] + this.windowMs - nowMs) / 1000);
  }

  fail(address: string, user: string, nowMs: number): void {
    const key = `${address}\n${user}`;
    const times = this.recent(key, nowMs);
    times.push(nowMs);
    if (!this.failures.has(key) && this.failures.size >= KEYS_MAX) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(key, times);
  }

  succeed(address: string, user: string): void {
    this.failures.delete(`${address}\n${user}`);
  }
}
