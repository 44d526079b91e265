import type { BrokerConfig } from "../config/broker-config";
import { resolveTopicConfig, TOPIC_CONFIG_DEFS, type ResolvedTopicConfig } from "../config/topic-config";
import type { MetadataImage, TopicState } from "../metadata/image";
import { PRODUCER_ID_EXPIRATION_MS } from "../producer/producer-table";
import type { ProducerStateDeps } from "../producer/partition-producer-state";
import { DEFAULT_LOG_CONFIG } from "../storage/log-config";
import type { LogManager } from "../storage/log-manager";
import type { LogConfig } from "../storage/partition-log";
import { Partition, type Leadership, type PartitionMetrics } from "./partition";
import { partitionKey, type PartitionKey } from "../storage/partition-key";

export interface PartitionRegistryDeps {
  /** The committed metadata: which partitions exist, their leadership and their topic's configs. */
  image: () => MetadataImage;
  logs: LogManager;
  brokerConfig: () => BrokerConfig;
  nodeId: number;
  producerState: ProducerStateDeps;
  /** Told the Kafka configs a topic sets that this broker accepts but does not act on. */
  unusedTopicConfigs?: (names: string[]) => void;
  /** The counters each partition of a topic records into, and the forgetting of a deleted topic's. */
  metrics?: { topic(name: string): PartitionMetrics; topicDeleted(name: string): void };
}

/**
 * The partitions this node hosts, one Partition each, keyed by
 * partitionKey(). A partition is hosted when its log exists: the log
 * manager makes logs (when a topic is created, or found on disk at start)
 * and this registry gives each one its Partition on first use. Looking a
 * partition up never creates a log.
 */
export class PartitionRegistry {
  private readonly partitions = new Map<PartitionKey, Partition>();

  constructor(private readonly deps: PartitionRegistryDeps) {}

  /** The hosted partition, or undefined when this node has no log for it. */
  get(topic: string, partition: number): Partition | undefined {
    const key = partitionKey(topic, partition);
    const log = this.deps.logs.getByKey(key);
    const known = this.partitions.get(key);
    if (known && known.log === log) return known;
    if (known) {
      // Its log was deleted, or deleted and made again (a topic recreated under the same name).
      known.close();
      this.partitions.delete(key);
    }
    if (!log) return undefined;
    const state = this.deps.image().topic(topic);
    const config = state ? this.resolveConfig(state) : resolveTopicConfig({}, this.deps.brokerConfig());
    const created = new Partition(
      log,
      config,
      leadershipOf(state, partition, this.deps.nodeId),
      this.deps.nodeId,
      this.deps.producerState,
      this.deps.metrics?.topic(topic),
    );
    this.partitions.set(key, created);
    return created;
  }

  /** Whether the committed metadata has this partition (hosted here or not). */
  inImage(topic: string, partition: number): boolean {
    const state = this.deps.image().topic(topic);
    return state !== undefined && partition >= 0 && partition < state.partitions.length;
  }

  /** The partitions of one topic hosted here. */
  ofTopic(topic: string): Partition[] {
    const state = this.deps.image().topic(topic);
    if (!state) return [];
    return state.partitions.map((_, partition) => this.get(topic, partition)).filter((hosted) => hosted !== undefined);
  }

  /** Every hosted partition (those whose log was never used yet get their Partition now). */
  all(): Partition[] {
    return this.deps.logs
      .all()
      .map((log) => this.get(log.topic, log.partition))
      .filter((hosted) => hosted !== undefined);
  }

  /** A topic's configs changed (or the broker defaults under them): each hosted partition takes the new values. */
  topicConfigChanged(topicName: string): void {
    const topic = this.deps.image().topic(topicName);
    if (!topic) return;
    const config = this.resolveConfig(topic);
    const logConfig = logConfigOf(config);
    for (const partition of this.ofTopic(topicName)) partition.configure(config, logConfig);
  }

  /** The broker's dynamic configs changed: every topic default may have moved. */
  brokerConfigChanged(): void {
    for (const topicName of this.deps.image().topicsByName.keys()) this.topicConfigChanged(topicName);
  }

  /** Wakes every fetch waiting on any partition (a shutdown). */
  wakeAll(): void {
    for (const partition of this.partitions.values()) partition.wakeDataWaiters();
  }

  /** The image changed a topic's partitions (leader epoch, ISR): each hosted one follows. */
  leadershipChanged(topicName: string): void {
    const topic = this.deps.image().topic(topicName);
    for (const partition of this.ofTopic(topicName)) partition.updateLeadership(leadershipOf(topic, partition.partition, this.deps.nodeId));
  }

  /** The topic is gone: its partitions stop (their waiters hear at once) and its logs are deleted. */
  topicDeleted(topicName: string): void {
    for (const [key, partition] of [...this.partitions]) {
      if (partition.topic !== topicName) continue;
      partition.close();
      this.partitions.delete(key);
    }
    this.deps.logs.delete(topicName);
    this.deps.metrics?.topicDeleted(topicName);
  }

  /** The storage settings of a topic's logs; Kafka's defaults for a topic the image does not know. */
  logConfigFor(topicName: string): LogConfig {
    const topic = this.deps.image().topic(topicName);
    return topic ? logConfigOf(this.resolveConfig(topic)) : DEFAULT_LOG_CONFIG;
  }

  /** A clean shutdown: every loaded producer state goes to `<log end>.snapshot`, so the next start replays nothing. */
  snapshotProducerStates(nowMs: number): void {
    const expirationMs = this.deps.producerState.expirationMs ?? PRODUCER_ID_EXPIRATION_MS;
    for (const partition of this.partitions.values()) {
      const producers = partition.loadedProducerState;
      if (!producers) continue;
      try {
        producers.expire(nowMs, expirationMs);
        producers.snapshot();
      } catch (error) {
        this.deps.producerState.logger("writing a producer state snapshot failed", { dir: partition.log.dir, error: describe(error) });
      }
    }
  }

  private resolveConfig(topic: TopicState): ResolvedTopicConfig {
    const resolved = resolveTopicConfig(Object.fromEntries(topic.configs), this.deps.brokerConfig());
    const unused = [...topic.configs.keys()].filter((name) => TOPIC_CONFIG_DEFS.get(name)?.unused);
    if (unused.length > 0) this.deps.unusedTopicConfigs?.(unused);
    return resolved;
  }
}

/** A partition the image does not describe (a log found on disk before its metadata) is led here in epoch 0 by this node alone. */
function leadershipOf(topic: TopicState | undefined, partition: number, nodeId: number): Leadership {
  const state = topic?.partitions[partition];
  return state ? { leaderEpoch: state.leaderEpoch, isr: state.isr, leader: state.leader } : { leaderEpoch: 0, isr: [nodeId], leader: nodeId };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function logConfigOf(config: ResolvedTopicConfig): LogConfig {
  return {
    segmentBytes: config.segmentBytes,
    segmentMs: config.segmentMs,
    retentionMs: config.retentionMs,
    retentionBytes: config.retentionBytes,
    indexIntervalBytes: config.indexIntervalBytes,
    flushIntervalMessages: config.flushMessages,
    flushIntervalMs: config.flushMs,
    fileDeleteDelayMs: config.fileDeleteDelayMs,
    cleanupPolicy: config.cleanupPolicy,
    compaction: {
      deleteRetentionMs: config.deleteRetentionMs,
      minCleanableDirtyRatio: config.minCleanableDirtyRatio,
      minCompactionLagMs: config.minCompactionLagMs,
      maxCompactionLagMs: config.maxCompactionLagMs,
    },
  };
}
