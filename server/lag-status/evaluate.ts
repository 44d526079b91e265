import { worseStatus, type LagStatus, type PartitionStatus } from "@/lib/lag-status";

/**
 * The status of a consumer on a partition, judged over a sliding window of
 * samples as Burrow judges its window of commits. A pure function of the
 * samples and the time: no clock, no I/O, so every rule is unit-tested.
 *
 * Burrow sees every commit with its timestamp (it reads __consumer_offsets);
 * the console samples committed offsets on an interval, so a commit that
 * repeats the same offset is invisible to it. Where Burrow tells STALLED
 * (commits keep coming at one offset) from STOPPED (commits ceased) by the
 * time since the last commit, the console uses the time since the committed
 * offset last changed against the window, and tells the two apart by whether
 * a live member of the group holds the partition.
 */

/** One reading of a partition for a group: when, the group's committed offset and the log's end offset. */
export interface LagSample {
  atMs: number;
  /** Null when the group had no commit for the partition at that time. */
  committed: number | null;
  /** Null when the partition's end offset could not be read at that time. */
  logEnd: number | null;
}

export interface EvaluateOptions {
  nowMs: number;
  /** The sliding window: samples older than nowMs - windowMs are not judged. */
  windowMs: number;
  /**
   * Whether a member of the group is assigned the partition now; null when
   * unknown (the group could not be described). Only tells STALLED from STOPPED.
   */
  consumerActive?: boolean | null;
  /** Samples needed in the window before anything but OK or REWIND is said. */
  minSamples?: number;
}

/** Burrow judges 10 commits; three samples are the fewest that show a trend rather than one step. */
export const MIN_SAMPLES_JUDGED = 3;
/** A window is judged once its samples span at least this share of it (so a restarted console does not cry STOPPED after 3 quick samples). */
export const MIN_WINDOW_SHARE = 0.5;

interface Judged {
  atMs: number;
  committed: number;
  lag: number;
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
const result = (status: LagStatus, reason: string, complete = true): PartitionStatus => ({ status, reason, complete });

/** The status of one partition from its samples (any order, any age; the window is cut here). */
export function evaluatePartition(samples: readonly LagSample[], options: EvaluateOptions): PartitionStatus {
  const { nowMs, windowMs, consumerActive = null, minSamples = MIN_SAMPLES_JUDGED } = options;
  const known: Judged[] = samples
    .filter((s): s is LagSample & { committed: number; logEnd: number } => s.committed !== null && s.logEnd !== null && s.atMs <= nowMs)
    .sort((a, b) => a.atMs - b.atMs)
    .map((s) => ({ atMs: s.atMs, committed: s.committed, lag: Math.max(0, s.logEnd - s.committed) }));
  const window = known.filter((s) => s.atMs > nowMs - windowMs);
  const latest = window.at(-1);
  if (!latest) return result("OK", `no sample with a commit in the last ${seconds(windowMs)}`, false);

  // A consumer with nothing left to read is fine, whatever happened before.
  if (latest.lag === 0) return result("OK", "caught up: lag 0 at the latest sample");

  // Rule: the committed offset went backwards (a reset, or a consumer re-reading).
  for (let i = 1; i < window.length; i++) {
    if (window[i].committed < window[i - 1].committed)
      return result("REWIND", `the committed offset moved back from ${window[i - 1].committed} to ${window[i].committed} ${seconds(nowMs - window[i].atMs)} ago; lag is ${latest.lag}`);
  }

  // Rule (Burrow's first): lag zero at any point in the window is a consumer keeping up.
  const caughtUp = window.find((s) => s.lag === 0);
  if (caughtUp) return result("OK", `lag was 0 ${seconds(nowMs - caughtUp.atMs)} ago, within the window of ${seconds(windowMs)}`);

  const spanMs = latest.atMs - window[0].atMs;
  if (window.length < minSamples || spanMs < windowMs * MIN_WINDOW_SHARE)
    return result("OK", `collecting samples: ${window.length} over ${seconds(spanMs)}, judged from ${minSamples} over ${seconds(windowMs * MIN_WINDOW_SHARE)}`, false);

  // Rule: the committed offset has not changed over the whole window while there is lag.
  if (window.every((s) => s.committed === latest.committed)) {
    // When it last changed, looking further back than the window where older samples exist.
    let since = known.length - 1;
    while (since > 0 && known[since - 1].committed === latest.committed) since--;
    const unchangedMs = nowMs - known[since].atMs;
    const how = `the committed offset has stayed at ${latest.committed} for ${seconds(unchangedMs)} (window ${seconds(windowMs)}) with lag ${latest.lag}`;
    if (consumerActive) return result("STALLED", `${how}, while a member of the group holds the partition`);
    return result("STOPPED", `${how}, and ${consumerActive === false ? "no member of the group consumes the partition" : "whether a member holds it is unknown"}`);
  }

  // Rule (Burrow's last): the consumer commits but its lag never shrinks; here it must also have grown.
  const neverShrinks = window.every((s, i) => i === 0 || s.lag >= window[i - 1].lag);
  if (neverShrinks && latest.lag > window[0].lag)
    return result("WARNING", `the consumer commits (offset ${window[0].committed} → ${latest.committed}) but its lag grew from ${window[0].lag} to ${latest.lag} over ${seconds(spanMs)}`);

  return result("OK", `the consumer commits and its lag (${latest.lag}) is not growing steadily`);
}

export interface PartitionStatusOf extends PartitionStatus {
  topic: string;
  partition: number;
}

/** A group's status: its worst partition's, with that partition named in the reason. */
export function evaluateGroup(partitions: readonly PartitionStatusOf[]): PartitionStatus & { worst: { topic: string; partition: number } | null } {
  let worst: PartitionStatusOf | null = null;
  for (const p of partitions) if (!worst || worseStatus(worst.status, p.status) !== worst.status) worst = p;
  if (!worst) return { status: "OK", reason: "no partition with a commit", complete: false, worst: null };
  const complete = partitions.every((p) => p.complete);
  if (worst.status === "OK") return { status: "OK", reason: `all ${partitions.length} partition${partitions.length === 1 ? "" : "s"} OK`, complete, worst: null };
  const same = partitions.filter((p) => p.status === worst.status).length;
  const others = same > 1 ? ` (and ${same - 1} more partition${same === 2 ? "" : "s"})` : "";
  return { status: worst.status, reason: `${worst.topic}/${worst.partition}${others}: ${worst.reason}`, complete, worst: { topic: worst.topic, partition: worst.partition } };
}
