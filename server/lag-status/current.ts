import "server-only";
import type { LagHistorySource } from "./history-source";

/** The running console's lag history; null while no sampler runs (wired to server/lag-history once it lands). */
export function currentLagHistory(): LagHistorySource | null {
  return null;
}
