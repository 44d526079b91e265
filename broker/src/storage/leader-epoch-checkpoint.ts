import path from "node:path";
import { writeFileAtomicSync, type FileSystem } from "../runtime/fs";
import { LEADER_EPOCH_CHECKPOINT_FILE } from "./file-names";
import type { StorageLogger } from "./log-segment";

/** Kafka's version of the checkpoint text format. */
const CHECKPOINT_VERSION = "0";

/** One leader epoch and the first offset written in it. */
export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

/**
 * The leader epochs of one partition log and where each began, kept in
 * `leader-epoch-checkpoint` in Kafka's text format: a version line (0), a
 * count line, then one `<epoch> <startOffset>` line per epoch, oldest first.
 * Replication will answer OffsetForLeaderEpoch from it, so a follower can
 * find where its log diverged from the leader's.
 *
 * The file is rewritten (atomically, fsynced) whenever the entries change:
 * an append in a new epoch, and a truncation of the log from either end.
 * Entries only grow in both epoch and start offset.
 */
export class LeaderEpochCheckpoint {
  private entries: EpochEntry[];

  private constructor(
    private readonly fs: FileSystem,
    private readonly file: string,
    entries: EpochEntry[],
  ) {
    this.entries = entries;
  }

  /** Reads the checkpoint in `dir`; a missing file is no epoch yet, an unreadable one is logged and ignored. */
  static load(fs: FileSystem, dir: string, logger: StorageLogger): LeaderEpochCheckpoint {
    const file = path.join(dir, LEADER_EPOCH_CHECKPOINT_FILE);
    let entries: EpochEntry[] = [];
    if (fs.existsSync(file)) {
      const parsed = parseCheckpoint(fs.readFileSync(file).toString("utf8"));
      if (parsed) entries = parsed;
      else logger("ignoring an unreadable leader epoch checkpoint", { file }, "warn");
    }
    return new LeaderEpochCheckpoint(fs, file, entries);
  }

  /** The entries, oldest first (a copy). */
  get all(): EpochEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  /** The newest epoch, or -1 when nothing was appended under one. */
  get latestEpoch(): number {
    return this.entries.length === 0 ? -1 : this.entries[this.entries.length - 1].epoch;
  }

  /** The epoch that wrote `offset`, or -1 when the checkpoint knows none. */
  epochOf(offset: number): number {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i].startOffset <= offset) return this.entries[i].epoch;
    return -1;
  }

  /**
   * An append in `epoch` at `startOffset`: a newer epoch begins there. An
   * epoch already known costs one comparison; an older one is a bug of the
   * caller (the leader stamps its own epoch, which only grows).
   */
  assign(epoch: number, startOffset: number): void {
    const latest = this.entries[this.entries.length - 1];
    if (latest && epoch <= latest.epoch) {
      if (epoch < latest.epoch) throw new Error(`leader epoch ${epoch} is older than ${latest.epoch}, the newest in ${this.file}`);
      return;
    }
    if (latest && startOffset < latest.startOffset)
      throw new Error(`epoch ${epoch} would start at ${startOffset}, before epoch ${latest.epoch} at ${latest.startOffset}`);
    this.write([...this.entries, { epoch, startOffset }]);
  }

  /** The log start moved to `logStartOffset` (DeleteRecords, retention): the epoch holding it now starts there. */
  truncateFromStart(logStartOffset: number): void {
    let firstKept = 0;
    while (firstKept + 1 < this.entries.length && this.entries[firstKept + 1].startOffset <= logStartOffset) firstKept++;
    const head = this.entries[firstKept];
    if (!head || (firstKept === 0 && head.startOffset >= logStartOffset)) return;
    this.write([{ epoch: head.epoch, startOffset: logStartOffset }, ...this.entries.slice(firstKept + 1)]);
  }

  /** The log now ends at `logEndOffset` (a recovery truncated a torn tail): epochs that began at or past it are gone. */
  truncateFromEnd(logEndOffset: number): void {
    let kept = this.entries.length;
    while (kept > 0 && this.entries[kept - 1].startOffset >= logEndOffset) kept--;
    if (kept !== this.entries.length) this.write(this.entries.slice(0, kept));
  }

  /** The file first, then memory: what the process believes is never ahead of the disk. */
  private write(entries: EpochEntry[]): void {
    writeFileAtomicSync(this.fs, this.file, formatCheckpoint(entries));
    this.entries = entries;
  }
}

export function formatCheckpoint(entries: readonly EpochEntry[]): string {
  return [CHECKPOINT_VERSION, String(entries.length), ...entries.map((entry) => `${entry.epoch} ${entry.startOffset}`)].join("\n") + "\n";
}

/** The entries of a checkpoint's text, or null when it is not one (wrong version, count, or a bad line). */
export function parseCheckpoint(text: string): EpochEntry[] | null {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  if (lines[0] !== CHECKPOINT_VERSION || lines.length < 2) return null;
  const count = Number(lines[1]);
  if (!Number.isSafeInteger(count) || count < 0 || lines.length !== count + 2) return null;
  const entries: EpochEntry[] = [];
  for (const line of lines.slice(2)) {
    const match = /^(\d+) (\d+)$/.exec(line);
    if (!match) return null;
    const entry = { epoch: Number(match[1]), startOffset: Number(match[2]) };
    const previous = entries[entries.length - 1];
    if (!Number.isSafeInteger(entry.startOffset) || entry.epoch > 0x7fffffff) return null;
    if (previous && (entry.epoch <= previous.epoch || entry.startOffset < previous.startOffset)) return null;
    entries.push(entry);
  }
  return entries;
}
