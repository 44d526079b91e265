import path from "node:path";
import { KafkaError } from "../protocol/errors";
import { Attributes, BatchHeader, batchLastOffsetDelta, batchTotalBytes, readOffset } from "../protocol/records/batch-header";
import type { ValidatedBatch } from "../protocol/records/record-batch";
import { isErrno, writeFileAtomicSync, type FileSystem } from "../runtime/fs";
import type { StorageLogger } from "../storage/log-segment";
import type { PartitionLog } from "../storage/partition-log";
import { PRODUCER_ID_EXPIRATION_MS, ProducerTable, type ProducerBatchHeader, type SequenceCheck } from "./producer-table";
import { CorruptSnapshotError, decodeSnapshot, encodeSnapshot, parseSnapshotFileName, snapshotFileName } from "./snapshot-file";

/** Snapshots kept per partition: the newest, and one before it in case the newest is ahead of a truncated log. */
const SNAPSHOTS_RETAINED = 2;
/** Bytes read at a time while replaying the log. */
const REPLAY_CHUNK_BYTES = 1024 * 1024;

export interface ProducerStateDeps {
  fs: FileSystem;
  logger: StorageLogger;
  /** producer.id.expiration.ms (default Kafka's, a day): idle producers are forgotten at each snapshot. */
  expirationMs?: number;
}

/**
 * The idempotent producer state of one partition log, kept in step with it:
 * loaded from the newest usable `.snapshot` plus a replay of the batches
 * after it (so it survives a kill -9 as well as a clean stop), snapshotted
 * when the log rolls a segment and at a clean shutdown.
 */
export class PartitionProducerState {
  readonly table = new ProducerTable();
  /** The active segment's base when the state last looked; a change means the log rolled. */
  private activeSegmentBase: number;

  private constructor(
    readonly log: PartitionLog,
    private readonly deps: ProducerStateDeps,
  ) {
    this.activeSegmentBase = log.activeSegmentBaseOffset;
  }

  static load(log: PartitionLog, deps: ProducerStateDeps): PartitionProducerState {
    const state = new PartitionProducerState(log, deps);
    const from = state.restoreNewestSnapshot();
    const replayed = state.replay(Math.max(from, log.logStartOffset));
    if (replayed > 0 || state.table.size > 0)
      deps.logger("loaded producer state", { dir: log.dir, producers: state.table.size, snapshotOffset: from, replayedBatches: replayed });
    return state;
  }

  /**
   * Checks a produce request's batches before they are appended. Kafka
   * requires an idempotent producer's request to carry one batch per
   * partition; batches without a producer id pass untouched.
   */
  check(batches: readonly ValidatedBatch[]): SequenceCheck {
    if (batches.length !== 1) {
      if (batches.some((batch) => batch.producerId >= 0))
        throw new KafkaError("INVALID_RECORD", "an idempotent produce request must carry exactly one record batch per partition");
      return { kind: "append" };
    }
    return this.table.check(batches[0]);
  }

  /** Records batches just appended from `baseOffset`; snapshots first when the append (or an earlier one) rolled the log. */
  appended(batches: readonly ValidatedBatch[], baseOffset: number, nowMs: number): void {
    if (this.log.activeSegmentBaseOffset !== this.activeSegmentBase) {
      // The table does not hold these batches yet, so it is the state at the new segment's base (where they start, or earlier).
      this.activeSegmentBase = this.log.activeSegmentBaseOffset;
      this.table.expire(nowMs, this.deps.expirationMs ?? PRODUCER_ID_EXPIRATION_MS);
      if (this.activeSegmentBase <= baseOffset) this.snapshotQuietly(this.activeSegmentBase);
    }
    let offset = baseOffset;
    for (const batch of batches) {
      if (batch.producerId >= 0 && (batch.attributes & Attributes.CONTROL) === 0) this.table.record(batch, offset, batch.maxTimestamp, nowMs);
      offset += batch.lastOffsetDelta + 1;
    }
  }

  /** Writes `<log end>.snapshot` (a clean shutdown); the next load replays nothing. */
  snapshot(): void {
    this.writeSnapshot(this.log.logEndOffset);
  }

  expire(nowMs: number, idleMsMax: number): number {
    return this.table.expire(nowMs, idleMsMax);
  }

  // --- internals ---------------------------------------------------------------------

  private snapshotQuietly(offset: number): void {
    try {
      this.writeSnapshot(offset);
    } catch (error) {
      // Only a restart's replay gets longer without it.
      this.deps.logger("writing a producer state snapshot failed", { dir: this.log.dir, offset, error: describe(error) });
    }
  }

  private writeSnapshot(offset: number): void {
    const { fs } = this.deps;
    writeFileAtomicSync(fs, path.join(this.log.dir, snapshotFileName(offset)), encodeSnapshot(offset, this.table.entries()));
    const older = this.snapshotOffsets().filter((existing) => existing !== offset);
    const newerThanThis = older.filter((existing) => existing > offset);
    // A snapshot past this one describes offsets the log no longer has (it was truncated): never load it.
    for (const stale of newerThanThis) unlinkQuietly(fs, path.join(this.log.dir, snapshotFileName(stale)));
    const kept = older.filter((existing) => existing < offset).sort((a, b) => b - a);
    for (const extra of kept.slice(SNAPSHOTS_RETAINED - 1)) unlinkQuietly(fs, path.join(this.log.dir, snapshotFileName(extra)));
  }

  private snapshotOffsets(): number[] {
    const offsets: number[] = [];
    for (const name of this.deps.fs.readdirSync(this.log.dir)) {
      const offset = parseSnapshotFileName(name);
      if (offset !== null) offsets.push(offset);
    }
    return offsets;
  }

  /** Restores the newest snapshot at or below the log end; returns the offset to replay from. */
  private restoreNewestSnapshot(): number {
    const { fs, logger } = this.deps;
    const offsets = this.snapshotOffsets().sort((a, b) => b - a);
    for (const offset of offsets) {
      const file = path.join(this.log.dir, snapshotFileName(offset));
      if (offset > this.log.logEndOffset) {
        logger("deleting a producer state snapshot past the log end (the log was truncated)", { file, logEndOffset: this.log.logEndOffset });
        unlinkQuietly(fs, file);
        continue;
      }
      try {
        const decoded = decodeSnapshot(fs.readFileSync(file));
        if (decoded.offset !== offset) throw new CorruptSnapshotError(`holds offset ${decoded.offset}`);
        for (const entry of decoded.entries) this.table.restore(entry);
        return offset;
      } catch (error) {
        if (!(error instanceof CorruptSnapshotError)) throw error;
        logger("deleting a corrupt producer state snapshot", { file, reason: error.message });
        this.table.clear();
        unlinkQuietly(fs, file);
      }
    }
    return 0;
  }

  /** Replays the producer fields of every batch from `from` to the log end; returns the batches seen. */
  private replay(from: number): number {
    let offset = from;
    let count = 0;
    const end = this.log.logEndOffset;
    while (offset < end) {
      const { records } = this.log.read(offset, REPLAY_CHUNK_BYTES);
      if (records.length === 0) break;
      let at = 0;
      while (at + BatchHeader.SIZE <= records.length) {
        const totalBytes = batchTotalBytes(records, at);
        if (at + totalBytes > records.length) break;
        const baseOffset = readOffset(records, at + BatchHeader.BASE_OFFSET);
        const lastOffsetDelta = batchLastOffsetDelta(records, at);
        const header = producerFieldsAt(records, at, lastOffsetDelta);
        const attributes = records.readInt16BE(at + BatchHeader.ATTRIBUTES);
        if (baseOffset + lastOffsetDelta >= offset && header.producerId >= 0 && (attributes & Attributes.CONTROL) === 0) {
          const timestampMs = readOffset(records, at + BatchHeader.MAX_TIMESTAMP);
          this.table.record(header, baseOffset, timestampMs, timestampMs);
          count++;
        }
        offset = Math.max(offset, baseOffset + lastOffsetDelta + 1);
        at += totalBytes;
      }
      if (at === 0) throw new Error(`${this.log.dir}: no whole batch at offset ${offset} while replaying producer state`);
    }
    return count;
  }
}

function producerFieldsAt(records: Buffer, at: number, lastOffsetDelta: number): ProducerBatchHeader {
  return {
    producerId: readOffset(records, at + BatchHeader.PRODUCER_ID),
    producerEpoch: records.readInt16BE(at + BatchHeader.PRODUCER_EPOCH),
    baseSequence: records.readInt32BE(at + BatchHeader.BASE_SEQUENCE),
    lastOffsetDelta,
  };
}

function unlinkQuietly(fs: FileSystem, file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (error) {
    if (!isErrno(error, "ENOENT")) throw error;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
