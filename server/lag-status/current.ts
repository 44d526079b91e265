import "server-only";
import { lagHistory } from "../lag-history";
import { lagHistoryConfigFromEnv } from "../lag-history/config";
import type { LagHistorySource } from "./history-source";

/**
 * The running console's lag history (the store the sampler writes, opened on
 * first use) and the interval it is sampled at; until the sampler's first
 * cycle it simply holds no samples, which the views say. Null when the
 * sampler is turned off (SLUICE_LAG_SAMPLER=off).
 */
export function currentLagHistory(clusterId = "default", env: NodeJS.ProcessEnv = process.env): LagHistorySource | null {
  if (env.SLUICE_LAG_SAMPLER === "off") return null; // no sampler: the views say there is no history rather than show a stale one
  return { reader: lagHistory(clusterId), sampleIntervalMs: lagHistoryConfigFromEnv().sampleIntervalMs };
}
