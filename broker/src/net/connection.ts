import type { Socket } from "node:net";
import type { Clock } from "../runtime/clock";
import type { Logger } from "../runtime/logger";
import { FrameDecoder, FrameTooLargeError } from "./frame-decoder";
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

/**
 * One client connection. Requests may be pipelined; they are handled one at a
 * time in arrival order, as Kafka does, so responses leave in request order
 * without any reordering buffer.
 */
export class Connection {
  private readonly decoder: FrameDecoder;
  private readonly queue: Buffer[] = [];
  private processing = false;
  private closed = false;
  private readingPaused = false;
  private idleWaiters: Array<() => void> = [];
  /** Until a SASL client has authenticated, frames are held to sasl.server.max.receive.size. */
  private awaitingAuthentication: boolean;
  /** When bytes last arrived or a request last finished; the idle sweep measures from here. */
  private lastActivityMs: number;

  constructor(
    readonly socket: Socket,
    readonly info: ConnectionInfo,
    private readonly dispatcher: RequestDispatcher,
    private readonly limits: ConnectionLimits,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly onClosed: (connection: Connection) => void,
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
      let frames: Buffer[];
      try {
        frames = this.decoder.push(chunk);
      } catch (error) {
        if (error instanceof FrameTooLargeError) return this.close(error.message);
        throw error;
      }
      for (const frame of frames) this.queue.push(frame);
      if (this.queue.length >= this.limits.queuedRequestsMax && !this.readingPaused) {
        this.readingPaused = true;
        this.socket.pause();
      }
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
        if (this.readingPaused && this.queue.length < this.limits.queuedRequestsMax) {
          this.readingPaused = false;
          this.socket.resume();
        }
      }
    } catch (error) {
      // The dispatcher contains request errors itself; this is anything it missed, or a failure writing.
      this.failed(error, frame !== null && frame.length >= 4 ? { apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2) } : {});
    } finally {
      if (corked) this.uncork();
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
   * for its rebalance is being handled) and no response still being flushed.
   * Returns whether it closed.
   */
  closeIfIdleSince(cutoffMs: number): boolean {
    if (this.closed || this.processing || this.queue.length > 0) return false;
    if (this.socket.writableLength > 0) {
      // A response still leaving counts as traffic, as a completed write does in Kafka.
      this.lastActivityMs = this.clock.nowMs();
      return false;
    }
    if (this.lastActivityMs > cutoffMs) return false;
    this.logger.info("closing idle connection", {
      connection: this.info.id,
      remote: `${this.info.remoteAddress}:${this.info.remotePort}`,
      listener: this.info.listenerName,
      idleMs: this.clock.nowMs() - this.lastActivityMs,
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
    this.socket.pause();
    this.socket.end(() => this.socket.destroy());
    this.finish();
  }

  /** Stops reading, lets the requests already received finish, then ends the socket. */
  async drainAndClose(): Promise<void> {
    if (this.closed) return;
    this.socket.pause();
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
    this.notifyIdle();
    this.onClosed(this);
  }
}
