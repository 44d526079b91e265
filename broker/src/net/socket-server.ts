import type { Logger } from "../runtime/logger";
import type { Network, NetworkServer, NetworkSocket } from "../runtime/network";
import type { Cancel, Scheduler } from "../runtime/scheduler";
import { Connection, type ConnectionLimits, type RequestDispatcher } from "./connection";
import { ConnectionQuotas, UNLIMITED_CONNECTIONS, type ConnectionQuotaConfig, type QuotaName } from "./connection-quotas";
import { RequestMemoryPool } from "./request-memory-pool";
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

/** A refused connection is logged at most this often per quota; the line says how many were refused since the last. */
export const REFUSAL_LOG_INTERVAL_MS = 10_000;

export interface SocketServerOptions {
  /** Where listeners bind and override host names resolve: the node's network seam (in the simulator, its own). */
  network: Network;
  /** The connection limits, read at every accept (dynamic configs apply to the next connection); unlimited when not given. */
  quotas?: () => ConnectionQuotaConfig;
  /** queued.max.request.bytes: request bytes held across every connection; 0 or less (or not given) means unbounded. */
  requestMemoryBytesMax?: number;
}

/**
 * One TCP server per configured listener, all feeding the same dispatcher.
 * One periodic sweep closes the connections idle for connections.max.idle.ms
 * (no timer per request or per connection). A connection over a quota is
 * closed as soon as it is accepted: Kafka's acceptor would leave it in the
 * listen backlog until a slot frees, which a Node server cannot do.
 */
export class SocketServer {
  private readonly servers: NetworkServer[] = [];
  private readonly connections = new Set<Connection>();
  /** Every socket accepted and not yet fully closed (a drained connection is half-closed until its peer ends too). */
  private readonly openSockets = new Set<NetworkSocket>();
  private nextConnectionId = 1;
  private cancelSweep: Cancel | null = null;
  private readonly refusalLog = new Map<QuotaName, { loggedMs: number; unlogged: number }>();
  /** The ports actually bound, by listener name (port 0 in the config binds a free one). */
  readonly boundPorts = new Map<string, number>();
  readonly quotas: ConnectionQuotas;
  readonly requestMemory: RequestMemoryPool;
  private readonly quotaConfig: () => ConnectionQuotaConfig;
  private readonly network: Network;

  constructor(
    private readonly dispatcher: RequestDispatcher,
    private readonly limits: ConnectionLimits,
    private readonly logger: Logger,
    private readonly scheduler: Scheduler,
    options: SocketServerOptions,
  ) {
    this.quotaConfig = options.quotas ?? (() => UNLIMITED_CONNECTIONS);
    this.network = options.network;
    this.quotas = new ConnectionQuotas(
      this.quotaConfig,
      (host) => this.network.lookup(host),
      (host, error) => logger.warn("cannot resolve a host of max.connections.per.ip.overrides; its limit applies to no one", { host, error: error.message }),
    );
    this.requestMemory = new RequestMemoryPool(options.requestMemoryBytesMax ?? 0, scheduler);
  }

  async listen(listeners: readonly ListenerSpec[]): Promise<void> {
    this.startIdleSweep();
    for (const listener of listeners) this.quotas.addListener(listener.name);
    // Host names in the overrides are resolved before the first connection is counted.
    await this.quotas.refreshOverrides(this.quotaConfig().maxConnectionsPerIpOverrides);
    for (const listener of listeners) {
      const server = await this.network.listen({ host: listener.host || undefined, port: listener.port }, (socket) => this.accept(socket, listener));
      const port = server.port;
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

  private accept(socket: NetworkSocket, listener: ListenerSpec): void {
    this.openSockets.add(socket);
    socket.on("close", () => this.openSockets.delete(socket));
    const remoteAddress = socket.remoteAddress ?? "?";
    const admission = this.quotas.admit(listener.name, remoteAddress);
    if (!admission.admitted) {
      socket.on("error", () => {});
      socket.destroy();
      this.logRefusal(admission.quota, { listener: listener.name, remote: `${remoteAddress}:${socket.remotePort ?? 0}`, property: admission.property, limit: admission.limit });
      return;
    }
    const id = this.nextConnectionId++;
    const info = {
      id,
      listenerName: listener.name,
      remoteAddress,
      remotePort: socket.remotePort ?? 0,
      sasl: listener.sasl ? new SaslSession(listener.sasl, id) : null,
    };
    const connection = new Connection(
      socket,
      info,
      this.dispatcher,
      this.limits,
      this.logger,
      this.scheduler.clock,
      (closed) => {
        this.connections.delete(closed);
        this.quotas.release(closed.info.listenerName, closed.info.remoteAddress);
      },
      this.requestMemory,
    );
    this.connections.add(connection);
    if (admission.evictOne) this.evictLeastRecentlyActive(listener.name);
  }

  /** Makes room under max.connections for a connection on the protected inter-broker listener, as Kafka does. */
  private evictLeastRecentlyActive(protectedListenerName: string): void {
    let oldest: Connection | null = null;
    for (const connection of this.connections)
      if (connection.info.listenerName !== protectedListenerName && (!oldest || connection.lastActiveMs < oldest.lastActiveMs)) oldest = connection;
    oldest?.close("max.connections reached; making room for the inter-broker listener", { maxConnections: this.quotaConfig().maxConnections });
  }

  /** One warning per quota per REFUSAL_LOG_INTERVAL_MS, so that a flood of connections does not flood the log too. */
  private logRefusal(quota: QuotaName, fields: Record<string, unknown>): void {
    const nowMs = this.scheduler.clock.nowMs();
    const entry = this.refusalLog.get(quota);
    if (entry && nowMs - entry.loggedMs < REFUSAL_LOG_INTERVAL_MS) {
      entry.unlogged++;
      return;
    }
    this.logger.warn("refused a connection over a connection limit", {
      quota,
      ...fields,
      refusedTotal: this.quotas.refused[quota],
      refusedSinceLastLog: (entry?.unlogged ?? 0) + 1,
    });
    this.refusalLog.set(quota, { loggedMs: nowMs, unlogged: 0 });
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
    const stopped = this.servers.map((server) => server.close());
    const drained = Promise.all([...this.connections].map((connection) => connection.drainAndClose()));
    let cancelGrace: Cancel | undefined;
    await Promise.race([drained, new Promise<void>((resolve) => (cancelGrace = this.scheduler.schedule(graceMs, resolve)))]);
    cancelGrace?.();
    // Every accepted socket, not only open connections: a drained one is half-closed until its peer
    // closes its side, and a peer that never reads would keep server.close() waiting forever.
    for (const socket of this.openSockets) socket.destroy();
    await Promise.all(stopped);
  }
}
