import path from "node:path";
import { KafkaError } from "../protocol/errors";
import { BatchHeader, batchLastOffsetDelta, batchTotalBytes, setBatchBaseOffset, setBatchPartitionLeaderEpoch } from "../protocol/records/batch-header";
import { decodeRecordBatch, recordTimestamp } from "../protocol/records/record-batch";
import type { Clock } from "../runtime/clock";
import { isErrno, writeFileAtomicSync, type FileSystem } from "../runtime/fs";
import type { RandomBytes } from "../runtime/random";
import type { Scheduler } from "../runtime/scheduler";
import {
  CLEAN_SHUTDOWN_FILE,
  DELETED_SUFFIX,
  DELETE_DIR_SUFFIX,
  INDEX_SUFFIX,
  LOG_START_OFFSET_FILE,
  LOG_SUFFIX,
  TEMP_SUFFIX,
  TIME_INDEX_SUFFIX,
  parsePartitionDirName,
  parseSegmentFileName,
} from "./file-names";
import { checkLogConfig, type LogConfig } from "./log-config";
import { finishInterruptedCleaning } from "./log-cleaner-files";
import { LeaderEpochCheckpoint, type EpochEntry } from "./leader-epoch-checkpoint";
import { scanRecordTimestamps } from "./record-timestamps";
import { LogSegment, type AppendedBatch, type BatchPosition, type SegmentContext, type StorageLogger } from "./log-segment";
import { isOpenFileLimitError, OpenFilePool } from "./open-files";

export type { LogConfig } from "./log-config";
export { DEFAULT_LOG_CONFIG } from "./log-config";

/**
 * The effects a log goes through, every one given by its caller. Its files
 * come either from the node's pool of open segment files (`files`, whose file
 * system the log uses) or, for a log opened alone, from a small pool of its
 * own over `fs`.
 */
export type PartitionLogDeps = ({ files: OpenFilePool; fs?: never } | { fs: FileSystem; files?: never }) & {
  clock: Clock;
  /** Runs delayed file deletions. */
  scheduler: Scheduler;
  /** Names the directory a deleted log is renamed to. */
  random: RandomBytes;
  logger?: StorageLogger;
};

/** Where one batch of an append sits in the records buffer, as validation found it. */
export interface BatchToAppend {
  at: number;
  bytes: number;
  lastOffsetDelta: number;
  maxTimestamp: number;
}

const INT32_MAX = 0x7fffffff;
const EMPTY = Buffer.alloc(0);
/** Open segment files of a log opened on its own (the metadata log, tools, tests), not through a LogManager. */
const OWN_POOL_OPEN_FILES_MAX = 64;

/**
 * The log of one topic-partition in `<log.dir>/<topic>-<partition>`: segments
 * of raw record batches exactly as they travel on the wire, each with a
 * sparse offset index and a time index, in Kafka's on-disk shape.
 *
 * Every method is synchronous and owns the state it touches: a check and the
 * write that depends on it never straddle an await. Appends reach the page
 * cache (that is what `acks` promises, as in Kafka); fsync follows the flush
 * policy, every roll, and close. After a crash, open() scans the last
 * segment, truncates a torn tail and rebuilds indexes, so everything flushed
 * survives and no partial batch is ever served.
 *
 * An I/O error takes the log offline: every later call fails with
 * KAFKA_STORAGE_ERROR until the broker restarts and recovers it. Meeting the
 * open-file limit does not: that call fails with KAFKA_STORAGE_ERROR (which
 * clients retry) and the log stays as it was.
 */
export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  private config: LogConfig;
  private readonly segments: LogSegment[] = [];
  private startOffset = 0;
  private endOffset = 0;
  /** The leader epochs this log was written in; loaded with the log. */
  private leaderEpochs!: LeaderEpochCheckpoint;
  /** Everything below this offset is fsynced. */
  private recoveryPoint = 0;
  private lastFlushMs: number;
  private state: "open" | "closed" | "offline" = "open";
  private readonly segmentContext: SegmentContext;
  private readonly fs: FileSystem;
  /**
   * The clean-shutdown marker is still on disk: nothing changed since a clean
   * close. It goes (durably) before the first change rather than at open, so
   * that restarting a node costs no fsync for the partitions left alone.
   */
  private cleanMarkerOnDisk = false;
  /** This log created files whose directory entries are not fsynced yet: done before anything is promised durable. */
  private directorySyncPending = false;
  /** See layoutVersion. */
  private layoutChanges = 0;

  private constructor(
    readonly dir: string,
    config: LogConfig,
    files: OpenFilePool,
    private readonly clock: Clock,
    private readonly logger: StorageLogger,
    scheduler: Scheduler,
    private readonly random: RandomBytes,
  ) {
    this.fs = files.fs;
    this.config = checkLogConfig(config);
    const parsed = parsePartitionDirName(path.basename(dir));
    this.topic = parsed?.topic ?? path.basename(dir);
    this.partition = parsed?.partition ?? -1;
    this.lastFlushMs = clock.nowMs();
    this.segmentContext = { fs: this.fs, files, logger, scheduler, indexIntervalBytes: () => this.config.indexIntervalBytes };
  }

  /** Opens the log in `dir` (creating it when missing) and recovers it after a crash. */
  static open(dir: string, config: LogConfig, deps: PartitionLogDeps): PartitionLog {
    const log = new PartitionLog(
      dir,
      config,
      deps.files ?? new OpenFilePool(deps.fs, OWN_POOL_OPEN_FILES_MAX),
      deps.clock,
      deps.logger ?? (() => {}),
      deps.scheduler,
      deps.random,
    );
    try {
      log.load();
    } catch (error) {
      log.closeSegmentsQuietly();
      throw error;
    }
    return log;
  }

  updateConfig(config: LogConfig): void {
    this.config = checkLogConfig(config);
  }

  /** The settings this log obeys now (its topic's config). */
  get logConfig(): Readonly<LogConfig> {
    return this.config;
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  /** The offset the next appended record gets. */
  get logEndOffset(): number {
    return this.endOffset;
  }

  /** The newest leader epoch an append carried, or -1 (see LeaderEpochCheckpoint). */
  get latestLeaderEpoch(): number {
    return this.leaderEpochs.latestEpoch;
  }

  /** The leader epochs and their start offsets, oldest first, as `leader-epoch-checkpoint` holds them. */
  get leaderEpochEntries(): EpochEntry[] {
    return this.leaderEpochs.all;
  }

  /** The leader epoch that wrote `offset`, or -1 when none is known. */
  leaderEpochOf(offset: number): number {
    return this.leaderEpochs.epochOf(offset);
  }

  get sizeBytes(): number {
    let total = 0;
    for (const segment of this.segments) total += segment.sizeBytes;
    return total;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** The base offset of the segment appends go to; it changes when the log rolls. */
  get activeSegmentBaseOffset(): number {
    return this.activeSegment.baseOffset;
  }

  /**
   * Moves whenever existing segments go or are replaced, the log start moves,
   * or the log closes or goes offline; appends and rolls leave it alone. Work
   * that plans from the sealed segments and pauses (a sliced cleaner pass)
   * checks it after each pause.
   */
  get layoutVersion(): number {
    return this.layoutChanges;
  }

  /** Base offsets of the segments, oldest first (for tests and tools). */
  get segmentBaseOffsets(): number[] {
    return this.segments.map((segment) => segment.baseOffset);
  }

  // --- appends ----------------------------------------------------------------------

  /**
   * Appends already-validated batches laid end to end in `records` (one
   * produce request's data for this partition), stamping each one's base
   * offset (and leader epoch, when given) in place. A leader epoch newer
   * than the log's last is checkpointed first, as starting at this append.
   */
  append(
    records: Buffer,
    batches: ReadonlyArray<BatchToAppend>,
    options: { partitionLeaderEpoch?: number } = {},
  ): { baseOffset: number; lastOffset: number } {
    this.checkUsable();
    if (batches.length === 0) throw new Error("append needs at least one batch");
    const from = batches[0].at;
    let to = from;
    let nextOffset = this.endOffset;
    const appended: AppendedBatch[] = [];
    for (const batch of batches) {
      // The caller validated these bytes; a mismatch here is a bug, not a client error.
      if (batch.at !== to) throw new Error(`batches must be laid end to end: one at ${batch.at}, expected ${to}`);
      if (batch.bytes < BatchHeader.SIZE || batch.at + batch.bytes > records.length || batchTotalBytes(records, batch.at) !== batch.bytes)
        throw new Error(`batch at ${batch.at} is not ${batch.bytes} bytes long`);
      if (batch.lastOffsetDelta < 0 || batchLastOffsetDelta(records, batch.at) !== batch.lastOffsetDelta)
        throw new Error(`batch at ${batch.at} has lastOffsetDelta ${batchLastOffsetDelta(records, batch.at)}, not ${batch.lastOffsetDelta}`);
      appended.push({
        at: batch.at,
        bytes: batch.bytes,
        baseOffset: nextOffset,
        lastOffset: nextOffset + batch.lastOffsetDelta,
        maxTimestamp: batch.maxTimestamp,
      });
      nextOffset += batch.lastOffsetDelta + 1;
      to += batch.bytes;
    }
    if (!Number.isSafeInteger(nextOffset)) throw new Error(`offset ${nextOffset} is beyond 2^53`);
    const epoch = options.partitionLeaderEpoch;
    // The leader stamps its own epoch, which only grows: an older one is a bug of the caller.
    if (epoch !== undefined && epoch < this.leaderEpochs.latestEpoch)
      throw new Error(`leader epoch ${epoch} is older than ${this.leaderEpochs.latestEpoch}, the newest of ${this.topic}-${this.partition}`);

    return this.guardIo(() => {
      this.beforeChange();
      const nowMs = this.clock.nowMs();
      this.rollIfNeeded(nowMs, to - from, nextOffset - 1);
      // Before the data: a crash between the two leaves an epoch past the log end, which the next open drops.
      if (epoch !== undefined && epoch > this.leaderEpochs.latestEpoch) this.leaderEpochs.assign(epoch, this.endOffset);
      for (const batch of appended) {
        setBatchBaseOffset(records, batch.baseOffset, batch.at);
        if (options.partitionLeaderEpoch !== undefined) setBatchPartitionLeaderEpoch(records, options.partitionLeaderEpoch, batch.at);
      }
      this.activeSegment.append(records, from, to, appended, nowMs);
      const baseOffset = this.endOffset;
      this.advanceEnd(nextOffset);
      this.maybeFlush(nowMs);
      return { baseOffset, lastOffset: nextOffset - 1 };
    });
  }

  /** Rolls to a new segment when the active one is older than segment.ms (appends check size too). */
  maybeRoll(nowMs: number = this.clock.nowMs()): boolean {
    this.checkUsable();
    return this.guardIo(() => this.rollIfNeeded(nowMs, 0, this.endOffset - 1));
  }

  /** fsyncs the active segment and its indexes (sealed segments were fsynced by their roll). */
  flush(): void {
    this.checkUsable();
    this.guardIo(() => this.flushNow(this.clock.nowMs()));
  }

  /** The flush scheduler's call: flushes when flush.ms has passed with unflushed messages. */
  tick(nowMs: number = this.clock.nowMs()): void {
    this.checkUsable();
    this.guardIo(() => this.maybeFlush(nowMs));
  }

  // --- reads --------------------------------------------------------------------------------

  /**
   * Whole batches from the one holding `offset`, up to `maxBytes` in total
   * but always at least one whole batch, so a batch larger than the limit
   * never stalls a consumer (Kafka's rule), unless `minOneBatch` is false.
   * Batches reaching `maxOffset` (exclusive; the log end by default) are
   * left out. May span segments.
   */
  read(offset: number, maxBytes: number, options: { maxOffset?: number; minOneBatch?: boolean } = {}): { records: Buffer; firstOffset: number } {
    this.checkUsable();
    if (!Number.isSafeInteger(offset) || offset < this.startOffset || offset > this.endOffset) {
      throw new KafkaError(
        "OFFSET_OUT_OF_RANGE",
        `offset ${offset} is outside the log's range [${this.startOffset}, ${this.endOffset}] of ${this.topic}-${this.partition}`,
      );
    }
    const limit = Math.min(options.maxOffset ?? this.endOffset, this.endOffset);
    if (offset >= limit) return { records: EMPTY, firstOffset: offset };
    return this.guardIo(() => this.readBatches(offset, Math.max(maxBytes, 0), limit, options.minOneBatch ?? true));
  }

  /**
   * ListOffsets by timestamp: the first offset at or after the log start
   * whose record timestamp is at least `timestampMs`, with that timestamp,
   * or null when every record is older.
   */
  offsetForTimestamp(timestampMs: number): { offset: number; timestamp: number } | null {
    this.checkUsable();
    return this.guardIo(() => {
      const first = this.segmentIndexFor(this.startOffset);
      for (let i = first; i < this.segments.length; i++) {
        const batch = this.segments[i].findByTimestamp(timestampMs, this.startOffset);
        if (batch) return this.recordAtOrAfter(i, batch, (timestamp) => timestamp >= timestampMs);
      }
      return null;
    });
  }

  /** ListOffsets MAX_TIMESTAMP (-3): the first record with the largest timestamp, or null when the log is empty. */
  maxTimestampOffset(): { offset: number; timestamp: number } | null {
    this.checkUsable();
    if (this.startOffset >= this.endOffset) return null;
    return this.guardIo(() => {
      const first = this.segmentIndexFor(this.startOffset);
      // Segment max timestamps come from their time indexes; only the first segment's may sit below the log start.
      let best = -1;
      for (let i = first + 1; i < this.segments.length; i++) {
        if (this.segments[i].sizeBytes > 0 && (best < 0 || this.segments[i].maxTimestamp > this.segments[best].maxTimestamp)) best = i;
      }
      const head = this.segments[first];
      if (head.sizeBytes > 0 && (best < 0 || head.maxTimestamp >= this.segments[best].maxTimestamp)) {
        let batch = head.offsetOfMaxTimestamp >= 0 ? head.locate(head.offsetOfMaxTimestamp) : null;
        if (!batch || batch.lastOffset < this.startOffset) batch = this.largestTimestampBatchFrom(first, this.startOffset);
        if (batch && (best < 0 || batch.maxTimestamp >= this.segments[best].maxTimestamp)) {
          const target = batch.maxTimestamp;
          return this.recordAtOrAfter(first, batch, (timestamp) => timestamp >= target);
        }
      }
      if (best < 0) return null;
      const segment = this.segments[best];
      const batch =
        (segment.offsetOfMaxTimestamp >= 0 ? segment.locate(segment.offsetOfMaxTimestamp) : null) ??
        this.largestTimestampBatchFrom(best, segment.baseOffset);
      if (!batch) return null;
      const target = batch.maxTimestamp;
      return this.recordAtOrAfter(best, batch, (timestamp) => timestamp >= target);
    });
  }

  // --- deletion -----------------------------------------------------------------------------

  /**
   * DeleteRecords: moves the log start offset forward to `offset` (never
   * back), persists it, and removes the segments wholly below it. Returns the
   * new log start offset. The log bounds it by its end; the partition bounds
   * it by the high watermark, so nothing uncommitted is deleted.
   */
  deleteRecordsBefore(offset: number): number {
    this.checkUsable();
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > this.endOffset) {
      throw new KafkaError(
        "OFFSET_OUT_OF_RANGE",
        `cannot delete records before ${offset}: the log end of ${this.topic}-${this.partition} is ${this.endOffset}`,
      );
    }
    if (offset <= this.startOffset) return this.startOffset;
    return this.guardIo(() => {
      this.beforeChange();
      // The checkpoint goes first: a crash before the segments go just leaves files that the next open removes.
      this.writeLogStartOffset(offset);
      this.startOffset = offset;
      this.layoutChanges++;
      this.leaderEpochs.truncateFromStart(offset);
      this.deleteSegmentsBelowStart();
      this.checkInvariants();
      return this.startOffset;
    });
  }

  /**
   * Retention: removes the oldest segments whose largest timestamp is older
   * than retention.ms, then the oldest while the log stays above
   * retention.bytes without them. The active segment is never deleted; when
   * time retention has expired it too (an idle partition), the log rolls
   * first, as Kafka does, so that old data does not live forever. Returns the
   * number of segments deleted.
   */
  applyRetention(nowMs: number = this.clock.nowMs()): number {
    this.checkUsable();
    return this.guardIo(() => {
      let deleted = this.deleteSegmentsBelowStart();
      // A compact-only topic keeps every segment; the cleaner shrinks them instead.
      if (this.config.cleanupPolicy && !this.config.cleanupPolicy.includes("delete")) return deleted;
      const { retentionMs, retentionBytes } = this.config;
      if (retentionMs >= 0) {
        const expired = (segment: LogSegment) => segment.sizeBytes > 0 && nowMs - segment.largestTimestampMs() > retentionMs;
        let count = 0;
        while (count < this.segments.length && expired(this.segments[count])) count++;
        if (count === this.segments.length && count > 0) this.roll(nowMs);
        deleted += this.deleteOldestSegments(Math.min(count, this.segments.length - 1));
      }
      if (retentionBytes >= 0) {
        let excessBytes = this.sizeBytes - retentionBytes;
        let count = 0;
        while (count < this.segments.length - 1 && excessBytes - this.segments[count].sizeBytes >= 0) {
          excessBytes -= this.segments[count].sizeBytes;
          count++;
        }
        deleted += this.deleteOldestSegments(count);
      }
      return deleted;
    });
  }

  // --- compaction ------------------------------------------------------------------------------

  /** The sealed segments (all but the active one), oldest first, as the log cleaner plans from them. */
  sealedSegments(): Array<{ baseOffset: number; nextBaseOffset: number; sizeBytes: number; largestTimestampMs: number }> {
    this.checkUsable();
    return this.guardIo(() =>
      this.segments.slice(0, -1).map((segment, i) => ({
        baseOffset: segment.baseOffset,
        nextBaseOffset: this.segments[i + 1].baseOffset,
        sizeBytes: segment.sizeBytes,
        largestTimestampMs: segment.largestTimestampMs(),
      })),
    );
  }

  /**
   * Puts a cleaned copy of `count` consecutive sealed segments, starting with
   * the one at `baseOffset`, in their place as one segment. `swapFile` is the
   * fsynced `<base>.log.swap` the cleaner wrote: from the moment it exists a
   * crash completes the swap at the next open (finishInterruptedCleaning), so
   * the old files can go, oldest first. Offsets do not change: the copy holds
   * a subset of the batches (or records) with their offsets.
   */
  replaceSegments(baseOffset: number, count: number, swapFile: string): void {
    this.checkUsable();
    const index = this.segments.findIndex((segment) => segment.baseOffset === baseOffset);
    if (index < 0 || count < 1 || index + count > this.segments.length - 1)
      throw new Error(`no ${count} sealed segments from ${baseOffset} in ${this.dir}`);
    this.guardIo(() => {
      this.beforeChange();
      this.layoutChanges++;
      const old = this.segments.slice(index, index + count);
      for (const segment of old) segment.deleteFiles(0);
      this.fs.renameSync(swapFile, old[0].logFile);
      this.fs.fsyncDirectorySync(this.dir);
      const segment = LogSegment.open(this.segmentContext, this.dir, baseOffset);
      this.segments.splice(index, count, segment);
      const nextBase = this.segments[index + 1].baseOffset;
      segment.recover({ validateCrc: false, nextSegmentBase: nextBase });
      segment.nextOffset = nextBase;
      this.checkInvariants();
    });
  }

  // --- lifecycle -------------------------------------------------------------------------------

  /** Flushes, seals the active segment and marks the shutdown clean, so the next open skips recovery. */
  close(): void {
    if (this.state === "closed") return;
    this.layoutChanges++;
    if (this.state === "offline") {
      this.closeSegmentsQuietly();
      this.state = "closed";
      return;
    }
    try {
      this.guardIo(() => {
        // Unchanged since a clean open: the marker on disk still tells the truth.
        if (this.cleanMarkerOnDisk) return;
        this.activeSegment.persist();
        this.syncDirectoryIfPending();
        // No fsync of the marker: losing it costs a recovery at the next open, nothing more.
        this.fs.closeSync(this.fs.openSync(path.join(this.dir, CLEAN_SHUTDOWN_FILE), "w"));
      });
    } finally {
      this.closeSegmentsQuietly();
      this.state = "closed";
    }
  }

  /** Closes the log and removes its directory (renamed first, so a crash midway leaves nothing that loads). */
  delete(): void {
    this.layoutChanges++;
    this.closeSegmentsQuietly();
    this.state = "closed";
    const doomed = `${this.dir}.${this.random(8).toString("hex")}${DELETE_DIR_SUFFIX}`;
    try {
      this.fs.renameSync(this.dir, doomed);
    } catch (error) {
      if (isErrno(error, "ENOENT")) return;
      throw error;
    }
    this.fs.fsyncDirectorySync(path.dirname(this.dir));
    this.fs.rmSync(doomed, { recursive: true, force: true });
  }

  // --- internals: loading ------------------------------------------------------------------------

  private load(): void {
    const { fs, dir } = this;
    const names = finishInterruptedCleaning(fs, dir, this.listOrMakeDirectory(), this.logger);
    const cleanShutdown = names.includes(CLEAN_SHUTDOWN_FILE);
    this.cleanMarkerOnDisk = cleanShutdown;
    /** Leftovers removed: their removal is fsynced at the end, though nothing depends on it. */
    let leftoversRemoved = false;
    const logBases: number[] = [];
    const indexFiles: Array<{ name: string; baseOffset: number }> = [];
    for (const name of names) {
      if (name.endsWith(TEMP_SUFFIX) || name.endsWith(DELETED_SUFFIX)) {
        fs.unlinkSync(path.join(dir, name));
        leftoversRemoved = true;
        continue;
      }
      const segment = parseSegmentFileName(name);
      if (!segment) continue;
      if (segment.suffix === LOG_SUFFIX) logBases.push(segment.baseOffset);
      else if (segment.suffix === INDEX_SUFFIX || segment.suffix === TIME_INDEX_SUFFIX) indexFiles.push({ name, baseOffset: segment.baseOffset });
    }
    logBases.sort((a, b) => a - b);
    const bases = new Set(logBases);
    for (const index of indexFiles) {
      if (bases.has(index.baseOffset)) continue;
      fs.unlinkSync(path.join(dir, index.name));
      leftoversRemoved = true;
    }

    const checkpointedStart = names.includes(LOG_START_OFFSET_FILE) ? this.readLogStartOffset() : null;
    this.leaderEpochs = LeaderEpochCheckpoint.load(fs, dir, this.logger);
    const nowMs = this.clock.nowMs();
    for (const baseOffset of logBases) this.segments.push(LogSegment.open(this.segmentContext, dir, baseOffset));
    for (let i = 0; i < this.segments.length; i++) {
      const segment = this.segments[i];
      const isLast = i === this.segments.length - 1;
      const nextBase = isLast ? Number.MAX_SAFE_INTEGER : this.segments[i + 1].baseOffset;
      // Only the last segment can hold unsynced bytes: a roll fsyncs the segment it leaves.
      const trusted = !isLast ? segment.loadSealed(nextBase) : cleanShutdown && segment.loadCleanTail();
      if (trusted) continue;
      if (!isLast || cleanShutdown) this.logger("recovering a segment whose indexes disagree with it", { file: segment.logFile });
      // A recovery changes files the marker vouches for.
      this.beforeChange();
      // The last segment's rebuilt indexes wait in memory for its seal, like those of any active segment.
      const truncated = segment.recover({ validateCrc: true, nextSegmentBase: nextBase, indexesInMemory: isLast });
      if (truncated > 0 && !isLast) {
        this.logger("a sealed segment was corrupt; the offsets it lost stay a gap", { file: segment.logFile, truncated });
      }
    }

    if (this.segments.length === 0) {
      this.segments.push(LogSegment.create(this.segmentContext, dir, checkpointedStart ?? 0));
      this.directorySyncPending = true;
    }
    this.endOffset = this.activeSegment.nextOffset;
    this.startOffset = Math.max(checkpointedStart ?? 0, this.segments[0].baseOffset);
    if (this.startOffset > this.endOffset) {
      // DeleteRecords moved the start past data that a crash then lost; offsets must never be handed out twice.
      this.logger("log start offset is past the recovered log end; starting empty at it", {
        logStartOffset: this.startOffset,
        logEndOffset: this.endOffset,
      });
      this.beforeChange();
      const stale = this.segments.splice(0);
      for (const segment of stale) segment.deleteFiles(0);
      this.segments.push(this.createSegment(this.startOffset));
      this.endOffset = this.startOffset;
    }
    this.recoveryPoint = this.endOffset;
    this.deleteSegmentsBelowStart();
    // Epochs that began in a torn tail, or before a moved log start, go with them.
    this.leaderEpochs.truncateFromEnd(this.endOffset);
    this.leaderEpochs.truncateFromStart(this.startOffset);
    this.activeSegment.activate(nowMs);
    this.lastFlushMs = nowMs;
    if (leftoversRemoved) fs.fsyncDirectorySync(dir);
    this.checkInvariants();
    this.logger("log loaded", {
      dir,
      segments: this.segments.length,
      logStartOffset: this.startOffset,
      logEndOffset: this.endOffset,
      cleanShutdown,
    });
  }

  /** The names in the log's directory, made empty first when it does not exist (a new partition). */
  private listOrMakeDirectory(): string[] {
    try {
      return this.fs.readdirSync(this.dir);
    } catch (error) {
      if (!isErrno(error, "ENOENT")) throw error;
    }
    this.fs.mkdirSync(this.dir, { recursive: true });
    return [];
  }

  private readLogStartOffset(): number | null {
    const file = path.join(this.dir, LOG_START_OFFSET_FILE);
    if (!this.fs.existsSync(file)) return null;
    const [version, value] = this.fs.readFileSync(file).toString("utf8").split("\n");
    const offset = Number(value);
    if (version !== "0" || value === undefined || value.trim() === "" || !Number.isSafeInteger(offset) || offset < 0) {
      this.logger("ignoring an unreadable log start offset checkpoint", { file });
      return null;
    }
    return offset;
  }

  private writeLogStartOffset(offset: number): void {
    writeFileAtomicSync(this.fs, path.join(this.dir, LOG_START_OFFSET_FILE), `0\n${offset}\n`);
  }

  // --- internals: appends ----------------------------------------------------------------------------

  private get activeSegment(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  private rollIfNeeded(nowMs: number, incomingBytes: number, lastOffset: number): boolean {
    const active = this.activeSegment;
    if (!active.isActive) {
      // A roll that failed after sealing (the open-file limit): finish it, or take the empty segment back.
      if (active.sizeBytes === 0) {
        active.activate(nowMs);
        return false;
      }
      this.roll(nowMs);
      return true;
    }
    if (active.sizeBytes === 0) return false;
    const full = active.sizeBytes + incomingBytes > this.config.segmentBytes;
    const old = active.rollBaseMs !== null && nowMs - active.rollBaseMs > this.config.segmentMs;
    // Offsets in the index are int32 relative to the base.
    const offsetsOverflow = lastOffset - active.baseOffset > INT32_MAX;
    if (!full && !old && !offsetsOverflow) return false;
    this.roll(nowMs);
    return true;
  }

  /**
   * Seals the active segment (fsynced) and starts a new one at the log end.
   * Each step can fail on the open-file limit; the log stays usable: the
   * new segment joins only once active, and a sealed last segment is rolled
   * again by the next append (rollIfNeeded).
   */
  private roll(nowMs: number): void {
    this.beforeChange();
    const sealed = this.activeSegment;
    sealed.seal();
    const segment = this.createSegment(this.endOffset);
    try {
      segment.activate(nowMs);
    } catch (error) {
      segment.close();
      throw error;
    }
    this.segments.push(segment);
    this.recoveryPoint = this.endOffset;
    this.logger("rolled a new segment", { dir: this.dir, baseOffset: segment.baseOffset, sealedBytes: sealed.sizeBytes });
  }

  private createSegment(baseOffset: number): LogSegment {
    const segment = LogSegment.create(this.segmentContext, this.dir, baseOffset);
    this.fs.fsyncDirectorySync(this.dir);
    return segment;
  }

  private advanceEnd(nextOffset: number): void {
    if (nextOffset <= this.endOffset) throw new Error(`the log end must grow: ${this.endOffset} -> ${nextOffset}`);
    this.endOffset = nextOffset;
    this.checkInvariants();
  }

  private maybeFlush(nowMs: number): void {
    const unflushedMessages = this.endOffset - this.recoveryPoint;
    if (unflushedMessages <= 0) return;
    if (unflushedMessages >= this.config.flushIntervalMessages || nowMs - this.lastFlushMs >= this.config.flushIntervalMs) {
      this.flushNow(nowMs);
    }
  }

  private flushNow(nowMs: number): void {
    if (this.endOffset > this.recoveryPoint) {
      this.activeSegment.flush();
      this.syncDirectoryIfPending();
    }
    this.recoveryPoint = this.endOffset;
    this.lastFlushMs = nowMs;
  }

  // --- internals: reads ----------------------------------------------------------------------------

  /** Index of the segment whose range holds `offset` (the last with base <= offset). */
  private segmentIndexFor(offset: number): number {
    let low = 0;
    let high = this.segments.length - 1;
    let found = 0;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (this.segments[middle].baseOffset <= offset) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    return found;
  }

  private readBatches(offset: number, maxBytes: number, limit: number, minOneBatch: boolean): { records: Buffer; firstOffset: number } {
    // The batch holding `offset`, or the next one after a gap (a segment may end before the next one starts).
    let segmentIndex = this.segmentIndexFor(offset);
    let first = this.segments[segmentIndex].locate(offset);
    while (!first && segmentIndex + 1 < this.segments.length) first = this.segments[++segmentIndex].locate(offset);
    if (!first || first.lastOffset >= limit) return { records: EMPTY, firstOffset: offset };
    if (!minOneBatch && first.totalBytes > maxBytes) return { records: EMPTY, firstOffset: offset };

    const pieces: Buffer[] = [];
    let total = 0;
    let position = first.position;
    for (let i = segmentIndex; i < this.segments.length; i++, position = 0) {
      const segment = this.segments[i];
      while (position < segment.sizeBytes) {
        const available = segment.sizeBytes - position;
        let length: number;
        if (total === 0) {
          // The first read starts at the batch locate() found: its size is known without reading its header again.
          if (position !== first.position || i !== segmentIndex) throw new Error(`${segment.logFile}: the first read must start at the located batch`);
          length = Math.min(available, Math.max(maxBytes, first.totalBytes));
        } else {
          length = Math.min(available, maxBytes - total);
          if (length < BatchHeader.SIZE) return this.joined(pieces, total, first.baseOffset);
        }
        const chunk = Buffer.allocUnsafe(length);
        segment.read(position, chunk, 0, length);
        const whole = wholeBatchesBelow(chunk, limit);
        if (whole > 0) {
          pieces.push(whole === length ? chunk : chunk.subarray(0, whole));
          total += whole;
          position += whole;
        }
        if (whole < length) return this.joined(pieces, total, first.baseOffset);
      }
    }
    return this.joined(pieces, total, first.baseOffset);
  }

  private joined(pieces: Buffer[], total: number, firstOffset: number): { records: Buffer; firstOffset: number } {
    const records = pieces.length === 0 ? EMPTY : pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, total);
    return { records, firstOffset };
  }

  /**
   * Narrows a batch found by its max timestamp to the first record (at or
   * after the log start) whose timestamp passes `matches`. Uncompressed
   * batches are scanned in place; compressed ones are decoded. A batch that
   * does not parse answers at batch granularity.
   */
  private recordAtOrAfter(
    segmentIndex: number,
    batch: BatchPosition,
    matches: (timestamp: number) => boolean,
  ): { offset: number; timestamp: number } {
    const fallback = { offset: Math.max(batch.baseOffset, this.startOffset), timestamp: batch.maxTimestamp };
    const bytes = Buffer.allocUnsafe(batch.totalBytes);
    this.segments[segmentIndex].read(batch.position, bytes, 0, batch.totalBytes);
    try {
      const scanned = scanRecordTimestamps(bytes, this.startOffset, matches);
      if (scanned !== undefined) return scanned ?? fallback;
      const decoded = decodeRecordBatch(bytes);
      for (const record of decoded.records) {
        const offset = decoded.baseOffset + record.offsetDelta;
        const timestamp = recordTimestamp(decoded, record);
        if (offset >= this.startOffset && matches(timestamp)) return { offset, timestamp };
      }
    } catch (error) {
      this.logger("answering a timestamp lookup at batch granularity: the batch does not parse", {
        offset: batch.baseOffset,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    return fallback;
  }

  /** Walks the segment's batches from `minOffset` for the largest max timestamp (the slow path after DeleteRecords). */
  private largestTimestampBatchFrom(segmentIndex: number, minOffset: number): BatchPosition | null {
    const segment = this.segments[segmentIndex];
    const start = segment.locate(minOffset);
    if (!start) return null;
    let best: BatchPosition | null = null;
    segment.walk(start.position, (batch) => {
      if (!best || batch.maxTimestamp > best.maxTimestamp) best = batch;
      return true;
    });
    return best;
  }

  // --- internals: deletion --------------------------------------------------------------------------

  /** Removes segments whose every offset is below the log start (the next segment starts at or below it). */
  private deleteSegmentsBelowStart(): number {
    let count = 0;
    while (count < this.segments.length - 1 && this.segments[count + 1].baseOffset <= this.startOffset) count++;
    return this.deleteOldestSegments(count);
  }

  /** Deletes the `count` oldest segments (never the active one) and moves the log start past them. */
  private deleteOldestSegments(count: number): number {
    if (count <= 0) return 0;
    if (count >= this.segments.length) throw new Error(`cannot delete ${count} of ${this.segments.length} segments: one stays active`);
    this.beforeChange();
    this.layoutChanges++;
    const doomed = this.segments.splice(0, count);
    this.startOffset = Math.max(this.startOffset, this.segments[0].baseOffset);
    this.leaderEpochs.truncateFromStart(this.startOffset);
    for (const segment of doomed) {
      segment.deleteFiles(this.config.fileDeleteDelayMs ?? 0);
      this.logger("deleted a segment", { file: segment.logFile, sizeBytes: segment.sizeBytes, logStartOffset: this.startOffset });
    }
    this.checkInvariants();
    return count;
  }

  // --- internals: state ------------------------------------------------------------------------------

  /**
   * Before the first change to the files since a clean open: the marker goes,
   * durably, or a crash could leave it vouching for files it never saw.
   */
  private beforeChange(): void {
    if (!this.cleanMarkerOnDisk) return;
    try {
      this.fs.unlinkSync(path.join(this.dir, CLEAN_SHUTDOWN_FILE));
    } catch (error) {
      // Gone already: an earlier try unlinked it, then failed to sync.
      if (!isErrno(error, "ENOENT")) throw error;
    }
    this.fs.fsyncDirectorySync(this.dir);
    this.directorySyncPending = false;
    this.cleanMarkerOnDisk = false;
  }

  /** Makes the directory entries of files this log created durable, before a flush or a clean close promises them. */
  private syncDirectoryIfPending(): void {
    if (!this.directorySyncPending) return;
    this.fs.fsyncDirectorySync(this.dir);
    this.directorySyncPending = false;
  }

  private checkUsable(): void {
    if (this.state === "closed")
      throw new KafkaError("UNKNOWN_TOPIC_OR_PARTITION", `the log of ${this.topic}-${this.partition} is closed`);
    if (this.state === "offline")
      throw new KafkaError("KAFKA_STORAGE_ERROR", `the log of ${this.topic}-${this.partition} is offline after an I/O error`);
  }

  /** Runs disk work; an I/O error (an errno) takes the log offline, since the page cache state is then unknown. */
  private guardIo<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (isOpenFileLimitError(error)) throw openFileLimitError(this.logger, `${this.topic}-${this.partition}`, error);
      if (!isIoError(error)) throw error;
      this.state = "offline";
      this.layoutChanges++;
      this.logger("I/O error: the log is offline until restart", {
        dir: this.dir,
        error: error instanceof Error ? error.message : String(error),
      });
      throw new KafkaError("KAFKA_STORAGE_ERROR", `I/O error on ${this.topic}-${this.partition}: ${(error as Error).message}`);
    }
  }

  private checkInvariants(): void {
    if (!(this.startOffset <= this.endOffset))
      throw new Error(`log invariant broken: logStartOffset ${this.startOffset} <= logEndOffset ${this.endOffset}`);
    if (this.segments.length === 0 || this.segments[0].baseOffset > this.startOffset)
      throw new Error(`log invariant broken: the first segment starts after the log start offset ${this.startOffset}`);
  }

  private closeSegmentsQuietly(): void {
    for (const segment of this.segments) {
      try {
        segment.close();
      } catch {
        // Closing what is left after a failure; the first error was already reported.
      }
    }
  }
}

/** How many bytes at the start of `chunk` are whole batches whose last offset is below `limit`. */
function wholeBatchesBelow(chunk: Buffer, limit: number): number {
  let at = 0;
  while (at + BatchHeader.SIZE <= chunk.length) {
    const totalBytes = batchTotalBytes(chunk, at);
    if (totalBytes < BatchHeader.SIZE) throw new Error(`a stored batch of ${totalBytes} bytes`);
    if (at + totalBytes > chunk.length) break;
    const lastOffset = Number(chunk.readBigInt64BE(at + BatchHeader.BASE_OFFSET)) + batchLastOffsetDelta(chunk, at);
    if (lastOffset >= limit) break;
    at += totalBytes;
  }
  return at;
}

/**
 * The open-file limit met with nothing left in the pool to close: every
 * descriptor is a socket or a file in use. The caller changed nothing, so a
 * retry can succeed once descriptors come back; the line is loud because the
 * fix is the operator's.
 */
export function openFileLimitError(logger: StorageLogger, partition: string, error: unknown): KafkaError {
  const message = error instanceof Error ? error.message : String(error);
  logger(
    "the open-file limit is exhausted: a request on this partition failed and will be retried by its client; raise the limit (ulimit -n, LimitNOFILE) or close connections",
    { partition, error: message },
    "error",
  );
  return new KafkaError("KAFKA_STORAGE_ERROR", `${partition}: the broker has no file descriptor left (${message}); retry, and raise its open-file limit`);
}

/** An errno failure of a system call (EIO, ENOSPC ...), as opposed to a bug. */
function isIoError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  return typeof code === "string" && typeof syscall === "string";
}
