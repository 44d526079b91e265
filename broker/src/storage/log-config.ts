/**
 * The per-partition settings the log obeys, named after Kafka's topic configs
 * (segment.bytes, segment.ms, retention.ms, retention.bytes,
 * index.interval.bytes, flush.messages, flush.ms, file.delete.delay.ms).
 */
export interface LogConfig {
  segmentBytes: number;
  segmentMs: number;
  /** -1 = unlimited. */
  retentionMs: number;
  /** -1 = unlimited. */
  retentionBytes: number;
  indexIntervalBytes: number;
  /** fsync after this many appended messages (offsets); Kafka's Long.MAX (or any huge value) = never. */
  flushIntervalMessages: number;
  /** fsync when this long has passed since the last one; Long.MAX (or any huge value) = never. */
  flushIntervalMs: number;
  /**
   * Segment files removed by retention linger this long as `.deleted` before
   * the unlink (0 or absent = unlink at once). Reads copy bytes synchronously,
   * so no reader can still be using a removed segment; the delay only leaves
   * the files for an operator to inspect.
   */
  fileDeleteDelayMs?: number;
  /** cleanup.policy: "delete" applies retention.ms and retention.bytes, "compact" runs the log cleaner (absent = delete). */
  cleanupPolicy?: ReadonlyArray<"delete" | "compact">;
  /** Compaction settings (absent = Kafka's defaults); see log-cleaner.ts. */
  compaction?: CompactionConfig;
}

/** delete.retention.ms, min.cleanable.dirty.ratio, min.compaction.lag.ms and max.compaction.lag.ms of a compacted topic. */
export interface CompactionConfig {
  deleteRetentionMs: number;
  minCleanableDirtyRatio: number;
  minCompactionLagMs: number;
  maxCompactionLagMs: number;
}

export const DEFAULT_COMPACTION_CONFIG: Readonly<CompactionConfig> = Object.freeze({
  deleteRetentionMs: 86_400_000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
});

/** Kafka's defaults. */
export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  indexIntervalBytes: 4096,
  flushIntervalMessages: Number.MAX_SAFE_INTEGER,
  flushIntervalMs: Number.MAX_SAFE_INTEGER,
});

/** File positions in the index are int32, so a segment stays below 2 GiB. */
export const SEGMENT_BYTES_MAX = 0x7fffffff;

/** Throws on values no caller should pass (the config layer turns bad client input into INVALID_CONFIG first). */
export function checkLogConfig(config: LogConfig): LogConfig {
  const positive = (name: keyof LogConfig, min: number) => {
    const value = config[name];
    if (typeof value !== "number" || Number.isNaN(value) || value < min) throw new Error(`log config ${name}=${value} is below ${min}`);
  };
  positive("segmentBytes", 1);
  positive("segmentMs", 1);
  positive("indexIntervalBytes", 0);
  positive("flushIntervalMessages", 1);
  positive("flushIntervalMs", 0);
  if (config.segmentBytes > SEGMENT_BYTES_MAX) throw new Error(`log config segmentBytes=${config.segmentBytes} is above ${SEGMENT_BYTES_MAX}`);
  if (!(config.retentionMs === -1 || config.retentionMs >= 0)) throw new Error(`log config retentionMs=${config.retentionMs}`);
  if (!(config.retentionBytes === -1 || config.retentionBytes >= 0)) throw new Error(`log config retentionBytes=${config.retentionBytes}`);
  if (config.fileDeleteDelayMs !== undefined && !(config.fileDeleteDelayMs >= 0))
    throw new Error(`log config fileDeleteDelayMs=${config.fileDeleteDelayMs}`);
  return { ...config };
}
