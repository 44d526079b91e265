/**
 * Lag of one partition for one group: records between its committed offset and
 * the high watermark. No commit (-1) is no lag figure at all; a commit below the
 * log start (retention deleted what it had not read) counts from the log start.
 */
export function partitionLag(committed: number, low: number, high: number): number | null {
  if (committed < 0) return null;
  return Math.max(0, high - Math.max(committed, low));
}

/** A partition's end offset (high watermark) as read at one moment. */
export interface EndOffsetPoint {
  timeMs: number;
  endOffset: number;
}

/**
 * Estimated time lag of a consumer at `committed`, from earlier readings of the
 * partition's end offset (the kafka-lag-exporter method): the moment the log's
 * end passed `committed` is interpolated between the two readings around it,
 * and the lag is now minus that moment. A commit older than every reading is
 * placed by extrapolating the production rate between the oldest and newest
 * readings. Null when the readings cannot place it (fewer than two, or no
 * records produced between them). `points` are oldest first.
 */
export function estimateTimeLagMs(points: readonly EndOffsetPoint[], committed: number, nowMs: number): number | null {
  if (points.length === 0) return null;
  const newest = points[points.length - 1];
  if (committed >= newest.endOffset) return 0; // caught up with the newest reading
  const lagSince = (timeMs: number) => Math.max(0, Math.round(nowMs - timeMs));
  // The first reading at or past `committed`: the end crossed it between that reading and the one before.
  const after = points.findIndex((p) => p.endOffset > committed);
  if (after > 0) {
    const before = points[after - 1];
    const next = points[after];
    const share = (committed - before.endOffset) / (next.endOffset - before.endOffset);
    return lagSince(before.timeMs + share * (next.timeMs - before.timeMs));
  }
  // Older than every reading: extrapolate back at the average production rate.
  const oldest = points[0];
  const produced = newest.endOffset - oldest.endOffset;
  const elapsed = newest.timeMs - oldest.timeMs;
  if (produced <= 0 || elapsed <= 0) return null;
  return lagSince(oldest.timeMs - ((oldest.endOffset - committed) * elapsed) / produced);
}

/** A topic's or group's time lag: the largest over the entries whose time lag is known; estimated if any of those is. */
export function largestTimeLag(entries: Array<{ timeLagMs: number | null; timeLagEstimated: boolean }>): { timeLagMs: number | null; timeLagEstimated: boolean } {
  let timeLagMs: number | null = null;
  let timeLagEstimated = false;
  for (const e of entries) {
    if (e.timeLagMs === null) continue;
    timeLagMs = Math.max(timeLagMs ?? 0, e.timeLagMs);
    timeLagEstimated ||= e.timeLagEstimated;
  }
  return { timeLagMs, timeLagEstimated };
}
