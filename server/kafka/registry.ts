import "server-only";
import { Kafka, logLevel, type Admin } from "kafkajs";
import { defaultClusterConfig, type ClusterConfig } from "./cluster-config";
import { kafkaType } from "./errors";
import { wireSasl } from "./sasl";
import { WireConnection } from "./wire";

/** Bounds on every call to the cluster, so a dead broker gives an error in seconds, not a hung page. */
export const CONNECT_TIMEOUT_MS = 3_000;
export const REQUEST_TIMEOUT_MS = 10_000;

/**
 * kafkajs admin calls that add their topic to the set the admin asks metadata
 * about on every later refresh, for as long as it lives. Once such a topic is
 * deleted (by anyone), each refresh, and so nearly every admin call, fails
 * with UNKNOWN_TOPIC_OR_PARTITION.
 */
const TOPIC_REMEMBERING_CALLS = new Set(["fetchTopicOffsets", "fetchTopicOffsetsByTimestamp", "fetchOffsets", "resetOffsets"]);

/** One connected kafkajs admin and what the registry knows about it. */
interface AdminSlot {
  admin: Admin;
  /** True once a call may have left a topic in its metadata set (see TOPIC_REMEMBERING_CALLS). */
  remembersTopics: boolean;
  inFlight: number;
  /** Replaced: disconnected once its last call returns. */
  retired: boolean;
}

/** The clients of one cluster, created on first use and reused across requests. */
export class ClusterClients {
  readonly kafka: Kafka;
  private adminSlot: Promise<AdminSlot> | null = null;
  private readonly wires = new Map<string, Promise<WireConnection>>();
  /** What services hold: every call goes through callAdmin, so a stale admin is replaced under them. */
  private readonly adminFacade: Admin;

  constructor(readonly config: ClusterConfig) {
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      ssl: config.ssl,
      sasl: config.sasl,
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1_000 },
      logLevel: process.env.SLUICE_KAFKA_LOGS ? logLevel.INFO : logLevel.NOTHING,
    });
    // Not a thenable ("then" stays undefined), so `await getAdmin()` yields the facade itself.
    this.adminFacade = new Proxy({} as Admin, {
      get: (_target, name) => (typeof name === "string" && name !== "then" ? (...args: unknown[]) => this.callAdmin(name, args) : undefined),
    });
  }

  /** A connected admin client; a failed connection is forgotten so the next call tries again. */
  async getAdmin(): Promise<Admin> {
    await this.currentAdminSlot();
    return this.adminFacade;
  }

  private currentAdminSlot(): Promise<AdminSlot> {
    if (!this.adminSlot) {
      const admin = this.kafka.admin({ retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1_000 } });
      const slot = admin.connect().then(
        (): AdminSlot => ({ admin, remembersTopics: false, inFlight: 0, retired: false }),
        (error) => {
          if (this.adminSlot === slot) this.adminSlot = null;
          throw error;
        },
      );
      this.adminSlot = slot;
    }
    return this.adminSlot;
  }

  /**
   * Runs one admin call. When it fails with UNKNOWN_TOPIC_OR_PARTITION on an
   * admin that may remember a topic deleted since, the admin is replaced and
   * the call runs once more on the new one: a topic that is really unknown
   * fails again, while a deleted one no longer breaks calls about others.
   */
  private async callAdmin(name: string, args: unknown[]): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const pending = this.currentAdminSlot();
      const slot = await pending;
      if (TOPIC_REMEMBERING_CALLS.has(name)) slot.remembersTopics = true;
      slot.inFlight++;
      try {
        return await (slot.admin[name as keyof Admin] as (...a: unknown[]) => unknown).apply(slot.admin, args);
      } catch (error) {
        if (attempt === 1 && slot.remembersTopics && kafkaType(error) === "UNKNOWN_TOPIC_OR_PARTITION") {
          slot.retired = true;
          if (this.adminSlot === pending) this.adminSlot = null;
          continue;
        }
        throw error;
      } finally {
        slot.inFlight--;
        if (slot.retired && slot.inFlight === 0) slot.admin.disconnect().catch(() => {});
      }
    }
  }

  /** A raw protocol connection to one broker (see WireConnection), authenticated as kafkajs is, reopened when it closed. */
  async wire(host: string, port: number): Promise<WireConnection> {
    const address = `${host}:${port}`;
    const existing = this.wires.get(address);
    if (existing) {
      const connection = await existing.catch(() => null);
      if (connection?.usable) return connection;
      connection?.retire();
      if (this.wires.get(address) === existing) this.wires.delete(address);
    }
    const opened = WireConnection.connect(host, port, {
      clientId: this.config.clientId,
      tls: Boolean(this.config.ssl),
      timeoutMs: CONNECT_TIMEOUT_MS,
      sasl: this.config.sasl ? wireSasl(this.config.sasl) : undefined,
    });
    this.wires.set(address, opened);
    opened.catch(() => this.wires.delete(address));
    return opened;
  }

  /** Drops connections after the cluster went away, so the next request starts clean. */
  async reset(): Promise<void> {
    const slot = this.adminSlot;
    this.adminSlot = null;
    for (const wire of this.wires.values()) wire.then((c) => c.close(), () => {});
    this.wires.clear();
    await Promise.allSettled([slot?.then((s) => s.admin.disconnect())]);
  }
}

// Next.js reloads modules in development; the registry lives on globalThis so
// connections survive hot reloads instead of leaking one set per edit.
const globalRegistry = globalThis as unknown as { __sluiceClusters?: Map<string, ClusterClients> };

/**
 * The clients of the configured cluster, kept under "default": the first of
 * the configuration file, or KAFKA_BROKERS. One cluster today; the map keys
 * leave room for more.
 */
export function clusterClients(clusterId = "default"): ClusterClients {
  const registry = (globalRegistry.__sluiceClusters ??= new Map());
  let clients = registry.get(clusterId);
  if (!clients) {
    clients = new ClusterClients(defaultClusterConfig());
    registry.set(clusterId, clients);
  }
  return clients;
}

/** Tests point the registry at a broker they started. */
export function useCluster(config: ClusterConfig): ClusterClients {
  const registry = (globalRegistry.__sluiceClusters ??= new Map());
  const clients = new ClusterClients(config);
  registry.set(config.id, clients);
  return clients;
}
