import { KafkaError } from "../protocol/errors";
import { stampBatch, type ValidatedBatch } from "../protocol/records/record-batch";
import type { ResolvedTopicConfig } from "../config/topic-config";
import { PartitionProducerState, type ProducerStateDeps } from "../producer/partition-producer-state";
import type { SequenceCheck } from "../producer/producer-table";
import type { Cancel, Scheduler } from "../runtime/scheduler";
import type { LogConfig, PartitionLog } from "../storage/partition-log";
import { partitionKey, type PartitionKey } from "../storage/partition-key";

/** Who leads the partition in which epoch, and which replicas are in sync: the image's partition state. */
export interface Leadership {
  leaderEpoch: number;
  isr: readonly number[];
  /** The leader's node id; undefined reads as this node (a partition the image does not describe yet). */
  leader?: number;
}

/**
 * What a partition counts for the node's metrics (metrics/node-metrics.ts
 * keeps the counters): per append, never per record.
 */
export interface PartitionMetrics {
  /** `records` records in `bytes` bytes of batches appended as the leader. */
  appended(records: number, bytes: number): void;
  /** The ISR of a partition led here lost a member (Kafka's IsrShrinksPerSec). */
  isrShrunk(): void;
  /** The ISR of a partition led here gained a member (IsrExpandsPerSec). */
  isrExpanded(): void;
}

const NO_METRICS: PartitionMetrics = { appended: () => {}, isrShrunk: () => {}, isrExpanded: () => {} };

export interface LocalAppend {
  baseOffset: number;
  lastOffset: number;
  /** -1 unless the topic stamps LogAppendTime. */
  logAppendTimeMs: number;
  logStartOffset: number;
}

/** How a wait for the high watermark ended: it passed the offset, the request's timeout came first, or the partition went. */
export type CommitOutcome = "committed" | "timed out" | "partition gone";

/** One fetch waiting for committed data on one or more partitions (see FetchWaiter in produce-fetch-path.ts). */
export interface DataWaiter {
  wake(): void;
}

const APPEND: SequenceCheck = { kind: "append" };

/**
 * One topic-partition this node hosts, and the one owner of its state: the
 * log, the leader epoch, the in-sync replicas, the high watermark, the
 * idempotent producers' state, the fetches and produces waiting on it, and
 * its topic's config. Every method is synchronous, so a check and the write
 * it guards never straddle an await.
 *
 * The high watermark is the offset below which every in-sync replica has
 * the records: consumers are served up to it, and an acks=all produce is
 * answered once it passes the batch. The ISR is this node alone for now, so
 * it moves to the log end right after each append (after the flush, too,
 * when flush.messages asks for one per append, since the log flushes inside
 * append()). Followers will move it by their fetch positions instead.
 */
export class Partition {
  readonly key: PartitionKey;
  private leaderEpochValue: number;
  private inSyncReplicas: readonly number[];
  private highWatermarkOffset: number;
  private producers: PartitionProducerState | null = null;
  private readonly dataWaiters = new Set<DataWaiter>();
  /** Produces waiting for the high watermark, in offset order (appends come in offset order). */
  private commitWaiters: CommitWaiter[] = [];
  private gone = false;

  constructor(
    readonly log: PartitionLog,
    private topicConfig: ResolvedTopicConfig,
    leadership: Leadership,
    private readonly localNodeId: number,
    private readonly producerStateDeps: ProducerStateDeps,
    private readonly metrics: PartitionMetrics = NO_METRICS,
  ) {
    this.key = partitionKey(log.topic, log.partition);
    this.leaderEpochValue = leadership.leaderEpoch;
    this.inSyncReplicas = [...leadership.isr];
    // Every record recovered here is held by the ISR of one, so all of it is committed.
    this.highWatermarkOffset = log.logEndOffset;
  }

  get topic(): string {
    return this.log.topic;
  }

  get partition(): number {
    return this.log.partition;
  }

  get leaderEpoch(): number {
    return this.leaderEpochValue;
  }

  get isr(): readonly number[] {
    return this.inSyncReplicas;
  }

  get config(): ResolvedTopicConfig {
    return this.topicConfig;
  }

  /**
   * The offset up to which records are committed and consumers may read.
   * Never below the log start: retention may move the start past it, as
   * Kafka then moves the high watermark along.
   */
  get highWatermark(): number {
    return Math.max(this.highWatermarkOffset, this.log.logStartOffset);
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  /** New configs for the topic: the log obeys them from its next operation. */
  configure(config: ResolvedTopicConfig, logConfig: LogConfig): void {
    this.topicConfig = config;
    this.log.updateConfig(logConfig);
  }

  /** The image moved the leader epoch or the ISR; the next append stamps (and checkpoints) the new epoch. */
  updateLeadership(leadership: Leadership): void {
    if (leadership.leaderEpoch < this.leaderEpochValue)
      throw new Error(`${this.topic}-${this.partition}: leader epoch ${leadership.leaderEpoch} is older than ${this.leaderEpochValue}`);
    // An ISR change within the leader's epoch is the leader's own (AlterPartition); a new epoch's ISR is the controller's election.
    if (leadership.leaderEpoch === this.leaderEpochValue && (leadership.leader ?? this.localNodeId) === this.localNodeId) this.countIsrChange(leadership.isr);
    this.leaderEpochValue = leadership.leaderEpoch;
    this.inSyncReplicas = [...leadership.isr];
    this.maybeAdvanceHighWatermark();
  }

  /** The producer state, loaded from its snapshot and the log on first use. */
  producerState(): PartitionProducerState {
    this.producers ??= PartitionProducerState.load(this.log, this.producerStateDeps);
    return this.producers;
  }

  /** The producer state if it was loaded (what a shutdown snapshots). */
  get loadedProducerState(): PartitionProducerState | null {
    return this.producers;
  }

  /**
   * Appends batches that passed validation, as the leader: a retry of an
   * idempotent batch already written is answered with its offsets; new
   * batches get the leader epoch (and the append time, when `logAppendTimeMs`
   * is not -1) stamped, go to the log, and are committed when the high
   * watermark passes them.
   */
  appendAsLeader(records: Buffer, batches: readonly ValidatedBatch[], logAppendTimeMs: number, nowMs: number): LocalAppend {
    if (this.gone) throw new KafkaError("NOT_LEADER_OR_FOLLOWER", `${this.topic}-${this.partition} is no longer hosted here`);
    const producers = hasProducer(batches) ? this.producerState() : null;
    const sequence = producers ? producers.check(batches) : APPEND;
    if (sequence.kind === "duplicate")
      return { baseOffset: sequence.firstOffset, lastOffset: sequence.lastOffset, logAppendTimeMs: -1, logStartOffset: this.log.logStartOffset };
    const partitionLeaderEpoch = this.leaderEpochValue;
    let toAppend: readonly ValidatedBatch[] = batches;
    if (logAppendTimeMs >= 0) {
      let nextOffset = this.log.logEndOffset;
      for (const batch of batches) {
        stampBatch(records, batch, nextOffset, { partitionLeaderEpoch, logAppendTimeMs });
        nextOffset += batch.lastOffsetDelta + 1;
      }
      toAppend = batches.map((batch) => ({ ...batch, maxTimestamp: logAppendTimeMs }));
    }
    const { baseOffset, lastOffset } = this.log.append(records, toAppend, { partitionLeaderEpoch });
    this.metrics.appended(lastOffset - baseOffset + 1, records.length);
    producers?.appended(batches, baseOffset, nowMs);
    this.maybeAdvanceHighWatermark();
    return { baseOffset, lastOffset, logAppendTimeMs, logStartOffset: this.log.logStartOffset };
  }

  /** DeleteRecords: the log start moves to `offset`, which may not pass the high watermark (nothing uncommitted is deleted). */
  deleteRecordsBefore(offset: number): number {
    const highWatermark = this.highWatermark;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > highWatermark) {
      throw new KafkaError(
        "OFFSET_OUT_OF_RANGE",
        `cannot delete records before ${offset}: the high watermark of ${this.topic}-${this.partition} is ${highWatermark}`,
      );
    }
    return this.log.deleteRecordsBefore(offset);
  }

  /**
   * Null when the high watermark is at or past `offset` already (the common
   * case, which costs no promise); otherwise a promise of how the wait ended,
   * which never rejects, so that a caller that stops listening leaves
   * nothing unhandled.
   */
  waitForCommit(offset: number, timeoutMs: number, scheduler: Scheduler): Promise<CommitOutcome> | null {
    if (this.highWatermark >= offset) return null;
    if (this.gone) return Promise.resolve("partition gone");
    return new Promise((resolve) => {
      const waiter: CommitWaiter = { offset, resolve, cancelTimeout: () => {} };
      waiter.cancelTimeout = scheduler.schedule(timeoutMs, () => {
        this.commitWaiters = this.commitWaiters.filter((other) => other !== waiter);
        resolve("timed out");
      });
      this.commitWaiters.push(waiter);
    });
  }

  addDataWaiter(waiter: DataWaiter): void {
    this.dataWaiters.add(waiter);
  }

  removeDataWaiter(waiter: DataWaiter): void {
    this.dataWaiters.delete(waiter);
  }

  /** Wakes every fetch waiting on this partition (a shutdown). */
  wakeDataWaiters(): void {
    for (const waiter of [...this.dataWaiters]) waiter.wake();
  }

  /** The partition is no longer hosted here (its topic was deleted, or its log replaced): every waiter hears now. */
  close(): void {
    this.gone = true;
    this.wakeDataWaiters();
    for (const waiter of this.commitWaiters.splice(0)) {
      waiter.cancelTimeout();
      waiter.resolve("partition gone");
    }
  }

  private countIsrChange(next: readonly number[]): void {
    if (this.inSyncReplicas.some((replica) => !next.includes(replica))) this.metrics.isrShrunk();
    if (next.some((replica) => !this.inSyncReplicas.includes(replica))) this.metrics.isrExpanded();
  }

  /** The high watermark follows the smallest log end among the in-sync replicas; only this node's is known so far. */
  private maybeAdvanceHighWatermark(): void {
    const next = this.isrLogEndOffset();
    if (next <= this.highWatermarkOffset) return;
    // An invariant, not a client error: the high watermark never passes the log end.
    if (next > this.log.logEndOffset) throw new Error(`${this.topic}-${this.partition}: high watermark ${next} past the log end ${this.log.logEndOffset}`);
    this.highWatermarkOffset = next;
    if (this.commitWaiters.length > 0) this.resolveCommitted();
    if (this.dataWaiters.size > 0) this.wakeDataWaiters();
  }

  private isrLogEndOffset(): number {
    let end = this.log.logEndOffset;
    for (const replica of this.inSyncReplicas) {
      // Followers report their positions once replication exists; until then an ISR naming one holds the high watermark.
      if (replica !== this.localNodeId) end = Math.min(end, this.highWatermarkOffset);
    }
    return end;
  }

  private resolveCommitted(): void {
    const highWatermark = this.highWatermark;
    let done = 0;
    while (done < this.commitWaiters.length && this.commitWaiters[done].offset <= highWatermark) done++;
    for (const waiter of this.commitWaiters.splice(0, done)) {
      waiter.cancelTimeout();
      waiter.resolve("committed");
    }
  }
}

interface CommitWaiter {
  /** Committed once the high watermark reaches it (the offset after the batch's last). */
  offset: number;
  resolve: (outcome: CommitOutcome) => void;
  cancelTimeout: Cancel;
}

function hasProducer(batches: readonly ValidatedBatch[]): boolean {
  for (const batch of batches) if (batch.producerId >= 0) return true;
  return false;
}
