import { KafkaError } from "../protocol/errors";
import { decompressedBytesMaxFor, stampBatch, validateProducedRecords } from "../protocol/records/record-batch";
import type { BrokerConfig } from "../config/broker-config";
import { resolveTopicConfig, TOPIC_CONFIG_DEFS, type ResolvedTopicConfig } from "../config/topic-config";
import type { MetadataImage, TopicState } from "../metadata/image";
import type { ProducerStates } from "../producer/producer-states";
import type { Clock } from "../runtime/clock";
import type { LogManager } from "../storage/log-manager";
import { DEFAULT_LOG_CONFIG } from "../storage/log-config";
import type { LogConfig, PartitionLog } from "../storage/partition-log";
import { validateRecords } from "./record-validation";
import type { Cancel, Scheduler } from "../runtime/scheduler";

export interface AppendOutcome {
  baseOffset: number;
  /** -1 unless the topic stamps LogAppendTime. */
  logAppendTimeMs: number;
  logStartOffset: number;
}

/**
 * The partitions this node leads: it checks that a partition exists, appends
 * validated batches to its log, serves reads and wakes fetches waiting for
 * data. For now every partition is led here with no followers; replication
 * adds follower state and a high watermark that lags the log end.
 */
export class ReplicaManager {
  private readonly topicConfigs = new Map<string, ResolvedTopicConfig>();
  private readonly waiters = new Map<string, Set<AppendWaiter>>();

  constructor(
    /** The latest committed metadata image (it is replaced, never changed, as records commit). */
    private readonly currentImage: () => MetadataImage,
    private readonly logs: LogManager,
    private readonly brokerConfig: () => BrokerConfig,
    private readonly clock: Clock,
    /** Times out fetches that wait for data. */
    private readonly scheduler: Scheduler,
    private readonly producers: ProducerStates,
    /** Told the Kafka configs a topic sets that this broker accepts but does not act on. */
    private readonly unusedTopicConfigs: (names: string[]) => void = () => {},
  ) {}

  private get image(): MetadataImage {
    return this.currentImage();
  }

  topicConfig(topic: TopicState): ResolvedTopicConfig {
    let resolved = this.topicConfigs.get(topic.name);
    if (!resolved) {
      resolved = resolveTopicConfig(Object.fromEntries(topic.configs), this.brokerConfig());
      this.topicConfigs.set(topic.name, resolved);
      const unused = [...topic.configs.keys()].filter((name) => TOPIC_CONFIG_DEFS.get(name)?.unused);
      if (unused.length > 0) this.unusedTopicConfigs(unused);
    }
    return resolved;
  }

  /** Call after a topic's configs change so open logs pick up the new values. */
  topicConfigChanged(topicName: string): void {
    this.topicConfigs.delete(topicName);
    const topic = this.image.topic(topicName);
    if (!topic) return;
    const config = logConfigOf(this.topicConfig(topic));
    for (const state of topic.partitions) this.logs.get(topicName, state.partition)?.updateConfig(config);
  }

  /** Call after the broker's dynamic configs change: every topic default may have moved. */
  brokerConfigChanged(): void {
    for (const topicName of this.image.topicsByName.keys()) this.topicConfigChanged(topicName);
  }

  topicDeleted(topicName: string): void {
    this.topicConfigs.delete(topicName);
    this.producers.topicDeleted(topicName);
    this.logs.delete(topicName);
  }

  /** The storage settings of a topic's logs; Kafka's defaults for a topic the image does not know. */
  logConfigFor(topicName: string): LogConfig {
    const topic = this.image.topic(topicName);
    return topic ? logConfigOf(this.topicConfig(topic)) : DEFAULT_LOG_CONFIG;
  }

  /** The log of a partition led here, created on first use; a KafkaError when there is no such partition. */
  partitionLog(topicName: string, partition: number): PartitionLog {
    const topic = this.image.topic(topicName);
    if (!topic || partition < 0 || partition >= topic.partitions.length)
      throw new KafkaError("UNKNOWN_TOPIC_OR_PARTITION", `This server does not host this topic-partition: ${topicName}-${partition}`);
    return this.logs.get(topicName, partition) ?? this.logs.getOrCreate(topicName, partition, logConfigOf(this.topicConfig(topic)));
  }

  appendRecords(topicName: string, partition: number, records: Buffer): AppendOutcome {
    const log = this.partitionLog(topicName, partition);
    const config = this.topicConfig(this.image.topic(topicName)!);
    const limits = { maxMessageBytes: config.maxMessageBytes, decompressedBytesMax: decompressedBytesMaxFor(config.maxMessageBytes) };
    const batches = validateProducedRecords(records, limits);
    validateRecords(records, batches, {
      compacted: config.cleanupPolicy.includes("compact"),
      timestampType: config.messageTimestampType,
      // The older message.timestamp.difference.max.ms bounds either side left at its default (Long.MAX_VALUE), as in Kafka 3.x.
      timestampBeforeMaxMs: orUnbounded(config.messageTimestampBeforeMaxMs, config.messageTimestampDifferenceMaxMs),
      timestampAfterMaxMs: orUnbounded(config.messageTimestampAfterMaxMs, config.messageTimestampDifferenceMaxMs),
      nowMs: this.clock.nowMs(),
      decompressedBytesMax: limits.decompressedBytesMax,
      partitionName: `${topicName}-${partition}`,
    });
    // Idempotent producers: a retry of a batch already written is answered with its offsets, not written twice.
    const sequence = this.producers.check(log, batches);
    if (sequence.kind === "duplicate") return { baseOffset: sequence.firstOffset, logAppendTimeMs: -1, logStartOffset: log.logStartOffset };
    let logAppendTimeMs = -1;
    if (config.messageTimestampType === "LogAppendTime") {
      logAppendTimeMs = this.clock.nowMs();
      let nextOffset = log.logEndOffset;
      for (const batch of batches) {
        stampBatch(records, batch, nextOffset, { partitionLeaderEpoch: 0, logAppendTimeMs });
        nextOffset += batch.lastOffsetDelta + 1;
      }
    }
    const { baseOffset } = log.append(
      records,
      batches.map((batch) => (logAppendTimeMs >= 0 ? { ...batch, maxTimestamp: logAppendTimeMs } : batch)),
      { partitionLeaderEpoch: 0 },
    );
    this.producers.appended(log, batches, baseOffset, this.clock.nowMs());
    this.notify(topicName, partition);
    return { baseOffset, logAppendTimeMs, logStartOffset: log.logStartOffset };
  }

  /** Resolves on the next append to any of the partitions, or when `timeoutMs` passes. */
  waitForAppend(partitions: ReadonlyArray<{ topic: string; partition: number }>, timeoutMs: number): Promise<void> {
    // A throw in the executor rejects the promise, so the fetch, and only it, fails.
    return new Promise((resolve, reject) => new AppendWaiter(this.waiters, partitions, resolve, reject).start(this.scheduler, timeoutMs));
  }

  /** Wakes every waiting fetch, e.g. at shutdown. */
  wakeAll(): void {
    for (const set of [...this.waiters.values()]) for (const waiter of [...set]) waiter.wake();
  }

  private notify(topic: string, partition: number): void {
    const set = this.waiters.get(waiterKey(topic, partition));
    if (set) for (const waiter of [...set]) waiter.wake();
  }
}

/**
 * One fetch waiting for data, woken by an append to any of its partitions or
 * by its timeout. An object rather than closures: a long-polling consumer
 * creates one per fetch.
 */
class AppendWaiter {
  private readonly keys: string[];
  private cancelTimeout: Cancel | null = null;
  private done = false;

  constructor(
    private readonly waiters: Map<string, Set<AppendWaiter>>,
    partitions: ReadonlyArray<{ topic: string; partition: number }>,
    private readonly resolve: () => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.keys = partitions.map(({ topic, partition }) => waiterKey(topic, partition));
  }

  start(scheduler: Scheduler, timeoutMs: number): void {
    this.cancelTimeout = scheduler.schedule(timeoutMs, () => this.wake());
    for (const key of this.keys) {
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      set.add(this);
    }
  }

  /**
   * Called from a timer or from another client's produce: a failure here
   * must neither reach the event loop nor that producer, so it fails this
   * fetch alone.
   */
  wake(): void {
    if (this.done) return;
    this.done = true;
    try {
      this.cancelTimeout?.();
      for (const key of this.keys) {
        const set = this.waiters.get(key);
        set?.delete(this);
        if (set?.size === 0) this.waiters.delete(key);
      }
    } catch (error) {
      return this.reject(error);
    }
    this.resolve();
  }
}

function waiterKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** `bound`, unless it is unbounded (Long.MAX_VALUE, clamped to MAX_SAFE_INTEGER): then `fallback`. */
function orUnbounded(bound: number, fallback: number): number {
  return bound < Number.MAX_SAFE_INTEGER ? bound : fallback;
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
