import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { estimateTimeLagMs, partitionLag } from "@/lib/lag";
import { migrate } from "./migrations";
import type {
  CycleFailure,
  CycleOutcome,
  CycleRecord,
  CycleSample,
  EndOffsetReading,
  GroupPartitionSeries,
  LatestGroup,
  LatestGroupPartition,
  SamplerHealth,
  TimeRange,
  TopicPartitionSeries,
} from "./types";

export type * from "./types";

/** End-offset readings kept in memory per partition (20 minutes at 30 s), so most time-lag estimates need no query. */
const RECENT_READINGS_MAX = 40;

/**
 * Rows per transaction when the sampler stores a cycle in slices: 5 to 15 ms
 * of writes on the 2-core bench machine (1,000 rows took 8 to 30 ms), so a
 * request waits about that long for the event loop while a cycle of 20,000
 * rows is stored.
 */
export const CYCLE_ROWS_PER_SLICE = 500;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The newest commit of a series as the writer keeps it: when the log end passed it, and whether that was extrapolated. */
interface LatestCommit {
  committed: number;
  reachedAtMs: number | null;
  extrapolated: boolean;
}

interface CycleRow {
  id: number;
  started_at_ms: number;
  at_ms: number;
  duration_ms: number;
  outcome: CycleOutcome;
  error: string | null;
  groups: number;
  partitions: number;
  requests: number;
}

const toCycle = (r: CycleRow): CycleRecord => ({
  id: r.id,
  startedAtMs: r.started_at_ms,
  atMs: r.at_ms,
  durationMs: r.duration_ms,
  outcome: r.outcome,
  error: r.error,
  groups: r.groups,
  partitions: r.partitions,
  requests: r.requests,
});

/**
 * The console's lag history in one SQLite file (better-sqlite3, WAL mode):
 * sampled committed and log offsets, for any number of clusters. Calls are
 * synchronous and short; the sampler stores a cycle in slices of short
 * transactions (recordCycleSliced), tests in one (recordCycle). See
 * migrations.ts for the schema and types.ts for what the reads return.
 */
export class LagHistoryStore {
  private readonly clusters = new Map<string, ClusterLagHistory>();

  private constructor(
    readonly db: Database.Database,
    readonly file: string,
  ) {}

  /** Opens (creating it and its directory when missing) and migrates the database at `file`; ":memory:" for one in memory. */
  static open(file: string, nowMs = Date.now()): LagHistoryStore {
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma("journal_mode = WAL");
      // WAL with NORMAL loses at most the last transactions on a power cut, never the file's consistency.
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
      // After a checkpoint the WAL file is cut back to this, so a large cycle does not leave it large.
      db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
      db.pragma("busy_timeout = 5000");
      migrate(db, nowMs);
      // A cycle left 'writing' was cut off by a stop of the console: its slices stay, as a failed cycle's (retention drops them).
      db.prepare("UPDATE cycles SET outcome = 'failed', error = 'the console stopped while storing this cycle' WHERE outcome = 'writing'").run();
    } catch (error) {
      db.close();
      throw error;
    }
    return new LagHistoryStore(db, file);
  }

  /** The history of one cluster, by the console's id for it ("default" for KAFKA_BROKERS). */
  cluster(name = "default"): ClusterLagHistory {
    let history = this.clusters.get(name);
    if (!history) this.clusters.set(name, (history = new ClusterLagHistory(this.db, name)));
    return history;
  }

  /** Bytes the database takes: the whole file, and the part holding data (the rest is free pages reused by later writes). */
  size(): { fileBytes: number; usedBytes: number } {
    const pageSize = this.db.pragma("page_size", { simple: true }) as number;
    const pages = this.db.pragma("page_count", { simple: true }) as number;
    const free = this.db.pragma("freelist_count", { simple: true }) as number;
    return { fileBytes: pages * pageSize, usedBytes: (pages - free) * pageSize };
  }

  /** Writes the WAL back into the file and truncates it (the bench does this before measuring the file). */
  checkpoint(): void {
    this.db.pragma("wal_checkpoint(TRUNCATE)");
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** One cluster's samples: writes from the sampler, reads for the pages, /metrics and the time-lag estimate. */
export class ClusterLagHistory {
  readonly clusterId: number;
  private readonly topicIds = new Map<string, number>();
  private readonly partitionIds = new Map<string, number>();
  private readonly groupIds = new Map<string, number>();
  private readonly seriesIds = new Map<string, number>();
  private latestLogCache: Map<number, { logEnd: number; runStartCycleId: number }> | null = null;
  private latestCommitCache: Map<number, LatestCommit> | null = null;
  /** The last RECENT_READINGS_MAX end offsets of each partition this process stored, oldest first. */
  private readonly recentReadings = new Map<number, EndOffsetReading[]>();
  /** Per group id, the assignment stored last (as writeAssignment keys it); empty after a restart, so the first cycle writes every group's. */
  private readonly assignmentCache = new Map<number, string>();
  /** Ids created (two statements each) since the writer last counted them, so a first cycle's slices weigh them too. */
  private idsCreated = 0;
  private readonly statements;

  constructor(
    private readonly db: Database.Database,
    readonly name: string,
  ) {
    db.prepare("INSERT INTO clusters (name) VALUES (?) ON CONFLICT (name) DO NOTHING").run(name);
    this.clusterId = db.prepare("SELECT id FROM clusters WHERE name = ?").pluck().get(name) as number;
    this.statements = {
      insertTopic: db.prepare("INSERT INTO topics (cluster_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING"),
      topicId: db.prepare("SELECT id FROM topics WHERE cluster_id = ? AND name = ?").pluck(),
      insertPartition: db.prepare("INSERT INTO partitions (topic_id, partition) VALUES (?, ?) ON CONFLICT DO NOTHING"),
      partitionId: db.prepare("SELECT id FROM partitions WHERE topic_id = ? AND partition = ?").pluck(),
      insertGroup: db.prepare("INSERT INTO groups (cluster_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING"),
      groupId: db.prepare("SELECT id FROM groups WHERE cluster_id = ? AND name = ?").pluck(),
      updateGroup: db.prepare("UPDATE groups SET state = ?, protocol_type = ?, seen_cycle_id = ? WHERE id = ?"),
      insertSeries: db.prepare("INSERT INTO group_partitions (group_id, partition_id) VALUES (?, ?) ON CONFLICT DO NOTHING"),
      seriesId: db.prepare("SELECT id FROM group_partitions WHERE group_id = ? AND partition_id = ?").pluck(),
      insertCycle: db.prepare(
        "INSERT INTO cycles (cluster_id, started_at_ms, at_ms, duration_ms, outcome, error, groups, partitions, requests) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      insertLog: db.prepare("INSERT INTO log_offsets (partition_id, cycle_id, log_start, log_end) VALUES (?, ?, ?, ?)"),
      latestLog: db.prepare("SELECT log_end, run_start_cycle_id FROM latest_log_offsets WHERE partition_id = ?"),
      upsertLatestLog: db.prepare(
        `INSERT INTO latest_log_offsets (partition_id, cycle_id, log_start, log_end, run_start_cycle_id) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (partition_id) DO UPDATE SET cycle_id = excluded.cycle_id, log_start = excluded.log_start, log_end = excluded.log_end, run_start_cycle_id = excluded.run_start_cycle_id`,
      ),
      insertCommitted: db.prepare("INSERT INTO committed_offsets (group_partition_id, cycle_id, committed) VALUES (?, ?, ?)"),
      upsertLatestCommitted: db.prepare(
        `INSERT INTO latest_committed (group_partition_id, cycle_id, committed, reached_at_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (group_partition_id) DO UPDATE SET cycle_id = excluded.cycle_id, committed = excluded.committed, reached_at_ms = excluded.reached_at_ms`,
      ),
      // A series whose group was read this cycle but did not commit on it any more (offsets expired or deleted).
      dropStaleLatestOfGroup: db.prepare(
        "DELETE FROM latest_committed WHERE group_partition_id IN (SELECT id FROM group_partitions WHERE group_id = ?) AND cycle_id <> ?",
      ),
      // Groups and partitions gone from the cluster: their newest samples are no longer "now".
      dropUnlistedLatest: db.prepare(
        `DELETE FROM latest_committed WHERE group_partition_id IN (
           SELECT gp.id FROM group_partitions gp JOIN groups g ON g.id = gp.group_id WHERE g.cluster_id = ? AND (g.seen_cycle_id IS NULL OR g.seen_cycle_id <> ?))`,
      ),
      dropUnreadLatestLog: db.prepare(
        `DELETE FROM latest_log_offsets WHERE cycle_id <> ? AND partition_id IN (
           SELECT p.id FROM partitions p JOIN topics t ON t.id = p.topic_id WHERE t.cluster_id = ?)`,
      ),
      dropUnlistedAssignments: db.prepare(
        `DELETE FROM latest_assignments WHERE group_partition_id IN (
           SELECT gp.id FROM group_partitions gp JOIN groups g ON g.id = gp.group_id WHERE g.cluster_id = ? AND (g.seen_cycle_id IS NULL OR g.seen_cycle_id <> ?))`,
      ),
      dropAssignmentsOfGroup: db.prepare("DELETE FROM latest_assignments WHERE group_partition_id IN (SELECT id FROM group_partitions WHERE group_id = ?)"),
      upsertAssignment: db.prepare(
        `INSERT INTO latest_assignments (group_partition_id, member_id, client_id, host) VALUES (?, ?, ?, ?)
         ON CONFLICT (group_partition_id) DO UPDATE SET member_id = excluded.member_id, client_id = excluded.client_id, host = excluded.host`,
      ),
      markOk: db.prepare("UPDATE cycles SET outcome = 'ok' WHERE id = ?"),
      markFailed: db.prepare("UPDATE cycles SET outcome = 'failed', error = ? WHERE id = ?"),
      firstLogAtOrAfter: db.prepare(
        "SELECT cycle_id AS cycleId, log_end AS logEnd FROM log_offsets WHERE partition_id = ? AND cycle_id >= ? ORDER BY cycle_id LIMIT 1",
      ),
      lastLogBefore: db.prepare(
        "SELECT cycle_id AS cycleId, log_end AS logEnd FROM log_offsets WHERE partition_id = ? AND cycle_id < ? ORDER BY cycle_id DESC LIMIT 1",
      ),
      cycleTime: db.prepare("SELECT at_ms FROM cycles WHERE id = ?").pluck(),
      okCyclesBetween: db.prepare("SELECT id, at_ms FROM cycles WHERE cluster_id = ? AND outcome = 'ok' AND at_ms BETWEEN ? AND ? ORDER BY id"),
      lastOkCycles: db.prepare("SELECT id, at_ms FROM cycles WHERE cluster_id = ? AND outcome = 'ok' ORDER BY id DESC LIMIT ?"),
      groupSeries: db.prepare(
        `SELECT t.name AS topic, p.partition AS partition, c.at_ms AS atMs, co.committed AS committed, lo.log_start AS logStart, lo.log_end AS logEnd
         FROM group_partitions gp
         JOIN partitions p ON p.id = gp.partition_id
         JOIN topics t ON t.id = p.topic_id
         JOIN committed_offsets co ON co.group_partition_id = gp.id AND co.cycle_id IN (SELECT value FROM json_each(@cycles))
         JOIN cycles c ON c.id = co.cycle_id
         LEFT JOIN log_offsets lo ON lo.partition_id = gp.partition_id AND lo.cycle_id = co.cycle_id
         WHERE gp.group_id = @id
         ORDER BY t.name, p.partition, co.cycle_id`,
      ),
      topicSeries: db.prepare(
        `SELECT p.partition AS partition, c.at_ms AS atMs, lo.log_start AS logStart, lo.log_end AS logEnd
         FROM partitions p
         JOIN log_offsets lo ON lo.partition_id = p.id AND lo.cycle_id IN (SELECT value FROM json_each(@cycles))
         JOIN cycles c ON c.id = lo.cycle_id
         WHERE p.topic_id = @id
         ORDER BY p.partition, lo.cycle_id`,
      ),
      latestByGroup: db.prepare(
        `SELECT g.name AS groupId, g.state AS state, g.protocol_type AS protocolType,
                t.name AS topic, p.partition AS partition, lc.committed AS committed, lc.reached_at_ms AS reachedAtMs,
                ll.log_start AS logStart, ll.log_end AS logEnd, c.at_ms AS atMs,
                la.member_id AS memberId, la.client_id AS clientId, la.host AS host
         FROM groups g
         LEFT JOIN group_partitions gp ON gp.group_id = g.id
         LEFT JOIN latest_committed lc ON lc.group_partition_id = gp.id
         LEFT JOIN partitions p ON p.id = gp.partition_id
         LEFT JOIN topics t ON t.id = p.topic_id
         LEFT JOIN latest_log_offsets ll ON ll.partition_id = gp.partition_id
         LEFT JOIN cycles c ON c.id = lc.cycle_id
         LEFT JOIN latest_assignments la ON la.group_partition_id = gp.id
         WHERE g.cluster_id = ? AND g.seen_cycle_id >= ?
         ORDER BY g.name, t.name, p.partition`,
      ),
      newestOkCycle: db.prepare("SELECT max(id) FROM cycles WHERE cluster_id = ? AND outcome = 'ok'").pluck(),
      knownGroups: db.prepare("SELECT name FROM groups WHERE cluster_id = ? ORDER BY name").pluck(),
      knownTopics: db.prepare("SELECT name FROM topics WHERE cluster_id = ? ORDER BY name").pluck(),
      lastCycle: db.prepare("SELECT * FROM cycles WHERE cluster_id = ? AND outcome <> 'writing' ORDER BY id DESC LIMIT 1"),
      lastSuccess: db.prepare("SELECT * FROM cycles WHERE cluster_id = ? AND outcome = 'ok' ORDER BY id DESC LIMIT 1"),
      outcomes: db.prepare("SELECT outcome, count(*) AS n FROM cycles WHERE cluster_id = ? AND outcome <> 'writing' GROUP BY outcome"),
      recentCycles: db.prepare("SELECT * FROM cycles WHERE cluster_id = ? AND outcome <> 'writing' ORDER BY id DESC LIMIT ?"),
    };
  }

  // --- ids -------------------------------------------------------------------

  private topicId(topic: string): number {
    let id = this.topicIds.get(topic);
    if (id === undefined) {
      this.statements.insertTopic.run(this.clusterId, topic);
      this.idsCreated++;
      this.topicIds.set(topic, (id = this.statements.topicId.get(this.clusterId, topic) as number));
    }
    return id;
  }

  private partitionId(topic: string, partition: number): number {
    const key = `${partition}/${topic}`;
    let id = this.partitionIds.get(key);
    if (id === undefined) {
      const topicId = this.topicId(topic);
      this.statements.insertPartition.run(topicId, partition);
      this.idsCreated++;
      this.partitionIds.set(key, (id = this.statements.partitionId.get(topicId, partition) as number));
    }
    return id;
  }

  private groupId(groupId: string): number {
    let id = this.groupIds.get(groupId);
    if (id === undefined) {
      this.statements.insertGroup.run(this.clusterId, groupId);
      this.idsCreated++;
      this.groupIds.set(groupId, (id = this.statements.groupId.get(this.clusterId, groupId) as number));
    }
    return id;
  }

  private seriesId(group: number, partitionId: number): number {
    const key = `${group}/${partitionId}`;
    let id = this.seriesIds.get(key);
    if (id === undefined) {
      this.statements.insertSeries.run(group, partitionId);
      this.idsCreated++;
      this.seriesIds.set(key, (id = this.statements.seriesId.get(group, partitionId) as number));
    }
    return id;
  }

  /** Id of a known group or topic, without creating it. */
  private existingId(kind: "group" | "topic", name: string): number | undefined {
    const cached = (kind === "group" ? this.groupIds : this.topicIds).get(name);
    if (cached !== undefined) return cached;
    return (kind === "group" ? this.statements.groupId : this.statements.topicId).get(this.clusterId, name) as number | undefined;
  }

  // --- writes ----------------------------------------------------------------

  /**
   * Stores one cycle's samples in one transaction and returns its id (tests,
   * benches and small clusters; the sampler uses recordCycleSliced).
   */
  recordCycle(sample: CycleSample): number {
    const writer = this.cycleWriter(sample, Number.POSITIVE_INFINITY);
    try {
      return this.db.transaction(() => {
        for (;;) {
          const step = writer.next();
          if (step.done) return step.value;
        }
      })();
    } catch (error) {
      this.forgetCaches();
      throw error;
    }
  }

  /**
   * Stores one cycle's samples as a series of transactions of about
   * `rowsPerSlice` rows each, letting the event loop run between them (a
   * cycle of 1,000 groups over 10,000 partitions is 20,000 rows: one
   * transaction would hold the console's requests for its whole length).
   * Until its last slice the cycle is 'writing': the reads take only ok
   * cycles, and the groups list takes each group's newest rows, written or
   * not yet. A slice that fails marks the cycle failed and rethrows.
   */
  async recordCycleSliced(sample: CycleSample, rowsPerSlice = CYCLE_ROWS_PER_SLICE): Promise<number> {
    const writer = this.cycleWriter(sample, rowsPerSlice);
    const slice = this.db.transaction(() => writer.next());
    for (;;) {
      let step: IteratorResult<void, number>;
      try {
        step = slice();
      } catch (error) {
        this.forgetCaches();
        if (this.writingCycleId !== null && this.db.open) this.statements.markFailed.run(`storing the cycle failed: ${error instanceof Error ? error.message : String(error)}`, this.writingCycleId);
        this.writingCycleId = null;
        throw error;
      }
      if (step.done) return step.value;
      await nextTurn();
    }
  }

  /** The id of the cycle being written in slices, if any. */
  private writingCycleId: number | null = null;

  private takeIdsCreated(): number {
    const n = this.idsCreated;
    this.idsCreated = 0;
    return n;
  }

  /** After a failed write the caches may hold what was rolled back: they are read again from the database. */
  private forgetCaches(): void {
    this.latestLogCache = null;
    this.latestCommitCache = null;
    this.assignmentCache.clear();
    this.recentReadings.clear();
  }

  /**
   * The writes of one cycle, pausing (yield) after every `rowsPerSlice` rows;
   * returns the cycle's id. Log offsets go in first, so that each committed
   * offset that changed is placed among the end offsets of this cycle too
   * when its time is estimated, and a group's lag read between slices is
   * against this cycle's log ends.
   */
  private *cycleWriter(sample: CycleSample, rowsPerSlice: number): Generator<void, number, void> {
    const s = this.statements;
    const latestLogs = this.latestLogs();
    const latestCommits = this.latestCommits();
    let rows = 0;
    const cycleId = Number(
      s.insertCycle.run(this.clusterId, sample.startedAtMs, sample.atMs, sample.durationMs, "writing", null, sample.groups.length, sample.logOffsets.length, sample.requests)
        .lastInsertRowid,
    );
    this.writingCycleId = cycleId;
    const logEnds = new Map<number, number>();
    for (const o of sample.logOffsets) {
      const partitionId = this.partitionId(o.topic, o.partition);
      if (logEnds.has(partitionId)) continue; // a partition listed twice keeps its first reading
      logEnds.set(partitionId, o.logEnd);
      s.insertLog.run(partitionId, cycleId, o.logStart, o.logEnd);
      const previous = latestLogs.get(partitionId);
      // An end that went backwards is a new log (topic deleted and created again): estimates start over from here.
      const sameLog = previous !== undefined && o.logEnd >= previous.logEnd;
      const runStartCycleId = sameLog ? previous.runStartCycleId : cycleId;
      s.upsertLatestLog.run(partitionId, cycleId, o.logStart, o.logEnd, runStartCycleId);
      latestLogs.set(partitionId, { logEnd: o.logEnd, runStartCycleId });
      const recent = sameLog ? (this.recentReadings.get(partitionId) ?? []) : [];
      recent.push({ timeMs: sample.atMs, endOffset: o.logEnd });
      if (recent.length > RECENT_READINGS_MAX) recent.shift();
      this.recentReadings.set(partitionId, recent);
      rows += 1 + this.takeIdsCreated();
      if (rows >= rowsPerSlice) {
        rows = 0;
        yield;
      }
    }
    const listed = new Set<number>();
    for (const g of sample.groups) {
      const group = this.groupId(g.groupId);
      listed.add(group);
      s.updateGroup.run(g.state, g.protocolType, cycleId, group);
      rows++;
      if (g.members) rows += this.writeAssignment(group, g.members);
      if (g.committed !== null) {
        for (const c of g.committed) {
          const partitionId = this.partitionId(c.topic, c.partition);
          const series = this.seriesId(group, partitionId);
          s.insertCommitted.run(series, cycleId, c.offset);
          const previous = latestCommits.get(series);
          const logEnd = logEnds.get(partitionId);
          let reached: { atMs: number | null; extrapolated: boolean } = { atMs: null, extrapolated: false };
          if (logEnd !== undefined && c.offset < logEnd) {
            // The moment the log end passed the commit, placed between two readings, depends only on the commit and
            // the end's history: computed again only when the commit moved. One older than every reading is
            // extrapolated at the average rate since the oldest reading, which every new reading improves.
            const kept = previous && previous.committed === c.offset && previous.reachedAtMs !== null && !previous.extrapolated;
            reached = kept ? { atMs: previous.reachedAtMs, extrapolated: false } : this.reachedAtMs(partitionId, c.offset, sample.atMs);
          }
          s.upsertLatestCommitted.run(series, cycleId, c.offset, reached.atMs);
          latestCommits.set(series, { committed: c.offset, reachedAtMs: reached.atMs, extrapolated: reached.extrapolated });
          rows++;
        }
        s.dropStaleLatestOfGroup.run(group, cycleId);
      }
      rows += this.takeIdsCreated();
      // A group's rows stay in one slice, so a read between slices sees each group whole.
      if (rows >= rowsPerSlice) {
        rows = 0;
        yield;
      }
    }
    s.dropUnreadLatestLog.run(cycleId, this.clusterId);
    for (const partitionId of latestLogs.keys()) if (!logEnds.has(partitionId)) latestLogs.delete(partitionId);
    s.dropUnlistedLatest.run(this.clusterId, cycleId);
    s.dropUnlistedAssignments.run(this.clusterId, cycleId);
    for (const group of this.assignmentCache.keys()) if (!listed.has(group)) this.assignmentCache.delete(group);
    s.markOk.run(cycleId);
    this.writingCycleId = null;
    return cycleId;
  }

  /**
   * Keeps the member of each of a group's assigned partitions; rewrites the
   * group's rows only when its assignment differs from the one stored last
   * (assignments change at rebalances, not every cycle). Returns rows written.
   */
  private writeAssignment(group: number, members: NonNullable<CycleSample["groups"][number]["members"]>): number {
    const s = this.statements;
    const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
    const key = JSON.stringify(sorted.map((m) => [m.memberId, m.clientId, m.host, m.assignments]));
    if (this.assignmentCache.get(group) === key) return 0;
    s.dropAssignmentsOfGroup.run(group);
    let written = 1;
    for (const m of sorted)
      for (const a of m.assignments)
        for (const partition of a.partitions) {
          s.upsertAssignment.run(this.seriesId(group, this.partitionId(a.topic, partition)), m.memberId, m.clientId, m.host);
          written++;
        }
    this.assignmentCache.set(group, key);
    return written;
  }

  /** The newest log end of each partition, read from the database once, then kept up by recordCycle (this process is the one writer). */
  private latestLogs(): Map<number, { logEnd: number; runStartCycleId: number }> {
    if (!this.latestLogCache) {
      const rows = this.db
        .prepare(
          "SELECT ll.partition_id AS id, ll.log_end AS logEnd, ll.run_start_cycle_id AS runStartCycleId FROM latest_log_offsets ll JOIN partitions p ON p.id = ll.partition_id JOIN topics t ON t.id = p.topic_id WHERE t.cluster_id = ?",
        )
        .all(this.clusterId) as Array<{ id: number; logEnd: number; runStartCycleId: number }>;
      this.latestLogCache = new Map(rows.map((r) => [r.id, { logEnd: r.logEnd, runStartCycleId: r.runStartCycleId }]));
    }
    return this.latestLogCache;
  }

  /** The newest commit of each series, likewise (a stale entry only costs one more estimate). */
  private latestCommits(): Map<number, LatestCommit> {
    if (!this.latestCommitCache) {
      const rows = this.db
        .prepare(
          "SELECT lc.group_partition_id AS id, lc.committed AS committed, lc.reached_at_ms AS reachedAtMs FROM latest_committed lc JOIN group_partitions gp ON gp.id = lc.group_partition_id JOIN groups g ON g.id = gp.group_id WHERE g.cluster_id = ?",
        )
        .all(this.clusterId) as Array<{ id: number; committed: number; reachedAtMs: number | null }>;
      // Whether an estimate was extrapolated is not stored: after a restart each is computed again once.
      this.latestCommitCache = new Map(rows.map((r) => [r.id, { committed: r.committed, reachedAtMs: r.reachedAtMs, extrapolated: true }]));
    }
    return this.latestCommitCache;
  }

  /** Records a cycle that failed or was skipped, for the sampler's health. */
  recordFailure(failure: CycleFailure): number {
    return Number(
      this.statements.insertCycle.run(this.clusterId, failure.startedAtMs, failure.atMs, failure.durationMs, failure.outcome, failure.error, 0, 0, failure.requests)
        .lastInsertRowid,
    );
  }

  // --- the time-lag estimate -------------------------------------------------

  /** When the log end passed `committed`, estimated from the readings; extrapolated when the commit is older than all of them. */
  private reachedAtMs(partitionId: number, committed: number, nowMs: number): { atMs: number | null; extrapolated: boolean } {
    // Most consumers are minutes behind: the readings this process kept place them without a query.
    const recent = this.recentReadings.get(partitionId);
    const readings = recent && recent.length >= 2 && recent[0].endOffset <= committed ? recent : this.readingsAround(partitionId, committed);
    const lagMs = estimateTimeLagMs(readings, committed, nowMs);
    return { atMs: lagMs === null ? null : nowMs - lagMs, extrapolated: readings.length === 0 || readings[0].endOffset > committed };
  }

  /**
   * The stored end-offset readings of a partition that place `offset` in time:
   * the oldest and newest since its log last started over, and the two around
   * the moment the end passed `offset`, oldest first. The end only grows
   * within that run, so a binary search over cycle ids finds them in a few
   * index seeks however long the history is.
   */
  private readingsAround(partitionId: number, offset: number): EndOffsetReading[] {
    const s = this.statements;
    const latest = s.latestLog.get(partitionId) as { log_end: number; run_start_cycle_id: number } | undefined;
    if (!latest) return [];
    type Reading = { cycleId: number; logEnd: number };
    const atOrAfter = (cycleId: number) => s.firstLogAtOrAfter.get(partitionId, cycleId) as Reading | undefined;
    const oldest = atOrAfter(latest.run_start_cycle_id);
    const newest = s.lastLogBefore.get(partitionId, Number.MAX_SAFE_INTEGER) as Reading | undefined;
    if (!oldest || !newest) return [];
    const picked = new Map<number, Reading>([
      [oldest.cycleId, oldest],
      [newest.cycleId, newest],
    ]);
    if (oldest.logEnd <= offset && newest.logEnd > offset) {
      // The first reading past `offset` is at or after cycle `low`; the first reading at or after `high` is past it.
      let low = oldest.cycleId;
      let high = newest.cycleId;
      while (low < high) {
        const middle = Math.floor((low + high) / 2);
        const reading = atOrAfter(middle)!;
        if (reading.logEnd > offset) high = middle;
        else low = reading.cycleId + 1;
      }
      const first = atOrAfter(low)!;
      picked.set(first.cycleId, first);
      const before = s.lastLogBefore.get(partitionId, first.cycleId) as Reading | undefined;
      if (before) picked.set(before.cycleId, before);
    }
    return [...picked.values()]
      .sort((a, b) => a.cycleId - b.cycleId)
      .map((r) => ({ timeMs: s.cycleTime.get(r.cycleId) as number, endOffset: r.logEnd }));
  }

  /** End-offset readings that place `offset` in time (see readingsAround); empty for a partition never sampled. */
  endOffsetReadings(topic: string, partition: number, offset: number): EndOffsetReading[] {
    const topicId = this.existingId("topic", topic);
    if (topicId === undefined) return [];
    const partitionId = this.statements.partitionId.get(topicId, partition) as number | undefined;
    return partitionId === undefined ? [] : this.readingsAround(partitionId, offset);
  }

  // --- reads -----------------------------------------------------------------

  /** The ids of the ok cycles in a range, with at most one per step (the newest) when `stepMs` is given. */
  private cyclesIn({ fromMs, toMs, stepMs }: TimeRange): number[] {
    const rows = this.statements.okCyclesBetween.all(this.clusterId, fromMs, toMs) as Array<{ id: number; at_ms: number }>;
    if (!stepMs || stepMs <= 0) return rows.map((r) => r.id);
    const newestPerStep = new Map<number, number>();
    for (const r of rows) newestPerStep.set(Math.floor(r.at_ms / stepMs), r.id);
    return [...newestPerStep.values()];
  }

  /** A group's samples per partition in a time range, sorted by topic then partition; partitions without a sample in it are left out. */
  groupSeries(groupId: string, range: TimeRange): GroupPartitionSeries[] {
    const group = this.existingId("group", groupId);
    if (group === undefined) return [];
    return this.groupSeriesOfCycles(group, this.cyclesIn(range));
  }

  /** A group's last `n` samples per partition (the last n ok cycles), for judging its status over a window. */
  window(groupId: string, n: number): GroupPartitionSeries[] {
    const group = this.existingId("group", groupId);
    if (group === undefined || n <= 0) return [];
    const cycles = (this.statements.lastOkCycles.all(this.clusterId, n) as Array<{ id: number }>).map((r) => r.id);
    return this.groupSeriesOfCycles(group, cycles);
  }

  private groupSeriesOfCycles(group: number, cycles: number[]): GroupPartitionSeries[] {
    if (cycles.length === 0) return [];
    const rows = this.statements.groupSeries.all({ id: group, cycles: JSON.stringify(cycles) }) as Array<{
      topic: string;
      partition: number;
      atMs: number;
      committed: number;
      logStart: number | null;
      logEnd: number | null;
    }>;
    const series: GroupPartitionSeries[] = [];
    for (const { topic, partition, ...point } of rows) {
      let last = series.at(-1);
      if (!last || last.topic !== topic || last.partition !== partition) series.push((last = { topic, partition, points: [] }));
      last.points.push(point);
    }
    return series;
  }

  /** A topic's log start and end per partition in a time range (the production rate is the end's slope), sorted by partition. */
  topicSeries(topic: string, range: TimeRange): TopicPartitionSeries[] {
    const topicId = this.existingId("topic", topic);
    if (topicId === undefined) return [];
    const cycles = this.cyclesIn(range);
    if (cycles.length === 0) return [];
    const rows = this.statements.topicSeries.all({ id: topicId, cycles: JSON.stringify(cycles) }) as Array<{ partition: number; atMs: number; logStart: number; logEnd: number }>;
    const series: TopicPartitionSeries[] = [];
    for (const { partition, ...point } of rows) {
      let last = series.at(-1);
      if (!last || last.partition !== partition) series.push((last = { partition, points: [] }));
      last.points.push(point);
    }
    return series;
  }

  /**
   * Every group the newest ok cycle listed, sorted by id, with its newest
   * committed offset per partition, the partition's newest log offsets, lag,
   * estimated time lag (as of `nowMs`) and assigned member. One query: meant
   * for a list over all groups, sorted and filtered on the server. While a
   * cycle is being stored in slices, the groups it has stored already come
   * with its rows (and new groups it found are listed).
   */
  latestByGroup(nowMs = Date.now()): LatestGroup[] {
    // The newest ok cycle's list of groups, even when it listed none (the last group was deleted).
    const newest = this.statements.newestOkCycle.get(this.clusterId) as number | null;
    if (newest === null) return [];
    const rows = this.statements.latestByGroup.all(this.clusterId, newest) as Array<{
      groupId: string;
      state: string | null;
      protocolType: string;
      topic: string | null;
      partition: number | null;
      committed: number | null;
      reachedAtMs: number | null;
      logStart: number | null;
      logEnd: number | null;
      atMs: number | null;
      memberId: string | null;
      clientId: string | null;
      host: string | null;
    }>;
    const groups: LatestGroup[] = [];
    for (const r of rows) {
      let group = groups.at(-1);
      if (!group || group.groupId !== r.groupId) {
        groups.push((group = { groupId: r.groupId, state: r.state, protocolType: r.protocolType, atMs: null, partitions: [], lag: null, timeLagMs: null }));
      }
      if (r.committed === null || r.topic === null || r.partition === null || r.atMs === null) continue; // a series with no current commit
      const lag = r.logStart === null || r.logEnd === null ? null : partitionLag(r.committed, r.logStart, r.logEnd);
      const timeLagMs = lag === null ? null : lag === 0 ? 0 : r.reachedAtMs === null ? null : Math.max(0, nowMs - r.reachedAtMs);
      const row: LatestGroupPartition = { topic: r.topic, partition: r.partition, committed: r.committed, logStart: r.logStart, logEnd: r.logEnd, lag, timeLagMs, atMs: r.atMs,
        member: r.memberId === null ? null : { memberId: r.memberId, clientId: r.clientId ?? "", host: r.host ?? "" },
      };
      group.partitions.push(row);
      group.atMs = Math.max(group.atMs ?? 0, r.atMs);
      if (lag !== null) group.lag = (group.lag ?? 0) + lag;
      if (timeLagMs !== null) group.timeLagMs = Math.max(group.timeLagMs ?? 0, timeLagMs);
    }
    return groups;
  }

  /** Names of every group and topic ever sampled on this cluster (and still in the history), sorted. */
  knownGroups(): string[] {
    return this.statements.knownGroups.all(this.clusterId) as string[];
  }

  knownTopics(): string[] {
    return this.statements.knownTopics.all(this.clusterId) as string[];
  }

  health(): SamplerHealth {
    const s = this.statements;
    const last = s.lastCycle.get(this.clusterId) as CycleRow | undefined;
    const success = s.lastSuccess.get(this.clusterId) as CycleRow | undefined;
    const cycles: Record<CycleOutcome, number> = { ok: 0, failed: 0, skipped: 0 };
    for (const r of s.outcomes.all(this.clusterId) as Array<{ outcome: CycleOutcome; n: number }>) cycles[r.outcome] = r.n;
    return { lastCycle: last ? toCycle(last) : null, lastSuccess: success ? toCycle(success) : null, cycles };
  }

  /** The newest `n` cycles of any outcome, newest first. */
  recentCycles(n: number): CycleRecord[] {
    return (this.statements.recentCycles.all(this.clusterId, n) as CycleRow[]).map(toCycle);
  }
}
