import { KafkaError } from "../protocol/errors";
import { decompressedBytesMaxFor, validateProducedRecords } from "../protocol/records/record-batch";
import type { Clock } from "../runtime/clock";
import type { Cancel, Scheduler } from "../runtime/scheduler";
import type { LogConfig, PartitionLog } from "../storage/partition-log";
import type { CommitOutcome, DataWaiter, Partition } from "./partition";
import type { PartitionRegistry } from "./partition-registry";
import { validateRecords } from "./record-validation";

export interface AppendOutcome {
  baseOffset: number;
  /** The offset of the last record appended; the batch is committed once the high watermark passes it. */
  lastOffset: number;
  /** -1 unless the topic stamps LogAppendTime. */
  logAppendTimeMs: number;
  logStartOffset: number;
}

/**
 * The produce and fetch path of this node: finds the partition a request
 * names (a Kafka error when it is unknown or not hosted here), validates
 * produced batches against the topic's config and appends them as the
 * leader, and lets fetches wait for committed data and acks=all produces
 * for their commit. The state itself is each Partition's.
 */
export class ProduceFetchPath {
  constructor(
    readonly partitions: PartitionRegistry,
    private readonly clock: Clock,
    /** Times out fetches waiting for data and produces waiting for their commit. */
    private readonly scheduler: Scheduler,
  ) {}

  // --- metadata changes (called as committed metadata takes effect) ----------------------

  /** Call after a topic's configs change so open logs pick up the new values. */
  topicConfigChanged(topicName: string): void {
    this.partitions.topicConfigChanged(topicName);
  }

  /** Call after the broker's dynamic configs change: every topic default may have moved. */
  brokerConfigChanged(): void {
    this.partitions.brokerConfigChanged();
  }

  topicDeleted(topicName: string): void {
    this.partitions.topicDeleted(topicName);
  }

  /** Call after the image changed a topic's existing partitions (leader, epoch, ISR): each hosted one follows. */
  leadershipChanged(topicName: string): void {
    this.partitions.leadershipChanged(topicName);
  }

  /** The storage settings of a topic's logs; Kafka's defaults for a topic the image does not know. */
  logConfigFor(topicName: string): LogConfig {
    return this.partitions.logConfigFor(topicName);
  }

  // --- reads --------------------------------------------------------------------------

  /**
   * The hosted partition a read names. Never creates a log: a partition the
   * metadata has but this node holds no log of answers NOT_LEADER_OR_FOLLOWER,
   * and one the metadata lacks UNKNOWN_TOPIC_OR_PARTITION, as Kafka's replica
   * manager answers.
   */
  partition(topicName: string, partition: number): Partition {
    const hosted = this.partitions.get(topicName, partition);
    if (hosted) return hosted;
    if (this.partitions.inImage(topicName, partition))
      throw new KafkaError("NOT_LEADER_OR_FOLLOWER", `This server is not the leader for topic-partition ${topicName}-${partition}`);
    throw new KafkaError("UNKNOWN_TOPIC_OR_PARTITION", `This server does not host this topic-partition: ${topicName}-${partition}`);
  }

  /** The log of a hosted partition (see partition()). */
  partitionLog(topicName: string, partition: number): PartitionLog {
    return this.partition(topicName, partition).log;
  }

  /** The hosted partition, or undefined (a replay of a partition never written). */
  hostedPartition(topicName: string, partition: number): Partition | undefined {
    return this.partitions.get(topicName, partition);
  }

  // --- appends ------------------------------------------------------------------------

  /**
   * Validates one partition's produced batches and appends them as the
   * leader. Returns once they are in the local log (what acks=1 answers
   * after); waitForCommit() says when they are committed (acks=all). No
   * request makes a log: the partitions publisher does when the metadata
   * makes this node a replica (as Kafka's ReplicaManager does on a
   * metadata delta), so a partition the image has and this node holds no
   * log of is led elsewhere as far as a client can tell.
   */
  appendRecords(topicName: string, partition: number, records: Buffer): AppendOutcome {
    const target = this.partitions.get(topicName, partition);
    if (!target) {
      if (this.partitions.inImage(topicName, partition))
        throw new KafkaError("NOT_LEADER_OR_FOLLOWER", `This server is not the leader for that topic-partition: ${topicName}-${partition}`);
      throw new KafkaError("UNKNOWN_TOPIC_OR_PARTITION", `This server does not host this topic-partition: ${topicName}-${partition}`);
    }
    const config = target.config;
    const limits = { maxMessageBytes: config.maxMessageBytes, decompressedBytesMax: decompressedBytesMaxFor(config.maxMessageBytes) };
    const batches = validateProducedRecords(records, limits);
    const nowMs = this.clock.nowMs();
    validateRecords(records, batches, {
      compacted: config.cleanupPolicy.includes("compact"),
      timestampType: config.messageTimestampType,
      // The older message.timestamp.difference.max.ms bounds either side left at its default (Long.MAX_VALUE), as in Kafka 3.x.
      timestampBeforeMaxMs: orUnbounded(config.messageTimestampBeforeMaxMs, config.messageTimestampDifferenceMaxMs),
      timestampAfterMaxMs: orUnbounded(config.messageTimestampAfterMaxMs, config.messageTimestampDifferenceMaxMs),
      nowMs,
      decompressedBytesMax: limits.decompressedBytesMax,
      partitionName: `${topicName}-${partition}`,
    });
    const logAppendTimeMs = config.messageTimestampType === "LogAppendTime" ? nowMs : -1;
    return target.appendAsLeader(records, batches, logAppendTimeMs, nowMs);
  }

  /**
   * Null when the partition's high watermark has passed `lastOffset` already
   * (always, on a node that is its own ISR); otherwise a promise, never
   * rejected, of how the wait ended.
   */
  waitForCommit(topicName: string, partition: number, lastOffset: number, timeoutMs: number): Promise<CommitOutcome> | null {
    const hosted = this.partitions.get(topicName, partition);
    if (!hosted) return Promise.resolve("partition gone");
    return hosted.waitForCommit(lastOffset + 1, Math.max(timeoutMs, 0), this.scheduler);
  }

  // --- long-poll fetches --------------------------------------------------------------

  /** Resolves when the high watermark of any of the partitions moves, or when `timeoutMs` passes. */
  waitForAppend(partitions: ReadonlyArray<{ topic: string; partition: number }>, timeoutMs: number): Promise<void> {
    const hosted = partitions.map(({ topic, partition }) => this.partitions.get(topic, partition)).filter((found) => found !== undefined);
    // A throw in the executor rejects the promise, so the fetch, and only it, fails.
    return new Promise((resolve, reject) => new FetchWaiter(hosted, resolve, reject).start(this.scheduler, timeoutMs));
  }

  /** Wakes every waiting fetch, e.g. at shutdown. */
  wakeAll(): void {
    this.partitions.wakeAll();
  }

  // --- producer state -----------------------------------------------------------------

  /** Loads every hosted partition's producer state now (at start), so that a replay after a crash does not stall a request. */
  loadProducerStates(onError: (partition: Partition, error: unknown) => void): void {
    for (const partition of this.partitions.all()) {
      try {
        partition.producerState();
      } catch (error) {
        // The partition still serves reads; its first idempotent produce retries the load and reports the failure.
        onError(partition, error);
      }
    }
  }

  snapshotProducerStates(nowMs: number): void {
    this.partitions.snapshotProducerStates(nowMs);
  }
}

/**
 * One fetch waiting for data, woken when the high watermark of any of its
 * partitions moves, or by its timeout. An object rather than closures: a
 * long-polling consumer creates one per fetch.
 */
class FetchWaiter implements DataWaiter {
  private cancelTimeout: Cancel | null = null;
  private done = false;

  constructor(
    private readonly partitions: readonly Partition[],
    private readonly resolve: () => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  start(scheduler: Scheduler, timeoutMs: number): void {
    this.cancelTimeout = scheduler.schedule(timeoutMs, () => this.wake());
    for (const partition of this.partitions) partition.addDataWaiter(this);
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
      for (const partition of this.partitions) partition.removeDataWaiter(this);
    } catch (error) {
      return this.reject(error);
    }
    this.resolve();
  }
}

/** `bound`, unless it is unbounded (Long.MAX_VALUE, clamped to MAX_SAFE_INTEGER): then `fallback`. */
function orUnbounded(bound: number, fallback: number): number {
  return bound < Number.MAX_SAFE_INTEGER ? bound : fallback;
}
