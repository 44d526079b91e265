/**
 * Failed logins per (client address, user name): after FAILURES_MAX within
 * WINDOW_MS, further attempts are refused until the window passes, whether
 * the password is right or not. The address is what the request says it is
 * (x-forwarded-for), so a client can change it: failures are also counted per
 * user name over every address, with a higher bound (USER_FAILURES_MAX), which
 * caps guessing at one account however the address is varied. In memory,
 * bounded by KEYS_MAX.
 */
export const FAILURES_MAX = 5;
export const USER_FAILURES_MAX = 20;
export const WINDOW_MS = 15 * 60_000;
const KEYS_MAX = 10_000;

export class LoginRateLimit {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly failuresMax = FAILURES_MAX,
    private readonly windowMs = WINDOW_MS,
    private readonly userFailuresMax = USER_FAILURES_MAX,
  ) {}

  private recent(key: string, nowMs: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => t > nowMs - this.windowMs);
    if (times.length) this.failures.set(key, times);
    else this.failures.delete(key);
    return times;
  }

  /** Seconds until an attempt is allowed again, or 0 when it is allowed now. */
  retryAfterSeconds(address: string, user: string, nowMs: number): number {
    return Math.max(this.waitSeconds(`${address}\n${user}`, this.failuresMax, nowMs), this.waitSeconds(userKey(user), this.userFailuresMax, nowMs));
  }

  private waitSeconds(key: string, max: number, nowMs: number): number {
    const times = this.recent(key, nowMs);
    if (times.length < max) return 0;
    // The oldest failure that still counts against the bound: the wait ends when it leaves the window.
    return Math.ceil((times[times.length - max] + this.windowMs - nowMs) / 1000);
  }

  fail(address: string, user: string, nowMs: number): void {
    this.record(`${address}\n${user}`, nowMs);
    this.record(userKey(user), nowMs);
  }

  private record(key: string, nowMs: number): void {
    const times = this.recent(key, nowMs);
    times.push(nowMs);
    if (!this.failures.has(key) && this.failures.size >= KEYS_MAX) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(key, times);
  }

  succeed(address: string, user: string): void {
    this.failures.delete(`${address}\n${user}`);
  }
}

/** The key of a user's failures from every address (a newline cannot start an address). */
const userKey = (user: string) => `\n${user}`;
