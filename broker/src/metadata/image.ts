import { FrozenMap } from "./frozen-map";

export interface PartitionState {
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

export interface TopicState {
  readonly name: string;
  /** 16 bytes; kept as hex for map keys, Buffer for the wire. */
  readonly topicId: string;
  readonly partitions: readonly PartitionState[];
  /** Topic-level overrides only; defaults come from the broker config. */
  readonly configs: ReadonlyMap<string, string>;
}

/** A broker as the cluster knows it: its advertised address on each listener (Kafka's BrokerRegistration). */
export interface BrokerRegistration {
  readonly nodeId: number;
  readonly rack: string | null;
  /** host and port by listener name. */
  readonly endpoints: ReadonlyMap<string, { readonly host: string; readonly port: number }>;
  /** A fenced broker is registered but not told to clients, and gets no new partitions. */
  readonly fenced?: boolean;
  /** The offset of its registration; -1 (or absent) for a broker the node knows without one (a cluster of one's own node). */
  readonly brokerEpoch?: number;
  readonly incarnationId?: string;
}

/** A broker as a client on one listener sees it. */
export interface BrokerEndpoint {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

/** Kafka's rule: topics whose names start with "__" are internal. */
export function isInternalTopic(name: string): boolean {
  return name === "__consumer_offsets" || name === "__transaction_state" || name === "__cluster_metadata";
}

/** What an image holds, for building one (MetadataDelta.apply does). */
export interface ImageContents {
  readonly clusterId: string;
  readonly controllerId: number;
  readonly brokers: ReadonlyMap<number, BrokerRegistration>;
  readonly topicsById: Iterable<readonly [string, TopicState]>;
  readonly brokerConfigs: Iterable<readonly [string, ReadonlyMap<string, string>]>;
  readonly nextProducerId: number;
  readonly lastAppliedOffset: number;
}

/**
 * The picture of the cluster that every handler reads, as of one offset of
 * the metadata log. It never changes: the loader replays committed records
 * into a MetadataDelta and swaps in the new image it yields, so a reader
 * holding an image keeps a consistent view however long it holds it.
 */
export class MetadataImage {
  readonly clusterId: string;
  readonly controllerId: number;
  readonly brokers: ReadonlyMap<number, BrokerRegistration>;
  readonly topicsById: ReadonlyMap<string, TopicState>;
  readonly topicsByName: ReadonlyMap<string, TopicState>;
  /** Dynamic broker configs by resource name: a node id, or "" for the cluster-wide defaults. */
  readonly brokerConfigs: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** The first producer id no node has been given yet. */
  readonly nextProducerId: number;
  /** Offset of the last record replayed; -1 before any. */
  readonly lastAppliedOffset: number;

  constructor(contents: ImageContents) {
    this.clusterId = contents.clusterId;
    this.controllerId = contents.controllerId;
    this.brokers = contents.brokers instanceof FrozenMap ? contents.brokers : new FrozenMap(contents.brokers);
    this.topicsById = new FrozenMap(contents.topicsById);
    this.topicsByName = new FrozenMap([...this.topicsById.values()].map((topic) => [topic.name, topic] as const));
    this.brokerConfigs = new FrozenMap(contents.brokerConfigs);
    this.nextProducerId = contents.nextProducerId;
    this.lastAppliedOffset = contents.lastAppliedOffset;
    Object.freeze(this);
  }

  /** The image before any record: the cluster and its brokers, no topics. */
  static empty(clusterId: string, controllerId: number, brokers: ReadonlyMap<number, BrokerRegistration>): MetadataImage {
    return new MetadataImage({
      clusterId,
      controllerId,
      brokers,
      topicsById: [],
      brokerConfigs: [],
      nextProducerId: 0,
      lastAppliedOffset: -1,
    });
  }

  /** An empty image of the same cluster: what a delta describing the whole of this image starts from. */
  emptied(): MetadataImage {
    return MetadataImage.empty(this.clusterId, this.controllerId, this.brokers);
  }

  /**
   * The address of a broker on one listener: clients are told the addresses
   * of the listener they connected to (a SASL client must not be sent to a
   * PLAINTEXT port). Undefined when the broker has no such listener.
   */
  brokerOn(nodeId: number, listenerName: string): BrokerEndpoint | undefined {
    const broker = this.brokers.get(nodeId);
    if (broker?.fenced) return undefined;
    const endpoint = broker?.endpoints.get(listenerName);
    return broker && endpoint ? { nodeId, host: endpoint.host, port: endpoint.port, rack: broker.rack } : undefined;
  }

  /** Ids of the brokers that may take partitions (registered and not fenced), ascending. */
  get unfencedBrokerIds(): number[] {
    return [...this.brokers.values()].filter((broker) => !broker.fenced).map((broker) => broker.nodeId).sort((a, b) => a - b);
  }

  /** Every unfenced broker reachable on one listener, by node id. */
  brokersOn(listenerName: string): BrokerEndpoint[] {
    const endpoints: BrokerEndpoint[] = [];
    for (const nodeId of this.brokers.keys()) {
      const endpoint = this.brokerOn(nodeId, listenerName);
      if (endpoint) endpoints.push(endpoint);
    }
    return endpoints;
  }

  topic(name: string): TopicState | undefined {
    return this.topicsByName.get(name);
  }

  /**
   * The controller id to tell clients along with `listed` brokers: this node when it is among them (it forwards
   * admin requests to the active controller, as Kafka's brokers name a live broker here), else the first listed,
   * else -1. A client looks the id up among the brokers of the same response (kafkajs fails when it is not there),
   * so a node fenced in its own view must not name itself.
   */
  controllerIdAmong(listed: readonly BrokerEndpoint[]): number {
    if (listed.some((broker) => broker.nodeId === this.controllerId)) return this.controllerId;
    return listed[0]?.nodeId ?? -1;
  }
}

/**
 * The image as plain, ordered data: two images hold the same metadata exactly
 * when these are deep-equal (the replay invariant compares them this way).
 */
export function describeImage(image: MetadataImage) {
  const sortedEntries = <V>(map: ReadonlyMap<string, V>) => [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    clusterId: image.clusterId,
    controllerId: image.controllerId,
    topics: sortedEntries(image.topicsById).map(([, topic]) => ({
      name: topic.name,
      topicId: topic.topicId,
      partitions: topic.partitions.map((state) => ({ ...state, replicas: [...state.replicas], isr: [...state.isr] })),
      configs: sortedEntries(topic.configs),
    })),
    brokerConfigs: sortedEntries(image.brokerConfigs).map(([name, configs]) => [name, sortedEntries(configs)] as const),
    nextProducerId: image.nextProducerId,
    lastAppliedOffset: image.lastAppliedOffset,
  };
}
