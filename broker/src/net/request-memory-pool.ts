import type { Scheduler } from "../runtime/scheduler";

/**
 * queued.max.request.bytes: a bound on the request bytes the node holds at
 * once, across every connection. What is charged is what has arrived and is
 * kept: the body bytes of a frame being received, frames queued, and the
 * request being handled until its response is written. A size prefix is not
 * charged for the size it declares.
 *
 * Kafka reserves a request's declared size as soon as its size prefix is read,
 * because that is when it allocates the request's buffer. Sluice keeps the
 * received chunks by reference and allocates nothing ahead, and charging
 * declared sizes would let a client that sends only size prefixes (six of
 * 100 MiB) pin the whole pool and stall every other client's reading until
 * connections.max.idle.ms closes it. Here a client pins only what it sent.
 *
 * Admission: a connection between frames reads while any room is left; a
 * connection in the middle of a frame reads that frame to its end even past
 * the bound, so frames always complete and connections never wait on each
 * other's half-read frames. While the pool is full, connections between frames
 * stop reading (their clients slow down under TCP flow control) and are woken
 * in the order they stopped, one at a time while room is left.
 *
 * Overshoot: no frame begins while the pool is full, so the bound is passed by
 * at most the socket read that crossed it plus the remainders of the frames
 * already begun, one per connection, each less than socket.request.max.bytes.
 * Kafka's is one frame, since beginning a frame takes its whole size; ours
 * grows with the connections that are in the middle of a frame, and each of
 * their bytes was sent. Outside the pool, a connection waiting for room also
 * keeps the socket read it stopped on (at most 64 KiB in Node).
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
