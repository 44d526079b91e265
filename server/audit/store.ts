import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { AuditEntry, AuditQuery } from "@/lib/audit";
import { migrate, type Migrations } from "../lag-history/migrations";

/** The audit log's file, beside the lag history in the data directory ($SLUICE_DATA_DIR, default .sluice/). */
export const AUDIT_FILE = "audit.sqlite";

/** Numbered steps as the lag history's (never edited once released; a change is a new step). */
export const AUDIT_MIGRATIONS: Migrations = [
  {
    version: 1,
    name: "audit log",
    sql: `
      -- One row per change asked for and per login, allowed or not.
      -- user: the name logged in or tried (NULL when no users are configured, or nobody logged in);
      -- result: ok (done), failed (allowed but the handler answered an error), refused (the guard said no);
      -- target: the topic or group, when there is one; detail: what was asked, or why it failed.
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at_ms INTEGER NOT NULL,
        user TEXT,
        address TEXT,
        cluster TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        status INTEGER NOT NULL,
        result TEXT NOT NULL CHECK (result IN ('ok', 'failed', 'refused')),
        detail TEXT
      );
      CREATE INDEX audit_by_time ON audit_log (at_ms);
    `,
  },
];

/** Rows a query returns at most; the export pages through with `beforeId`. */
export const AUDIT_PAGE_MAX = 1_000;

interface Row {
  id: number;
  at_ms: number;
  user: string | null;
  address: string | null;
  cluster: string;
  action: string;
  target: string | null;
  method: string;
  path: string;
  status: number;
  result: AuditEntry["result"];
  detail: string | null;
}

const toEntry = (r: Row): AuditEntry => ({
  id: r.id,
  atMs: r.at_ms,
  user: r.user,
  address: r.address,
  cluster: r.cluster,
  action: r.action,
  target: r.target,
  method: r.method,
  path: r.path,
  status: r.status,
  result: r.result,
  detail: r.detail,
});

/** The audit log in its SQLite file: appended to by the API guard and the login route, read by the audit page. */
export class AuditStore {
  private readonly insert;

  private constructor(readonly db: Database.Database) {
    this.insert = db.prepare(
      "INSERT INTO audit_log (at_ms, user, address, cluster, action, target, method, path, status, result, detail) VALUES (@atMs, @user, @address, @cluster, @action, @target, @method, @path, @status, @result, @detail)",
    );
  }

  /** Opens (creating it and its directory) and migrates the log at `file`; ":memory:" for one in memory. */
  static open(file: string, nowMs = Date.now()): AuditStore {
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("busy_timeout = 5000");
      migrate(db, nowMs, AUDIT_MIGRATIONS, "the audit log database");
    } catch (error) {
      db.close();
      throw error;
    }
    return new AuditStore(db);
  }

  append(entry: Omit<AuditEntry, "id">): number {
    const detail = entry.detail === null ? null : entry.detail.slice(0, 2_000);
    return Number(this.insert.run({ ...entry, detail }).lastInsertRowid);
  }

  /** Newest first, filtered; at most `limit` (≤ AUDIT_PAGE_MAX) rows older than `beforeId`. */
  query(q: AuditQuery): AuditEntry[] {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    const when = (condition: string, name: string, value: unknown) => {
      if (value === undefined) return;
      where.push(condition);
      args[name] = value;
    };
    when("user = @user", "user", q.user);
    when("action = @action", "action", q.action);
    when("result = @result", "result", q.result);
    when("cluster = @cluster", "cluster", q.cluster);
    when("target LIKE @target ESCAPE '\\'", "target", q.target === undefined ? undefined : `%${q.target.replace(/[\\%_]/g, "\\$&")}%`);
    when("at_ms >= @fromMs", "fromMs", q.fromMs);
    when("at_ms <= @toMs", "toMs", q.toMs);
    when("id < @beforeId", "beforeId", q.beforeId);
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT @limit`;
    return (this.db.prepare(sql).all({ ...args, limit: Math.min(q.limit, AUDIT_PAGE_MAX) }) as Row[]).map(toEntry);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
