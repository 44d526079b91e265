import type { EndOffsetPoint } from "@/lib/lag";

/**
 * Earlier readings of partitions' end offsets, for estimating time lag where
 * the record at a committed offset can no longer be read. The console records
 * the end offsets it reads anyway (in memory); the sampler's readings, kept in
 * the lag history database, come in through SampledEndOffsetHistory.
 */
export interface EndOffsetHistory {
  record(topic: string, partition: number, endOffset: number, timeMs: number): void;
  /**
   * Readings of one partition, oldest first: all of them, or at least those
   * that place `near` (a committed offset) in time, when it is given.
   */
  points(topic: string, partition: number, near?: number): readonly EndOffsetPoint[];
}

/** Readings kept per partition, and partitions kept; memory stays bounded at about their product. */
export const HISTORY_POINTS_PER_PARTITION = 64;
export const HISTORY_PARTITIONS_MAX = 20_000;
/** Readings closer together than this replace each other, so a page refreshing every few seconds keeps a long span. */
export const HISTORY_MIN_SPACING_MS = 10_000;

/**
 * The newest readings of the most recently read partitions, in memory. The
 * newest reading of a partition is always kept, replacing the one before while
 * that was closer than the minimum spacing to its predecessor; a partition
 * whose end went backwards (topic deleted and created again) starts over.
 */
export class InMemoryEndOffsetHistory implements EndOffsetHistory {
  private readonly byPartition = new Map<string, EndOffsetPoint[]>();

  constructor(
    private readonly pointsPerPartition = HISTORY_POINTS_PER_PARTITION,
    private readonly partitionsMax = HISTORY_PARTITIONS_MAX,
    private readonly minSpacingMs = HISTORY_MIN_SPACING_MS,
  ) {}

  record(topic: string, partition: number, endOffset: number, timeMs: number): void {
    const key = `${topic}\u0000${partition}`;
    let points = this.byPartition.get(key);
    if (points) this.byPartition.delete(key); // re-inserted below: the Map's order is least recently read first
    else points = [];
    const last = points.at(-1);
    if (last && (endOffset < last.endOffset || timeMs < last.timeMs)) points = [];
    const beforeLast = points.at(-2);
    // A newest reading too close to the one before it was only standing in for the latest: this one replaces it.
    if (last && beforeLast && last.timeMs - beforeLast.timeMs < this.minSpacingMs) points.pop();
    points.push({ timeMs, endOffset });
    if (points.length > this.pointsPerPartition) points.splice(0, points.length - this.pointsPerPartition);
    this.byPartition.set(key, points);
    if (this.byPartition.size > this.partitionsMax) this.byPartition.delete(this.byPartition.keys().next().value!);
  }

  points(topic: string, partition: number, _near?: number): readonly EndOffsetPoint[] {
    return this.byPartition.get(`${topic}\u0000${partition}`) ?? [];
  }

  get partitionCount(): number {
    return this.byPartition.size;
  }
}
