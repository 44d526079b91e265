import { FrozenMap } from "./frozen-map";
import { MetadataImage, type BrokerRegistration, type PartitionState, type TopicState } from "./image";
import type { MetadataRecord } from "./records";

/** A block of producer ids a ProducerIdsRecord handed to one node: [firstProducerId, nextProducerId). */
export interface ProducerIdBlock {
  readonly nodeId: number;
  readonly firstProducerId: number;
  readonly nextProducerId: number;
}

/** A partition the delta created or changed, with its topic as the new image has it. */
export interface PartitionChange {
  readonly topic: TopicState;
  readonly state: PartitionState;
  /** True when the partition did not exist before the delta. */
  readonly created: boolean;
}

/** A topic the delta touched, as it will stand in the new image. */
interface TopicDraft {
  readonly name: string;
  readonly topicId: string;
  /** Not in the base image. */
  readonly created: boolean;
  readonly partitions: PartitionState[];
  readonly configs: Map<string, string>;
  readonly changedPartitions: Set<number>;
  configsChanged: boolean;
}

/**
 * The difference a run of committed metadata records makes to an image
 * (Kafka's MetadataDelta): replay records into it in log order, then `apply`
 * yields the next image, and the accessors say what changed, so that each
 * publisher acts on exactly that. The base image is never touched.
 */
export class MetadataDelta {
  private readonly touchedTopics = new Map<string, TopicDraft>();
  /** Ids of the touched topics by name, so a replay of the whole log stays linear. */
  private readonly touchedIdsByName = new Map<string, string>();
  /** Topics of the base image removed by the delta, by id. */
  private readonly removedTopics = new Map<string, TopicState>();
  private readonly changedBrokerConfigs = new Map<string, Map<string, string>>();
  private readonly blocks: ProducerIdBlock[] = [];
  private readonly changedBrokers = new Map<number, BrokerRegistration>();
  private nextProducerId: number;
  private lastOffset: number;
  private applied: MetadataImage | null = null;

  constructor(readonly base: MetadataImage) {
    this.nextProducerId = base.nextProducerId;
    this.lastOffset = base.lastAppliedOffset;
  }

  /** The delta that builds `image` from nothing: how a publisher installed late is told the whole picture. */
  static describing(image: MetadataImage): { delta: MetadataDelta; image: MetadataImage } {
    const delta = new MetadataDelta(image.emptied());
    for (const topic of image.topicsById.values()) {
      delta.replayRecord({ type: "TopicRecord", name: topic.name, topicId: topic.topicId });
      for (const state of topic.partitions) delta.replayRecord({ type: "PartitionRecord", topicId: topic.topicId, ...state, replicas: [...state.replicas], isr: [...state.isr] });
      for (const [name, value] of topic.configs) delta.replayRecord({ type: "ConfigRecord", resourceType: "topic", resourceName: topic.name, name, value });
    }
    for (const [resourceName, configs] of image.brokerConfigs)
      for (const [name, value] of configs) delta.replayRecord({ type: "ConfigRecord", resourceType: "broker", resourceName, name, value });
    delta.nextProducerId = image.nextProducerId;
    delta.lastOffset = image.lastAppliedOffset;
    // The image is the delta's result already; keep the one given, so readers compare it by identity.
    delta.applied = image;
    return { delta, image };
  }

  /** Replays one committed record; offsets must grow. Throws on a record the log could not have committed. */
  replay(record: MetadataRecord, offset: number): void {
    if (this.applied) throw new Error("metadata delta already applied");
    if (offset <= this.lastOffset) throw new Error(`metadata offsets must grow: ${offset} after ${this.lastOffset}`);
    this.replayRecord(record);
    this.lastOffset = offset;
  }

  private replayRecord(record: MetadataRecord): void {
    switch (record.type) {
      case "TopicRecord": {
        if (this.liveTopicNamed(record.name)) throw new Error(`metadata log: topic ${record.name} created twice`);
        if (this.liveTopicById(record.topicId)) throw new Error(`metadata log: topic id ${record.topicId} used twice`);
        this.touchedIdsByName.set(record.name, record.topicId);
        this.touchedTopics.set(record.topicId, {
          name: record.name,
          topicId: record.topicId,
          created: true,
          partitions: [],
          configs: new Map(),
          changedPartitions: new Set(),
          configsChanged: false,
        });
        break;
      }
      case "PartitionRecord": {
        const draft = this.draftOf(this.liveTopicById(record.topicId), `partition of unknown topic id ${record.topicId}`);
        const state: PartitionState = Object.freeze({
          partition: record.partition,
          leader: record.leader,
          leaderEpoch: record.leaderEpoch,
          replicas: Object.freeze([...record.replicas]),
          isr: Object.freeze([...record.isr]),
        });
        if (record.partition < draft.partitions.length) draft.partitions[record.partition] = state;
        else if (record.partition === draft.partitions.length) draft.partitions.push(state);
        else throw new Error(`metadata log: partition ${record.partition} of ${draft.name} skips an index`);
        draft.changedPartitions.add(record.partition);
        break;
      }
      case "RemoveTopicRecord": {
        const live = this.liveTopicById(record.topicId);
        if (!live) throw new Error(`metadata log: removing unknown topic id ${record.topicId}`);
        const draft = this.touchedTopics.get(record.topicId);
        this.touchedTopics.delete(record.topicId);
        if (draft) this.touchedIdsByName.delete(draft.name);
        // A topic both made and removed within the delta leaves no trace in it.
        if (!draft?.created) this.removedTopics.set(record.topicId, this.base.topicsById.get(record.topicId)!);
        break;
      }
      case "ConfigRecord": {
        let target: Map<string, string>;
        if (record.resourceType === "topic") {
          const draft = this.draftOf(this.liveTopicNamed(record.resourceName), `config for unknown topic ${record.resourceName}`);
          draft.configsChanged = true;
          target = draft.configs;
        } else {
          let configs = this.changedBrokerConfigs.get(record.resourceName);
          if (!configs) this.changedBrokerConfigs.set(record.resourceName, (configs = new Map(this.base.brokerConfigs.get(record.resourceName))));
          target = configs;
        }
        if (record.value === null) target.delete(record.name);
        else target.set(record.name, record.value);
        break;
      }
      case "ProducerIdsRecord": {
        if (!Number.isSafeInteger(record.nextProducerId) || record.nextProducerId <= this.nextProducerId)
          throw new Error(`metadata log: producer ids must grow: ${record.nextProducerId} after ${this.nextProducerId}`);
        this.blocks.push({ nodeId: record.nodeId, firstProducerId: this.nextProducerId, nextProducerId: record.nextProducerId });
        this.nextProducerId = record.nextProducerId;
        break;
      }
      case "RegisterBrokerRecord": {
        this.changedBrokers.set(
          record.brokerId,
          Object.freeze({
            nodeId: record.brokerId,
            rack: record.rack,
            endpoints: new FrozenMap(record.endpoints.map((endpoint) => [endpoint.name, Object.freeze({ host: endpoint.host, port: endpoint.port })] as const)),
            fenced: record.fenced,
            brokerEpoch: record.brokerEpoch,
            incarnationId: record.incarnationId,
          }),
        );
        break;
      }
      case "BrokerRegistrationChangeRecord": {
        const broker = this.changedBrokers.get(record.brokerId) ?? this.base.brokers.get(record.brokerId);
        if (!broker) throw new Error(`metadata log: registration change of unknown broker ${record.brokerId}`);
        // A change for an older registration (the broker registered again since) no longer applies.
        if (broker.brokerEpoch !== record.brokerEpoch) break;
        this.changedBrokers.set(record.brokerId, Object.freeze({ ...broker, fenced: record.fenced }));
        break;
      }
      default: {
        const unreachable: never = record;
        throw new Error(`unhandled metadata record ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** The topic with this id as the delta has it so far: touched, or untouched in the base; undefined when absent or removed. */
  private liveTopicById(topicId: string): TopicState | TopicDraft | undefined {
    if (this.removedTopics.has(topicId)) return undefined;
    return this.touchedTopics.get(topicId) ?? this.base.topicsById.get(topicId);
  }

  private liveTopicNamed(name: string): TopicState | TopicDraft | undefined {
    const touchedId = this.touchedIdsByName.get(name);
    if (touchedId !== undefined) return this.touchedTopics.get(touchedId);
    const base = this.base.topicsByName.get(name);
    return base && !this.removedTopics.has(base.topicId) && !this.touchedTopics.has(base.topicId) ? base : undefined;
  }

  /** The draft of a live topic, copied from the base image on its first change. */
  private draftOf(topic: TopicState | TopicDraft | undefined, problem: string): TopicDraft {
    if (!topic) throw new Error(`metadata log: ${problem}`);
    if ("changedPartitions" in topic) return topic;
    const draft: TopicDraft = {
      name: topic.name,
      topicId: topic.topicId,
      created: false,
      partitions: [...topic.partitions],
      configs: new Map(topic.configs),
      changedPartitions: new Set(),
      configsChanged: false,
    };
    this.touchedTopics.set(topic.topicId, draft);
    this.touchedIdsByName.set(topic.name, topic.topicId);
    return draft;
  }

  /** The image after every record replayed so far. Once called, the delta takes no more records. */
  apply(): MetadataImage {
    if (this.applied) return this.applied;
    const topicsById = new Map(this.base.topicsById);
    for (const topicId of this.removedTopics.keys()) topicsById.delete(topicId);
    for (const draft of this.touchedTopics.values()) topicsById.set(draft.topicId, frozenTopic(draft));
    const brokerConfigs = new Map(this.base.brokerConfigs);
    for (const [name, configs] of this.changedBrokerConfigs) brokerConfigs.set(name, new FrozenMap(configs));
    this.applied = new MetadataImage({
      clusterId: this.base.clusterId,
      controllerId: this.base.controllerId,
      brokers: this.changedBrokers.size === 0 ? this.base.brokers : new Map([...this.base.brokers, ...this.changedBrokers]),
      topicsById,
      brokerConfigs,
      nextProducerId: this.nextProducerId,
      lastAppliedOffset: this.lastOffset,
    });
    return this.applied;
  }

  private get image(): MetadataImage {
    if (!this.applied) throw new Error("metadata delta read before it was applied");
    return this.applied;
  }

  /** Topics the delta made, as the new image has them. */
  get createdTopics(): TopicState[] {
    return [...this.touchedTopics.values()].filter((draft) => draft.created).map((draft) => this.image.topicsById.get(draft.topicId)!);
  }

  /** Topics of the base image the delta removed, as they were. */
  get deletedTopics(): TopicState[] {
    return [...this.removedTopics.values()];
  }

  /** Every partition made or changed (a new leader, replicas or ISR), created topics' partitions included. */
  get partitionChanges(): PartitionChange[] {
    const changes: PartitionChange[] = [];
    for (const draft of this.touchedTopics.values()) {
      const topic = this.image.topicsById.get(draft.topicId)!;
      const partitionsBefore = draft.created ? 0 : this.base.topicsById.get(draft.topicId)!.partitions.length;
      for (const partition of [...draft.changedPartitions].sort((a, b) => a - b))
        changes.push({ topic, state: topic.partitions[partition], created: partition >= partitionsBefore });
    }
    return changes;
  }

  /** Topics that existed before the delta and whose config overrides it changed. */
  get topicsWithChangedConfigs(): TopicState[] {
    return [...this.touchedTopics.values()]
      .filter((draft) => !draft.created && draft.configsChanged)
      .map((draft) => this.image.topicsById.get(draft.topicId)!);
  }

  /** Names of the broker config resources (node ids, "" for cluster defaults) the delta changed. */
  get brokerConfigsChanged(): string[] {
    return [...this.changedBrokerConfigs.keys()];
  }

  /** Ids of the brokers the delta registered, fenced or unfenced. */
  get brokersChanged(): number[] {
    return [...this.changedBrokers.keys()];
  }

  /** Producer-id blocks handed out by the delta, in log order. */
  get producerIdBlocks(): readonly ProducerIdBlock[] {
    return this.blocks;
  }
}

function frozenTopic(draft: TopicDraft): TopicState {
  return Object.freeze({
    name: draft.name,
    topicId: draft.topicId,
    partitions: Object.freeze([...draft.partitions]),
    configs: new FrozenMap(draft.configs),
  });
}
