/**
 * What the lag history stores and answers. Offsets are JS numbers: Kafka's
 * offsets are int64, but a number is exact up to 2^53 (9e15), which a
 * partition writing a million records a second reaches after 285 years.
 * Times are milliseconds since the epoch, as Date.now() gives them.
 */

/** A span of time to read; `stepMs` keeps at most one sample per step (the newest in it), for charts over long spans. */
export interface TimeRange {
  fromMs: number;
  toMs: number;
  stepMs?: number;
}

/** One sample of a group on one partition: its committed offset and the log's offsets read in the same cycle. */
export interface GroupOffsetsPoint {
  atMs: number;
  committed: number;
  /** Null when the partition's log offsets could not be read in that cycle. */
  logStart: number | null;
  logEnd: number | null;
}

export interface GroupPartitionSeries {
  topic: string;
  partition: number;
  /** Oldest first. */
  points: GroupOffsetsPoint[];
}

/** One sample of a partition's log: its start (first offset kept) and end (high watermark). */
export interface LogOffsetsPoint {
  atMs: number;
  logStart: number;
  logEnd: number;
}

export interface TopicPartitionSeries {
  partition: number;
  /** Oldest first. */
  points: LogOffsetsPoint[];
}

/** A group's newest sample on one partition. */
export interface LatestGroupPartition {
  topic: string;
  partition: number;
  committed: number;
  logStart: number | null;
  logEnd: number | null;
  /** Records behind the log end (lib/lag partitionLag); null when the log offsets are unknown. */
  lag: number | null;
  /**
   * Time behind, always estimated from the sampled end offsets (the moment the
   * log end passed the committed offset, interpolated); 0 when caught up, null
   * when the samples cannot place it.
   */
  timeLagMs: number | null;
  /** When this sample was taken. */
  atMs: number;
  /** The member the partition is assigned to, as the group's newest description said; null when none (or not described). */
  member: AssignedMember | null;
}

/** A group member as DescribeGroups reports it (kafka-lag-exporter's consumer_id, client_id, member_host). */
export interface AssignedMember {
  memberId: string;
  clientId: string;
  host: string;
}

/** Every group the newest cycle listed, with its newest committed offsets. */
export interface LatestGroup {
  groupId: string;
  /** As ListGroups reported it (Stable, Empty, ...); null when the cluster does not report states. */
  state: string | null;
  protocolType: string;
  /** When the newest of its samples was taken; null when it has no committed offsets. */
  atMs: number | null;
  /** Sorted by topic then partition. */
  partitions: LatestGroupPartition[];
  /** Sum over partitions with a known lag; null when none is known. */
  lag: number | null;
  /** Largest over its partitions; null when none is known. */
  timeLagMs: number | null;
}

export type CycleOutcome = "ok" | "failed" | "skipped";

export interface CycleRecord {
  id: number;
  startedAtMs: number;
  /** When its samples were read (for ok cycles); when it ended otherwise. */
  atMs: number;
  durationMs: number;
  outcome: CycleOutcome;
  error: string | null;
  groups: number;
  partitions: number;
  requests: number;
}

/** The sampler's own health, from the cycles recorded. */
export interface SamplerHealth {
  lastCycle: CycleRecord | null;
  lastSuccess: CycleRecord | null;
  /** Cycles recorded with each outcome (since the oldest one kept). */
  cycles: Record<CycleOutcome, number>;
}

/** What one cycle read; stored in one transaction (recordCycle) or in slices (recordCycleSliced). */
export interface CycleSample {
  startedAtMs: number;
  /** When the log offsets were read. */
  atMs: number;
  durationMs: number;
  requests: number;
  /** Every group listed; `committed` is null for a group whose offsets could not be read this cycle (its older samples stay its newest). */
  groups: Array<{
    groupId: string;
    state: string | null;
    protocolType: string;
    committed: Array<{ topic: string; partition: number; offset: number }> | null;
    /** The group's members and what each is assigned; left out (or null) when the group was not described this cycle, [] when it has none. */
    members?: Array<AssignedMember & { assignments: Array<{ topic: string; partitions: number[] }> }> | null;
  }>;
  logOffsets: Array<{ topic: string; partition: number; logStart: number; logEnd: number }>;
}

export interface CycleFailure {
  startedAtMs: number;
  atMs: number;
  durationMs: number;
  outcome: "failed" | "skipped";
  error: string;
  requests: number;
}

/** A partition's end offset at one moment (lib/lag's EndOffsetPoint). */
export interface EndOffsetReading {
  timeMs: number;
  endOffset: number;
}
