import "server-only";

/**
 * What the views read from the sampled lag history (server/lag-history's
 * ClusterLagHistory has this shape), narrowed to the reads they make, so the
 * views and their tests depend on reads rather than on the database.
 */
export interface GroupOffsetsSeries {
  topic: string;
  partition: number;
  points: Array<{ atMs: number; committed: number; logStart: number | null; logEnd: number | null }>;
}

export interface LatestGroupSample {
  groupId: string;
  state: string | null;
  protocolType: string;
  atMs: number | null;
  partitions: Array<{
    topic: string;
    partition: number;
    committed: number;
    logEnd: number | null;
    lag: number | null;
    timeLagMs: number | null;
    atMs: number;
    /** The member assigned the partition as the newest DescribeGroups said; null when none (or the group was not described). */
    member?: { memberId: string } | null;
  }>;
  lag: number | null;
  timeLagMs: number | null;
}

export interface LagHistoryReader {
  groupSeries(groupId: string, range: { fromMs: number; toMs: number; stepMs?: number }): GroupOffsetsSeries[];
  /** A group's last `n` samples per partition. */
  window(groupId: string, n: number): GroupOffsetsSeries[];
  topicSeries(topic: string, range: { fromMs: number; toMs: number; stepMs?: number }): Array<{ partition: number; points: Array<{ atMs: number; logStart: number; logEnd: number }> }>;
  latestByGroup(nowMs?: number): LatestGroupSample[];
  /** The sampler's newest successful cycle: when it read, and how many groups it listed. */
  health(): { lastSuccess: { atMs: number; groups: number } | null };
}

/** The history the views read, and the interval it is sampled at. */
export interface LagHistorySource {
  reader: LagHistoryReader;
  sampleIntervalMs: number;
}
