/**
 * The replicated log as the Raft state machine sees it: batches of records,
 * each written in one leader epoch, an epoch cache that says where each
 * epoch ends (what a follower is told when its log diverges), a log start
 * that moves up behind a snapshot, and the high watermark (the end of what
 * is committed). A batch covers `records.length` offsets from `baseOffset`.
 */
export interface LogBatch {
  readonly baseOffset: number;
  readonly epoch: number;
  /** A leader's marker batch (Kafka's LeaderChange control batch): replicated and committed, never handed to the application. */
  readonly control: boolean;
  readonly records: readonly Buffer[];
}

/** An offset with the epoch of the batch that ends there (Kafka's OffsetAndEpoch). */
export interface OffsetAndEpoch {
  readonly offset: number;
  readonly epoch: number;
}

/** A snapshot of the application's state covering offsets below `endOffset`. */
export interface Snapshot {
  readonly endOffset: number;
  /** The epoch of the last batch the snapshot covers. */
  readonly epoch: number;
  readonly data: Buffer;
}

export function batchEndOffset(batch: LogBatch): number {
  return batch.baseOffset + batch.records.length;
}

export interface RaftLog {
  /** The first offset still held as batches (the end of the latest snapshot, or 0). */
  readonly startOffset: number;
  /** The offset the next batch gets. */
  readonly endOffset: number;
  /** The epoch of the last batch (or of the snapshot when the log is empty behind it; 0 when there is nothing). */
  readonly lastEpoch: number;
  readonly highWatermark: number;
  /** Appends one batch at the log end; its baseOffset must equal endOffset. */
  append(batch: LogBatch): void;
  /** Drops every batch at or above `offset` (a batch boundary); never below the high watermark. */
  truncateTo(offset: number): void;
  /**
   * The largest epoch at most `epoch` that the log knows, with the offset
   * where it ends (the start of the next epoch, or the log end); null when
   * every epoch the log still knows is greater.
   */
  endOffsetForEpoch(epoch: number): OffsetAndEpoch | null;
  /** Batches starting at `offset` (a batch boundary), at most `maxBatches`. */
  read(offset: number, maxBatches: number): LogBatch[];
  setHighWatermark(offset: number): void;
  latestSnapshot(): Snapshot | null;
  /** Stores a snapshot of committed state and drops the batches it covers. */
  createSnapshot(snapshot: Snapshot): void;
  /** Replaces the whole log with a snapshot fetched from the leader: the log then starts (and ends) at its end. */
  installSnapshot(snapshot: Snapshot): void;
}

interface EpochStart {
  epoch: number;
  startOffset: number;
}

/**
 * A RaftLog in memory, for tests and the simulator. Everything appended is
 * durable at once (a crash keeps the object), as a log fsynced on every
 * append would be; only the high watermark is volatile, as in Kafka.
 */
export class InMemoryRaftLog implements RaftLog {
  private batches: LogBatch[] = [];
  /** Ascending by epoch and by start offset. */
  private epochs: EpochStart[] = [];
  private snapshot: Snapshot | null = null;
  private logStart = 0;
  private hw = 0;

  get startOffset(): number {
    return this.logStart;
  }

  get endOffset(): number {
    const last = this.batches[this.batches.length - 1];
    return last ? batchEndOffset(last) : this.logStart;
  }

  get lastEpoch(): number {
    const last = this.batches[this.batches.length - 1];
    if (last) return last.epoch;
    return this.snapshot?.epoch ?? 0;
  }

  get highWatermark(): number {
    return this.hw;
  }

  /** The high watermark is not persisted: a restarted node learns it again from the leader. */
  forgetHighWatermark(): void {
    this.hw = this.logStart;
  }

  append(batch: LogBatch): void {
    if (batch.baseOffset !== this.endOffset) throw new Error(`append at ${batch.baseOffset} but the log ends at ${this.endOffset}`);
    if (batch.records.length === 0) throw new Error("a batch holds at least one record");
    if (batch.epoch < this.lastEpoch) throw new Error(`append of epoch ${batch.epoch} after epoch ${this.lastEpoch}`);
    const lastKnown = this.epochs[this.epochs.length - 1];
    if (!lastKnown || lastKnown.epoch < batch.epoch) this.epochs.push({ epoch: batch.epoch, startOffset: batch.baseOffset });
    this.batches.push(batch);
  }

  truncateTo(offset: number): void {
    if (offset < this.hw) throw new Error(`truncation to ${offset} below the high watermark ${this.hw}`);
    if (offset >= this.endOffset) return;
    const index = this.batches.findIndex((batch) => batch.baseOffset >= offset);
    if (index < 0 || this.batches[index].baseOffset !== offset) throw new Error(`truncation to ${offset} inside a batch`);
    this.batches.length = index;
    while (this.epochs.length > 0 && this.epochs[this.epochs.length - 1].startOffset >= offset && offset > this.logStart) this.epochs.pop();
    if (offset <= this.logStart) this.epochs = this.snapshot ? [{ epoch: this.snapshot.epoch, startOffset: this.logStart }] : [];
  }

  endOffsetForEpoch(epoch: number): OffsetAndEpoch | null {
    for (let i = this.epochs.length - 1; i >= 0; i--) {
      if (this.epochs[i].epoch <= epoch) {
        const next = this.epochs[i + 1];
        return { epoch: this.epochs[i].epoch, offset: next ? next.startOffset : this.endOffset };
      }
    }
    return null;
  }

  read(offset: number, maxBatches: number): LogBatch[] {
    const index = this.batches.findIndex((batch) => batch.baseOffset >= offset);
    if (index < 0) return [];
    if (this.batches[index].baseOffset !== offset) throw new Error(`read at ${offset}, inside a batch`);
    return this.batches.slice(index, index + maxBatches);
  }

  setHighWatermark(offset: number): void {
    if (offset > this.endOffset) throw new Error(`high watermark ${offset} above the log end ${this.endOffset}`);
    this.hw = offset;
  }

  latestSnapshot(): Snapshot | null {
    return this.snapshot;
  }

  createSnapshot(snapshot: Snapshot): void {
    if (snapshot.endOffset > this.hw) throw new Error(`snapshot at ${snapshot.endOffset} above the high watermark ${this.hw}`);
    if (snapshot.endOffset <= this.logStart) return;
    const covered = this.batches.findIndex((batch) => batchEndOffset(batch) === snapshot.endOffset);
    if (covered < 0) throw new Error(`snapshot end ${snapshot.endOffset} is not a batch boundary`);
    if (this.batches[covered].epoch !== snapshot.epoch) throw new Error(`snapshot epoch ${snapshot.epoch} differs from the log's ${this.batches[covered].epoch}`);
    this.batches = this.batches.slice(covered + 1);
    this.snapshot = snapshot;
    this.logStart = snapshot.endOffset;
    // The epoch in force at the new log start stays known, starting there.
    const kept = this.epochs.filter((entry) => entry.startOffset >= snapshot.endOffset);
    if (kept.length === 0 || kept[0].epoch !== snapshot.epoch) kept.unshift({ epoch: snapshot.epoch, startOffset: snapshot.endOffset });
    this.epochs = kept;
  }

  installSnapshot(snapshot: Snapshot): void {
    this.batches = [];
    this.snapshot = snapshot;
    this.logStart = snapshot.endOffset;
    this.epochs = [{ epoch: snapshot.epoch, startOffset: snapshot.endOffset }];
    this.hw = snapshot.endOffset;
  }
}
