import { systemClock, type Clock } from "./clock";

/**
 * Structured logs: one JSON object per line on stdout (stderr for errors), so
 * they can be grepped by eye and parsed by machines alike.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function createLogger(
  options: {
    level?: LogLevel;
    base?: Record<string, unknown>;
    write?: (line: string, level: LogLevel) => void;
    /** Stamps each line; the simulator passes its virtual clock so that a run's log replays byte for byte. */
    clock?: Clock;
  } = {},
): Logger {
  const minRank = LEVEL_RANK[options.level ?? ((process.env.LOG_LEVEL as LogLevel | undefined) ?? "info")] ?? LEVEL_RANK.info;
  const base = options.base ?? {};
  const write =
    options.write ??
    ((line: string, level: LogLevel) => (level === "error" ? process.stderr : process.stdout).write(line + "\n"));
  const clock = options.clock ?? systemClock;
  const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVEL_RANK[level] < minRank) return;
    write(JSON.stringify({ time: new Date(clock.nowMs()).toISOString(), level, msg, ...base, ...fields }, jsonSafe), level);
  };
  return {
    debug: (msg, fields) => log("debug", msg, fields),
    info: (msg, fields) => log("info", msg, fields),
    warn: (msg, fields) => log("warn", msg, fields),
    error: (msg, fields) => log("error", msg, fields),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** A logger that drops everything, for tests that start many nodes. */
export const silentLogger: Logger = createLogger({ write: () => {} });

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}
