/**
 * Lag of one partition for one group: records between its committed offset and
 * the high watermark. No commit (-1) is no lag figure at all; a commit below the
 * log start (retention deleted what it had not read) counts from the log start.
 */
export function partitionLag(committed: number, low: number, high: number): number | null {
  if (committed < 0) return null;
  return Math.max(0, high - Math.max(committed, low));
}
