import "server-only";
import path from "node:path";
import { LAG_HISTORY_FILE, lagHistoryConfigFromEnv } from "./config";
import { LagHistoryStore, type ClusterLagHistory } from "./store";

export type { ClusterLagHistory } from "./store";
export type * from "./types";

// Next.js reloads modules in development; the open database lives on globalThis
// so that a reload does not open the file a second time.
const globalStore = globalThis as unknown as { __sluiceLagHistory?: LagHistoryStore };

/**
 * The console's lag history store, opened on first use at
 * `$SLUICE_DATA_DIR/lag-history.sqlite` (default `.sluice/` under the working
 * directory). Opening creates and migrates the file; nothing opens it before
 * a request or the sampler asks, so `next build` never does.
 */
export function lagHistoryStore(): LagHistoryStore {
  if (!globalStore.__sluiceLagHistory?.db.open) {
    const config = lagHistoryConfigFromEnv();
    globalStore.__sluiceLagHistory = LagHistoryStore.open(path.join(config.dataDir, LAG_HISTORY_FILE));
  }
  return globalStore.__sluiceLagHistory;
}

/** The samples of one cluster ("default": the one KAFKA_BROKERS names). */
export function lagHistory(clusterId = "default"): ClusterLagHistory {
  return lagHistoryStore().cluster(clusterId);
}

/** Tests and the bench put a store they opened in place of the default one. */
export function useLagHistoryStore(store: LagHistoryStore): void {
  globalStore.__sluiceLagHistory = store;
}

/** True when a store is open (the sampler runs, or a request has used it). */
export function lagHistoryOpen(): boolean {
  return Boolean(globalStore.__sluiceLagHistory?.db.open);
}
