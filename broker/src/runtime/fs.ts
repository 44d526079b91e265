import * as nodeFs from "node:fs";
import path from "node:path";

/**
 * The synchronous slice of the file system the broker uses, so that tests and
 * the simulator can put an in-memory disk that crashes and tears writes in
 * its place (test/helpers/faulty-fs.ts). Storage writes go to the page cache
 * with writeSync and only fsyncSync makes them durable; an implementation must
 * keep that distinction.
 */
export interface FileSystem {
  /** Flags as node:fs spells them: "r", "r+", "w", "w+", "a" ... */
  openSync(file: string, flags: string): number;
  closeSync(fd: number): void;
  /** Writes at `position` (or the current end for append-mode descriptors); returns the bytes written. */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Returns the bytes read: fewer than `length` only at the end of the file. */
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  fsyncSync(fd: number): void;
  /** fsync off the event loop (libuv's thread pool), for long ones; a file system without it is fsynced with fsyncSync. */
  fsync?(fd: number): Promise<void>;
  ftruncateSync(fd: number, length: number): void;
  fstatSync(fd: number): FileStats;
  statSync(file: string): FileStats;
  renameSync(from: string, to: string): void;
  unlinkSync(file: string): void;
  rmSync(file: string, options?: { recursive?: boolean; force?: boolean }): void;
  readdirSync(dir: string): string[];
  mkdirSync(dir: string, options?: { recursive?: boolean }): void;
  existsSync(file: string): boolean;
  readFileSync(file: string): Buffer;
  writeFileSync(file: string, data: string | Uint8Array): void;
  /** Makes creations, renames and deletions in `dir` durable (fsync of the directory). */
  fsyncDirectorySync(dir: string): void;
  /** The size and the space left to unprivileged writers of the file system holding `dir`. */
  spaceSync(dir: string): FileSystemSpace;
}

export interface FileSystemSpace {
  totalBytes: bigint;
  usableBytes: bigint;
}

export interface FileStats {
  size: number;
  mtimeMs: number;
  isDirectory(): boolean;
}

export const nodeFileSystem: FileSystem = {
  openSync: (file, flags) => nodeFs.openSync(file, flags),
  closeSync: (fd) => nodeFs.closeSync(fd),
  writeSync: (fd, buffer, offset, length, position) => nodeFs.writeSync(fd, buffer, offset, length, position),
  readSync: (fd, buffer, offset, length, position) => nodeFs.readSync(fd, buffer, offset, length, position),
  fsyncSync: (fd) => nodeFs.fsyncSync(fd),
  fsync: (fd) => new Promise<void>((resolve, reject) => nodeFs.fsync(fd, (error) => (error ? reject(error) : resolve()))),
  ftruncateSync: (fd, length) => nodeFs.ftruncateSync(fd, length),
  fstatSync: (fd) => nodeFs.fstatSync(fd),
  statSync: (file) => nodeFs.statSync(file),
  renameSync: (from, to) => nodeFs.renameSync(from, to),
  unlinkSync: (file) => nodeFs.unlinkSync(file),
  rmSync: (file, options) => nodeFs.rmSync(file, options),
  readdirSync: (dir) => nodeFs.readdirSync(dir),
  mkdirSync: (dir, options) => void nodeFs.mkdirSync(dir, options),
  existsSync: (file) => nodeFs.existsSync(file),
  readFileSync: (file) => nodeFs.readFileSync(file),
  writeFileSync: (file, data) => nodeFs.writeFileSync(file, data),
  spaceSync: (dir) => {
    const stats = nodeFs.statfsSync(dir, { bigint: true });
    return { totalBytes: stats.blocks * stats.bsize, usableBytes: stats.bavail * stats.bsize };
  },
  fsyncDirectorySync(dir) {
    let fd: number;
    try {
      fd = nodeFs.openSync(dir, "r");
    } catch (error) {
      // Some platforms (Windows) cannot open a directory; their renames are durable enough.
      if (isErrno(error, "EISDIR") || isErrno(error, "EPERM") || isErrno(error, "EACCES")) return;
      throw error;
    }
    try {
      nodeFs.fsyncSync(fd);
    } catch (error) {
      if (!isErrno(error, "EINVAL") && !isErrno(error, "EPERM")) throw error;
    } finally {
      nodeFs.closeSync(fd);
    }
  },
};

/** Writes all of `length` bytes, looping over short writes. */
export function writeFully(fs: FileSystem, fd: number, buffer: Uint8Array, offset: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const n = fs.writeSync(fd, buffer, offset + done, length - done, position + done);
    if (n <= 0) throw new Error(`writeSync wrote ${n} bytes`);
    done += n;
  }
}

/** Reads until `length` bytes or the end of the file; returns the bytes read. */
export function readFully(fs: FileSystem, fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buffer, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * Replaces `file` with `data` so that a crash leaves either the old or the new
 * content, never a mix: write a temporary file, fsync it, rename it over the
 * target, fsync the directory.
 */
export function writeFileAtomicSync(fs: FileSystem, file: string, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const temp = `${file}.tmp`;
  const fd = fs.openSync(temp, "w");
  try {
    writeFully(fs, fd, bytes, 0, bytes.length, 0);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
  fs.fsyncDirectorySync(path.dirname(file));
}

export function isErrno(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}
