import type { NetworkSocket } from "../runtime/network";
import type { Clock } from "../runtime/clock";
import type { Logger } from "../runtime/logger";
import { FrameDecoder, FrameTooLargeError } from "../protocol/frame-decoder";
import type { RequestMemoryPool } from "./request-memory-pool";
import type { SaslSession } from "./sasl/sasl-session";

export interface ConnectionInfo {
  readonly id: number;
  readonly listenerName: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The authentication state on a SASL listener; null on a PLAINTEXT one. */
  readonly sasl: SaslSession | null;
}

/** What the dispatcher decided for one request frame. */
export type DispatchResult =
  | { kind: "respond"; chunks: Buffer[] }
  | { kind: "no-response" }
  /** A response after which the connection closes (a failed SASL authentication). */
  | { kind: "respond-and-close"; chunks: Buffer[]; reason: string }
  | { kind: "close"; reason: string; fields?: Record<string, unknown> };

export interface RequestDispatcher {
  /** Never throws nor rejects: whatever goes wrong with one request becomes a result for its connection. */
  dispatch(frame: Buffer, connection: ConnectionInfo): DispatchResult | Promise<DispatchResult>;
  /** Logs (with its stack and `fields`) and counts an error no code path expected; the connection closes after. */
  unexpectedError(error: unknown, connection: ConnectionInfo, fields: Record<string, unknown>): void;
}

export interface ConnectionLimits {
  /** socket.request.max.bytes: a larger frame closes the connection. */
  frameBytesMax: number;
  /** queued.max.requests: reading pauses while this many requests wait on one connection. */
  queuedRequestsMax: number;
  /** connections.max.idle.ms: a connection with nothing in flight and no traffic for this long is closed; negative means never. */
  idleMsMax: number;
}

/** A pool without a bound, for connections built without one. */

/**
 * One client connection. Requests may be pipelined; they are handled one at a
 * time in arrival order, as Kafka does, so responses leave in request order
 * without any reordering buffer.
 *
 * Reading pauses while queued.max.requests requests wait, and while the
 * node's request memory pool (queued.max.request.bytes) is full. A request's
 * bytes are charged to the pool as they arrive, not by the size its prefix
 * declares, and held until its response is written.
 */
export class Connection {
  private readonly decoder: FrameDecoder;
  private readonly queue: Buffer[] = [];
  private processing = false;
  private closed = false;
  private readingPaused = false;
  /** Set once the connection is closing after its last response: reading never resumes. */
  private readingStopped = false;
  /** Bytes of the frames in `queue`. */
  private queuedBytes = 0;
  /** Bytes of the request being handled. */
  private inFlightBytes = 0;
  /** Bytes this connection holds in the memory pool. */
  private heldBytes = 0;
  /** Responses not yet flushed at the last idle sweep: unchanged from one sweep to the next means the client is not reading. */
  private pendingWriteBytesAtSweep = 0;
  /** Bytes read from the socket but not decoded while waiting for room in the pool. */
  private awaitingMemory: Buffer | null = null;
  private readonly wakeOnMemory = () => this.resumeAfterMemory();
  private idleWaiters: Array<() => void> = [];
  /** Until a SASL client has authenticated, frames are held to sasl.server.max.receive.size. */
  private awaitingAuthentication: boolean;
  /** When bytes last arrived or a request last finished; the idle sweep measures from here. */
  private lastActivityMs: number;

  constructor(
    readonly socket: NetworkSocket,
    readonly info: ConnectionInfo,
    private readonly dispatcher: RequestDispatcher,
    private readonly limits: ConnectionLimits,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly onClosed: (connection: Connection) => void,
    /** The node's request memory pool (queued.max.request.bytes), shared by every connection. */
    private readonly memory: RequestMemoryPool,
  ) {
    this.lastActivityMs = clock.nowMs();
    const preAuthentication = info.sasl !== null && !info.sasl.authenticated;
    this.decoder = preAuthentication
      ? new FrameDecoder(Math.min(info.sasl!.listener.receiveBytesMax, limits.frameBytesMax), "sasl.server.max.receive.size")
      : new FrameDecoder(limits.frameBytesMax);
    this.awaitingAuthentication = preAuthentication;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (error) => this.logger.debug("socket error", { connection: info.id, error: error.message }));
    socket.on("close", () => this.finish());
  }

  /** A socket event handler: whatever it throws would reach the event loop and end the process, so nothing escapes. */
  private onData(chunk: Buffer): void {
    if (this.closed) return;
    try {
      this.lastActivityMs = this.clock.nowMs();
      if (this.memory.bounded) {
        chunk = this.admit(chunk);
        if (chunk.length === 0) return;
      }
      let frames: Buffer[];
      try {
        frames = this.decoder.push(chunk);
      } catch (error) {
        if (error instanceof FrameTooLargeError) return this.close(error.message);
        throw error;
      }
      for (const frame of frames) {
        this.queue.push(frame);
        this.queuedBytes += frame.length;
      }
      this.syncHeldBytes();
      this.updateReading();
      if (!this.processing) this.processQueue().catch(this.destroyQuietly);
    } catch (error) {
      this.failed(error, { while: "reading frames" });
    }
  }

  /**
   * The last resort of processQueue, whose own error handling logs and closes:
   * should that throw too, the socket goes without another word, so that no
   * rejection is ever left unhandled.
   */
  private readonly destroyQuietly = (): void => {
    try {
      this.socket.destroy();
      this.finish();
    } catch {
      // Nothing is left to report to.
    }
  };

  /** An unexpected error on this connection: reported with `fields` and counted by the dispatcher, then the connection closes. */
  private failed(error: unknown, fields: Record<string, unknown>): void {
    try {
      this.dispatcher.unexpectedError(error, this.info, fields);
      this.close("internal error", fields);
    } catch {
      this.destroyQuietly();
    }
  }

  /**
   * The part of `chunk` that may be decoded now. While the pool is full, the
   * frame already begun is read to its end, its bytes charged past the bound,
   * so that it completes and is handled; what follows waits, undecoded and
   * uncharged, until the pool has room. No frame begins while the pool is full.
   */
  private admit(chunk: Buffer): Buffer {
    if (this.awaitingMemory) {
      this.awaitingMemory = Buffer.concat([this.awaitingMemory, chunk]);
      return chunk.subarray(0, 0);
    }
    if (!this.memory.exhausted) return chunk;
    const frameRestBytes = this.decoder.partialFrameRemainingBytes;
    if (frameRestBytes >= chunk.length) return chunk;
    this.awaitingMemory = chunk.subarray(frameRestBytes);
    this.memory.waitForRoom(this.wakeOnMemory);
    this.updateReading();
    return chunk.subarray(0, frameRestBytes);
  }

  private resumeAfterMemory(): void {
    const pending = this.awaitingMemory;
    this.awaitingMemory = null;
    if (this.closed || !pending) return;
    this.updateReading();
    this.onData(pending);
  }

  /** Brings this connection's share of the pool up to date: queued and in-flight frames, and the bytes received of a frame begun. */
  private syncHeldBytes(): void {
    const held = this.closed ? this.inFlightBytes : this.queuedBytes + this.inFlightBytes + this.decoder.partialFrameReceivedBytes;
    this.memory.adjust(held - this.heldBytes);
    this.heldBytes = held;
  }

  /** Pauses reading while queued.max.requests wait or the pool has no room; resumes when neither holds. */
  private updateReading(): void {
    const pause = this.readingStopped || this.awaitingMemory !== null || this.queue.length >= this.limits.queuedRequestsMax;
    if (pause === this.readingPaused || this.closed) return;
    this.readingPaused = pause;
    if (pause) this.socket.pause();
    else this.socket.resume();
  }

  /** When bytes last arrived or a request last finished. */
  get lastActiveMs(): number {
    return this.lastActivityMs;
  }

  /**
   * Responses to requests that arrive together (a client pipelining produce
   * requests) are corked and leave in one writev when the queue runs dry or
   * a request has to wait, instead of one system call each.
   */
  private async processQueue(): Promise<void> {
    this.processing = true;
    let corked = false;
    let frame: Buffer | null = null;
    try {
      while (this.queue.length > 0 && !this.closed) {
        frame = this.queue.shift()!;
        this.queuedBytes -= frame.length;
        this.inFlightBytes = frame.length;
        const pending = this.dispatcher.dispatch(frame, this.info);
        let result: DispatchResult;
        if (pending instanceof Promise) {
          // A long poll must not hold back the responses before it.
          if (corked) corked = this.uncork();
          result = await pending;
        } else result = pending;
        if (this.closed) break;
        switch (result.kind) {
          case "respond": {
            if (!corked) {
              this.socket.cork();
              corked = true;
            }
            if (!this.write(result.chunks)) {
              corked = this.uncork();
              await this.drained();
            }
            break;
          }
          case "no-response":
            break;
          case "respond-and-close":
            if (!corked) this.socket.cork();
            this.write(result.chunks);
            corked = this.uncork();
            this.closeAfterWrites(result.reason);
            break;
          case "close":
            this.close(result.reason, result.fields);
            break;
        }
        if (this.awaitingAuthentication && this.info.sasl!.authenticated) {
          this.awaitingAuthentication = false;
          this.decoder.setLimit(this.limits.frameBytesMax, "socket.request.max.bytes");
        }
        // The response is written (or there is none): the request's bytes go back to the pool.
        this.inFlightBytes = 0;
        this.syncHeldBytes();
        this.updateReading();
      }
    } catch (error) {
      // The dispatcher contains request errors itself; this is anything it missed, or a failure writing.
      this.failed(error, frame !== null && frame.length >= 4 ? { apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2) } : {});
    } finally {
      if (corked) this.uncork();
      this.inFlightBytes = 0;
      this.syncHeldBytes();
      this.processing = false;
      this.lastActivityMs = this.clock.nowMs();
      if (this.queue.length === 0) this.notifyIdle();
    }
  }

  /** Flushes corked responses; returns false (the new corked state). */
  private uncork(): false {
    if (!this.closed) this.socket.uncork();
    return false;
  }

  /** Queues one response (size prefix and chunks) on the socket; false when the socket wants a drain. */
  private write(chunks: Buffer[]): boolean {
    let total = 0;
    for (const chunk of chunks) total += chunk.length;
    const size = Buffer.allocUnsafe(4);
    size.writeInt32BE(total, 0);
    this.socket.write(size);
    let flowing = true;
    for (const chunk of chunks) flowing = this.socket.write(chunk);
    return flowing;
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      const done = () => {
        this.socket.off("drain", done);
        this.socket.off("close", done);
        resolve();
      };
      this.socket.on("drain", done);
      this.socket.on("close", done);
    });
  }

  /** Closes the connection at once, logging why. */
  close(reason: string, fields?: Record<string, unknown>): void {
    if (this.closed) return;
    this.logger.warn("closing connection", {
      connection: this.info.id,
      remote: `${this.info.remoteAddress}:${this.info.remotePort}`,
      listener: this.info.listenerName,
      reason,
      ...fields,
    });
    this.socket.destroy();
    this.finish();
  }

  /**
   * Closes the connection if its last activity was at or before `cutoffMs`, with no
   * request queued or being handled (a long-poll Fetch or a JoinGroup waiting
   * for its rebalance is being handled) and no response still being flushed;
   * or, whatever is queued, if its unflushed responses have not moved since
   * then (the client stopped reading). Returns whether it closed.
   */
  closeIfIdleSince(cutoffMs: number): boolean {
    if (this.closed) return false;
    const pendingWriteBytes = this.socket.writableLength;
    if (pendingWriteBytes > 0) {
      // A response leaving counts as traffic, as a completed write does in Kafka. Responses the client has
      // stopped reading do not: that client would otherwise hold its requests' bytes in the pool for ever.
      if (pendingWriteBytes !== this.pendingWriteBytesAtSweep) {
        this.pendingWriteBytesAtSweep = pendingWriteBytes;
        this.lastActivityMs = this.clock.nowMs();
        return false;
      }
    } else {
      this.pendingWriteBytesAtSweep = 0;
      // Bytes waiting for room in the memory pool are a request not yet read, not idleness.
      if (this.processing || this.queue.length > 0 || this.awaitingMemory !== null) return false;
    }
    if (this.lastActivityMs > cutoffMs) return false;
    this.logger.info("closing idle connection", {
      connection: this.info.id,
      remote: `${this.info.remoteAddress}:${this.info.remotePort}`,
      listener: this.info.listenerName,
      idleMs: this.clock.nowMs() - this.lastActivityMs,
      unreadResponseBytes: pendingWriteBytes > 0 ? pendingWriteBytes : undefined,
      idleMsMax: this.limits.idleMsMax,
      authenticated: this.info.sasl ? this.info.sasl.authenticated : undefined,
    });
    this.socket.destroy();
    this.finish();
    return true;
  }

  /** Closes once the responses already written have been flushed; nothing more is read. */
  private closeAfterWrites(reason: string): void {
    if (this.closed) return;
    this.logger.info("closing connection", {
      connection: this.info.id,
      remote: `${this.info.remoteAddress}:${this.info.remotePort}`,
      listener: this.info.listenerName,
      reason,
    });
    this.readingStopped = true;
    this.updateReading();
    this.socket.end(() => this.socket.destroy());
    this.finish();
  }

  /** Stops reading, lets the requests already received finish, then ends the socket. */
  async drainAndClose(): Promise<void> {
    if (this.closed) return;
    this.readingStopped = true;
    this.updateReading();
    if (this.processing || this.queue.length > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (!this.closed) {
      await new Promise<void>((resolve) => this.socket.end(resolve));
      this.finish();
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.awaitingMemory = null;
    this.memory.cancelWait(this.wakeOnMemory);
    // A request still being handled keeps its bytes until it finishes.
    this.syncHeldBytes();
    this.notifyIdle();
    this.onClosed(this);
  }
}
