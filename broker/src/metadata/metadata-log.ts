import { decodeRecordBatches, encodeRecordBatch, validateProducedRecords } from "../protocol/records/record-batch";
import type { Clock } from "../runtime/clock";
import type { Logger } from "../runtime/logger";
import { PartitionLog, type LogConfig } from "../storage/partition-log";
import type { FileSystem } from "../runtime/fs";
import type { RandomBytes } from "../runtime/random";
import type { Scheduler } from "../runtime/scheduler";
import { decodeMetadataRecord, encodeMetadataRecord, type MetadataRecord } from "./records";

/** A run of records the log committed together, with the offset of the first. */
export interface CommittedBatch {
  readonly baseOffset: number;
  readonly records: readonly MetadataRecord[];
}

/**
 * The metadata log as the controller and the loader see it (the place the
 * Raft quorum will take): the controller proposes records; once they are
 * committed, every listener is told, in log order, before the proposal's
 * promise resolves. A node applies what it proposed only from that
 * notification, the way a follower applies what it replicated.
 */
export interface MetadataLog {
  /**
   * Offset the next record appended here takes. `propose` appends before it
   * returns (only the commit may come later), so a proposer knows the
   * offsets its records take from this.
   */
  readonly endOffset: number;
  /** Resolves with the offset of the last record once the records are committed; rejects if they never will be. */
  propose(records: readonly MetadataRecord[]): Promise<number>;
  /** Calls `listener` with each batch committed from now on. */
  onCommit(listener: (batch: CommittedBatch) => void): void;
  /** Every batch committed so far, from the start of the log (for the start-up replay). */
  committedBatches(): Iterable<CommittedBatch>;
}

/** The metadata log never expires: it is the cluster's source of truth. */
const METADATA_LOG_CONFIG: LogConfig = {
  segmentBytes: 8 * 1024 * 1024,
  segmentMs: Number.MAX_SAFE_INTEGER,
  retentionMs: -1,
  retentionBytes: -1,
  indexIntervalBytes: 4096,
  flushIntervalMessages: 1,
  flushIntervalMs: Number.MAX_SAFE_INTEGER,
};

const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * The metadata log of a cluster of one, in `__cluster_metadata-0`: a
 * proposal is committed as soon as it is appended and fsynced, so it is
 * committed (and every listener told) before `propose` returns.
 */
export class LocalMetadataLog implements MetadataLog {
  private readonly listeners: Array<(batch: CommittedBatch) => void> = [];

  private constructor(
    private readonly log: PartitionLog,
    private readonly clock: Clock,
  ) {}

  static open(options: { dir: string; fs: FileSystem; clock: Clock; scheduler: Scheduler; random: RandomBytes; logger: Logger }): LocalMetadataLog {
    const log = PartitionLog.open(options.dir, METADATA_LOG_CONFIG, {
      fs: options.fs,
      clock: options.clock,
      scheduler: options.scheduler,
      random: options.random,
      logger: (msg, fields) => options.logger.info(msg, { ...fields, log: "__cluster_metadata" }),
    });
    return new LocalMetadataLog(log, options.clock);
  }

  /** Offset the next record will take. */
  get endOffset(): number {
    return this.log.logEndOffset;
  }

  *committedBatches(): Generator<CommittedBatch> {
    let offset = this.log.logStartOffset;
    while (offset < this.log.logEndOffset) {
      const { records } = this.log.read(offset, READ_CHUNK_BYTES);
      if (records.length === 0) break;
      for (const batch of decodeRecordBatches(records)) {
        const decoded: MetadataRecord[] = [];
        let firstOffset = -1;
        for (const record of batch.records) {
          const recordOffset = batch.baseOffset + record.offsetDelta;
          if (recordOffset < offset) continue;
          if (!record.value) throw new Error(`metadata record at offset ${recordOffset} has no value`);
          if (firstOffset < 0) firstOffset = recordOffset;
          else if (recordOffset !== firstOffset + decoded.length) throw new Error(`metadata batch at ${batch.baseOffset} has a gap at ${recordOffset}`);
          decoded.push(decodeMetadataRecord(record.value));
        }
        if (decoded.length > 0) yield { baseOffset: firstOffset, records: decoded };
        offset = batch.baseOffset + batch.lastOffsetDelta + 1;
      }
    }
  }

  async propose(records: readonly MetadataRecord[]): Promise<number> {
    if (records.length === 0) return this.log.logEndOffset - 1;
    const batch = encodeRecordBatch({
      now: this.clock.nowMs(),
      records: records.map((record, index) => ({ ...encodeMetadataRecord(record), offsetDelta: index })),
    });
    const validated = validateProducedRecords(batch, { maxMessageBytes: Number.MAX_SAFE_INTEGER });
    const { baseOffset } = this.log.append(batch, validated);
    // Durable before anyone acts on it: a record applied and then lost in a crash would be a change no replay repeats.
    this.log.flush();
    const committed: CommittedBatch = { baseOffset, records: [...records] };
    for (const listener of this.listeners) listener(committed);
    return baseOffset + records.length - 1;
  }

  onCommit(listener: (batch: CommittedBatch) => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    this.log.close();
  }
}
