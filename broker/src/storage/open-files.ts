import { isErrno, type FileSystem } from "../runtime/fs";

/**
 * A bounded pool of open segment files, closing the least recently used one
 * when it is full (as storage engines cap their open files): a node holds at
 * most `openFilesMax` segment descriptors however many partitions and
 * segments it has, and a segment whose file was closed reopens it on its
 * next read or append.
 *
 * `fs` is the file system to do storage work through: any call that needs a
 * descriptor and meets the process's open-file limit (EMFILE, ENFILE) closes
 * pooled files and tries again, so that an exhausted limit fails a request
 * only when the pool has nothing left to give back.
 */
export class OpenFilePool {
  readonly fs: FileSystem;
  /** Open files in use order: the first is the least recently used. */
  private readonly open = new Set<PooledFile>();
  /** Files closed to make room since the pool was made: the cost of a pool smaller than the working set. */
  evictions = 0;
  /** Opens that met the open-file limit and were retried after closing pooled files. */
  limitRetries = 0;

  constructor(
    private readonly inner: FileSystem,
    readonly openFilesMax: number,
  ) {
    if (!Number.isSafeInteger(openFilesMax) || openFilesMax < 1) throw new Error(`a pool of open files needs room for one, not ${openFilesMax}`);
    this.fs = retryingAtFileLimit(inner, () => this.giveBackForLimit());
  }

  /** A handle on `file`, not open until first used. */
  file(file: string): PooledFile {
    return new PooledFile(this, file);
  }

  /** Descriptors the pool holds now. */
  get openCount(): number {
    return this.open.size;
  }

  /** @internal PooledFile.use: opens (making room first) and pins `file` while `work` runs. */
  use<T>(file: PooledFile, work: (fd: number) => T): T {
    if (file.fd === null) {
      this.makeRoom(this.openFilesMax - 1);
      file.fd = this.fs.openSync(file.path, "r+");
    } else this.open.delete(file);
    this.open.add(file);
    file.pins++;
    try {
      return work(file.fd);
    } finally {
      file.pins--;
    }
  }

  /** @internal PooledFile.close. */
  close(file: PooledFile): void {
    if (file.fd === null) return;
    if (file.pins > 0) throw new Error(`closing ${file.path} while it is in use`);
    const fd = file.fd;
    file.fd = null;
    this.open.delete(file);
    this.inner.closeSync(fd);
  }

  /** Closes unpinned files, least recently used first, until at most `count` stay open; returns how many it closed. */
  private makeRoom(count: number): number {
    let closed = 0;
    for (const file of this.open) {
      if (this.open.size <= count) break;
      if (file.pins > 0) continue;
      this.close(file);
      this.evictions++;
      closed++;
    }
    return closed;
  }

  /** The process met its open-file limit: give back an eighth of the pool (at least one file); false when nothing could go. */
  private giveBackForLimit(): boolean {
    this.limitRetries++;
    return this.makeRoom(this.open.size - Math.max(1, this.open.size >> 3)) > 0;
  }
}

/** One segment file in a pool: its descriptor comes and goes, its path stays. */
export class PooledFile {
  /** @internal */
  fd: number | null = null;
  /** @internal Uses in progress: a pinned file is never closed to make room. */
  pins = 0;

  constructor(
    private readonly pool: OpenFilePool,
    readonly path: string,
  ) {}

  /** Runs `work` with an open descriptor (read-write) of the file, opening it when the pool had closed it. */
  use<T>(work: (fd: number) => T): T {
    return this.pool.use(this, work);
  }

  get isOpen(): boolean {
    return this.fd !== null;
  }

  close(): void {
    this.pool.close(this);
  }
}

/** EMFILE (this process) or ENFILE (the whole system): no descriptor is left to open a file with. */
export function isOpenFileLimitError(error: unknown): boolean {
  return isErrno(error, "EMFILE") || isErrno(error, "ENFILE");
}

/** `inner` with every call that takes a descriptor retried while `giveBack` frees one. */
function retryingAtFileLimit(inner: FileSystem, giveBack: () => boolean): FileSystem {
  const retry = <T>(work: () => T): T => {
    for (;;) {
      try {
        return work();
      } catch (error) {
        if (!isOpenFileLimitError(error) || !giveBack()) throw error;
      }
    }
  };
  return {
    openSync: (file, flags) => retry(() => inner.openSync(file, flags)),
    closeSync: (fd) => inner.closeSync(fd),
    writeSync: (fd, buffer, offset, length, position) => inner.writeSync(fd, buffer, offset, length, position),
    readSync: (fd, buffer, offset, length, position) => inner.readSync(fd, buffer, offset, length, position),
    fsyncSync: (fd) => inner.fsyncSync(fd),
    ...(inner.fsync ? { fsync: (fd: number) => inner.fsync!(fd) } : {}),
    ftruncateSync: (fd, length) => inner.ftruncateSync(fd, length),
    fstatSync: (fd) => inner.fstatSync(fd),
    statSync: (file) => inner.statSync(file),
    renameSync: (from, to) => inner.renameSync(from, to),
    unlinkSync: (file) => inner.unlinkSync(file),
    rmSync: (file, options) => retry(() => inner.rmSync(file, options)),
    readdirSync: (dir) => retry(() => inner.readdirSync(dir)),
    mkdirSync: (dir, options) => inner.mkdirSync(dir, options),
    existsSync: (file) => inner.existsSync(file),
    readFileSync: (file) => retry(() => inner.readFileSync(file)),
    writeFileSync: (file, data) => retry(() => inner.writeFileSync(file, data)),
    fsyncDirectorySync: (dir) => retry(() => inner.fsyncDirectorySync(dir)),
    spaceSync: (dir) => inner.spaceSync(dir),
  };
}
