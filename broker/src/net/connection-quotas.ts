import { isIpAddress } from "../runtime/network";

/** The connection limits in force; read again at every accept, so dynamic config changes apply to the next connection. */
export interface ConnectionQuotaConfig {
  /** max.connections: across every listener. */
  maxConnections: number;
  /** max.connections.per.ip: from one address, across every listener. */
  maxConnectionsPerIp: number;
  /** max.connections.per.ip.overrides: host name or address to its own limit. */
  maxConnectionsPerIpOverrides: ReadonlyMap<string, number>;
  /** listener.name.<listener>.max.connections, by listener name. */
  listenerMaxConnections: ReadonlyMap<string, number>;
  /**
   * The inter-broker listener. As in Kafka, when there is more than one
   * listener it is exempt from max.connections (its own listener limit still
   * holds), and the node makes room by closing the least recently active
   * connection of another listener.
   */
  interBrokerListenerName: string | null;
}

export const UNLIMITED_CONNECTIONS: ConnectionQuotaConfig = {
  maxConnections: Number.MAX_SAFE_INTEGER,
  maxConnectionsPerIp: Number.MAX_SAFE_INTEGER,
  maxConnectionsPerIpOverrides: new Map(),
  listenerMaxConnections: new Map(),
  interBrokerListenerName: null,
};

export type QuotaName = "max.connections" | "listener max.connections" | "max.connections.per.ip";

export type Admission =
  | { admitted: true; /** The broker-wide count passed max.connections on the protected listener: close one elsewhere. */ evictOne: boolean }
  | { admitted: false; quota: QuotaName; property: string; limit: number };

/** One address as the socket reports it: IPv4-mapped IPv6 addresses (::ffff:1.2.3.4) count as their IPv4 address. */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return (mapped ? mapped[1] : address).toLowerCase();
}

/**
 * Counts open connections by listener and by client address, and decides
 * whether a new one may stay, as Kafka's ConnectionQuotas does for
 * max.connections, listener.name.<listener>.max.connections,
 * max.connections.per.ip and its overrides. Host names in the overrides are
 * resolved when the overrides change (Kafka resolves them when it reads its
 * config); until then, and if resolution fails, they apply to no one.
 */
export class ConnectionQuotas {
  private total = 0;
  private readonly byListener = new Map<string, number>();
  private readonly byAddress = new Map<string, number>();
  private overridesKey = "";
  private overridesByAddress = new Map<string, number>();
  /** Connections refused, by the quota that refused them. */
  readonly refused: Record<QuotaName, number> = { "max.connections": 0, "listener max.connections": 0, "max.connections.per.ip": 0 };

  constructor(
    private readonly config: () => ConnectionQuotaConfig,
    /** Resolves a host name of the overrides to its addresses (the Network seam's lookup). */
    private readonly lookup: (host: string) => Promise<string[]>,
    private readonly onResolveFailed: (host: string, error: Error) => void = () => {},
  ) {}

  get connectionCount(): number {
    return this.total;
  }

  /** Open connections by listener name (every listener added, with 0 for one without). */
  byListenerName(): ReadonlyMap<string, number> {
    return this.byListener;
  }

  countFor(address: string): number {
    return this.byAddress.get(normalizeAddress(address)) ?? 0;
  }

  /** Counts a new connection when it is within every limit; otherwise counts the refusal. */
  admit(listenerName: string, remoteAddress: string): Admission {
    const config = this.config();
    void this.refreshOverrides(config.maxConnectionsPerIpOverrides);
    const address = normalizeAddress(remoteAddress);

    const listenerLimit = config.listenerMaxConnections.get(listenerName);
    const onListener = this.byListener.get(listenerName) ?? 0;
    if (listenerLimit !== undefined && onListener >= listenerLimit)
      return this.refuse("listener max.connections", `listener.name.${listenerName.toLowerCase()}.max.connections`, listenerLimit);
    const protectedListener = listenerName === config.interBrokerListenerName && this.byListener.size > 1;
    const overBrokerLimit = this.total >= config.maxConnections;
    if (overBrokerLimit && !protectedListener) return this.refuse("max.connections", "max.connections", config.maxConnections);
    const addressLimit = this.overridesByAddress.get(address) ?? config.maxConnectionsPerIp;
    if ((this.byAddress.get(address) ?? 0) >= addressLimit)
      return this.refuse("max.connections.per.ip", this.overridesByAddress.has(address) ? "max.connections.per.ip.overrides" : "max.connections.per.ip", addressLimit);

    this.total++;
    this.byListener.set(listenerName, onListener + 1);
    this.byAddress.set(address, (this.byAddress.get(address) ?? 0) + 1);
    return { admitted: true, evictOne: overBrokerLimit };
  }

  /** A connection admitted earlier has closed. */
  release(listenerName: string, remoteAddress: string): void {
    const address = normalizeAddress(remoteAddress);
    this.total--;
    decrement(this.byListener, listenerName, false);
    decrement(this.byAddress, address, true);
  }

  /** Listeners are known before any connection arrives, so that the protected-listener rule sees them all. */
  addListener(listenerName: string): void {
    if (!this.byListener.has(listenerName)) this.byListener.set(listenerName, 0);
  }

  /** Resolves the override hosts when they have changed; addresses apply at once. */
  async refreshOverrides(overrides: ReadonlyMap<string, number>): Promise<void> {
    const key = [...overrides].map(([host, count]) => `${host}:${count}`).join(",");
    if (key === this.overridesKey) return;
    this.overridesKey = key;
    const byAddress = new Map<string, number>();
    const hosts: Array<[string, number]> = [];
    for (const [host, count] of overrides) {
      if (isIpAddress(host)) byAddress.set(normalizeAddress(host), count);
      else hosts.push([host, count]);
    }
    this.overridesByAddress = byAddress;
    if (hosts.length === 0) return;
    const resolved = await Promise.all(
      hosts.map(async ([host, count]) => {
        try {
          return (await this.lookup(host)).map((address) => [normalizeAddress(address), count] as const);
        } catch (error) {
          this.onResolveFailed(host, error as Error);
          return [];
        }
      }),
    );
    if (this.overridesKey !== key) return; // changed again meanwhile
    const merged = new Map(byAddress);
    // An address given literally wins over the same address reached through a host name.
    for (const [address, count] of resolved.flat()) if (!byAddress.has(address)) merged.set(address, count);
    this.overridesByAddress = merged;
  }

  private refuse(quota: QuotaName, property: string, limit: number): Admission {
    this.refused[quota]++;
    return { admitted: false, quota, property, limit };
  }
}

function decrement(counts: Map<string, number>, key: string, forgetAtZero: boolean): void {
  const count = (counts.get(key) ?? 0) - 1;
  if (count < 0) throw new Error(`connection count of ${key} went below zero`);
  if (count === 0 && forgetAtZero) counts.delete(key);
  else counts.set(key, count);
}
