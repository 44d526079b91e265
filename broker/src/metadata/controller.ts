import { KafkaError } from "../protocol/errors";
import { ConfigError, withDynamicConfigs, type BrokerConfig } from "../config/broker-config";
import { validateTopicConfigs } from "../config/topic-config";
import type { Logger } from "../runtime/logger";
import type { RandomBytes } from "../runtime/random";
import { alteredOverrides, type AlterationOptions, type ConfigChange, type ConfigResource } from "./config-control";
import { MetadataDelta } from "./delta";
import type { MetadataImage, TopicState } from "./image";
import { isInternalTopic } from "./image";
import type { MetadataLog } from "./metadata-log";
import type { MetadataRecord } from "./records";
import { newTopicId } from "./topic-ids";
import { collisionKey, topicNameProblem } from "./topic-names";
export interface CreateTopicSpec {
  name: string;
  /** -1 for the broker's num.partitions. */
  numPartitions: number;
  /** -1 for the broker's default.replication.factor. */
  replicationFactor: number;
  /** Explicit replica lists by partition index; when given, the two counts above must be -1. */
  assignments: ReadonlyArray<{ partition: number; brokerIds: number[] }>;
  configs: Record<string, string | null>;
}

/**
 * The active controller as a standby node reaches it (remote-controller.ts):
 * the controller calls that no client request carries to it (auto-created
 * topics, the offsets topic, producer-id blocks). Each returns null when this
 * node is the active controller (or knows none): the caller then proposes
 * itself, and a standby's proposal fails with NOT_CONTROLLER.
 */
export interface RemoteController {
  createTopic(spec: CreateTopicSpec): Promise<void> | null;
  /** Resolves once the block is committed and applied on this node too. */
  allocateProducerIds(nodeId: number): Promise<void> | null;
}

/** A limit on partitions per request, so one request cannot exhaust file descriptors. */
export const PARTITIONS_PER_TOPIC_MAX = 10_000;

/** Ids taken from the metadata log at a time (Kafka's block size). */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

/** A proposal of this controller that has not yet committed, with the offsets its records took in the log. */
interface InFlightProposal {
  readonly records: readonly MetadataRecord[];
  readonly baseOffset: number;
}

/**
 * Validates topic, config and producer-id changes and proposes them to the
 * metadata log as records. A method resolves once its records are committed
 * and the loader has applied them; it changes nothing itself: every effect
 * on this node (logs, configs, groups, producer ids) comes from the loader's
 * publishers, as on a node that only replays the log.
 *
 * Requests are validated against the committed image plus this controller's
 * own proposals not yet committed, replayed in proposal order (Kafka's
 * QuorumController keeps its state ahead of the committed offset the same
 * way): a commit may come long after `propose` (a quorum, an fsync), and two
 * requests validated against the committed image alone could both pass:
 * two topics of one name, overlapping producer-id blocks, a config change
 * computed from a stale base. A proposal that fails is dropped, and so is
 * every one made after it, which were validated on top of it. Every check
 * happens before the proposal and nothing awaits in between.
 */
export class Controller {
  /** Proposals made and not yet committed, in proposal (and so log) order. */
  private inFlight: InFlightProposal[] = [];
  /** The last image `image` built, kept while neither the committed image nor the proposals in flight change. */
  private proposedCache: { committed: MetadataImage; inFlight: readonly InFlightProposal[]; image: MetadataImage } | null = null;

  /** The active controller, when this node is a standby of a quorum (set once the quorum is built). */
  private remote: RemoteController | null = null;

  constructor(
    private readonly log: MetadataLog,
    /** The latest committed image. */
    private readonly currentImage: () => MetadataImage,
    /** The node's current configuration: topic defaults, and the static layer dynamic configs go on. */
    private readonly brokerConfig: () => BrokerConfig,
    /** Draws topic ids. */
    private readonly random: RandomBytes,
    private readonly logger: Logger,
  ) {}

  /**
   * What requests are validated against: the committed image with this
   * controller's proposals in flight applied on top, in proposal order.
   */
  get image(): MetadataImage {
    const committed = this.currentImage();
    // A proposal the loader has applied is in the committed image already (its promise may not have resolved yet).
    while (this.inFlight.length > 0 && lastOffsetOf(this.inFlight[0]) <= committed.lastAppliedOffset) this.inFlight = this.inFlight.slice(1);
    if (this.inFlight.length === 0) return committed;
    const cached = this.proposedCache;
    if (cached && cached.committed === committed && cached.inFlight === this.inFlight) return cached.image;
    const delta = new MetadataDelta(committed);
    // Offsets only order the replay here; the image is never published.
    let offset = committed.lastAppliedOffset;
    for (const proposal of this.inFlight) for (const record of proposal.records) delta.replay(record, ++offset);
    const image = delta.apply();
    this.proposedCache = { committed, inFlight: this.inFlight, image };
    return image;
  }

  /**
   * Proposes records that were validated against `image`, and counts them
   * in it until they commit. Resolves once they are committed and applied.
   */
  private async propose(records: readonly MetadataRecord[]): Promise<void> {
    if (records.length === 0) return;
    // The log appends before `propose` returns (its contract), at its end offset: that is where these records go.
    const proposal: InFlightProposal = { records, baseOffset: this.log.endOffset };
    this.inFlight = [...this.inFlight, proposal];
    try {
      await this.log.propose(records);
    } catch (error) {
      // Later proposals were validated on top of this one: drop them too (if they commit all the same, the committed image shows them).
      const index = this.inFlight.indexOf(proposal);
      if (index >= 0) this.inFlight = this.inFlight.slice(0, index);
      throw error;
    }
    this.inFlight = this.inFlight.filter((other) => other !== proposal);
  }

  /**
   * On a standby of a quorum, the changes no client request carries to the
   * active controller (auto-created topics, the offsets topic, producer-id
   * blocks) are sent to it through `remote`; the others are forwarded as
   * requests (handlers/forwarding.ts).
   */
  forwardWhenStandby(remote: RemoteController): void {
    this.remote = remote;
  }

  /**
   * Creates a topic; resolves with it as committed, or with null when
   * `validateOnly`, or when an internal topic was created by the active
   * controller on a standby's behalf (it reaches this node's image later).
   */
  async createTopic(spec: CreateTopicSpec, options: { validateOnly: boolean; allowInternal?: boolean; forwarded?: boolean }): Promise<TopicState | null> {
    if (options.allowInternal && !options.validateOnly && !options.forwarded) {
      const forwarded = this.remote?.createTopic(spec);
      if (forwarded) {
        await forwarded;
        return null;
      }
    }
    const problem = topicNameProblem(spec.name);
    if (problem) throw new KafkaError("INVALID_TOPIC_EXCEPTION", problem);
    if (this.image.topic(spec.name)) throw new KafkaError("TOPIC_ALREADY_EXISTS", `Topic '${spec.name}' already exists.`);
    if (isInternalTopic(spec.name) && !options.allowInternal)
      throw new KafkaError("INVALID_REQUEST", `Creation of internal topic ${spec.name} is prohibited.`);
    const key = collisionKey(spec.name);
    for (const existing of this.image.topicsByName.keys()) {
      if (collisionKey(existing) === key)
        throw new KafkaError("INVALID_TOPIC_EXCEPTION", `Topic '${spec.name}' collides with existing topic: ${existing}`);
    }
    const configs = validateTopicConfigs(spec.configs);
    if (!configs.ok) throw new KafkaError("INVALID_CONFIG", configs.message);

    const replicaLists = this.placeReplicas(spec);
    if (options.validateOnly) return null;

    const topicId = newTopicId(this.random);
    const records: MetadataRecord[] = [{ type: "TopicRecord", name: spec.name, topicId }];
    replicaLists.forEach((replicas, partition) =>
      records.push({ type: "PartitionRecord", topicId, partition, replicas, isr: replicas, leader: replicas[0], leaderEpoch: 0 }),
    );
    for (const [name, value] of Object.entries(configs.configs))
      records.push({ type: "ConfigRecord", resourceType: "topic", resourceName: spec.name, name, value });
    await this.propose(records);
    const created = this.currentImage().topicsById.get(topicId);
    // Only a delete proposed after this commit and before this line can do that.
    if (!created) throw new KafkaError("UNKNOWN_TOPIC_OR_PARTITION", `Topic '${spec.name}' was deleted as it was created.`);
    return created;
  }

  /**
   * Creates a topic a client asked for by name with the broker defaults, when
   * auto.create.topics.enable allows it. Resolves false when it does not, or
   * when the name cannot be created (a client then hears that it is unknown).
   */
  async autoCreateTopic(name: string): Promise<boolean> {
    if (!this.brokerConfig().autoCreateTopicsEnable) return false;
    try {
      const forwarded = this.remote?.createTopic({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: {} });
      if (forwarded) {
        await forwarded;
        return true;
      }
      await this.createTopic({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: {} }, { validateOnly: false });
      this.logger.info("auto-created topic", { topic: name });
      return true;
    } catch (error) {
      if (error instanceof KafkaError) return false;
      throw error;
    }
  }

  private placeReplicas(spec: CreateTopicSpec): number[][] {
    const brokerIds = this.image.unfencedBrokerIds;
    if (spec.assignments.length > 0) {
      if (spec.numPartitions !== -1 || spec.replicationFactor !== -1)
        throw new KafkaError("INVALID_REQUEST", "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
      return this.validateAssignments(spec.assignments, 0, brokerIds);
    }
    const defaults = this.brokerConfig();
    const partitions = spec.numPartitions === -1 ? defaults.numPartitions : spec.numPartitions;
    const replicationFactor = spec.replicationFactor === -1 ? defaults.defaultReplicationFactor : spec.replicationFactor;
    if (partitions <= 0) throw new KafkaError("INVALID_PARTITIONS", "Number of partitions must be larger than 0.");
    if (partitions > PARTITIONS_PER_TOPIC_MAX)
      throw new KafkaError("INVALID_PARTITIONS", `Number of partitions must be at most ${PARTITIONS_PER_TOPIC_MAX}.`);
    if (replicationFactor <= 0) throw new KafkaError("INVALID_REPLICATION_FACTOR", "Replication factor must be larger than 0.");
    // Partitions do not replicate between nodes yet (issue 12 §2): a replica that never fetches would hold the high watermark back forever.
    if (replicationFactor > 1 && defaults.quorum !== null)
      throw new KafkaError("INVALID_REPLICATION_FACTOR", `Replication factor ${replicationFactor} needs partition replication between nodes, which this broker does not do yet; use 1.`);
    if (replicationFactor > brokerIds.length)
      throw new KafkaError(
        "INVALID_REPLICATION_FACTOR",
        `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${brokerIds.length} broker(s) are registered.`,
      );
    return roundRobin(partitions, replicationFactor, brokerIds, 0);
  }

  private validateAssignments(
    assignments: ReadonlyArray<{ partition: number; brokerIds: number[] }>,
    firstPartition: number,
    brokerIds: number[],
  ): number[][] {
    const sorted = [...assignments].sort((a, b) => a.partition - b.partition);
    const replicationFactor = sorted[0].brokerIds.length;
    sorted.forEach((assignment, index) => {
      if (assignment.partition !== firstPartition + index)
        throw new KafkaError("INVALID_REPLICA_ASSIGNMENT", "Partitions should be a consecutive 0-based integer sequence");
      if (assignment.brokerIds.length === 0)
        throw new KafkaError("INVALID_REPLICA_ASSIGNMENT", `Replica assignment for partition ${assignment.partition} is empty.`);
      if (assignment.brokerIds.length !== replicationFactor)
        throw new KafkaError("INVALID_REPLICA_ASSIGNMENT", "All partitions should have the same number of replicas.");
      if (new Set(assignment.brokerIds).size !== assignment.brokerIds.length)
        throw new KafkaError("INVALID_REPLICA_ASSIGNMENT", `Duplicate replica assignment found: ${assignment.brokerIds}`);
      const unknown = assignment.brokerIds.find((id) => !brokerIds.includes(id));
      if (unknown !== undefined)
        throw new KafkaError("INVALID_REPLICA_ASSIGNMENT", `Replica assignment references unknown broker ${unknown}.`);
    });
    return sorted.map((assignment) => [...assignment.brokerIds]);
  }

  /**
   * The topic, or UNKNOWN_TOPIC_OR_PARTITION. Kafka words it per API: topic
   * admin says the partition is not hosted, config APIs that the topic does not exist.
   */
  private existingTopic(name: string, message = "This server does not host this topic-partition.") {
    const topic = this.image.topic(name);
    if (!topic) throw new KafkaError("UNKNOWN_TOPIC_OR_PARTITION", message);
    return topic;
  }

  /** Removes a topic; its logs and committed offsets go when the removal is applied. */
  async deleteTopic(name: string): Promise<void> {
    const topic = this.existingTopic(name);
    await this.propose([{ type: "RemoveTopicRecord", topicId: topic.topicId }]);
  }

  async createPartitions(
    name: string,
    totalCount: number,
    assignments: ReadonlyArray<number[]> | null,
    options: { validateOnly: boolean },
  ): Promise<void> {
    const topic = this.existingTopic(name);
    const current = topic.partitions.length;
    if (totalCount <= current)
      throw new KafkaError(
        "INVALID_PARTITIONS",
        totalCount === current
          ? `Topic already has ${current} partitions.`
          : `Topic currently has ${current} partitions, which is higher than the requested ${totalCount}.`,
      );
    if (totalCount > PARTITIONS_PER_TOPIC_MAX)
      throw new KafkaError("INVALID_PARTITIONS", `Number of partitions must be at most ${PARTITIONS_PER_TOPIC_MAX}.`);
    const brokerIds = this.image.unfencedBrokerIds;
    const replicationFactor = topic.partitions[0]?.replicas.length ?? 1;
    let replicaLists: number[][];
    if (assignments) {
      if (assignments.length !== totalCount - current)
        throw new KafkaError(
          "INVALID_REPLICA_ASSIGNMENT",
          `Increasing the number of partitions by ${totalCount - current} but ${assignments.length} assignments provided.`,
        );
      replicaLists = this.validateAssignments(
        assignments.map((brokerIdsOfPartition, index) => ({ partition: current + index, brokerIds: brokerIdsOfPartition })),
        current,
        brokerIds,
      );
      if (replicaLists[0].length !== replicationFactor)
        throw new KafkaError("INVALID_REPLICA_ASSIGNMENT", `Inconsistent replication factor between partitions, partition 0 has ${replicationFactor}.`);
    } else {
      replicaLists = roundRobin(totalCount - current, replicationFactor, brokerIds, current);
    }
    if (options.validateOnly) return;
    await this.propose(
      replicaLists.map((replicas, index) => ({
        type: "PartitionRecord" as const,
        topicId: topic.topicId,
        partition: current + index,
        replicas,
        isr: replicas,
        leader: replicas[0],
        leaderEpoch: 0,
      })),
    );
  }

  /**
   * Applies config changes to a topic or to a broker's dynamic configs, or
   * only checks them with `validateOnly` (see AlterationOptions.mode). The
   * node's logs and effective config follow once the records are applied.
   */
  async alterConfigs(resource: ConfigResource, changes: readonly ConfigChange[], options: AlterationOptions): Promise<void> {
    if (resource.kind === "topic") {
      const topic = this.existingTopic(resource.name, `Topic ${resource.name} does not exist.`);
      const next = alteredOverrides(resource, topic.configs, changes, options.mode, this.brokerConfig());
      await this.replaceTopicConfigs(resource.name, next, options);
    } else {
      const current = this.image.brokerConfigs.get(resource.name) ?? new Map<string, string>();
      const next = alteredOverrides(resource, current, changes, options.mode, this.brokerConfig());
      await this.replaceBrokerConfigs(resource.name, next, options);
    }
  }

  /** Replaces a topic's config overrides with `next` (only the difference is written). */
  private async replaceTopicConfigs(name: string, next: Record<string, string>, options: { validateOnly: boolean }): Promise<void> {
    const topic = this.existingTopic(name, `Topic ${name} does not exist.`);
    const validated = validateTopicConfigs(next, this.brokerConfig());
    if (!validated.ok) throw new KafkaError("INVALID_CONFIG", validated.message);
    if (options.validateOnly) return;
    await this.propose(configDiff("topic", name, topic.configs, validated.configs));
  }

  /** Replaces the dynamic configs of broker `resourceName` (this node's id) with `next`, once they resolve on the node's static config. */
  private async replaceBrokerConfigs(resourceName: string, next: Record<string, string>, options: { validateOnly: boolean }): Promise<void> {
    try {
      withDynamicConfigs(this.brokerConfig(), next);
    } catch (error) {
      if (error instanceof ConfigError) throw new KafkaError("INVALID_CONFIG", error.message);
      throw error;
    }
    if (options.validateOnly) return;
    await this.propose(configDiff("broker", resourceName, this.image.brokerConfigs.get(resourceName) ?? new Map(), next));
  }

  /**
   * Registers a broker (BrokerRegistration): a RegisterBrokerRecord, fenced
   * until its heartbeats show it has caught up with the metadata. Resolves
   * with its broker epoch, the offset of the record, once committed.
   */
  async registerBroker(registration: { brokerId: number; incarnationId: string; rack: string | null; endpoints: Array<{ name: string; host: string; port: number }> }): Promise<number> {
    const brokerEpoch = this.log.endOffset;
    await this.propose([{ type: "RegisterBrokerRecord", ...registration, endpoints: registration.endpoints.map((endpoint) => ({ ...endpoint })), brokerEpoch, fenced: true }]);
    return brokerEpoch;
  }

  /**
   * Fences or unfences a broker's current registration (a change for an
   * older epoch is ignored when replayed), and moves partition leadership
   * with it, as Kafka's controller does: a fenced leader hands its partitions
   * to another unfenced in-sync replica (leaving the ISR), or, when it was the
   * last one, leaves them without a leader (-1; no unclean election); an
   * unfenced broker takes back the leaderless partitions whose ISR it ends.
   */
  async changeBrokerFencing(brokerId: number, brokerEpoch: number, fenced: boolean): Promise<void> {
    const image = this.image;
    const broker = image.brokers.get(brokerId);
    if (!broker || broker.brokerEpoch !== brokerEpoch || broker.fenced === fenced) return;
    const usable = new Set(image.unfencedBrokerIds.filter((id) => id !== brokerId));
    const records: MetadataRecord[] = [{ type: "BrokerRegistrationChangeRecord", brokerId, brokerEpoch, fenced }];
    for (const topic of image.topicsById.values()) {
      for (const state of topic.partitions) {
        let leader: number;
        let isr = [...state.isr];
        if (fenced && state.leader === brokerId) {
          const others = isr.filter((id) => id !== brokerId && usable.has(id));
          leader = others[0] ?? -1;
          if (others.length > 0) isr = isr.filter((id) => id !== brokerId);
        } else if (!fenced && state.leader === -1 && isr.includes(brokerId)) leader = brokerId;
        else continue;
        records.push({ type: "PartitionRecord", topicId: topic.topicId, partition: state.partition, replicas: [...state.replicas], isr, leader, leaderEpoch: state.leaderEpoch + 1 });
      }
    }
    await this.propose(records);
  }

  /**
   * Hands node `nodeId` the next block of producer ids. The block reaches the
   * node's ProducerIdManager through the loader when the record commits;
   * this resolves after that.
   */
  async allocateProducerIds(nodeId: number, options: { forwarded?: boolean } = {}): Promise<{ producerIdStart: number; producerIdLen: number }> {
    const remotely = options.forwarded ? null : this.remote?.allocateProducerIds(nodeId);
    if (remotely) {
      await remotely;
      return { producerIdStart: -1, producerIdLen: 0 };
    }
    const producerIdStart = this.image.nextProducerId;
    const nextProducerId = producerIdStart + PRODUCER_ID_BLOCK_SIZE;
    if (!Number.isSafeInteger(nextProducerId)) throw new KafkaError("UNKNOWN_SERVER_ERROR", "producer ids are exhausted");
    await this.propose([{ type: "ProducerIdsRecord", nodeId, nextProducerId }]);
    return { producerIdStart, producerIdLen: PRODUCER_ID_BLOCK_SIZE };
  }
}

function lastOffsetOf(proposal: InFlightProposal): number {
  return proposal.baseOffset + proposal.records.length - 1;
}

/** The config records that turn `current` into `next`: removals as null values, then changed or new values. */
function configDiff(
  resourceType: "topic" | "broker",
  resourceName: string,
  current: ReadonlyMap<string, string>,
  next: Readonly<Record<string, string>>,
): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  for (const name of current.keys())
    if (!Object.hasOwn(next, name)) records.push({ type: "ConfigRecord", resourceType, resourceName, name, value: null });
  for (const [name, value] of Object.entries(next))
    if (current.get(name) !== value) records.push({ type: "ConfigRecord", resourceType, resourceName, name, value });
  return records;
}

/** Spreads leaders and followers over the brokers, starting after the last partition placed. */
function roundRobin(partitions: number, replicationFactor: number, brokerIds: number[], firstPartition: number): number[][] {
  const lists: number[][] = [];
  for (let index = 0; index < partitions; index++) {
    const start = (firstPartition + index) % brokerIds.length;
    const replicas: number[] = [];
    for (let replica = 0; replica < replicationFactor; replica++) replicas.push(brokerIds[(start + replica) % brokerIds.length]);
    lists.push(replicas);
  }
  return lists;
}
