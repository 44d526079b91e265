import path from "node:path";
import { BatchHeader, batchLastOffsetDelta, batchTotalBytes, readOffset } from "../protocol/records/batch-header";
import { isErrno, readFully, type FileSystem } from "../runtime/fs";
import { LOG_SUFFIX, parseSegmentFileName } from "./file-names";
import type { StorageLogger } from "./log-segment";

/**
 * The log cleaner's files, Kafka's names: a segment being rewritten is
 * `<base>.log.cleaned` until it is complete and fsynced, then renamed
 * `<base>.log.swap`, then swapped in as `<base>.log` (the old segment's files
 * deleted first). A crash leaves at most one of these per segment.
 */
export const CLEANED_SUFFIX = ".cleaned";
export const SWAP_SUFFIX = ".swap";
/** Per partition: the first offset the cleaner has not compacted yet ("0\n<offset>\n"). */
export const CLEANER_CHECKPOINT_FILE = "cleaner-offset-checkpoint";

/**
 * Run when a log opens, before its segments are read: a `.cleaned` file is
 * an incomplete rewrite and is deleted (the original segment is intact); a
 * `.swap` file is a complete one, so the swap is finished: the files of the
 * segments it replaces (those whose base offset lies in its offset range) are
 * removed and the `.swap` becomes its `.log` (indexes are rebuilt by the
 * open's recovery). Returns the directory listing afterwards.
 */
export function finishInterruptedCleaning(fs: FileSystem, dir: string, names: string[], logger: StorageLogger): string[] {
  let changed = false;
  for (const name of names) {
    if (name.endsWith(CLEANED_SUFFIX)) {
      logger("deleting an incomplete cleaned segment", { file: path.join(dir, name) });
      fs.unlinkSync(path.join(dir, name));
      changed = true;
      continue;
    }
    if (!name.endsWith(SWAP_SUFFIX)) continue;
    const target = name.slice(0, -SWAP_SUFFIX.length);
    const segment = parseSegmentFileName(target);
    if (!segment || segment.suffix !== LOG_SUFFIX) continue;
    // The swap replaces every segment whose base lies in its offset range (cleaning merges segments).
    const lastOffset = Math.max(segment.baseOffset, lastOffsetIn(fs, path.join(dir, name)));
    logger("completing an interrupted segment swap", { file: path.join(dir, name), lastOffset });
    for (const other of names) {
      const parsed = parseSegmentFileName(other);
      if (parsed && parsed.baseOffset >= segment.baseOffset && parsed.baseOffset <= lastOffset) unlinkIfPresent(fs, path.join(dir, other));
    }
    fs.renameSync(path.join(dir, name), path.join(dir, target));
    changed = true;
  }
  if (!changed) return names;
  fs.fsyncDirectorySync(dir);
  return fs.readdirSync(dir);
}

/** The last offset of the batches in a complete segment file (walking the headers), -1 when it is empty. */
function lastOffsetIn(fs: FileSystem, file: string): number {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const header = Buffer.alloc(BatchHeader.SIZE);
    let position = 0;
    let last = -1;
    while (position + BatchHeader.SIZE <= size) {
      if (readFully(fs, fd, header, 0, BatchHeader.SIZE, position) < BatchHeader.SIZE) break;
      last = readOffset(header, BatchHeader.BASE_OFFSET) + batchLastOffsetDelta(header);
      position += batchTotalBytes(header);
    }
    return last;
  } finally {
    fs.closeSync(fd);
  }
}

function unlinkIfPresent(fs: FileSystem, file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (error) {
    if (!isErrno(error, "ENOENT")) throw error;
  }
}
