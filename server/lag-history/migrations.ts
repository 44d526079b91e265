import type Database from "better-sqlite3";

/**
 * The schema, as numbered steps applied in order and recorded in
 * `schema_migrations`. A step, once released, is never edited: a change to the
 * schema is a new step at the end.
 *
 * Sized for 1,000 groups over 10,000 partitions sampled every 30 s: names are
 * stored once and referred to by integer ids; a sample is one row of integers
 * per (cycle, partition) log start/end and per (cycle, group, partition)
 * committed offset, keyed by series first so that one series over time is one
 * range of the primary key (WITHOUT ROWID: the table is its key's B-tree).
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: "lag samples",
    sql: `
      CREATE TABLE clusters (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
      );
      CREATE TABLE topics (
        id INTEGER PRIMARY KEY,
        cluster_id INTEGER NOT NULL REFERENCES clusters (id),
        name TEXT NOT NULL,
        UNIQUE (cluster_id, name)
      );
      CREATE TABLE partitions (
        id INTEGER PRIMARY KEY,
        topic_id INTEGER NOT NULL REFERENCES topics (id),
        partition INTEGER NOT NULL,
        UNIQUE (topic_id, partition)
      );
      -- state and protocol_type as ListGroups last reported them; seen_cycle_id the last cycle that listed the group.
      CREATE TABLE groups (
        id INTEGER PRIMARY KEY,
        cluster_id INTEGER NOT NULL REFERENCES clusters (id),
        name TEXT NOT NULL,
        state TEXT,
        protocol_type TEXT NOT NULL DEFAULT '',
        seen_cycle_id INTEGER,
        UNIQUE (cluster_id, name)
      );
      -- One series of committed offsets: a group on a partition.
      CREATE TABLE group_partitions (
        id INTEGER PRIMARY KEY,
        group_id INTEGER NOT NULL REFERENCES groups (id),
        partition_id INTEGER NOT NULL REFERENCES partitions (id),
        UNIQUE (group_id, partition_id)
      );
      -- Every sampling cycle, also the failed and skipped ones (outcome), for the sampler's health.
      -- at_ms: when the log offsets were read (after the committed offsets), the time of every sample of the cycle.
      CREATE TABLE cycles (
        id INTEGER PRIMARY KEY,
        cluster_id INTEGER NOT NULL REFERENCES clusters (id),
        started_at_ms INTEGER NOT NULL,
        at_ms INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'skipped')),
        error TEXT,
        groups INTEGER NOT NULL DEFAULT 0,
        partitions INTEGER NOT NULL DEFAULT 0,
        requests INTEGER NOT NULL DEFAULT 0,
        downsampled INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX cycles_by_time ON cycles (cluster_id, at_ms);
      CREATE TABLE log_offsets (
        partition_id INTEGER NOT NULL,
        cycle_id INTEGER NOT NULL,
        log_start INTEGER NOT NULL,
        log_end INTEGER NOT NULL,
        PRIMARY KEY (partition_id, cycle_id)
      ) WITHOUT ROWID;
      CREATE TABLE committed_offsets (
        group_partition_id INTEGER NOT NULL,
        cycle_id INTEGER NOT NULL,
        committed INTEGER NOT NULL,
        PRIMARY KEY (group_partition_id, cycle_id)
      ) WITHOUT ROWID;
      -- The newest reading of each partition, so "now" needs no scan of the history.
      -- run_start_cycle_id: the first cycle since the log end last went backwards (topic recreated), for estimates.
      CREATE TABLE latest_log_offsets (
        partition_id INTEGER PRIMARY KEY,
        cycle_id INTEGER NOT NULL,
        log_start INTEGER NOT NULL,
        log_end INTEGER NOT NULL,
        run_start_cycle_id INTEGER NOT NULL
      );
      -- The newest committed offset of each series, with when the log end passed it (estimated from the samples).
      CREATE TABLE latest_committed (
        group_partition_id INTEGER PRIMARY KEY,
        cycle_id INTEGER NOT NULL,
        committed INTEGER NOT NULL,
        reached_at_ms INTEGER
      );
    `,
  },
  {
    version: 2,
    name: "cycles being written, group assignments",
    sql: `
      -- A cycle is stored in slices (one transaction each, the event loop runs between them): it is 'writing'
      -- until its last slice marks it 'ok'; readers take only ok cycles. SQLite cannot alter a CHECK: the table is rebuilt.
      CREATE TABLE cycles_v2 (
        id INTEGER PRIMARY KEY,
        cluster_id INTEGER NOT NULL REFERENCES clusters (id),
        started_at_ms INTEGER NOT NULL,
        at_ms INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'skipped', 'writing')),
        error TEXT,
        groups INTEGER NOT NULL DEFAULT 0,
        partitions INTEGER NOT NULL DEFAULT 0,
        requests INTEGER NOT NULL DEFAULT 0,
        downsampled INTEGER NOT NULL DEFAULT 0
      );
      INSERT INTO cycles_v2 (id, cluster_id, started_at_ms, at_ms, duration_ms, outcome, error, groups, partitions, requests, downsampled)
        SELECT id, cluster_id, started_at_ms, at_ms, duration_ms, outcome, error, groups, partitions, requests, downsampled FROM cycles;
      DROP TABLE cycles;
      ALTER TABLE cycles_v2 RENAME TO cycles;
      CREATE INDEX cycles_by_time ON cycles (cluster_id, at_ms);
      -- The member each series' partition is assigned to, as the newest DescribeGroups of its group said
      -- (for /metrics' member_host, consumer_id, client_id); rewritten only when a group's assignment changes.
      CREATE TABLE latest_assignments (
        group_partition_id INTEGER PRIMARY KEY,
        member_id TEXT NOT NULL,
        client_id TEXT NOT NULL,
        host TEXT NOT NULL
      );
    `,
  },
];

/** A schema as numbered steps; the audit log's database (server/audit/) is migrated the same way. */
export type Migrations = ReadonlyArray<{ version: number; name: string; sql: string }>;

/** Applies the steps not yet applied, each in its own transaction; returns the versions applied now. */
export function migrate(db: Database.Database, nowMs: number, steps: Migrations = MIGRATIONS, what = "the lag history database"): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at_ms INTEGER NOT NULL
  )`);
  const applied = new Set(db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[]);
  const newest = Math.max(0, ...applied);
  const known = steps.at(-1)?.version ?? 0;
  if (newest > known) throw new Error(`${what} has schema version ${newest}, newer than this console knows (${known}): use a newer console or another SLUICE_DATA_DIR`);
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)");
  const done: number[] = [];
  for (const step of steps) {
    if (applied.has(step.version)) continue;
    db.transaction(() => {
      db.exec(step.sql);
      record.run(step.version, step.name, nowMs);
    })();
    done.push(step.version);
  }
  return done;
}
