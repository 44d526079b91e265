export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return "–";
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export const formatNumber = (n: number | null | undefined) => (n === null || n === undefined ? "–" : n.toLocaleString("en-US"));

/** The browser's offset from UTC at that moment, as "+01:00" (daylight saving makes it vary by date). */
export function utcOffset(ms: number): string {
  const minutes = -new Date(ms).getTimezoneOffset();
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? "-" : "+"}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/** A datetime-local input's value ("2026-12-03T18:25:00") for a moment, in the browser's time zone. */
export function datetimeLocalValue(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** ISO-like local time with milliseconds and the UTC offset, stable across locales: "2024-05-01 14:03:07.042 +02:00". */
export function formatTimestamp(ms: number): string {
  if (ms < 0) return "–";
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)} ${utcOffset(ms)}`;
}

const DURATION_UNITS: Array<[unit: string, ms: number]> = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["min", 60_000],
  ["s", 1_000],
  ["ms", 1],
];

/** A duration in words for people: 604800000 -> "7 d", 5400000 -> "1 h 30 min", 90061001 -> "≈ 1 d 1 h" (two units at most). */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return String(ms);
  if (ms === 0) return "0 ms";
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of DURATION_UNITS) {
    if (rest < size) continue;
    if (parts.length === 2) break;
    parts.push(`${Math.floor(rest / size)} ${unit}`);
    rest %= size;
  }
  return `${rest > 0 && parts.length === 2 ? "≈ " : ""}${parts.join(" ")}`;
}

/**
 * How far behind a consumer is, in time: whole seconds and at most two units
 * ("3 min 20 s"), below a second as "< 1 s", "≈ " before an estimate, "–" when unknown.
 */
export function formatTimeLag(ms: number | null | undefined, estimated = false): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "–";
  const text = ms === 0 ? "0 s" : ms < 1_000 ? "< 1 s" : formatDurationMs(Math.round(ms / 1_000) * 1_000).replace(/^≈ /, "");
  return estimated ? `≈ ${text}` : text;
}

/** A byte count for people, exact when it is a whole number of a unit: 1073741824 -> "1 GiB", 1048588 -> "≈ 1.0 MiB". */
export function formatByteSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return String(bytes);
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let unit = 0;
  while (unit < units.length - 1 && bytes >= 1024 ** (unit + 1)) unit++;
  const whole = bytes / 1024 ** unit;
  return Number.isInteger(whole) ? `${whole} ${units[unit]}` : `≈ ${formatBytes(bytes)}`;
}

/** "3 groups", "1 group": a count with its noun. */
export const plural = (n: number, word: string) => `${formatNumber(n)} ${word}${n === 1 ? "" : "s"}`;

/** How long ago, in the unit a glance wants: "20 s ago", "5 min ago", "3 h ago". */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}
