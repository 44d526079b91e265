import type { Scheduler } from "../runtime/scheduler";

/**
 * queued.max.request.bytes: a bound on the request bytes the node holds at
 * once, across every connection (frames being received, queued, or being
 * handled until their response is written).
 *
 * Admission follows Kafka's non-strict memory pool: a connection may start
 * reading a new frame while any room is left, and then reads that frame to
 * its end even past the bound, so frames already begun always complete and
 * connections never wait on each other's half-read frames. The bound can
 * therefore be passed by at most one frame (socket.request.max.bytes) plus a
 * socket read. While the pool is full, connections between frames stop
 * reading (their clients slow down under TCP flow control) and are woken in
 * the order they stopped, one at a time while room is left.
 */
export class RequestMemoryPool {
  private usedBytes = 0;
  private peakBytes = 0;
  private readonly waiters = new Set<() => void>();
  private wakeScheduled = false;
  /** How many times a connection stopped reading for want of room. */
  waits = 0;

  /** `capacityBytes` of 0 or less means unbounded (Kafka's -1). */
  constructor(
    readonly capacityBytes: number,
    private readonly scheduler: Scheduler,
  ) {}

  get bounded(): boolean {
    return this.capacityBytes > 0;
  }

  /** True when no new frame may be started. */
  get exhausted(): boolean {
    return this.capacityBytes > 0 && this.usedBytes >= this.capacityBytes;
  }

  get heldBytes(): number {
    return this.usedBytes;
  }

  get heldBytesPeak(): number {
    return this.peakBytes;
  }

  get waiting(): number {
    return this.waiters.size;
  }

  /** Changes the bytes held by `deltaBytes` (negative to release). */
  adjust(deltaBytes: number): void {
    if (deltaBytes === 0) return;
    this.usedBytes += deltaBytes;
    if (this.usedBytes < 0) throw new Error(`request memory pool released more than it held (${this.usedBytes} bytes)`);
    if (this.usedBytes > this.peakBytes) this.peakBytes = this.usedBytes;
    if (deltaBytes < 0 && this.waiters.size > 0 && !this.exhausted) this.scheduleWake();
  }

  /** Calls `wake` once there is room; a waiter is woken at most once. */
  waitForRoom(wake: () => void): void {
    this.waits++;
    this.waiters.add(wake);
    if (!this.exhausted) this.scheduleWake();
  }

  cancelWait(wake: () => void): void {
    this.waiters.delete(wake);
  }

  /**
   * Wakes from a fresh task rather than inside adjust(), which runs in the
   * middle of another connection's request handling: each woken connection
   * takes its room synchronously, so the next is woken only while room is left.
   */
  private scheduleWake(): void {
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    this.scheduler.schedule(0, () => {
      this.wakeScheduled = false;
      try {
        for (const wake of this.waiters) {
          if (this.exhausted) break;
          this.waiters.delete(wake);
          wake();
        }
      } finally {
        // Only after a wake threw can waiters be left with room to take: they must not wait for the next release.
        if (this.waiters.size > 0 && !this.exhausted) this.scheduleWake();
      }
    });
  }
}
