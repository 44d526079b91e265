import { isErrno, readFully, writeFileAtomicSync, writeFully, type FileSystem } from "../runtime/fs";

const INT32_MAX = 0x7fffffff;

/** Raised when an index file does not hold what the log says; the segment rebuilds it. */
export class CorruptIndexError extends Error {
  override readonly name = "CorruptIndexError";
}

/**
 * A file of fixed-size big-endian entries, held in memory as the very bytes
 * on disk. Entries load lazily on first lookup, since most segments of a long
 * log are never read. No descriptor stays open: the active segment appends
 * entries in memory, and they reach the file when the segment is sealed (a
 * roll or a clean shutdown). Nothing needs them sooner: after a crash the
 * last segment is scanned and its indexes rebuilt whatever the files say.
 */
abstract class IndexFile {
  private bytes: Buffer = Buffer.alloc(0);
  private entryCount = 0;
  private loaded = false;
  /** Entries below this are in the file (written, not necessarily synced). */
  private writtenCount = 0;
  /** The file holds entries the memory no longer does (a rebuild kept in memory): it is rewritten whole, not appended to. */
  private fileStale = false;

  constructor(
    protected readonly fs: FileSystem,
    readonly file: string,
    readonly baseOffset: number,
    private readonly entryBytes: number,
  ) {}

  get count(): number {
    this.ensureLoaded();
    return this.entryCount;
  }

  /** Entries appended in memory that the file does not hold yet. */
  get hasUnwrittenEntries(): boolean {
    return this.fileStale || this.writtenCount < this.entryCount;
  }

  /** Loads the entries from disk and checks their order; throws CorruptIndexError. */
  ensureLoaded(): void {
    if (this.loaded) return;
    let bytes: Buffer;
    try {
      bytes = this.fs.readFileSync(this.file);
    } catch (error) {
      if (isErrno(error, "ENOENT")) throw new CorruptIndexError(`${this.file} is missing`);
      throw error;
    }
    if (bytes.length % this.entryBytes !== 0)
      throw new CorruptIndexError(`${this.file} has ${bytes.length} bytes, not a whole number of ${this.entryBytes}-byte entries`);
    this.bytes = bytes;
    this.entryCount = bytes.length / this.entryBytes;
    this.writtenCount = this.entryCount;
    this.fileStale = false;
    this.loaded = true;
    try {
      this.checkEntries();
    } catch (error) {
      this.unload();
      throw error;
    }
  }

  /** The last entry's bytes read straight from the file (no load), null when empty; throws CorruptIndexError. */
  peekLastEntry(): Buffer | null {
    if (this.loaded) return this.entryCount === 0 ? null : this.entryAt(this.entryCount - 1);
    if (!this.fs.existsSync(this.file)) throw new CorruptIndexError(`${this.file} is missing`);
    const fd = this.fs.openSync(this.file, "r");
    try {
      const size = this.fs.fstatSync(fd).size;
      if (size % this.entryBytes !== 0) throw new CorruptIndexError(`${this.file} has ${size} bytes, not a whole number of entries`);
      if (size === 0) return null;
      const entry = Buffer.alloc(this.entryBytes);
      if (readFully(this.fs, fd, entry, 0, this.entryBytes, size - this.entryBytes) !== this.entryBytes)
        throw new CorruptIndexError(`${this.file} is shorter than it says`);
      return entry;
    } finally {
      this.fs.closeSync(fd);
    }
  }

  /** Replaces the file with `entries` atomically, as after a rebuild of a sealed segment. */
  replace(entries: Buffer): void {
    this.checkWholeEntries(entries);
    writeFileAtomicSync(this.fs, this.file, entries);
    this.holdEntries(entries);
    this.writtenCount = this.entryCount;
    this.fileStale = false;
  }

  /** Takes `entries` (a rebuild of the active segment's index) in memory only; the file is rewritten when the segment is sealed. */
  replaceInMemory(entries: Buffer): void {
    this.checkWholeEntries(entries);
    this.holdEntries(entries);
    this.writtenCount = 0;
    this.fileStale = true;
  }

  /** Writes the entries the file lacks and fsyncs it, opening it for just that; nothing when it is up to date. */
  persist(): void {
    if (!this.hasUnwrittenEntries) return;
    if (this.fileStale) {
      this.replace(Buffer.from(this.bytes.subarray(0, this.entryCount * this.entryBytes)));
      return;
    }
    const fd = this.fs.openSync(this.file, "r+");
    try {
      const from = this.writtenCount * this.entryBytes;
      const to = this.entryCount * this.entryBytes;
      writeFully(this.fs, fd, this.bytes, from, to - from, from);
      this.fs.fsyncSync(fd);
    } finally {
      this.fs.closeSync(fd);
    }
    this.writtenCount = this.entryCount;
  }

  /** Forgets the in-memory entries (they reload on the next lookup). */
  unload(): void {
    this.bytes = Buffer.alloc(0);
    this.entryCount = 0;
    this.writtenCount = 0;
    this.loaded = false;
    this.fileStale = false;
  }

  private checkWholeEntries(entries: Buffer): void {
    if (entries.length % this.entryBytes !== 0) throw new Error(`index rebuild of ${entries.length} bytes is not whole entries`);
  }

  private holdEntries(entries: Buffer): void {
    this.bytes = Buffer.from(entries);
    this.entryCount = entries.length / this.entryBytes;
    this.loaded = true;
  }

  protected entryAt(index: number): Buffer {
    return this.bytes.subarray(index * this.entryBytes, (index + 1) * this.entryBytes);
  }

  /** The loaded entry bytes (loads them first). */
  protected get raw(): Buffer {
    this.ensureLoaded();
    return this.bytes;
  }

  protected appendRaw(write: (bytes: Buffer, at: number) => void): void {
    this.ensureLoaded();
    const at = this.entryCount * this.entryBytes;
    if (at + this.entryBytes > this.bytes.length) {
      const grown = Buffer.alloc(Math.max(this.bytes.length * 2, at + this.entryBytes, 64 * this.entryBytes));
      this.bytes.copy(grown, 0, 0, at);
      this.bytes = grown;
    }
    write(this.bytes, at);
    this.entryCount++;
  }

  /** Binary search: the last entry index for which `belowOrAt(index)` holds (entries are sorted), or -1. */
  protected lastIndexWhere(belowOrAt: (index: number) => boolean): number {
    this.ensureLoaded();
    let low = 0;
    let high = this.entryCount - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (belowOrAt(middle)) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    return found;
  }

  protected abstract checkEntries(): void;
}

/**
 * The sparse offset index: (offset - base int32, file position int32), one
 * entry per `indexIntervalBytes` of log, pointing at the start of a batch.
 */
export class OffsetIndex extends IndexFile {
  static readonly ENTRY_BYTES = 8;

  constructor(fs: FileSystem, file: string, baseOffset: number) {
    super(fs, file, baseOffset, OffsetIndex.ENTRY_BYTES);
  }

  append(offset: number, position: number): void {
    const relative = offset - this.baseOffset;
    if (relative < 0 || relative > INT32_MAX || position < 0 || position > INT32_MAX)
      throw new Error(`offset index entry (${offset}, ${position}) does not fit segment ${this.baseOffset}`);
    const last = this.lastEntry();
    if (last && (offset <= last.offset || position <= last.position))
      throw new Error(`offset index entries must grow: (${last.offset}, ${last.position}) then (${offset}, ${position})`);
    this.appendRaw((bytes, at) => {
      bytes.writeInt32BE(relative, at);
      bytes.writeInt32BE(position, at + 4);
    });
  }

  /** The position of the last indexed batch starting at or before `offset`; 0 when none is. */
  floorPosition(offset: number): number {
    const relative = offset - this.baseOffset;
    const raw = this.raw;
    const index = this.lastIndexWhere((i) => raw.readInt32BE(i * 8) <= relative);
    return index < 0 ? 0 : raw.readInt32BE(index * 8 + 4);
  }

  lastEntry(): { offset: number; position: number } | null {
    const count = this.count;
    if (count === 0) return null;
    const entry = this.entryAt(count - 1);
    return { offset: this.baseOffset + entry.readInt32BE(0), position: entry.readInt32BE(4) };
  }

  /** The last entry straight from disk, for the sanity check at open. */
  peekLast(): { offset: number; position: number } | null {
    const entry = this.peekLastEntry();
    return entry ? { offset: this.baseOffset + entry.readInt32BE(0), position: entry.readInt32BE(4) } : null;
  }

  protected checkEntries(): void {
    const raw = this.raw;
    let previousRelative = -1;
    let previousPosition = -1;
    for (let i = 0; i < this.count; i++) {
      const relative = raw.readInt32BE(i * 8);
      const position = raw.readInt32BE(i * 8 + 4);
      if (relative <= previousRelative || position <= previousPosition)
        throw new CorruptIndexError(`${this.file}: entry ${i} (${relative}, ${position}) does not grow`);
      previousRelative = relative;
      previousPosition = position;
    }
  }
}

/**
 * The time index: (timestamp int64, offset - base int32), appended when the
 * segment's largest timestamp so far has grown since the last entry. The
 * offset is the base offset of the batch that holds that timestamp.
 */
export class TimeIndex extends IndexFile {
  static readonly ENTRY_BYTES = 12;

  constructor(fs: FileSystem, file: string, baseOffset: number) {
    super(fs, file, baseOffset, TimeIndex.ENTRY_BYTES);
  }

  /** Appends when `timestamp` exceeds the last entry's; returns whether it did. */
  maybeAppend(timestamp: number, offset: number): boolean {
    const last = this.lastEntry();
    // -1 is "no timestamp" on the wire; like Kafka, only real timestamps are indexed.
    if (timestamp < 0 || (last && timestamp <= last.timestamp)) return false;
    const relative = offset - this.baseOffset;
    if (relative < 0 || relative > INT32_MAX) throw new Error(`time index offset ${offset} does not fit segment ${this.baseOffset}`);
    if (last && offset < last.offset) throw new Error(`time index offsets must not go back: ${last.offset} then ${offset}`);
    this.appendRaw((bytes, at) => {
      bytes.writeBigInt64BE(BigInt(timestamp), at);
      bytes.writeInt32BE(relative, at + 8);
    });
    return true;
  }

  /** The offset of the last entry whose timestamp is below `timestamp`, or null when none is. */
  floorOffsetBelow(timestamp: number): number | null {
    const raw = this.raw;
    const index = this.lastIndexWhere((i) => Number(raw.readBigInt64BE(i * 12)) < timestamp);
    return index < 0 ? null : this.baseOffset + raw.readInt32BE(index * 12 + 8);
  }

  lastEntry(): { timestamp: number; offset: number } | null {
    const count = this.count;
    if (count === 0) return null;
    return decodeTimeEntry(this.entryAt(count - 1), this.baseOffset);
  }

  peekLast(): { timestamp: number; offset: number } | null {
    const entry = this.peekLastEntry();
    return entry ? decodeTimeEntry(entry, this.baseOffset) : null;
  }

  protected checkEntries(): void {
    const raw = this.raw;
    let previousTimestamp = -1;
    let previousRelative = -1;
    for (let i = 0; i < this.count; i++) {
      const timestamp = Number(raw.readBigInt64BE(i * 12));
      const relative = raw.readInt32BE(i * 12 + 8);
      if (timestamp <= previousTimestamp || relative < previousRelative)
        throw new CorruptIndexError(`${this.file}: entry ${i} (${timestamp}, ${relative}) does not grow`);
      previousTimestamp = timestamp;
      previousRelative = relative;
    }
  }
}

function decodeTimeEntry(entry: Buffer, baseOffset: number): { timestamp: number; offset: number } {
  return { timestamp: Number(entry.readBigInt64BE(0)), offset: baseOffset + entry.readInt32BE(8) };
}

/** Builds index bytes in memory during a segment scan, with the same rules as appends. */
export class IndexBuilder {
  private offsetEntries: number[] = [];
  private timeEntries: number[] = [];
  private lastIndexedTimestamp = -1;

  constructor(readonly baseOffset: number) {}

  addOffset(offset: number, position: number): void {
    this.offsetEntries.push(offset - this.baseOffset, position);
  }

  maybeAddTime(timestamp: number, offset: number): void {
    if (timestamp <= this.lastIndexedTimestamp) return;
    this.lastIndexedTimestamp = timestamp;
    this.timeEntries.push(timestamp, offset - this.baseOffset);
  }

  offsetBytes(): Buffer {
    const bytes = Buffer.alloc(this.offsetEntries.length * 4);
    for (let i = 0; i < this.offsetEntries.length; i++) bytes.writeInt32BE(this.offsetEntries[i], i * 4);
    return bytes;
  }

  timeBytes(): Buffer {
    const count = this.timeEntries.length / 2;
    const bytes = Buffer.alloc(count * TimeIndex.ENTRY_BYTES);
    for (let i = 0; i < count; i++) {
      bytes.writeBigInt64BE(BigInt(this.timeEntries[2 * i]), i * 12);
      bytes.writeInt32BE(this.timeEntries[2 * i + 1], i * 12 + 8);
    }
    return bytes;
  }
}
