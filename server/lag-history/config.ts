import path from "node:path";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** How the lag history samples and how much of it it keeps; every field has an environment variable. */
export interface LagHistoryConfig {
  /** Where the database file lives (SLUICE_DATA_DIR, default `.sluice/` under the working directory). */
  dataDir: string;
  /** Time between sampling cycles (SLUICE_LAG_SAMPLE_MS). */
  sampleIntervalMs: number;
  /** Samples younger than this are all kept (SLUICE_LAG_FULL_RESOLUTION_MS). */
  fullResolutionMs: number;
  /** Beyond full resolution, one sample per this step is kept (SLUICE_LAG_DOWNSAMPLED_STEP_MS). */
  downsampledStepMs: number;
  /** Samples older than this are deleted (SLUICE_LAG_RETENTION_MS). */
  retentionMs: number;
  /** The oldest samples are deleted while the data in the file takes more than this (SLUICE_LAG_HISTORY_BYTES_MAX). */
  bytesMax: number;
}

export const DEFAULT_LAG_HISTORY_CONFIG: Omit<LagHistoryConfig, "dataDir"> = {
  sampleIntervalMs: 30_000,
  fullResolutionMs: DAY_MS,
  downsampledStepMs: 10 * MINUTE_MS,
  retentionMs: 7 * DAY_MS,
  bytesMax: 4 * 1024 ** 3,
};

/** The database file's name inside the data directory. */
export const LAG_HISTORY_FILE = "lag-history.sqlite";

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

export function lagHistoryConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LagHistoryConfig {
  const d = DEFAULT_LAG_HISTORY_CONFIG;
  return {
    dataDir: path.resolve(env.SLUICE_DATA_DIR || ".sluice"),
    sampleIntervalMs: positiveInteger(env, "SLUICE_LAG_SAMPLE_MS", d.sampleIntervalMs),
    fullResolutionMs: positiveInteger(env, "SLUICE_LAG_FULL_RESOLUTION_MS", d.fullResolutionMs),
    downsampledStepMs: positiveInteger(env, "SLUICE_LAG_DOWNSAMPLED_STEP_MS", d.downsampledStepMs),
    retentionMs: positiveInteger(env, "SLUICE_LAG_RETENTION_MS", d.retentionMs),
    bytesMax: positiveInteger(env, "SLUICE_LAG_HISTORY_BYTES_MAX", d.bytesMax),
  };
}
