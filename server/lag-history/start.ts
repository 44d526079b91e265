import "server-only";
import { clusterClients } from "../kafka/registry";
import { lagHistoryConfigFromEnv } from "./config";
import { lagHistoryStore } from "./index";
import { LagSampler } from "./sampler";

const globalSampler = globalThis as unknown as { __sluiceLagSampler?: LagSampler };

/**
 * Starts sampling the configured cluster into the lag history, once per
 * process (instrumentation.ts calls it when the console server starts).
 * SLUICE_LAG_SAMPLER=off leaves it off.
 */
export function startLagSampling(env: NodeJS.ProcessEnv = process.env): LagSampler | null {
  if (env.SLUICE_LAG_SAMPLER === "off") return null;
  if (globalSampler.__sluiceLagSampler) return globalSampler.__sluiceLagSampler;
  const config = lagHistoryConfigFromEnv(env);
  const sampler = new LagSampler(clusterClients(), lagHistoryStore(), { intervalMs: config.sampleIntervalMs, retention: config });
  globalSampler.__sluiceLagSampler = sampler;
  sampler.start();
  return sampler;
}

/** The sampler this process runs, if any (for /metrics). */
export function runningLagSampler(): LagSampler | null {
  return globalSampler.__sluiceLagSampler ?? null;
}
