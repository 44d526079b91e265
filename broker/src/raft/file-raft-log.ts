import path from "node:path";
import { BatchHeader } from "../protocol/records/batch-header";
import { decodeRecordBatch, encodeRecordBatch } from "../protocol/records/record-batch";
import type { FileSystem } from "../runtime/fs";
import { batchEndOffset, InMemoryRaftLog, type LogBatch, type OffsetAndEpoch, type RaftLog, type Snapshot } from "./log";

/** Control bit of a record batch's attributes. */
const CONTROL_ATTRIBUTE = 0x20;
/** The file of the quorum's log in the metadata log's directory. */
export const RAFT_LOG_FILE = "raft.log";

/**
 * The quorum's log on disk: Kafka record batches laid end to end in one
 * file (the wire format, each batch's partition leader epoch the epoch it
 * was written in, control batches flagged), fsynced before `append` and
 * `truncateTo` return, so that a voter never acknowledges or votes on
 * entries a crash could take back. A copy is held in memory (the metadata
 * log is small), and a torn or corrupt tail left by a crash is cut off on
 * open. The high watermark is not persisted, as in Kafka: a restarted node
 * learns it again from the leader.
 *
 * Snapshots are not kept on disk yet: the node that uses this log never
 * takes one, so no leader offers one either.
 */
export class FileRaftLog implements RaftLog {
  private readonly memory = new InMemoryRaftLog();
  /** File position of each batch, by base offset, in log order. */
  private positions: Array<{ baseOffset: number; position: number }> = [];
  private fileEnd = 0;
  /** A write or fsync that failed: what is on disk is no longer known, so the log takes no more changes. */
  private failure: Error | null = null;

  private constructor(
    private readonly fs: FileSystem,
    private readonly fd: number,
    readonly file: string,
  ) {}

  /** Opens (or creates) the log in `dir`, cutting off a torn tail; `onTruncated` hears of a cut. */
  static open(fs: FileSystem, dir: string, onTruncated: (fields: Record<string, unknown>) => void = () => {}): FileRaftLog {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, RAFT_LOG_FILE);
    const existed = fs.existsSync(file);
    const fd = fs.openSync(file, existed ? "r+" : "w+");
    if (!existed) fs.fsyncDirectorySync(dir);
    const log = new FileRaftLog(fs, fd, file);
    log.load(onTruncated);
    return log;
  }

  private load(onTruncated: (fields: Record<string, unknown>) => void): void {
    const size = this.fs.fstatSync(this.fd).size;
    const bytes = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = this.fs.readSync(this.fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    let at = 0;
    let problem: string | null = null;
    while (at < read) {
      if (read - at < BatchHeader.LOG_OVERHEAD) {
        problem = "a partial batch header";
        break;
      }
      const total = bytes.readInt32BE(at + BatchHeader.BATCH_LENGTH) + BatchHeader.LOG_OVERHEAD;
      if (total < BatchHeader.SIZE || at + total > read) {
        problem = "a partial batch";
        break;
      }
      let batch: LogBatch;
      try {
        batch = toLogBatch(decodeRecordBatch(bytes.subarray(at, at + total)));
        this.memory.append(batch);
      } catch (error) {
        problem = (error as Error).message;
        break;
      }
      this.positions.push({ baseOffset: batch.baseOffset, position: at });
      at += total;
    }
    this.fileEnd = at;
    if (problem !== null) {
      onTruncated({ file: this.file, position: at, truncatedBytes: size - at, problem });
      this.fs.ftruncateSync(this.fd, at);
      this.fs.fsyncSync(this.fd);
    }
  }

  get startOffset(): number {
    return this.memory.startOffset;
  }
  get endOffset(): number {
    return this.memory.endOffset;
  }
  get lastEpoch(): number {
    return this.memory.lastEpoch;
  }
  get highWatermark(): number {
    return this.memory.highWatermark;
  }

  append(batch: LogBatch): void {
    this.checkUsable();
    // The in-memory log checks the batch (offset, epoch order) before anything reaches the disk.
    this.memory.append(batch);
    const bytes = encodeRecordBatch({
      baseOffset: batch.baseOffset,
      partitionLeaderEpoch: batch.epoch,
      isControl: batch.control,
      baseTimestamp: 0,
      records: batch.records.map((value) => ({ value })),
    });
    this.guardIo(() => {
      let written = 0;
      while (written < bytes.length) written += this.fs.writeSync(this.fd, bytes, written, bytes.length - written, this.fileEnd + written);
      this.fs.fsyncSync(this.fd);
    });
    this.positions.push({ baseOffset: batch.baseOffset, position: this.fileEnd });
    this.fileEnd += bytes.length;
  }

  truncateTo(offset: number): void {
    this.checkUsable();
    this.memory.truncateTo(offset);
    const index = this.positions.findIndex((entry) => entry.baseOffset >= offset);
    if (index < 0) return;
    this.fileEnd = this.positions[index].position;
    this.positions.length = index;
    this.guardIo(() => {
      this.fs.ftruncateSync(this.fd, this.fileEnd);
      this.fs.fsyncSync(this.fd);
    });
  }

  private checkUsable(): void {
    if (this.failure) throw new Error(`the quorum's log ${this.file} failed and takes no more changes: ${this.failure.message}`);
  }

  private guardIo(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.failure = error as Error;
      throw error;
    }
  }

  endOffsetForEpoch(epoch: number): OffsetAndEpoch | null {
    return this.memory.endOffsetForEpoch(epoch);
  }

  read(offset: number, maxBatches: number): LogBatch[] {
    return this.memory.read(offset, maxBatches);
  }

  setHighWatermark(offset: number): void {
    this.memory.setHighWatermark(offset);
  }

  latestSnapshot(): Snapshot | null {
    return null;
  }

  createSnapshot(snapshot: Snapshot): void {
    throw new Error(`snapshots of the quorum's log are not kept on disk yet (asked for one at ${snapshot.endOffset})`);
  }

  installSnapshot(snapshot: Snapshot): void {
    throw new Error(`snapshots of the quorum's log are not kept on disk yet (offered one at ${snapshot.endOffset})`);
  }

  close(): void {
    this.fs.closeSync(this.fd);
  }
}

function toLogBatch(batch: ReturnType<typeof decodeRecordBatch>): LogBatch {
  const logBatch: LogBatch = {
    baseOffset: batch.baseOffset,
    epoch: batch.partitionLeaderEpoch,
    control: (batch.attributes & CONTROL_ATTRIBUTE) !== 0,
    records: batch.records.map((record) => record.value ?? Buffer.alloc(0)),
  };
  if (batchEndOffset(logBatch) !== batch.baseOffset + batch.lastOffsetDelta + 1) throw new Error(`batch at ${batch.baseOffset} has a gap`);
  return logBatch;
}
