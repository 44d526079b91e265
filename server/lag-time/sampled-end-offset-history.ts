import type { EndOffsetPoint } from "@/lib/lag";
import type { ClusterLagHistory } from "../lag-history/store";
import type { EndOffsetHistory } from "./end-offset-history";

/**
 * End-offset readings from the lag history (the sampler's, kept in the
 * database, so estimates survive a restart) together with the ones this
 * process read since (a page load reads fresher ends than the last cycle).
 */
export class SampledEndOffsetHistory implements EndOffsetHistory {
  constructor(
    private readonly samples: ClusterLagHistory,
    private readonly recent: EndOffsetHistory,
  ) {}

  record(topic: string, partition: number, endOffset: number, timeMs: number): void {
    this.recent.record(topic, partition, endOffset, timeMs);
  }

  points(topic: string, partition: number, near?: number): readonly EndOffsetPoint[] {
    const recent = this.recent.points(topic, partition, near);
    const stored = near === undefined ? [] : this.samples.endOffsetReadings(topic, partition, near);
    if (stored.length === 0) return recent;
    const merged = [...stored, ...recent].sort((a, b) => a.timeMs - b.timeMs);
    // The end only grows: a reading below one before it belongs to an earlier log of the same name, and what came before it is dropped.
    let start = 0;
    for (let i = 1; i < merged.length; i++) if (merged[i].endOffset < merged[i - 1].endOffset) start = i;
    return merged.slice(start);
  }
}
