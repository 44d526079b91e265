import net from "node:net";
import type { Logger } from "../runtime/logger";
import { systemScheduler, type Cancel, type Scheduler } from "../runtime/scheduler";
import { Connection, type ConnectionLimits, type RequestDispatcher } from "./connection";
import { SaslSession, type ListenerSasl } from "./sasl/sasl-session";

export interface ListenerSpec {
  name: string;
  /** Empty means every interface. */
  host: string;
  port: number;
  /** Set on a SASL_PLAINTEXT listener: its clients authenticate before anything else. */
  sasl?: ListenerSasl;
}

/** The idle sweep runs at a tenth of connections.max.idle.ms, within these bounds. */
export const IDLE_SWEEP_INTERVAL_MS_MIN = 10;
export const IDLE_SWEEP_INTERVAL_MS_MAX = 10_000;

/**
 * How often idle connections are looked for: a connection is closed between
 * idleMsMax and idleMsMax plus this after its last activity. Null when
 * idleMsMax is negative (never close), as Kafka's Selector does.
 */
export function idleSweepIntervalMs(idleMsMax: number): number | null {
  if (idleMsMax < 0) return null;
  return Math.min(IDLE_SWEEP_INTERVAL_MS_MAX, Math.max(IDLE_SWEEP_INTERVAL_MS_MIN, Math.floor(idleMsMax / 10)));
}

/**
 * One TCP server per configured listener, all feeding the same dispatcher.
 * One periodic sweep closes the connections idle for connections.max.idle.ms
 * (no timer per request or per connection).
 */
export class SocketServer {
  private readonly servers: net.Server[] = [];
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;
  private cancelSweep: Cancel | null = null;
  /** The ports actually bound, by listener name (port 0 in the config binds a free one). */
  readonly boundPorts = new Map<string, number>();

  constructor(
    private readonly dispatcher: RequestDispatcher,
    private readonly limits: ConnectionLimits,
    private readonly logger: Logger,
    private readonly scheduler: Scheduler = systemScheduler,
  ) {}

  async listen(listeners: readonly ListenerSpec[]): Promise<void> {
    this.startIdleSweep();
    for (const listener of listeners) {
      const server = net.createServer((socket) => this.accept(socket, listener));
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ host: listener.host || undefined, port: listener.port }, () => {
          server.off("error", reject);
          resolve();
        });
      });
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : listener.port;
      this.boundPorts.set(listener.name, port);
      this.servers.push(server);
      this.logger.info("listening", {
        listener: listener.name,
        host: listener.host || "0.0.0.0",
        port,
        ...(listener.sasl ? { saslMechanisms: listener.sasl.mechanisms } : {}),
      });
    }
  }

  private accept(socket: net.Socket, listener: ListenerSpec): void {
    const id = this.nextConnectionId++;
    const info = {
      id,
      listenerName: listener.name,
      remoteAddress: socket.remoteAddress ?? "?",
      remotePort: socket.remotePort ?? 0,
      sasl: listener.sasl ? new SaslSession(listener.sasl, id) : null,
    };
    const connection = new Connection(socket, info, this.dispatcher, this.limits, this.logger, this.scheduler.clock, (closed) =>
      this.connections.delete(closed),
    );
    this.connections.add(connection);
  }

  private startIdleSweep(): void {
    const intervalMs = idleSweepIntervalMs(this.limits.idleMsMax);
    if (intervalMs === null || this.cancelSweep) return;
    const arm = () => {
      this.cancelSweep = this.scheduler.schedule(intervalMs, () => {
        this.closeIdleConnections();
        arm();
      });
    };
    arm();
  }

  /** Closes every connection idle for longer than connections.max.idle.ms; returns how many. */
  closeIdleConnections(): number {
    const cutoffMs = this.scheduler.clock.nowMs() - this.limits.idleMsMax;
    let closed = 0;
    // A Set may lose its current entry while being iterated, which closeIfIdleSince does.
    for (const connection of this.connections) if (connection.closeIfIdleSince(cutoffMs)) closed++;
    return closed;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes everything. */
  async close(graceMs = 5000): Promise<void> {
    this.cancelSweep?.();
    this.cancelSweep = null;
    const stopped = this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    const drained = Promise.all([...this.connections].map((connection) => connection.drainAndClose()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const connection of this.connections) connection.socket.destroy();
    await Promise.all(stopped);
  }
}
