import path from "node:path";
import type { Clock } from "../../src/runtime/clock";
import type { FileStats, FileSystem, FileSystemSpace } from "../../src/runtime/fs";

/**
 * An in-memory FileSystem that can crash. Every file keeps two states: the
 * bytes the process wrote (the page cache) and the bytes fsync made durable.
 * crash() throws the page cache away, keeping nothing of the unsynced writes,
 * or, with `tornBytes`, a prefix of them in the order they were written, the
 * last one possibly cut mid-way (a torn write). A seed makes the tearing
 * reproducible.
 *
 * Simplification: directory entries (create, rename, unlink, mkdir) are
 * durable at once, as on a file system that journals metadata synchronously;
 * only file contents can be lost.
 */
export class FaultyFileSystem implements FileSystem {
  private readonly entries = new Map<string, Entry>([["/", { kind: "dir" }]]);
  private readonly fds = new Map<number, OpenFile>();
  private nextFd = 100;
  private readonly faults: Fault[] = [];
  private readonly random: () => number;
  private readonly clock: Clock | undefined;

  /** fsyncSync calls on files so far, for tests of the flush policy. */
  fsyncCount = 0;
  /** openSync calls so far, for tests that reads reuse descriptors. */
  openCount = 0;
  crashCount = 0;
  /** Calls that change the disk (writes, fsyncs, truncates, creates, renames, unlinks) so far. */
  mutationCount = 0;
  /** Mutating calls left before the power goes; null = no cut planned. */
  private powerLeft: number | null = null;
  private powerCut = false;

  constructor(options: { seed?: number; clock?: Clock } = {}) {
    this.random = seededRandom(options.seed ?? 1);
    this.clock = options.clock;
  }

  get openFdCount(): number {
    return this.fds.size;
  }

  /** Bytes written but not yet fsynced, over all files. */
  get unsyncedBytes(): number {
    let total = 0;
    for (const entry of this.entries.values()) {
      if (entry.kind === "file") for (const op of entry.inode.pending) total += op.kind === "write" ? op.bytes.length : 0;
    }
    return total;
  }

  /**
   * The machine loses power: open descriptors vanish and every file falls
   * back to its durable bytes plus, with `tornBytes`, a prefix of its
   * unsynced writes: `true` draws the prefix length per file from the seed,
   * a number keeps that many unsynced bytes of each file.
   */
  crash(options: { tornBytes?: boolean | number } = {}): void {
    this.crashCount++;
    this.powerLeft = null;
    this.powerCut = false;
    this.fds.clear();
    for (const entry of this.entries.values()) {
      if (entry.kind !== "file") continue;
      const inode = entry.inode;
      const pendingBytes = inode.pending.reduce((sum, op) => sum + (op.kind === "write" ? op.bytes.length : 0), 0);
      let keepBytes = 0;
      if (typeof options.tornBytes === "number") keepBytes = options.tornBytes;
      else if (options.tornBytes) {
        const draw = this.random();
        keepBytes = draw < 0.25 ? 0 : draw < 0.5 ? pendingBytes : Math.floor(this.random() * (pendingBytes + 1));
      }
      const pending = inode.pending;
      inode.data = Buffer.from(inode.durable);
      inode.size = inode.durable.length;
      inode.pending = [];
      if (!options.tornBytes) continue;
      for (const op of pending) {
        if (op.kind === "truncate") {
          applyTruncate(inode, op.length);
          continue;
        }
        if (keepBytes <= 0) break;
        const kept = Math.min(keepBytes, op.bytes.length);
        applyWrite(inode, op.position, op.bytes.subarray(0, kept));
        keepBytes -= kept;
        if (kept < op.bytes.length) break;
      }
      inode.durable = Buffer.from(inode.data.subarray(0, inode.size));
    }
  }

  /**
   * Lets `calls` more mutating calls through, then fails that one and every
   * later call with EIO, as if the power went out just before it; call
   * crash() next to see what the disk kept.
   */
  cutPowerAfter(calls: number): void {
    this.powerLeft = calls;
  }

  get isPowerCut(): boolean {
    return this.powerCut;
  }

  /**
   * The next `count` (default 1) calls of `op`, on a path containing
   * `pathIncludes` when given, throw an errno error with `code` (default EIO).
   */
  failNext(op: FaultOp, options: { pathIncludes?: string; code?: string; count?: number } = {}): void {
    this.faults.push({ op, pathIncludes: options.pathIncludes, code: options.code ?? "EIO", remaining: options.count ?? 1 });
  }

  /** The bytes of a file as the process sees them (written, synced or not). */
  fileBytes(file: string): Buffer {
    const inode = this.file(file).inode;
    return Buffer.from(inode.data.subarray(0, inode.size));
  }

  // --- FileSystem -----------------------------------------------------------

  openSync(file: string, flags: string): number {
    const key = normalize(file);
    this.maybeFail("openSync", key);
    if (this.powerCut) throw errno("EIO", "open", key);
    if (/[wa]/.test(flags)) this.mutation("openSync", key);
    this.openCount++;
    const entry = this.entries.get(key);
    const create = /[wa]/.test(flags);
    const exclusive = flags.includes("x");
    if (entry && exclusive) throw errno("EEXIST", "open", key);
    if (!entry && !create) throw errno("ENOENT", "open", key);
    if (entry?.kind === "dir") {
      if (flags !== "r") throw errno("EISDIR", "open", key);
      return this.allocateFd({ path: key, inode: null, readable: true, writable: false, append: false });
    }
    let inode: Inode;
    if (entry) inode = entry.inode;
    else {
      this.parentDir(key, "open");
      inode = { data: Buffer.alloc(0), size: 0, durable: Buffer.alloc(0), pending: [], mtimeMs: this.now() };
      this.entries.set(key, { kind: "file", inode });
    }
    if (entry && flags.startsWith("w")) truncateInode(inode, 0);
    return this.allocateFd({
      path: key,
      inode,
      readable: flags.startsWith("r") || flags.includes("+"),
      writable: flags !== "r",
      append: flags.startsWith("a"),
    });
  }

  closeSync(fd: number): void {
    this.fd(fd);
    this.fds.delete(fd);
  }

  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    const open = this.fd(fd);
    this.maybeFail("writeSync", open.path);
    this.mutation("writeSync", open.path);
    const inode = this.inodeOf(open, "write");
    if (!open.writable) throw errno("EBADF", "write", open.path);
    const at = open.append ? inode.size : position;
    const bytes = Buffer.from(buffer.subarray(offset, offset + length));
    applyWrite(inode, at, bytes);
    inode.pending.push({ kind: "write", position: at, bytes });
    inode.mtimeMs = this.now();
    return length;
  }

  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    const open = this.fd(fd);
    this.maybeFail("readSync", open.path);
    if (this.powerCut) throw errno("EIO", "read", open.path);
    const inode = this.inodeOf(open, "read");
    if (!open.readable) throw errno("EBADF", "read", open.path);
    if (position >= inode.size) return 0;
    const n = Math.min(length, inode.size - position);
    inode.data.copy(buffer, offset, position, position + n);
    return n;
  }

  fsyncSync(fd: number): void {
    const open = this.fd(fd);
    this.maybeFail("fsyncSync", open.path);
    this.mutation("fsyncSync", open.path);
    if (!open.inode) return;
    this.fsyncCount++;
    open.inode.durable = Buffer.from(open.inode.data.subarray(0, open.inode.size));
    open.inode.pending = [];
  }

  ftruncateSync(fd: number, length: number): void {
    const open = this.fd(fd);
    this.maybeFail("ftruncateSync", open.path);
    this.mutation("ftruncateSync", open.path);
    const inode = this.inodeOf(open, "ftruncate");
    if (!open.writable) throw errno("EBADF", "ftruncate", open.path);
    truncateInode(inode, length);
    inode.mtimeMs = this.now();
  }

  fstatSync(fd: number): FileStats {
    const open = this.fd(fd);
    return open.inode ? fileStats(open.inode) : dirStats();
  }

  statSync(file: string): FileStats {
    const key = normalize(file);
    const entry = this.entries.get(key);
    if (!entry) throw errno("ENOENT", "stat", key);
    return entry.kind === "file" ? fileStats(entry.inode) : dirStats();
  }

  renameSync(from: string, to: string): void {
    const source = normalize(from);
    const target = normalize(to);
    this.maybeFail("renameSync", source);
    this.mutation("renameSync", source);
    const entry = this.entries.get(source);
    if (!entry) throw errno("ENOENT", "rename", source);
    if (entry.kind === "dir") {
      for (const key of [...this.entries.keys()]) {
        if (key.startsWith(source + "/")) {
          this.entries.set(target + key.slice(source.length), this.entries.get(key)!);
          this.entries.delete(key);
        }
      }
    }
    this.parentDir(target, "rename");
    const existing = this.entries.get(target);
    if (existing?.kind === "dir") throw errno("EISDIR", "rename", target);
    this.entries.delete(source);
    this.entries.set(target, entry);
  }

  unlinkSync(file: string): void {
    const key = normalize(file);
    this.maybeFail("unlinkSync", key);
    this.mutation("unlinkSync", key);
    const entry = this.entries.get(key);
    if (!entry) throw errno("ENOENT", "unlink", key);
    if (entry.kind === "dir") throw errno("EISDIR", "unlink", key);
    this.entries.delete(key);
  }

  rmSync(file: string, options: { recursive?: boolean; force?: boolean } = {}): void {
    const key = normalize(file);
    this.maybeFail("rmSync", key);
    this.mutation("rmSync", key);
    const entry = this.entries.get(key);
    if (!entry) {
      if (options.force) return;
      throw errno("ENOENT", "rm", key);
    }
    if (entry.kind === "dir") {
      const children = [...this.entries.keys()].filter((other) => other.startsWith(key + "/"));
      if (!options.recursive) throw errno("EISDIR", "rm", key);
      for (const child of children) this.entries.delete(child);
    }
    this.entries.delete(key);
  }

  readdirSync(dir: string): string[] {
    const key = normalize(dir);
    const entry = this.entries.get(key);
    if (!entry) throw errno("ENOENT", "scandir", key);
    if (entry.kind !== "dir") throw errno("ENOTDIR", "scandir", key);
    const prefix = key === "/" ? "/" : key + "/";
    const names: string[] = [];
    for (const other of this.entries.keys()) {
      if (other.length > prefix.length && other.startsWith(prefix) && !other.includes("/", prefix.length)) {
        names.push(other.slice(prefix.length));
      }
    }
    return names.sort();
  }

  mkdirSync(dir: string, options: { recursive?: boolean } = {}): void {
    const key = normalize(dir);
    const entry = this.entries.get(key);
    if (!entry) this.mutation("mkdirSync", key);
    if (entry) {
      if (entry.kind === "dir" && options.recursive) return;
      throw errno("EEXIST", "mkdir", key);
    }
    const parent = path.posix.dirname(key);
    if (!this.entries.has(parent)) {
      if (!options.recursive) throw errno("ENOENT", "mkdir", key);
      this.mkdirSync(parent, options);
    }
    this.parentDir(key, "mkdir");
    this.entries.set(key, { kind: "dir" });
  }

  existsSync(file: string): boolean {
    return this.entries.has(normalize(file));
  }

  readFileSync(file: string): Buffer {
    return this.fileBytes(file);
  }

  writeFileSync(file: string, data: string | Uint8Array): void {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const fd = this.openSync(file, "w");
    try {
      this.writeSync(fd, bytes, 0, bytes.length, 0);
    } finally {
      this.closeSync(fd);
    }
  }

  fsyncDirectorySync(dir: string): void {
    const key = normalize(dir);
    this.maybeFail("fsyncDirectorySync", key);
    this.mutation("fsyncDirectorySync", key);
    if (this.entries.get(key)?.kind !== "dir") throw errno("ENOTDIR", "fsync", key);
  }

  /** The in-memory disk has no size of its own, so its space is unknown (DescribeLogDirs then reports -1). */
  spaceSync(dir: string): FileSystemSpace {
    throw errno("ENOSYS", "statfs", normalize(dir));
  }

  // --- internals --------------------------------------------------------------

  private now(): number {
    return this.clock ? this.clock.nowMs() : 0;
  }

  private allocateFd(open: OpenFile): number {
    const fd = this.nextFd++;
    this.fds.set(fd, open);
    return fd;
  }

  private fd(fd: number): OpenFile {
    const open = this.fds.get(fd);
    if (!open) throw errno("EBADF", "fd", String(fd));
    return open;
  }

  private inodeOf(open: OpenFile, syscall: string): Inode {
    if (!open.inode) throw errno("EISDIR", syscall, open.path);
    return open.inode;
  }

  private file(file: string): { kind: "file"; inode: Inode } {
    const key = normalize(file);
    const entry = this.entries.get(key);
    if (!entry) throw errno("ENOENT", "open", key);
    if (entry.kind !== "file") throw errno("EISDIR", "read", key);
    return entry;
  }

  private parentDir(key: string, syscall: string): void {
    const parent = this.entries.get(path.posix.dirname(key));
    if (!parent) throw errno("ENOENT", syscall, key);
    if (parent.kind !== "dir") throw errno("ENOTDIR", syscall, key);
  }

  private mutation(op: string, file: string): void {
    if (this.powerCut) throw errno("EIO", op, file);
    if (this.powerLeft !== null && this.powerLeft-- <= 0) {
      this.powerCut = true;
      throw errno("EIO", op, file);
    }
    this.mutationCount++;
  }

  private maybeFail(op: FaultOp, file: string): void {
    const index = this.faults.findIndex((fault) => fault.op === op && (!fault.pathIncludes || file.includes(fault.pathIncludes)));
    if (index < 0) return;
    const fault = this.faults[index];
    if (--fault.remaining <= 0) this.faults.splice(index, 1);
    throw errno(fault.code, op, file);
  }
}

export type FaultOp =
  | "openSync"
  | "writeSync"
  | "readSync"
  | "fsyncSync"
  | "ftruncateSync"
  | "renameSync"
  | "unlinkSync"
  | "rmSync"
  | "fsyncDirectorySync";

/** A small deterministic PRNG (mulberry32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Inode {
  /** The page cache: what reads see. Capacity may exceed `size`. */
  data: Buffer;
  size: number;
  /** What survives a crash. */
  durable: Buffer;
  /** Changes since the last fsync, in order. */
  pending: PendingOp[];
  mtimeMs: number;
}

type PendingOp = { kind: "write"; position: number; bytes: Buffer } | { kind: "truncate"; length: number };
type Entry = { kind: "dir" } | { kind: "file"; inode: Inode };
interface OpenFile {
  path: string;
  inode: Inode | null;
  readable: boolean;
  writable: boolean;
  append: boolean;
}
interface Fault {
  op: FaultOp;
  pathIncludes: string | undefined;
  code: string;
  remaining: number;
}

function normalize(file: string): string {
  const resolved = path.posix.resolve("/", file.split(path.sep).join("/"));
  return resolved.length > 1 && resolved.endsWith("/") ? resolved.slice(0, -1) : resolved;
}

function applyWrite(inode: Inode, position: number, bytes: Buffer): void {
  const end = position + bytes.length;
  if (end > inode.data.length) {
    const grown = Buffer.alloc(Math.max(end, inode.data.length * 2, 4096));
    inode.data.copy(grown, 0, 0, inode.size);
    inode.data = grown;
  }
  if (position > inode.size) inode.data.fill(0, inode.size, position);
  bytes.copy(inode.data, position);
  inode.size = Math.max(inode.size, end);
}

function applyTruncate(inode: Inode, length: number): void {
  if (length > inode.size) applyWrite(inode, inode.size, Buffer.alloc(length - inode.size));
  else inode.size = length;
}

function truncateInode(inode: Inode, length: number): void {
  applyTruncate(inode, length);
  inode.pending.push({ kind: "truncate", length });
}

function fileStats(inode: Inode): FileStats {
  return { size: inode.size, mtimeMs: inode.mtimeMs, isDirectory: () => false };
}

function dirStats(): FileStats {
  return { size: 0, mtimeMs: 0, isDirectory: () => true };
}

function errno(code: string, syscall: string, file: string): NodeJS.ErrnoException {
  const error = new Error(`${code}: ${syscall} '${file}'`) as NodeJS.ErrnoException;
  error.code = code;
  error.syscall = syscall;
  error.path = file;
  return error;
}
