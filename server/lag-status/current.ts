import "server-only";
import { lagHistory } from "../lag-history";
import { lagHistoryConfigFromEnv } from "../lag-history/config";
import type { LagHistorySource } from "./history-source";

/**
 * The running console's lag history (the store the sampler writes, opened on
 * first use) and the interval it is sampled at; until the sampler's first
 * cycle it simply holds no samples, which the views say.
 */
export function currentLagHistory(clusterId = "default"): LagHistorySource | null {
  return { reader: lagHistory(clusterId), sampleIntervalMs: lagHistoryConfigFromEnv().sampleIntervalMs };
}
