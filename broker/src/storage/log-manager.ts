import path from "node:path";
import { systemClock, type Clock } from "../runtime/clock";
import { nodeFileSystem, type FileSystem } from "../runtime/fs";
import { DELETE_DIR_SUFFIX, parsePartitionDirName, partitionDirName } from "./file-names";
import { cleanLog, type CleanOutcome } from "./log-cleaner";
import { DEFAULT_LOG_CONFIG, type LogConfig } from "./log-config";
import type { StorageLogger } from "./log-segment";
import { PartitionLog } from "./partition-log";

export interface LogManagerDeps {
  fs?: FileSystem;
  clock?: Clock;
  logger?: StorageLogger;
}

/** One log directory as DescribeLogDirs reports it. */
export interface LogDirUsage {
  dir: string;
  partitions: Array<{ topic: string; partition: number; sizeBytes: number }>;
}

interface Placed {
  log: PartitionLog;
  logDir: string;
}

/**
 * Owns the partition logs of this node across `log.dirs`: creates them on the
 * directory holding the fewest partitions, finds them again at startup, runs
 * retention and the time-based flush on timers, and flushes and closes them
 * all at shutdown.
 */
export class LogManager {
  readonly logDirs: readonly string[];
  private readonly logs = new Map<string, Placed>();
  private readonly fs: FileSystem;
  private readonly clock: Clock;
  private readonly logger: StorageLogger;
  private timers: NodeJS.Timeout[] = [];

  constructor(logDirs: readonly string[], deps: LogManagerDeps = {}) {
    if (logDirs.length === 0) throw new Error("log.dirs names no directory");
    const resolved = logDirs.map((dir) => path.resolve(dir));
    if (new Set(resolved).size !== resolved.length) throw new Error(`log.dirs names a directory twice: ${logDirs.join(",")}`);
    this.logDirs = [...logDirs];
    this.fs = deps.fs ?? nodeFileSystem;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? (() => {});
  }

  /**
   * Opens every partition directory found in the log dirs (recovering those
   * not closed cleanly) and removes leftovers of interrupted deletes.
   * `exclude` names directories that are not partition logs of this manager
   * (such as the metadata log). Logs open with `configFor`'s config, or
   * Kafka's defaults until updateConfig() gives them their topic's.
   */
  loadAll(options: { exclude?: readonly string[]; configFor?: (topic: string, partition: number) => LogConfig } = {}): PartitionLog[] {
    const exclude = new Set(options.exclude ?? []);
    const loaded: PartitionLog[] = [];
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
        if (!parsed) continue;
        const key = keyOf(parsed.topic, parsed.partition);
        const existing = this.logs.get(key);
        if (existing) {
          if (existing.log.dir === dir) continue;
          throw new Error(`partition ${name} is in two log dirs: ${existing.log.dir} and ${dir}`);
        }
        const config = options.configFor?.(parsed.topic, parsed.partition) ?? DEFAULT_LOG_CONFIG;
        const log = PartitionLog.open(dir, config, { fs: this.fs, clock: this.clock, logger: this.logger });
        this.logs.set(key, { log, logDir });
        loaded.push(log);
      }
    }
    return loaded;
  }

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(keyOf(topic, partition))?.log;
  }

  /** The partition's log, created (on the log dir with the fewest partitions) when it does not exist yet. */
  getOrCreate(topic: string, partition: number, config: LogConfig): PartitionLog {
    const key = keyOf(topic, partition);
    const existing = this.logs.get(key);
    if (existing) return existing.log;
    const logDir = this.leastLoadedLogDir();
    const log = PartitionLog.open(path.join(logDir, partitionDirName(topic, partition)), config, {
      fs: this.fs,
      clock: this.clock,
      logger: this.logger,
    });
    this.logs.set(key, { log, logDir });
    return log;
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

  /** Starts retention checks and the time-based flush (Kafka's log.retention.check.interval.ms, log.flush.scheduler.interval.ms). */
  startBackgroundTasks(options: { retentionCheckIntervalMs: number; flushSchedulerIntervalMs: number; cleanerIntervalMs?: number }): void {
    this.stop();
    const every = (intervalMs: number, task: () => void) => {
      if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) return;
      // setTimeout takes at most a 32-bit delay.
      const timer = setInterval(task, Math.min(intervalMs, 0x7fffffff));
      timer.unref();
      this.timers.push(timer);
    };
    every(options.retentionCheckIntervalMs, () => this.runRetention());
    every(options.flushSchedulerIntervalMs, () => this.runFlushScheduler());
    if (options.cleanerIntervalMs !== undefined) every(options.cleanerIntervalMs, () => this.runCleaner());
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
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

  private leastLoadedLogDir(): string {
    const counts = new Map<string, number>(this.logDirs.map((dir) => [dir, 0]));
    for (const { logDir } of this.logs.values()) counts.set(logDir, (counts.get(logDir) ?? 0) + 1);
    let best = this.logDirs[0];
    for (const dir of this.logDirs) if (counts.get(dir)! < counts.get(best)!) best = dir;
    return best;
  }
}

function keyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
