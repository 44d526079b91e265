import type { LagHistoryConfig } from "./config";
import type { LagHistoryStore } from "./store";

/** Series whose samples are deleted in one transaction; between transactions the event loop runs (better-sqlite3 is synchronous). */
export const SERIES_PER_TRANSACTION = 2_000;
/** Share of the oldest cycles dropped per round while the data is over the size bound. */
const OVER_SIZE_DROP_SHARE = 0.05;
/** Rounds of dropping per pass; the next pass goes on if still over. */
const OVER_SIZE_ROUNDS_MAX = 20;

export type RetentionPolicy = Pick<LagHistoryConfig, "fullResolutionMs" | "downsampledStepMs" | "retentionMs" | "bytesMax">;

export interface RetentionReport {
  /** Cycles (of any outcome) whose samples were deleted. */
  cyclesDropped: number;
  /** Cycles kept as the one sample of their step beyond full resolution. */
  cyclesDownsampled: number;
  /** Whether the size bound made it drop cycles still within retention. */
  overSize: boolean;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Bounds the history: cycles younger than `fullResolutionMs` are all kept;
 * older ones down to one per `downsampledStepMs` (the first ok cycle of each
 * step); nothing older than `retentionMs`; and while the data takes more than
 * `bytesMax`, the oldest cycles go first. Freed pages are reused by later
 * cycles, so the file stops growing at about the bound. Meant to run after
 * every cycle: then each pass has about one cycle to thin out.
 */
export async function applyRetention(store: LagHistoryStore, policy: RetentionPolicy, nowMs = Date.now()): Promise<RetentionReport> {
  const db = store.db;
  const report: RetentionReport = { cyclesDropped: 0, cyclesDownsampled: 0, overSize: false };
  const clusters = db.prepare("SELECT id FROM clusters").pluck().all() as number[];
  for (const clusterId of clusters) {
    const expired = db.prepare("SELECT id FROM cycles WHERE cluster_id = ? AND at_ms < ? ORDER BY id").pluck().all(clusterId, nowMs - policy.retentionMs) as number[];
    const old = db
      .prepare("SELECT id, at_ms, outcome, downsampled FROM cycles WHERE cluster_id = ? AND at_ms >= ? AND at_ms < ? AND (downsampled = 0 OR outcome <> 'ok') ORDER BY id")
      .all(clusterId, nowMs - policy.retentionMs, nowMs - policy.fullResolutionMs) as Array<{ id: number; at_ms: number; outcome: string; downsampled: number }>;
    const drop = [...expired];
    const keep: number[] = [];
    if (old.length > 0) {
      // Steps that already have their kept cycle (from an earlier pass) keep no other.
      const keptSteps = new Set(
        (
          db
            .prepare("SELECT at_ms FROM cycles WHERE cluster_id = ? AND downsampled = 1 AND at_ms >= ? AND at_ms < ?")
            .pluck()
            .all(clusterId, old[0].at_ms - policy.downsampledStepMs, nowMs - policy.fullResolutionMs) as number[]
        ).map((atMs) => Math.floor(atMs / policy.downsampledStepMs)),
      );
      for (const cycle of old) {
        const step = Math.floor(cycle.at_ms / policy.downsampledStepMs);
        if (cycle.outcome === "ok" && !keptSteps.has(step)) {
          keptSteps.add(step);
          keep.push(cycle.id);
        } else drop.push(cycle.id);
      }
    }
    if (keep.length) db.prepare("UPDATE cycles SET downsampled = 1 WHERE id IN (SELECT value FROM json_each(?))").run(JSON.stringify(keep));
    report.cyclesDownsampled += keep.length;
    report.cyclesDropped += await dropCycles(store, clusterId, drop);
  }

  for (let round = 0; round < OVER_SIZE_ROUNDS_MAX && store.size().usedBytes > policy.bytesMax; round++) {
    report.overSize = true;
    const okCycles = db.prepare("SELECT count(*) FROM cycles WHERE outcome = 'ok'").pluck().get() as number;
    if (okCycles <= 1) break;
    const oldest = db
      .prepare("SELECT id, cluster_id AS clusterId FROM cycles ORDER BY at_ms LIMIT ?")
      .all(Math.max(1, Math.floor(okCycles * OVER_SIZE_DROP_SHARE))) as Array<{ id: number; clusterId: number }>;
    for (const clusterId of new Set(oldest.map((c) => c.clusterId)))
      report.cyclesDropped += await dropCycles(
        store,
        clusterId,
        oldest.filter((c) => c.clusterId === clusterId).map((c) => c.id),
      );
  }
  return report;
}

/** Deletes the samples of some cycles of one cluster, series by series along the primary keys, then the cycles. */
async function dropCycles(store: LagHistoryStore, clusterId: number, cycleIds: number[]): Promise<number> {
  if (cycleIds.length === 0) return 0;
  const db = store.db;
  const ids = JSON.stringify(cycleIds);
  const partitions = db.prepare("SELECT p.id FROM partitions p JOIN topics t ON t.id = p.topic_id WHERE t.cluster_id = ?").pluck().all(clusterId) as number[];
  const series = db.prepare("SELECT gp.id FROM group_partitions gp JOIN groups g ON g.id = gp.group_id WHERE g.cluster_id = ?").pluck().all(clusterId) as number[];
  const deleteLog = db.prepare("DELETE FROM log_offsets WHERE partition_id = ? AND cycle_id IN (SELECT value FROM json_each(?))");
  const deleteCommitted = db.prepare("DELETE FROM committed_offsets WHERE group_partition_id = ? AND cycle_id IN (SELECT value FROM json_each(?))");
  for (const [list, statement] of [
    [partitions, deleteLog],
    [series, deleteCommitted],
  ] as const) {
    for (let i = 0; i < list.length; i += SERIES_PER_TRANSACTION) {
      const slice = list.slice(i, i + SERIES_PER_TRANSACTION);
      db.transaction(() => {
        for (const id of slice) statement.run(id, ids);
      })();
      await nextTurn();
    }
  }
  db.prepare("DELETE FROM cycles WHERE id IN (SELECT value FROM json_each(?))").run(ids);
  return cycleIds.length;
}
