import "server-only";
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from "kafkajs";
import { clusterConfigFromEnv, type ClusterConfig } from "./cluster-config";
import { wireSasl } from "./sasl";
import { WireConnection } from "./wire";

/** Bounds on every call to the cluster, so a dead broker gives an error in seconds, not a hung page. */
export const CONNECT_TIMEOUT_MS = 3_000;
export const REQUEST_TIMEOUT_MS = 10_000;

/** The clients of one cluster, created on first use and reused across requests. */
export class ClusterClients {
  readonly kafka: Kafka;
  private admin: Promise<Admin> | null = null;
  private producer: Promise<Producer> | null = null;
  private readonly wires = new Map<string, Promise<WireConnection>>();

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
  }

  /** A connected admin client; a failed connection is forgotten so the next call tries again. */
  getAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin({ retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1_000 } });
      this.admin = admin.connect().then(
        () => admin,
        (error) => {
          this.admin = null;
          throw error;
        },
      );
    }
    return this.admin;
  }

  getProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
      this.producer = producer.connect().then(
        () => producer,
        (error) => {
          this.producer = null;
          throw error;
        },
      );
    }
    return this.producer;
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
    const admin = this.admin;
    const producer = this.producer;
    this.admin = null;
    this.producer = null;
    for (const wire of this.wires.values()) wire.then((c) => c.close(), () => {});
    this.wires.clear();
    await Promise.allSettled([admin?.then((a) => a.disconnect()), producer?.then((p) => p.disconnect())]);
  }
}

// Next.js reloads modules in development; the registry lives on globalThis so
// connections survive hot reloads instead of leaking one set per edit.
const globalRegistry = globalThis as unknown as { __sluiceClusters?: Map<string, ClusterClients> };

/** The clients of the configured cluster. One cluster today (KAFKA_BROKERS); the map keys leave room for more. */
export function clusterClients(clusterId = "default"): ClusterClients {
  const registry = (globalRegistry.__sluiceClusters ??= new Map());
  let clients = registry.get(clusterId);
  if (!clients) {
    clients = new ClusterClients(clusterConfigFromEnv());
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
