import path from "node:path";
import { Attributes, BatchHeader, batchAttributes, batchLastOffsetDelta, batchTotalBytes, readOffset } from "../protocol/records/batch-header";
import { decodeRecordBatch, encodeRecordBatch, type KafkaRecord, type RecordBatch } from "../protocol/records/record-batch";
import { writeFileAtomicSync, writeFully, type FileSystem } from "../runtime/fs";
import type { Scheduler } from "../runtime/scheduler";
import { LOG_SUFFIX, segmentFileName } from "./file-names";
import { CLEANED_SUFFIX, CLEANER_CHECKPOINT_FILE, SWAP_SUFFIX } from "./log-cleaner-files";
import { DEFAULT_COMPACTION_CONFIG } from "./log-config";
import type { StorageLogger } from "./log-segment";
import type { PartitionLog } from "./partition-log";

/** Distinct keys one pass may track (Kafka bounds its offset map by log.cleaner.dedupe.buffer.size the same way). */
export const CLEANER_KEYS_MAX = 1_000_000;
/** Bytes of segments one pass takes on (at least one dirty segment); the rest waits for the next pass. */
export const CLEANER_BYTES_PER_PASS_MAX = 256 * 1024 * 1024;
/** Bytes read at a time while scanning a segment. */
const READ_CHUNK_BYTES = 1024 * 1024;
/**
 * How long a sliced pass (cleanLogSliced) runs before it gives the event loop
 * back. A slice ends at the first batch boundary past it, so a slice lasts
 * this plus one batch's decoding and rewriting (a batch is at most
 * max.message.bytes): well inside Raft's heartbeat and election timeouts.
 */
export const CLEANER_SLICE_BUDGET_MS = 4;
const INT32_MAX = 0x7fffffff;

export interface CleanerDeps {
  fs: FileSystem;
  logger: StorageLogger;
}

export type CleanOutcome =
  | { cleaned: false; reason: "not compacted" | "no sealed segment" | "within min.compaction.lag.ms" | "below min.cleanable.dirty.ratio" }
  /** A sliced pass found the log's segments changed while it waited (retention, DeleteRecords, close): it left everything as it was. */
  | { cleaned: false; reason: "interrupted" }
  | { cleaned: true; segmentsRewritten: number; bytesBefore: number; bytesAfter: number; recordsRemoved: number; cleanedUpTo: number };

interface Checkpoint {
  /** The first offset not compacted yet. */
  firstDirtyOffset: number;
  /** When the earliest tombstone kept by the last pass may go (-1: none kept); such a log is cleaned again then. */
  tombstonesDueMs: number;
}

interface SegmentInfo {
  baseOffset: number;
  nextBaseOffset: number;
  sizeBytes: number;
  largestTimestampMs: number;
}

/**
 * Log compaction (cleanup.policy=compact), Kafka's rules: in the sealed
 * segments, only the latest record of each key survives; a tombstone (a null
 * value) survives until delete.retention.ms after its timestamp, so consumers
 * have that long to see the delete; offsets never change, since batches are
 * rewritten with their base offsets and record offset deltas; the active
 * segment, and segments newer than min.compaction.lag.ms, are left alone.
 *
 * A pass runs when the dirty part of the log (written since the last pass)
 * is at least min.cleanable.dirty.ratio of the cleanable bytes, when its
 * oldest dirty segment passed max.compaction.lag.ms, or when a tombstone
 * kept by the last pass is due. It builds a map key -> latest offset from
 * the dirty segments, then rewrites each sealed segment that loses records:
 * `<base>.log.cleaned`, fsynced, renamed `.swap`, swapped in. A crash at any
 * point leaves the old segment or the complete new one (see
 * log-cleaner-files.ts). Compressed batches are recompressed with their
 * codec. The last batch of each producer id is kept (emptied of its records
 * if need be), so that producer state rebuilt from the log still knows it.
 *
 * The pass is written once, as a generator that stops at every batch
 * boundary (where it holds no state of the log's but its own plan) and before
 * each swap, for the fsync of the cleaned file; cleanLog()
 * runs it through at once, cleanLogSliced() in slices between which the event
 * loop runs. Both get the same result from the same log.
 */
export function cleanLog(log: PartitionLog, nowMs: number, deps: CleanerDeps, options: CleanerOptions = {}): CleanOutcome {
  const pass = cleaningPass(log, nowMs, deps, options);
  let step = pass.next();
  while (!step.done) {
    const request = step.value;
    step = request ? resumeAfter(pass, () => deps.fs.fsyncSync(request.fsyncFd)) : pass.next();
  }
  return step.value;
}

/**
 * Where a pass stops: at a batch boundary (undefined), or before a swap,
 * asking its driver to fsync the cleaned file (off the event loop when the
 * driver can). The swap follows only once the fsync is done.
 */
type PassStop = undefined | { fsyncFd: number };
type Pass = Generator<PassStop, CleanOutcome, void>;

/** Resumes the pass after `work`; a failure of `work` is thrown into the pass, so that it discards its file. */
function resumeAfter(pass: Pass, work: () => void): IteratorResult<PassStop, CleanOutcome> {
  try {
    work();
  } catch (error) {
    return pass.throw(error);
  }
  return pass.next();
}

export interface CleanerOptions {
  keysMax?: number;
  bytesPerPassMax?: number;
}

/**
 * One pass as cleanLog() makes it, given back to the event loop (through the
 * scheduler, so the simulator drives it too) whenever a slice has run for
 * `sliceBudgetMs`. Chunked passes on the log's owner rather than a worker
 * thread: the pass reads and swaps segments through the log and its file
 * system seam (the simulator's faulty disk included), which a worker could
 * not share; and a slice of a few ms is all Raft needs.
 *
 * Appends go on meanwhile (they touch only the active segment, which the
 * pass leaves alone, and new segments it did not plan for). Anything else
 * that changes the segments it planned from (retention, DeleteRecords, a
 * close or delete) moves log.layoutVersion: the pass then stops where it is,
 * discards its unfinished file and reports "interrupted"; the next pass
 * starts afresh from the checkpoint.
 *
 * The system scheduler's timers do not keep a process alive: in the broker
 * its sockets do; a script awaiting a pass must hold the process open itself.
 */
export async function cleanLogSliced(
  log: PartitionLog,
  nowMs: number,
  deps: CleanerDeps & { scheduler: Scheduler },
  options: CleanerOptions & { sliceBudgetMs?: number } = {},
): Promise<CleanOutcome> {
  const { scheduler } = deps;
  const sliceBudgetMs = options.sliceBudgetMs ?? CLEANER_SLICE_BUDGET_MS;
  const pass = cleaningPass(log, nowMs, deps, options);
  let sliceStartMs = scheduler.clock.nowMs();
  let step = pass.next();
  while (!step.done) {
    const request = step.value;
    if (!request && scheduler.clock.nowMs() - sliceStartMs < sliceBudgetMs) {
      step = pass.next();
      continue;
    }
    const layout = log.layoutVersion;
    const fsyncFailure = request ? await fsyncOffTheLoop(deps.fs, request.fsyncFd) : await nextTurn(scheduler);
    if (fsyncFailure) step = pass.throw(fsyncFailure.error);
    else if (log.layoutVersion !== layout) {
      const interrupted: CleanOutcome = { cleaned: false, reason: "interrupted" };
      // Runs the pass's finally blocks: an unfinished cleaned file is discarded.
      pass.return(interrupted);
      deps.logger("a log cleaner pass stopped: the log's segments changed under it", { dir: log.dir });
      return interrupted;
    } else step = pass.next();
    sliceStartMs = scheduler.clock.nowMs();
  }
  return step.value;
}

/** The fsync, on libuv's thread pool where the file system offers it; its failure, if any, as a value. */
async function fsyncOffTheLoop(fs: FileSystem, fd: number): Promise<{ error: unknown } | null> {
  try {
    if (fs.fsync) await fs.fsync(fd);
    else fs.fsyncSync(fd);
    return null;
  } catch (error) {
    return { error };
  }
}

/** Lets timers, I/O and other work run before the pass goes on. */
function nextTurn(scheduler: Scheduler): Promise<null> {
  return new Promise((resolve) => scheduler.schedule(0, () => resolve(null)));
}

/** The pass itself; it yields at batch boundaries, where it may be paused (never inside a swap). */
function* cleaningPass(log: PartitionLog, nowMs: number, deps: CleanerDeps, options: CleanerOptions): Pass {
  const config = log.logConfig;
  if (!config.cleanupPolicy?.includes("compact")) return { cleaned: false, reason: "not compacted" };
  const compaction = config.compaction ?? DEFAULT_COMPACTION_CONFIG;
  const sealed = log.sealedSegments().filter((segment) => segment.nextBaseOffset > log.logStartOffset);
  if (sealed.length === 0) return { cleaned: false, reason: "no sealed segment" };

  // Segments newer than min.compaction.lag.ms, and everything after them, stay as they are.
  let cleanable = 0;
  while (cleanable < sealed.length && nowMs - sealed[cleanable].largestTimestampMs >= compaction.minCompactionLagMs) cleanable++;
  if (cleanable === 0) return { cleaned: false, reason: "within min.compaction.lag.ms" };
  const candidates = sealed.slice(0, cleanable);

  const checkpoint = readCheckpoint(deps.fs, log.dir) ?? { firstDirtyOffset: log.logStartOffset, tombstonesDueMs: -1 };
  const firstDirty = Math.max(checkpoint.firstDirtyOffset, log.logStartOffset);
  let dirtyBytes = 0;
  let totalBytes = 0;
  let oldestDirtyMs = Number.MAX_SAFE_INTEGER;
  for (const segment of candidates) {
    totalBytes += segment.sizeBytes;
    if (segment.nextBaseOffset > firstDirty) {
      dirtyBytes += segment.sizeBytes;
      oldestDirtyMs = Math.min(oldestDirtyMs, segment.largestTimestampMs);
    }
  }
  const ratio = totalBytes === 0 ? 0 : dirtyBytes / totalBytes;
  const overdue = dirtyBytes > 0 && nowMs - oldestDirtyMs > compaction.maxCompactionLagMs;
  const tombstonesDue = checkpoint.tombstonesDueMs >= 0 && nowMs >= checkpoint.tombstonesDueMs;
  if (!(dirtyBytes > 0 && ratio >= compaction.minCleanableDirtyRatio) && !overdue && !tombstonesDue)
    return { cleaned: false, reason: "below min.cleanable.dirty.ratio" };

  // Pass 1: the latest offset of each key in the dirty segments, and the last batch of each producer.
  // A pass stops at a dirty segment once the key map is full or it has taken enough bytes (it blocks its log meanwhile).
  const keysMax = options.keysMax ?? CLEANER_KEYS_MAX;
  const bytesPerPassMax = options.bytesPerPassMax ?? CLEANER_BYTES_PER_PASS_MAX;
  const latest = new Map<string, number>();
  const lastBatchOfProducer = new Map<number, number>();
  let cleanEnd = candidates[0].baseOffset;
  let passBytes = 0;
  let dirtySegments = 0;
  for (const segment of candidates) {
    const dirty = segment.nextBaseOffset > firstDirty;
    if (dirty && dirtySegments > 0 && (latest.size >= keysMax || passBytes >= bytesPerPassMax)) break;
    passBytes += segment.sizeBytes;
    if (dirty) dirtySegments++;
    yield* forEachBatch(log, segment, (batch) => {
      const baseOffset = readOffset(batch, BatchHeader.BASE_OFFSET);
      const producerId = readOffset(batch, BatchHeader.PRODUCER_ID);
      if (producerId >= 0) lastBatchOfProducer.set(producerId, baseOffset);
      if (baseOffset + batchLastOffsetDelta(batch) < firstDirty || isControl(batch)) return;
      const decoded = decodeRecordBatch(batch, { verifyCrc: false });
      for (const record of decoded.records) {
        if (record.key) latest.set(record.key.toString("latin1"), decoded.baseOffset + record.offsetDelta);
      }
    });
    cleanEnd = segment.nextBaseOffset;
  }
  const cleaning = candidates.filter((segment) => segment.baseOffset < cleanEnd);

  // Pass 2: rewrite each segment that loses records.
  const keptBatchOfProducer = new Set(lastBatchOfProducer.values());
  let tombstonesDueMs = -1;
  let segmentsRewritten = 0;
  let bytesBefore = 0;
  let bytesAfter = 0;
  let recordsRemoved = 0;
  for (const group of groupBySize(cleaning, config.segmentBytes)) {
    let groupBytes = 0;
    for (const segment of group) groupBytes += segment.sizeBytes;
    bytesBefore += groupBytes;
    // Written as it is scanned, so a segment never sits in memory whole; dropped when it would change nothing.
    const cleaned = CleanedSegment.create(log, group[0].baseOffset, deps.fs);
    let removedHere = 0;
    let swapped = false;
    try {
      for (const segment of group) {
        yield* forEachBatch(log, segment, (batch) => {
          if (isControl(batch)) return cleaned.write(batch);
          const decoded = decodeRecordBatch(batch, { verifyCrc: false });
          const survivors: KafkaRecord[] = [];
          for (const record of decoded.records) {
            const offset = decoded.baseOffset + record.offsetDelta;
            const newest = record.key ? latest.get(record.key.toString("latin1")) : undefined;
            if (newest !== undefined && newest > offset) continue;
            if (record.value === null) {
              const dueMs = decoded.baseTimestamp + record.timestampDelta + compaction.deleteRetentionMs;
              if (dueMs <= nowMs) continue;
              tombstonesDueMs = tombstonesDueMs < 0 ? dueMs : Math.min(tombstonesDueMs, dueMs);
            }
            survivors.push(record);
          }
          removedHere += decoded.records.length - survivors.length;
          if (survivors.length === decoded.records.length) cleaned.write(batch);
          else if (survivors.length > 0 || keptBatchOfProducer.has(decoded.baseOffset)) cleaned.write(rebuildBatch(decoded, survivors));
        });
      }
      if (removedHere === 0 && group.length === 1) {
        bytesAfter += groupBytes;
        continue;
      }
      // The driver fsyncs the file; it resumes the pass only if the segments swapped out are still the ones just read.
      yield { fsyncFd: cleaned.descriptor };
      bytesAfter += cleaned.swapIn(group.length);
      swapped = true;
    } finally {
      // A failure, a pass stopped midway, or a rewrite that would change nothing.
      if (!swapped) cleaned.discard();
    }
    segmentsRewritten += group.length;
    recordsRemoved += removedHere;
  }

  writeCheckpoint(deps.fs, log.dir, { firstDirtyOffset: cleanEnd, tombstonesDueMs });
  deps.logger("cleaned a compacted log", { dir: log.dir, cleanedUpTo: cleanEnd, segmentsRewritten, bytesBefore, bytesAfter, recordsRemoved });
  return { cleaned: true, segmentsRewritten, bytesBefore, bytesAfter, recordsRemoved, cleanedUpTo: cleanEnd };
}

/**
 * `<base>.log.cleaned` being written; once the pass's driver has fsynced
 * it, swapIn() renames it `.swap` and has the log swap it in for the segment.
 */
class CleanedSegment {
  private position = 0;
  private fd: number | null;

  private constructor(
    private readonly log: PartitionLog,
    private readonly baseOffset: number,
    private readonly fs: FileSystem,
    private readonly file: string,
  ) {
    this.fd = fs.openSync(file, "w");
  }

  static create(log: PartitionLog, baseOffset: number, fs: FileSystem): CleanedSegment {
    return new CleanedSegment(log, baseOffset, fs, path.join(log.dir, segmentFileName(baseOffset, LOG_SUFFIX)) + CLEANED_SUFFIX);
  }

  write(batch: Buffer): void {
    writeFully(this.fs, this.fd!, batch, 0, batch.length, this.position);
    this.position += batch.length;
  }

  get descriptor(): number {
    return this.fd!;
  }

  /** Swaps the file, fsynced by the pass's driver, in for `count` segments from its base; returns its size. */
  swapIn(count: number): number {
    const { fs } = this;
    fs.closeSync(this.fd!);
    this.fd = null;
    const swapFile = this.file.slice(0, -CLEANED_SUFFIX.length) + SWAP_SUFFIX;
    fs.renameSync(this.file, swapFile);
    fs.fsyncDirectorySync(this.log.dir);
    this.log.replaceSegments(this.baseOffset, count, swapFile);
    return this.position;
  }

  discard(): void {
    try {
      if (this.fd !== null) this.fs.closeSync(this.fd);
      this.fd = null;
      this.fs.unlinkSync(this.file);
    } catch {
      // A leftover .cleaned file is deleted when the log next opens.
    }
  }
}

/**
 * The batch with only `records`, at the same offsets and with the same header
 * fields and codec. A batch left with no record (kept for its producer) is a
 * bare header, uncompressed, as Kafka writes it.
 */
function rebuildBatch(batch: RecordBatch, records: readonly KafkaRecord[]): Buffer {
  return encodeRecordBatch({
    baseOffset: batch.baseOffset,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    attributes: records.length === 0 ? batch.attributes & ~Attributes.COMPRESSION_MASK : batch.attributes,
    baseTimestamp: batch.baseTimestamp,
    maxTimestamp: batch.maxTimestamp,
    lastOffsetDelta: batch.lastOffsetDelta,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    records: records.map((record) => ({
      key: record.key,
      value: record.value,
      headers: record.headers,
      timestamp: batch.baseTimestamp + record.timestampDelta,
      offsetDelta: record.offsetDelta,
      attributes: record.attributes,
    })),
  });
}

/**
 * Consecutive segments cleaned into one file: together at most segment.bytes
 * as they are now (so segments that cleaning shrank merge on the next pass,
 * as in Kafka), and offsets within int32 of the first base for the index.
 */
function groupBySize(segments: readonly SegmentInfo[], segmentBytes: number): SegmentInfo[][] {
  const groups: SegmentInfo[][] = [];
  let group: SegmentInfo[] = [];
  let bytes = 0;
  for (const segment of segments) {
    const fits = group.length > 0 && bytes + segment.sizeBytes <= segmentBytes && segment.nextBaseOffset - 1 - group[0].baseOffset <= INT32_MAX;
    if (!fits && group.length > 0) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(segment);
    bytes += segment.sizeBytes;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

function isControl(batch: Buffer): boolean {
  return (batchAttributes(batch) & Attributes.CONTROL) !== 0;
}

/** Calls `visit` with each whole batch of the segment at or after the log start, yielding after each. */
function* forEachBatch(log: PartitionLog, segment: SegmentInfo, visit: (batch: Buffer) => void): Generator<PassStop, void, void> {
  let offset = Math.max(segment.baseOffset, log.logStartOffset);
  while (offset < segment.nextBaseOffset) {
    const { records } = log.read(offset, READ_CHUNK_BYTES, { maxOffset: segment.nextBaseOffset });
    if (records.length === 0) return;
    let at = 0;
    while (at + BatchHeader.SIZE <= records.length) {
      const bytes = batchTotalBytes(records, at);
      if (at + bytes > records.length) break;
      const batch = records.subarray(at, at + bytes);
      visit(batch);
      offset = Math.max(offset, readOffset(batch, BatchHeader.BASE_OFFSET) + batchLastOffsetDelta(batch) + 1);
      at += bytes;
      yield;
    }
    if (at === 0) throw new Error(`${log.dir}: no whole batch at offset ${offset}`);
  }
}

function readCheckpoint(fs: FileSystem, dir: string): Checkpoint | null {
  const file = path.join(dir, CLEANER_CHECKPOINT_FILE);
  if (!fs.existsSync(file)) return null;
  const [version, offset, due] = fs.readFileSync(file).toString("utf8").split("\n");
  const firstDirtyOffset = Number(offset);
  const tombstonesDueMs = Number(due);
  if (version !== "0" || !Number.isSafeInteger(firstDirtyOffset) || firstDirtyOffset < 0 || !Number.isSafeInteger(tombstonesDueMs)) return null;
  return { firstDirtyOffset, tombstonesDueMs };
}

function writeCheckpoint(fs: FileSystem, dir: string, checkpoint: Checkpoint): void {
  writeFileAtomicSync(fs, path.join(dir, CLEANER_CHECKPOINT_FILE), `0\n${checkpoint.firstDirtyOffset}\n${checkpoint.tombstonesDueMs}\n`);
}
