import type { MetadataRecord } from "./records";

export interface PartitionState {
  readonly partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

export interface TopicState {
  readonly name: string;
  /** 16 bytes; kept as hex for map keys, Buffer for the wire. */
  readonly topicId: string;
  readonly partitions: PartitionState[];
  /** Topic-level overrides only; defaults come from the broker config. */
  readonly configs: Map<string, string>;
}

/** A broker as the cluster knows it: its advertised address on each listener (Kafka's BrokerRegistration). */
export interface BrokerRegistration {
  readonly nodeId: number;
  readonly rack: string | null;
  /** host and port by listener name. */
  readonly endpoints: ReadonlyMap<string, { readonly host: string; readonly port: number }>;
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

/**
 * The in-memory picture of the cluster that every handler reads. It changes
 * only by replaying metadata records, in log order.
 */
export class MetadataImage {
  readonly topicsByName = new Map<string, TopicState>();
  readonly topicsById = new Map<string, TopicState>();
  /** Dynamic broker configs by resource name: a node id, or "" for the cluster-wide defaults. */
  readonly brokerConfigs = new Map<string, Map<string, string>>();
  /** The first producer id no node has been given yet. */
  nextProducerId = 0;
  /** Offset of the last record replayed. */
  lastAppliedOffset = -1;

  constructor(
    readonly clusterId: string,
    readonly controllerId: number,
    readonly brokers: ReadonlyMap<number, BrokerRegistration>,
  ) {}

  /**
   * The address of a broker on one listener: clients are told the addresses
   * of the listener they connected to (a SASL client must not be sent to a
   * PLAINTEXT port). Undefined when the broker has no such listener.
   */
  brokerOn(nodeId: number, listenerName: string): BrokerEndpoint | undefined {
    const broker = this.brokers.get(nodeId);
    const endpoint = broker?.endpoints.get(listenerName);
    return broker && endpoint ? { nodeId, host: endpoint.host, port: endpoint.port, rack: broker.rack } : undefined;
  }

  /** Every broker reachable on one listener, by node id. */
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

  replay(record: MetadataRecord, offset: number): void {
    switch (record.type) {
      case "TopicRecord": {
        if (this.topicsByName.has(record.name)) throw new Error(`metadata log: topic ${record.name} created twice`);
        const topic: TopicState = { name: record.name, topicId: record.topicId, partitions: [], configs: new Map() };
        this.topicsByName.set(record.name, topic);
        this.topicsById.set(record.topicId, topic);
        break;
      }
      case "PartitionRecord": {
        const topic = this.topicsById.get(record.topicId);
        if (!topic) throw new Error(`metadata log: partition of unknown topic id ${record.topicId}`);
        const state: PartitionState = {
          partition: record.partition,
          leader: record.leader,
          leaderEpoch: record.leaderEpoch,
          replicas: record.replicas,
          isr: record.isr,
        };
        if (record.partition < topic.partitions.length) topic.partitions[record.partition] = state;
        else if (record.partition === topic.partitions.length) topic.partitions.push(state);
        else throw new Error(`metadata log: partition ${record.partition} of ${topic.name} skips an index`);
        break;
      }
      case "RemoveTopicRecord": {
        const topic = this.topicsById.get(record.topicId);
        if (!topic) throw new Error(`metadata log: removing unknown topic id ${record.topicId}`);
        this.topicsById.delete(record.topicId);
        this.topicsByName.delete(topic.name);
        break;
      }
      case "ConfigRecord": {
        let target: Map<string, string> | undefined;
        if (record.resourceType === "topic") target = this.topicsByName.get(record.resourceName)?.configs;
        else {
          target = this.brokerConfigs.get(record.resourceName);
          if (!target) this.brokerConfigs.set(record.resourceName, (target = new Map()));
        }
        if (!target) throw new Error(`metadata log: config for unknown topic ${record.resourceName}`);
        if (record.value === null) target.delete(record.name);
        else target.set(record.name, record.value);
        break;
      }
      case "ProducerIdsRecord": {
        if (!Number.isSafeInteger(record.nextProducerId) || record.nextProducerId <= this.nextProducerId)
          throw new Error(`metadata log: producer ids must grow: ${record.nextProducerId} after ${this.nextProducerId}`);
        this.nextProducerId = record.nextProducerId;
        break;
      }
      default: {
        const unreachable: never = record;
        throw new Error(`unhandled metadata record ${JSON.stringify(unreachable)}`);
      }
    }
    if (offset <= this.lastAppliedOffset) throw new Error(`metadata offsets must grow: ${offset} after ${this.lastAppliedOffset}`);
    this.lastAppliedOffset = offset;
  }
}
