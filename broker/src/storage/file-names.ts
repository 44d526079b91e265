/**
 * Names on disk, as Kafka spells them: a partition lives in `<topic>-<partition>`
 * and each segment in `<base offset, 20 digits>.log|.index|.timeindex`.
 */
export const LOG_SUFFIX = ".log";
export const INDEX_SUFFIX = ".index";
export const TIME_INDEX_SUFFIX = ".timeindex";
/** A segment file waiting for its delayed unlink (file.delete.delay.ms). */
export const DELETED_SUFFIX = ".deleted";
/** A file being replaced atomically; a leftover is a crash mid-write and is removed. */
export const TEMP_SUFFIX = ".tmp";
/** A partition directory being removed; a leftover is removed at startup. */
export const DELETE_DIR_SUFFIX = "-delete";
/** Present only while the partition is closed cleanly: its absence at open means a crash. */
export const CLEAN_SHUTDOWN_FILE = ".clean-shutdown";
/** Checkpoint of the log start offset moved by DeleteRecords. */
export const LOG_START_OFFSET_FILE = "log-start-offset";
/** The leader epochs of the partition and the offset each began at (Kafka's name and text format). */
export const LEADER_EPOCH_CHECKPOINT_FILE = "leader-epoch-checkpoint";

const OFFSET_DIGITS = 20;
const SEGMENT_NAME = /^(\d{20})\.(log|index|timeindex)$/;
const PARTITION_DIR_NAME = /^(.+)-(0|[1-9]\d{0,9})$/;

export function segmentFileName(baseOffset: number, suffix: string): string {
  if (!Number.isSafeInteger(baseOffset) || baseOffset < 0) throw new Error(`bad segment base offset ${baseOffset}`);
  return String(baseOffset).padStart(OFFSET_DIGITS, "0") + suffix;
}

export function parseSegmentFileName(name: string): { baseOffset: number; suffix: string } | null {
  const match = SEGMENT_NAME.exec(name);
  if (!match) return null;
  const baseOffset = Number(match[1]);
  if (!Number.isSafeInteger(baseOffset)) return null;
  return { baseOffset, suffix: `.${match[2]}` };
}

export function partitionDirName(topic: string, partition: number): string {
  if (topic.length === 0 || topic === "." || topic === ".." || /[/\\\0]/.test(topic))
    throw new Error(`topic name ${JSON.stringify(topic)} cannot name a directory`);
  if (!Number.isInteger(partition) || partition < 0) throw new Error(`bad partition ${partition}`);
  return `${topic}-${partition}`;
}

/** `<topic>-<partition>`, split at the last '-' since topic names may contain '-'. */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | null {
  const match = PARTITION_DIR_NAME.exec(name);
  if (!match) return null;
  const partition = Number(match[2]);
  if (partition > 0x7fffffff) return null;
  return { topic: match[1], partition };
}
