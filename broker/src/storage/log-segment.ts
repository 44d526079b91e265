import path from "node:path";
import { BatchHeader } from "../protocol/records/batch-header";
import { crc32c } from "../protocol/records/crc32c";
import { isErrno, readFully, writeFully, type FileSystem } from "../runtime/fs";
import { DELETED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, segmentFileName } from "./file-names";
import { CorruptIndexError, IndexBuilder, OffsetIndex, TimeIndex } from "./index-files";
import type { OpenFilePool, PooledFile } from "./open-files";
import type { Scheduler } from "../runtime/scheduler";

const RECORD_BATCH_MAGIC = 2;
const INT32_MAX = 0x7fffffff;
/** The smallest batchLength a magic-2 batch can have: a header and no records. */
const BATCH_LENGTH_MIN = BatchHeader.SIZE - BatchHeader.LOG_OVERHEAD;
/** Reads while walking batch headers: enough for an index interval of small batches in one read. */
const WALK_CHUNK_BYTES = 16 * 1024;
/** Reads while scanning a segment in recovery. */
const RECOVERY_CHUNK_BYTES = 1024 * 1024;

/** Storage's log lines: `info` unless a level says otherwise (the open-file limit is worth a warning). */
export type StorageLogger = (msg: string, fields?: Record<string, unknown>, level?: "info" | "warn" | "error") => void;

/** What a segment needs from its log. */
export interface SegmentContext {
  /** The pool's file system: opens that meet the open-file limit close pooled files and retry. */
  fs: FileSystem;
  files: OpenFilePool;
  logger: StorageLogger;
  /** Runs the delayed unlink of deleted segment files. */
  scheduler: Scheduler;
  indexIntervalBytes(): number;
}

/** A batch as the storage layer sees it: its place and its header fields, not its records. */
export interface BatchPosition {
  position: number;
  baseOffset: number;
  lastOffset: number;
  totalBytes: number;
  maxTimestamp: number;
}

/** Batches that fail the header sanity checks where the log expected whole batches. */
export class CorruptSegmentError extends Error {
  override readonly name = "CorruptSegmentError";
}

/** One batch laid in a buffer, as PartitionLog.append hands it over (offsets already stamped). */
export interface AppendedBatch {
  /** Position in the buffer. */
  at: number;
  bytes: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

/**
 * One segment: a `.log` of raw record batches, its sparse `.index` and its
 * `.timeindex`. The `.log` descriptor comes from the node's pool of open
 * segment files (closed when the pool needs room, reopened on the next use);
 * the indexes live in memory and hold no descriptor.
 */
export class LogSegment {
  readonly logFile: string;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  /** Bytes of whole batches in the `.log`. */
  sizeBytes: number;
  /** The offset after the last batch: exact for the active segment, an upper bound (the next segment's base) for the others. */
  nextOffset: number;
  /** The largest batch max timestamp in the segment, -1 when none is known. */
  maxTimestamp = -1;
  /** Base offset of the batch holding maxTimestamp, -1 when none. */
  offsetOfMaxTimestamp = -1;
  /** When the segment's age for segment.ms starts: the first append, or the first batch's timestamp after a restart. */
  rollBaseMs: number | null = null;
  private bytesSinceLastIndexEntry = 0;
  private readonly log: PooledFile;
  private active = false;
  private closed = false;

  private constructor(
    private readonly ctx: SegmentContext,
    readonly dir: string,
    readonly baseOffset: number,
    sizeBytes: number,
  ) {
    this.sizeBytes = sizeBytes;
    this.nextOffset = baseOffset;
    this.logFile = path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX));
    this.log = ctx.files.file(this.logFile);
    this.offsetIndex = new OffsetIndex(ctx.fs, path.join(dir, segmentFileName(baseOffset, INDEX_SUFFIX)), baseOffset);
    this.timeIndex = new TimeIndex(ctx.fs, path.join(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX)), baseOffset);
  }

  /** A new, empty segment (any leftover files of that name are emptied). The caller fsyncs the directory. */
  static create(ctx: SegmentContext, dir: string, baseOffset: number): LogSegment {
    const segment = new LogSegment(ctx, dir, baseOffset, 0);
    // Created and closed: the pool opens the .log when it is first written.
    for (const file of [segment.logFile, segment.offsetIndex.file, segment.timeIndex.file]) ctx.fs.closeSync(ctx.fs.openSync(file, "w"));
    return segment;
  }

  /** An existing segment; call one of the load or recover methods next. */
  static open(ctx: SegmentContext, dir: string, baseOffset: number): LogSegment {
    return new LogSegment(ctx, dir, baseOffset, ctx.fs.statSync(path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX))).size);
  }

  /** The segment appends go to: its index entries are in memory until it is sealed. */
  get isActive(): boolean {
    return this.active;
  }

  /** Whether the pool holds the `.log` open right now (for tests and tools). */
  get isLogFileOpen(): boolean {
    return this.log.isOpen;
  }

  /** Runs `work` with the `.log` open (from the pool; the descriptor is only good inside `work`). */
  private withLogFd<T>(work: (fd: number) => T): T {
    if (this.closed) throw new Error(`segment ${this.logFile} is closed`);
    return this.log.use(work);
  }

  // --- loading and recovery ---------------------------------------------------

  /**
   * Trusts a segment written before a clean shutdown or sealed by a roll:
   * checks that the last entries of both indexes agree with the log (cheap:
   * two small reads), and takes the max timestamp from the time index.
   * Returns false when they do not, and the segment must be recovered.
   */
  loadSealed(nextSegmentBase: number, options: { tail?: boolean } = {}): boolean {
    try {
      const lastOffsetEntry = this.offsetIndex.peekLast();
      if (lastOffsetEntry) {
        if (lastOffsetEntry.offset >= nextSegmentBase || lastOffsetEntry.position >= this.sizeBytes) return false;
        const header = this.headerAt(lastOffsetEntry.position);
        if (!header || header.baseOffset !== lastOffsetEntry.offset) return false;
      }
      const lastTimeEntry = this.timeIndex.peekLast();
      if (lastTimeEntry) {
        if (lastTimeEntry.offset >= nextSegmentBase || lastTimeEntry.offset < this.baseOffset) return false;
        this.maxTimestamp = lastTimeEntry.timestamp;
        this.offsetOfMaxTimestamp = lastTimeEntry.offset;
      } else if (this.sizeBytes > 0 && !options.tail) {
        // Possible (every batch without a timestamp), but checked against the first batch. A tail walk finds the max itself.
        const first = this.headerAt(0);
        if (!first || first.maxTimestamp >= 0) return false;
      }
    } catch (error) {
      if (error instanceof CorruptIndexError) return false;
      throw error;
    }
    this.nextOffset = nextSegmentBase;
    return true;
  }

  /**
   * Loads the last segment after a clean shutdown: walks the batch headers
   * from the last offset index entry to the end of the file to learn the next
   * offset. Returns false when the walk does not end on a batch boundary.
   */
  loadCleanTail(): boolean {
    try {
      // Read whole now (the active segment needs them in memory), so the checks below make no reads of their own.
      this.offsetIndex.ensureLoaded();
      this.timeIndex.ensureLoaded();
    } catch (error) {
      if (error instanceof CorruptIndexError) return false;
      throw error;
    }
    if (!this.loadSealed(Number.MAX_SAFE_INTEGER, { tail: true })) return false;
    let next = this.baseOffset;
    try {
      const from = this.offsetIndex.lastEntry()?.position ?? 0;
      let end = from;
      this.walk(from, (batch) => {
        next = batch.lastOffset + 1;
        end = batch.position + batch.totalBytes;
        if (batch.maxTimestamp > this.maxTimestamp) {
          this.maxTimestamp = batch.maxTimestamp;
          this.offsetOfMaxTimestamp = batch.baseOffset;
        }
        return true;
      });
      if (end !== this.sizeBytes) return false;
    } catch (error) {
      if (error instanceof CorruptIndexError || error instanceof CorruptSegmentError) return false;
      throw error;
    }
    this.nextOffset = next;
    return true;
  }

  /**
   * Scans every batch from the start, checking header sanity and (when asked)
   * the CRC-32C, truncates the file at the first batch that fails (a torn or
   * corrupt tail), and rebuilds both indexes from what remains. Returns the
   * bytes truncated.
   */
  recover(options: { validateCrc: boolean; nextSegmentBase: number; indexesInMemory?: boolean }): number {
    return this.withLogFd((fd) => this.recoverWith(fd, options));
  }

  /**
   * recover() with the `.log` open. With `indexesInMemory` (the active
   * segment) the rebuilt indexes stay in memory until the segment is sealed,
   * instead of being written now.
   */
  private recoverWith(fd: number, options: { validateCrc: boolean; nextSegmentBase: number; indexesInMemory?: boolean }): number {
    const { fs, logger } = this.ctx;
    const fileSize = fs.fstatSync(fd).size;
    const intervalBytes = this.ctx.indexIntervalBytes();
    const builder = new IndexBuilder(this.baseOffset);
    let buffer = Buffer.allocUnsafe(Math.min(RECOVERY_CHUNK_BYTES, Math.max(fileSize, BatchHeader.SIZE)));
    let bufferStart = 0;
    let bufferLength = 0;
    const ensure = (at: number, bytes: number) => {
      if (at >= bufferStart && at + bytes <= bufferStart + bufferLength) return;
      if (bytes > buffer.length) buffer = Buffer.allocUnsafe(bytes);
      bufferStart = at;
      bufferLength = readFully(fs, fd, buffer, 0, Math.min(buffer.length, fileSize - at), at);
      if (bufferLength < bytes) throw new Error(`${this.logFile}: short read at ${at}`);
    };

    let position = 0;
    let previousLastOffset = this.baseOffset - 1;
    let bytesSinceIndexEntry = 0;
    let maxTimestamp = -1;
    let offsetOfMaxTimestamp = -1;
    let problem: string | null = null;
    while (position < fileSize) {
      const left = fileSize - position;
      if (left < BatchHeader.SIZE) {
        problem = `${left} trailing bytes, fewer than a batch header`;
        break;
      }
      ensure(position, BatchHeader.SIZE);
      const at = position - bufferStart;
      const baseOffset = Number(buffer.readBigInt64BE(at + BatchHeader.BASE_OFFSET));
      const batchLength = buffer.readInt32BE(at + BatchHeader.BATCH_LENGTH);
      const totalBytes = batchLength + BatchHeader.LOG_OVERHEAD;
      const magic = buffer.readInt8(at + BatchHeader.MAGIC);
      const lastOffsetDelta = buffer.readInt32BE(at + BatchHeader.LAST_OFFSET_DELTA);
      const lastOffset = baseOffset + lastOffsetDelta;
      if (batchLength < BATCH_LENGTH_MIN) problem = `batchLength ${batchLength} is shorter than a batch header`;
      else if (magic !== RECORD_BATCH_MAGIC) problem = `magic ${magic}`;
      else if (totalBytes > left) problem = `a ${totalBytes}-byte batch with only ${left} bytes left (torn write)`;
      else if (!Number.isSafeInteger(baseOffset) || baseOffset <= previousLastOffset)
        problem = `base offset ${baseOffset} does not follow ${previousLastOffset}`;
      else if (lastOffsetDelta < 0) problem = `lastOffsetDelta ${lastOffsetDelta}`;
      else if (lastOffset >= options.nextSegmentBase) problem = `last offset ${lastOffset} reaches the next segment ${options.nextSegmentBase}`;
      else if (lastOffset - this.baseOffset > INT32_MAX) problem = `last offset ${lastOffset} is too far from the base for the index`;
      if (problem === null && options.validateCrc) {
        ensure(position, totalBytes);
        const start = position - bufferStart;
        const stored = buffer.readUInt32BE(start + BatchHeader.CRC);
        const computed = crc32c(buffer.subarray(start + BatchHeader.CRC_START, start + totalBytes));
        if (stored !== computed) problem = `CRC-32C ${computed} does not match the stored ${stored}`;
      }
      if (problem !== null) break;

      const batchMaxTimestamp = Number(buffer.readBigInt64BE(at + BatchHeader.MAX_TIMESTAMP));
      if (batchMaxTimestamp > maxTimestamp) {
        maxTimestamp = batchMaxTimestamp;
        offsetOfMaxTimestamp = baseOffset;
      }
      if (bytesSinceIndexEntry >= intervalBytes) {
        builder.addOffset(baseOffset, position);
        builder.maybeAddTime(maxTimestamp, offsetOfMaxTimestamp);
        bytesSinceIndexEntry = 0;
      }
      bytesSinceIndexEntry += totalBytes;
      previousLastOffset = lastOffset;
      position += totalBytes;
    }
    builder.maybeAddTime(maxTimestamp, offsetOfMaxTimestamp);

    const truncatedBytes = fileSize - position;
    if (truncatedBytes > 0) {
      logger("truncating a torn or corrupt log tail", { file: this.logFile, position, truncatedBytes, problem });
      fs.ftruncateSync(fd, position);
      fs.fsyncSync(fd);
    }
    if (options.indexesInMemory) {
      this.offsetIndex.replaceInMemory(builder.offsetBytes());
      this.timeIndex.replaceInMemory(builder.timeBytes());
    } else {
      this.offsetIndex.replace(builder.offsetBytes());
      this.timeIndex.replace(builder.timeBytes());
    }
    this.sizeBytes = position;
    this.nextOffset = previousLastOffset + 1;
    this.maxTimestamp = maxTimestamp;
    this.offsetOfMaxTimestamp = offsetOfMaxTimestamp;
    return truncatedBytes;
  }

  /** Makes this the segment appends go to. */
  activate(nowMs: number): void {
    this.withIndexes(() => {
      this.offsetIndex.ensureLoaded();
      this.timeIndex.ensureLoaded();
    });
    this.active = true;
    this.bytesSinceLastIndexEntry = this.sizeBytes - (this.offsetIndex.lastEntry()?.position ?? 0);
    if (this.rollBaseMs === null && this.sizeBytes > 0) {
      const first = this.headerAt(0);
      const firstTimestamp = first ? first.maxTimestamp : -1;
      this.rollBaseMs = firstTimestamp >= 0 ? Math.min(firstTimestamp, nowMs) : nowMs;
    }
  }

  // --- appends ------------------------------------------------------------------

  /** Writes batches laid end to end in `records[from, to)` after the segment's last byte (the page cache, not fsynced). */
  append(records: Buffer, from: number, to: number, batches: readonly AppendedBatch[], nowMs: number): void {
    if (!this.isActive) throw new Error(`append to inactive segment ${this.logFile}`);
    const startPosition = this.sizeBytes;
    if (startPosition + (to - from) > INT32_MAX) throw new Error(`segment ${this.logFile} would pass 2 GiB`);
    this.withLogFd((fd) => writeFully(this.ctx.fs, fd, records, from, to - from, startPosition));
    const intervalBytes = this.ctx.indexIntervalBytes();
    for (const batch of batches) {
      if (batch.maxTimestamp > this.maxTimestamp) {
        this.maxTimestamp = batch.maxTimestamp;
        this.offsetOfMaxTimestamp = batch.baseOffset;
      }
      if (this.bytesSinceLastIndexEntry >= intervalBytes) {
        this.offsetIndex.append(batch.baseOffset, startPosition + (batch.at - from));
        this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
        this.bytesSinceLastIndexEntry = 0;
      }
      this.bytesSinceLastIndexEntry += batch.bytes;
    }
    this.sizeBytes = startPosition + (to - from);
    this.nextOffset = batches[batches.length - 1].lastOffset + 1;
    this.rollBaseMs ??= nowMs;
  }

  /** fsync of the `.log` (the indexes of the active segment are rebuilt after a crash, so they wait for the seal). */
  flush(): void {
    this.withLogFd((fd) => this.ctx.fs.fsyncSync(fd));
  }

  /**
   * The segment stops taking appends, for good (a roll): the time index gets
   * a last entry for the segment's max timestamp, so that loading it later
   * needs no scan, and the log and both indexes are written and fsynced.
   */
  seal(): void {
    if (!this.isActive) return;
    this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
    this.persist();
    this.active = false;
  }

  /**
   * A clean shutdown: the log and the index entries appended so far are
   * fsynced, so the next open trusts them and walks only the tail past the
   * last index entry. Unlike seal(), no closing time-index entry: the
   * segment goes on taking appends after the restart.
   */
  persist(): void {
    if (!this.isActive) return;
    this.flush();
    this.offsetIndex.persist();
    this.timeIndex.persist();
  }

  // --- reads -----------------------------------------------------------------------

  /** The header of the batch at `position`, null past the end. */
  headerAt(position: number): BatchPosition | null {
    if (position + BatchHeader.SIZE > this.sizeBytes) return null;
    const n = this.withLogFd((fd) => readFully(this.ctx.fs, fd, HEADER_SCRATCH, 0, BatchHeader.SIZE, position));
    if (n < BatchHeader.SIZE) return null;
    return parseHeader(HEADER_SCRATCH, 0, position);
  }

  /**
   * Calls `visit` for each batch from `from` (a batch boundary) to the end,
   * until it returns false. Reads headers in chunks, never whole batches.
   */
  walk(from: number, visit: (batch: BatchPosition) => boolean): void {
    this.withLogFd((fd) => this.walkWith(fd, from, visit));
  }

  private walkWith(fd: number, from: number, visit: (batch: BatchPosition) => boolean): void {
    const fs = this.ctx.fs;
    const end = this.sizeBytes;
    let chunkStart = 0;
    let chunkLength = 0;
    let position = from;
    while (position < end) {
      if (position < chunkStart || position + BatchHeader.SIZE > chunkStart + chunkLength) {
        if (end - position < BatchHeader.SIZE)
          throw new CorruptSegmentError(`${this.logFile}: ${end - position} bytes at ${position} are not a batch`);
        chunkStart = position;
        chunkLength = readFully(fs, fd, WALK_SCRATCH, 0, Math.min(WALK_SCRATCH.length, end - position), position);
        if (chunkLength < BatchHeader.SIZE) throw new CorruptSegmentError(`${this.logFile}: short read at ${position}`);
      }
      const batch = parseHeader(WALK_SCRATCH, position - chunkStart, position);
      if (batch.totalBytes < BatchHeader.SIZE || position + batch.totalBytes > end)
        throw new CorruptSegmentError(`${this.logFile}: batch of ${batch.totalBytes} bytes at ${position} does not fit`);
      if (!visit(batch)) return;
      position += batch.totalBytes;
    }
  }

  /** The first batch whose last offset is at least `offset`, or null when the segment ends first. */
  locate(offset: number): BatchPosition | null {
    const from = this.withIndexes(() => this.offsetIndex.floorPosition(offset));
    let found: BatchPosition | null = null;
    this.walk(from, (batch) => {
      if (batch.lastOffset < offset) return true;
      found = batch;
      return false;
    });
    return found;
  }

  /**
   * The first batch at or after `minOffset` whose max timestamp is at least
   * `timestampMs`, starting from the time index's hint, or null.
   */
  findByTimestamp(timestampMs: number, minOffset: number): BatchPosition | null {
    if (this.maxTimestamp < timestampMs) return null;
    const hint = this.withIndexes(() => this.timeIndex.floorOffsetBelow(timestampMs));
    const start = this.locate(Math.max(hint ?? this.baseOffset, minOffset));
    if (!start) return null;
    let found: BatchPosition | null = null;
    this.walk(start.position, (batch) => {
      if (batch.maxTimestamp < timestampMs || batch.lastOffset < minOffset) return true;
      found = batch;
      return false;
    });
    return found;
  }

  /** Reads exactly `length` bytes at `position` into `buffer`. */
  read(position: number, buffer: Buffer, offset: number, length: number): void {
    if (position + length > this.sizeBytes) throw new Error(`read past the end of ${this.logFile}`);
    const n = this.withLogFd((fd) => readFully(this.ctx.fs, fd, buffer, offset, length, position));
    if (n !== length) throw new Error(`${this.logFile}: read ${n} of ${length} bytes at ${position}`);
  }

  /** The largest timestamp for time retention: the max batch timestamp, or the file's mtime when batches carry none. */
  largestTimestampMs(): number {
    return this.maxTimestamp >= 0 ? this.maxTimestamp : this.ctx.fs.statSync(this.logFile).mtimeMs;
  }

  // --- lifecycle ----------------------------------------------------------------------

  /** Gives the `.log` descriptor back to the pool; the segment is unusable after. */
  close(): void {
    this.closed = true;
    this.active = false;
    this.log.close();
  }

  /**
   * Closes the segment and removes its files, the `.log` first so that a
   * crash midway leaves only index files, which the next open discards.
   * With a delay the files are renamed `.deleted` and unlinked later.
   */
  deleteFiles(delayMs: number): void {
    this.close();
    const { fs } = this.ctx;
    for (const file of [this.logFile, this.offsetIndex.file, this.timeIndex.file]) {
      try {
        if (delayMs > 0) {
          fs.renameSync(file, file + DELETED_SUFFIX);
          this.ctx.scheduler.schedule(delayMs, () => unlinkQuietly(fs, file + DELETED_SUFFIX));
        } else fs.unlinkSync(file);
      } catch (error) {
        if (!isErrno(error, "ENOENT")) throw error;
      }
    }
    this.offsetIndex.unload();
    this.timeIndex.unload();
  }

  /** Runs an index lookup; an index found corrupt on its lazy load is rebuilt from the log, once. */
  private withIndexes<T>(lookup: () => T): T {
    try {
      return lookup();
    } catch (error) {
      if (!(error instanceof CorruptIndexError)) throw error;
      this.ctx.logger("rebuilding a corrupt index", { file: this.logFile, reason: error.message });
      this.recover({ validateCrc: true, nextSegmentBase: this.isActive ? Number.MAX_SAFE_INTEGER : this.nextOffset });
      return lookup();
    }
  }
}

// Reused by the synchronous reads above; nothing yields while they are in use.
const HEADER_SCRATCH = Buffer.alloc(BatchHeader.SIZE);
const WALK_SCRATCH = Buffer.alloc(WALK_CHUNK_BYTES);

function parseHeader(buffer: Buffer, at: number, position: number): BatchPosition {
  const baseOffset = Number(buffer.readBigInt64BE(at + BatchHeader.BASE_OFFSET));
  return {
    position,
    baseOffset,
    lastOffset: baseOffset + buffer.readInt32BE(at + BatchHeader.LAST_OFFSET_DELTA),
    totalBytes: buffer.readInt32BE(at + BatchHeader.BATCH_LENGTH) + BatchHeader.LOG_OVERHEAD,
    maxTimestamp: Number(buffer.readBigInt64BE(at + BatchHeader.MAX_TIMESTAMP)),
  };
}

function unlinkQuietly(fs: FileSystem, file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // Already gone (the partition was deleted, or a restart cleaned it up).
  }
}
