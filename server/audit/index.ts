import "server-only";
import path from "node:path";
import { lagHistoryConfigFromEnv } from "../lag-history/config";
import { AUDIT_FILE, AuditStore } from "./store";

const globalStore = globalThis as unknown as { __sluiceAudit?: AuditStore };

/** The audit log, opened on first use at $SLUICE_DATA_DIR/audit.sqlite (the lag history's data directory). */
export function auditStore(): AuditStore {
  if (!globalStore.__sluiceAudit?.db.open) globalStore.__sluiceAudit = AuditStore.open(path.join(lagHistoryConfigFromEnv().dataDir, AUDIT_FILE));
  return globalStore.__sluiceAudit;
}

/** Tests put a store they opened in place of the default one. */
export function useAuditStore(store: AuditStore): void {
  globalStore.__sluiceAudit = store;
}
