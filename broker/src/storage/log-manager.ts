import path from "node:path";
import { partitionKey, type PartitionKey } from "./partition-key";
import type { Clock } from "../runtime/clock";
import type { FileSystem, FileSystemSpace } from "../runtime/fs";
import type { Cancel, Scheduler } from "../runtime/scheduler";
import type { RandomBytes } from "../runtime/random";
import { DELETE_DIR_SUFFIX, parsePartitionDirName, partitionDirName } from "./file-names";
import { cleanLog, cleanLogSliced, type CleanOutcome } from "./log-cleaner";
import { DEFAULT_LOG_CONFIG, type LogConfig } from "./log-config";
import type { StorageLogger } from "./log-segment";
import { openFileLimitFor, openSegmentFilesMaxFor, readOpenFileLimit, type OpenFileLimit } from "./open-file-limit";
import { isOpenFileLimitError, OpenFilePool } from "./open-files";
import { openFileLimitError, PartitionLog, type PartitionLogDeps } from "./partition-log";

export interface LogManagerDeps {
  fs: FileSystem;
  clock: Clock;
  /** Runs retention, flushes and the cleaner, and gives the event loop back between slices of a cleaner pass. */
  scheduler: Scheduler;
  /** Names the directories of deleted logs. */
  random: RandomBytes;
  logger?: StorageLogger;
  /** Segment files kept open at once; by default what the process's open-file limit leaves after a reserve for sockets and the rest. */
  openSegmentFilesMax?: number;
}

/** One log directory as DescribeLogDirs reports it. */
export interface LogDirUsage {
  dir: string;
  partitions: Array<{ topic: string; partition: number; sizeBytes: number }>;
}

export interface LoadOptions {
  /** Directories in the log dirs that are not partition logs of this manager (such as the metadata log). */
  exclude?: readonly string[];
  configFor?: (topic: string, partition: number) => LogConfig;
}

interface Placed {
  log: PartitionLog;
  logDir: string;
}

/**
 * Owns the partition logs of this node across `log.dirs`: creates them on the
 * directory holding the fewest partitions, finds them again at startup, runs
 * retention and the time-based flush on timers, and flushes and closes them
 * all at shutdown. Their segment files share one bounded pool of open
 * descriptors, so no number of partitions exhausts the open-file limit.
 */
export class LogManager {
  readonly logDirs: readonly string[];
  /** The open-file limit read at construction; null where it cannot be read. */
  readonly openFileLimit: OpenFileLimit | null;
  readonly files: OpenFilePool;
  private readonly logs = new Map<PartitionKey, Placed>();
  private readonly fs: FileSystem;
  private readonly clock: Clock;
  private readonly logger: StorageLogger;
  private readonly scheduler: Scheduler;
  private readonly random: RandomBytes;
  private cancelTimers: Cancel[] = [];
  /** The background cleaner pass under way, if any: one at a time, so a slow pass is never joined by the next. */
  private cleanerRun: Promise<Map<PartitionLog, CleanOutcome>> | null = null;
  /** A partition not loaded yet must not be created a second time, perhaps on another log dir. */
  private slicedLoadUnderWay = false;

  constructor(logDirs: readonly string[], deps: LogManagerDeps) {
    if (logDirs.length === 0) throw new Error("log.dirs names no directory");
    const resolved = logDirs.map((dir) => path.resolve(dir));
    if (new Set(resolved).size !== resolved.length) throw new Error(`log.dirs names a directory twice: ${logDirs.join(",")}`);
    this.logDirs = [...logDirs];
    const fs = deps.fs;
    this.openFileLimit = readOpenFileLimit(fs);
    this.files = new OpenFilePool(fs, deps.openSegmentFilesMax ?? openSegmentFilesMaxFor(this.openFileLimit));
    this.fs = this.files.fs;
    this.clock = deps.clock;
    this.scheduler = deps.scheduler;
    this.random = deps.random;
    this.logger = deps.logger ?? (() => {});
  }

  /**
   * Opens every partition directory found in the log dirs (recovering those
   * not closed cleanly) and removes leftovers of interrupted deletes.
   * `exclude` names directories that are not partition logs of this manager
   * (such as the metadata log). Logs open with `configFor`'s config, or
   * Kafka's defaults until updateConfig() gives them their topic's.
   */
  loadAll(options: LoadOptions = {}): PartitionLog[] {
    const loading = this.loading(options);
    let step = loading.next();
    while (!step.done) step = loading.next();
    return step.value;
  }

  /**
   * loadAll() giving the event loop back (through the scheduler) after each
   * partition's log is opened and recovered, so that timers and connections
   * keep running through a start-up that recovers many partitions. One
   * segment's recovery still runs in one go.
   */
  async loadAllSliced(options: LoadOptions = {}): Promise<PartitionLog[]> {
    this.slicedLoadUnderWay = true;
    try {
      const loading = this.loading(options);
      let step = loading.next();
      while (!step.done) {
        await new Promise<void>((resolve) => this.scheduler.schedule(0, resolve));
        step = loading.next();
      }
      return step.value;
    } finally {
      this.slicedLoadUnderWay = false;
    }
  }

  /** The loading itself, stopping after each partition's log. */
  private *loading(options: LoadOptions): Generator<void, PartitionLog[], void> {
    const exclude = new Set(options.exclude ?? []);
    const found: Array<{ logDir: string; dir: string; name: string; topic: string; partition: number }> = [];
    for (const logDir of this.logDirs) {
      this.fs.mkdirSync(logDir, { recursive: true });
      for (const name of this.fs.readdirSync(logDir)) {
        if (exclude.has(name)) continue;
        const dir = path.join(logDir, name);
        if (!this.fs.statSync(dir).isDirectory()) continue;
        if (name.endsWith(DELETE_DIR_SUFFIX)) {
          this.logger("removing the rest of an interrupted partition delete", { dir });
          this.fs.rmSync(dir, { recursive: true, force: true });
          continue;
        }
        const parsed = parsePartitionDirName(name);
        if (parsed) found.push({ logDir, dir, name, ...parsed });
      }
    }
    this.checkOpenFileLimit(found.length);
    const loaded: PartitionLog[] = [];
    for (const { logDir, dir, name, topic, partition } of found) {
      const key = partitionKey(topic, partition);
      const existing = this.logs.get(key);
      if (existing) {
        if (existing.log.dir === dir) continue;
        throw new Error(`partition ${name} is in two log dirs: ${existing.log.dir} and ${dir}`);
      }
      const config = options.configFor?.(topic, partition) ?? DEFAULT_LOG_CONFIG;
      const log = PartitionLog.open(dir, config, this.logDeps());
      this.logs.set(key, { log, logDir });
      loaded.push(log);
      yield;
    }
    return loaded;
  }

  /**
   * Says at startup, before any log opens, whether the open-file limit lets
   * every partition keep its active segment open, and what to raise it to if
   * not. The node starts either way: the pool closes and reopens files, which
   * costs time on appends to more partitions than it holds, never data.
   */
  private checkOpenFileLimit(partitions: number): void {
    const openSegmentFilesMax = this.files.openFilesMax;
    const limit = this.openFileLimit;
    const fields = { partitions, openFileLimit: limit?.soft ?? "unknown", openFileLimitHard: limit?.hard ?? "unknown", openSegmentFilesMax };
    if (partitions <= openSegmentFilesMax) {
      this.logger("open-file limit checked", fields);
      return;
    }
    const raiseTo = openFileLimitFor(partitions);
    const hardToo = limit !== null && limit.hard < raiseTo ? " (above the hard limit too, so as root or in the service's settings)" : "";
    this.logger(
      `the open-file limit is low for the partitions on disk: raise it to at least ${raiseTo}${hardToo}, ` +
        `e.g. \`ulimit -n ${raiseTo}\` before starting, LimitNOFILE=${raiseTo} in a systemd unit, --ulimit nofile=${raiseTo}:${raiseTo} for Docker. ` +
        `Until then at most ${openSegmentFilesMax} segment files stay open and appends across more partitions reopen them (slower, nothing lost)`,
      { ...fields, raiseTo },
      "warn",
    );
  }

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(partitionKey(topic, partition))?.log;
  }

  /** get() for a caller that built the key already (the partition registry, on every request). */
  getByKey(key: PartitionKey): PartitionLog | undefined {
    return this.logs.get(key)?.log;
  }

  /** The partition's log, created (on the log dir with the fewest partitions) when it does not exist yet. */
  getOrCreate(topic: string, partition: number, config: LogConfig): PartitionLog {
    return this.createMissing([{ topic, partition, config }])[0];
  }

  /**
   * The logs of these partitions, creating those that do not exist yet (a
   * topic's creation makes all of its partitions' logs at once); each log
   * dir that got new partition directories is fsynced once, after them all.
   * Meeting the open-file limit gives a KafkaError clients retry.
   */
  createMissing(partitions: ReadonlyArray<{ topic: string; partition: number; config: LogConfig }>): PartitionLog[] {
    if (this.slicedLoadUnderWay) throw new Error("partition logs are created only once loadAllSliced() has finished");
    const touched = new Set<string>();
    try {
      return partitions.map(({ topic, partition, config }) => {
        const existing = this.logs.get(partitionKey(topic, partition));
        if (existing) return existing.log;
        const logDir = this.leastLoadedLogDir();
        let log: PartitionLog;
        try {
          log = PartitionLog.open(path.join(logDir, partitionDirName(topic, partition)), config, this.logDeps());
        } catch (error) {
          if (isOpenFileLimitError(error)) throw openFileLimitError(this.logger, `${topic}-${partition}`, error);
          throw error;
        }
        this.logs.set(partitionKey(topic, partition), { log, logDir });
        touched.add(logDir);
        return log;
      });
    } finally {
      for (const logDir of touched) this.syncLogDirQuietly(logDir);
    }
  }

  /** Closes and removes from disk every partition log of `topic`. */
  delete(topic: string): void {
    for (const [key, placed] of [...this.logs]) {
      if (placed.log.topic !== topic) continue;
      this.logs.delete(key);
      placed.log.delete();
      this.logger("deleted a partition log", { dir: placed.log.dir });
    }
  }

  all(): PartitionLog[] {
    return [...this.logs.values()].map((placed) => placed.log);
  }

  /** Per log dir, its partitions and their sizes, for DescribeLogDirs. */
  sizeBytesByPartition(): LogDirUsage[] {
    const usage = new Map<string, LogDirUsage>(this.logDirs.map((dir) => [dir, { dir, partitions: [] }]));
    for (const { log, logDir } of this.logs.values()) {
      usage.get(logDir)!.partitions.push({ topic: log.topic, partition: log.partition, sizeBytes: log.sizeBytes });
    }
    for (const entry of usage.values()) entry.partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    return [...usage.values()];
  }

  /** The size and free space of the file system holding `logDir`, or null when it cannot be read. */
  spaceOf(logDir: string): FileSystemSpace | null {
    try {
      return this.fs.spaceSync(logDir);
    } catch {
      return null;
    }
  }

  /** Starts retention checks and the time-based flush (Kafka's log.retention.check.interval.ms, log.flush.scheduler.interval.ms). */
  startBackgroundTasks(options: { retentionCheckIntervalMs: number; flushSchedulerIntervalMs: number; cleanerIntervalMs?: number }): void {
    this.stop();
    const every = (intervalMs: number, task: () => void) => {
      if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) return;
      // Rescheduled before the task runs, so that a task that throws still runs next time.
      let cancel: Cancel;
      const tick = () => {
        cancel = this.scheduler.schedule(intervalMs, tick);
        task();
      };
      cancel = this.scheduler.schedule(intervalMs, tick);
      this.cancelTimers.push(() => cancel());
    };
    every(options.retentionCheckIntervalMs, () => this.runRetention());
    every(options.flushSchedulerIntervalMs, () => this.runFlushScheduler());
    if (options.cleanerIntervalMs !== undefined) every(options.cleanerIntervalMs, () => void this.runCleanerSliced());
  }

  stop(): void {
    for (const cancel of this.cancelTimers) cancel();
    this.cancelTimers = [];
  }

  private logDeps(): PartitionLogDeps {
    return { files: this.files, clock: this.clock, scheduler: this.scheduler, random: this.random, logger: this.logger };
  }

  /** One retention pass over every log; returns the segments deleted. */
  runRetention(nowMs: number = this.clock.nowMs()): number {
    let deleted = 0;
    for (const log of this.all()) {
      try {
        deleted += log.applyRetention(nowMs);
      } catch (error) {
        this.logger("retention failed", { dir: log.dir, error: describe(error) });
      }
    }
    return deleted;
  }

  /**
   * One log cleaner pass over every compacted log (cleanup.policy=compact).
   * Each log is cleaned synchronously, so appends to it wait; logs are taken
   * one after another. Returns each log's outcome.
   */
  runCleaner(nowMs: number = this.clock.nowMs()): Map<PartitionLog, CleanOutcome> {
    const outcomes = new Map<PartitionLog, CleanOutcome>();
    for (const log of this.all()) {
      if (!log.logConfig.cleanupPolicy?.includes("compact")) continue;
      try {
        outcomes.set(log, cleanLog(log, nowMs, { fs: this.fs, logger: this.logger }));
      } catch (error) {
        this.logger("log cleaning failed", { dir: log.dir, error: describe(error) });
      }
    }
    return outcomes;
  }

  /**
   * runCleaner() as the background task runs it: each log's pass in slices
   * (cleanLogSliced), so that appends, fetches and timers keep running while
   * up to 256 MiB is compacted. While a run is under way, calling again
   * returns that run. Never rejects: a failing log is logged and skipped.
   */
  runCleanerSliced(nowMs: number = this.clock.nowMs()): Promise<Map<PartitionLog, CleanOutcome>> {
    this.cleanerRun ??= this.cleanEachSliced(nowMs).finally(() => {
      this.cleanerRun = null;
    });
    return this.cleanerRun;
  }

  private async cleanEachSliced(nowMs: number): Promise<Map<PartitionLog, CleanOutcome>> {
    const outcomes = new Map<PartitionLog, CleanOutcome>();
    for (const log of this.all()) {
      // Logs closed or deleted while an earlier one was cleaned are not this manager's any more.
      if (!log.logConfig.cleanupPolicy?.includes("compact") || this.get(log.topic, log.partition) !== log) continue;
      try {
        outcomes.set(log, await cleanLogSliced(log, nowMs, { fs: this.fs, logger: this.logger, scheduler: this.scheduler }));
      } catch (error) {
        this.logger("log cleaning failed", { dir: log.dir, error: describe(error) });
      }
    }
    return outcomes;
  }

  /** One pass of the time-based flush over every log. */
  runFlushScheduler(nowMs: number = this.clock.nowMs()): void {
    for (const log of this.all()) {
      try {
        log.tick(nowMs);
      } catch (error) {
        this.logger("scheduled flush failed", { dir: log.dir, error: describe(error) });
      }
    }
  }

  /** Flushes and closes every log (a clean shutdown); keeps going past a failing one and rethrows the first error. */
  closeAll(): void {
    this.stop();
    let first: unknown = null;
    for (const [key, placed] of [...this.logs]) {
      this.logs.delete(key);
      try {
        placed.log.close();
      } catch (error) {
        this.logger("closing a log failed", { dir: placed.log.dir, error: describe(error) });
        first ??= error;
      }
    }
    if (first !== null) throw first;
  }

  /** New partition directories made durable; a failure is logged, since nothing was promised durable in them yet. */
  private syncLogDirQuietly(logDir: string): void {
    try {
      this.fs.fsyncDirectorySync(logDir);
    } catch (error) {
      this.logger("syncing a log dir after creating partitions failed", { logDir, error: describe(error) }, "warn");
    }
  }

  private leastLoadedLogDir(): string {
    const counts = new Map<string, number>(this.logDirs.map((dir) => [dir, 0]));
    for (const { logDir } of this.logs.values()) counts.set(logDir, (counts.get(logDir) ?? 0) + 1);
    let best = this.logDirs[0];
    for (const dir of this.logDirs) if (counts.get(dir)! < counts.get(best)!) best = dir;
    return best;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
