import type { FileSystem } from "../runtime/fs";

/** The process's open-file limit (RLIMIT_NOFILE); Infinity for "unlimited". */
export interface OpenFileLimit {
  soft: number;
  hard: number;
}

/**
 * Descriptors kept out of the segment-file pool for everything else the node
 * opens: client sockets, the metadata log, index and checkpoint writes,
 * producer snapshots, Node itself. A quarter of the limit, within bounds.
 */
const RESERVE_SHARE = 4;
const RESERVE_MIN = 64;
const RESERVE_MAX = 4096;
/** The smallest pool: below it a node thrashes on its own few partitions. */
const POOL_MIN = 16;
/** The pool when the limit cannot be read (not Linux): what a default `ulimit -n` of 1024 leaves, in round figures. */
const POOL_WHEN_LIMIT_UNKNOWN = 768;
/** A pool larger than this would only hold memory for nothing: no node has this many busy segments. */
const POOL_MAX = 1 << 20;

/**
 * The limit as /proc/self/limits states it (Linux), read through the fs seam;
 * null where that file does not exist or does not say (Node 20 has no
 * process.getrlimit).
 */
export function readOpenFileLimit(fs: FileSystem): OpenFileLimit | null {
  let text: string;
  try {
    text = fs.readFileSync("/proc/self/limits").toString("utf8");
  } catch {
    return null;
  }
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
  if (!match) return null;
  const value = (field: string) => (field === "unlimited" ? Infinity : Number(field));
  return { soft: value(match[1]), hard: value(match[2]) };
}

/** Descriptors this process holds now (Linux: the entries of /proc/self/fd), or null where that cannot be read. */
export function countOpenDescriptors(fs: FileSystem): number | null {
  try {
    // Reading the directory takes a descriptor of its own, which is listed too.
    return fs.readdirSync("/proc/self/fd").length - 1;
  } catch {
    return null;
  }
}

/** Descriptors the open-file limit leaves for everything but segment files. */
export function descriptorsReservedFor(softLimit: number): number {
  return Math.min(RESERVE_MAX, Math.max(RESERVE_MIN, Math.floor(softLimit / RESERVE_SHARE)));
}

/** How many segment files the node keeps open under `limit` (the soft one is what open() meets). */
export function openSegmentFilesMaxFor(limit: OpenFileLimit | null): number {
  if (limit === null) return POOL_WHEN_LIMIT_UNKNOWN;
  if (!Number.isFinite(limit.soft)) return POOL_MAX;
  return Math.min(POOL_MAX, Math.max(POOL_MIN, limit.soft - descriptorsReservedFor(limit.soft)));
}

/**
 * The open-file limit that lets every partition keep its active segment open
 * with room to spare for the rest: what to raise the limit to when the node
 * holds `partitions` partitions. Rounded up to a thousand, as people type it.
 */
export function openFileLimitFor(partitions: number): number {
  let limit = partitions + RESERVE_MIN;
  while (limit - descriptorsReservedFor(limit) < partitions) limit = partitions + descriptorsReservedFor(limit);
  return Math.ceil(limit / 1000) * 1000;
}
