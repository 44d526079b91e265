import { z } from "zod";

/**
 * Health of a consumer on a partition, judged over a sliding window of lag
 * samples in the manner of Burrow. Ordered from best to worst: a group's
 * status is its worst partition's.
 */
export const LAG_STATUSES = ["OK", "WARNING", "STALLED", "STOPPED", "REWIND"] as const;
export const lagStatusSchema = z.enum(LAG_STATUSES);
export type LagStatus = z.infer<typeof lagStatusSchema>;

/** What each status means, as the UI explains it (legend and tooltips). */
export const LAG_STATUS_MEANING: Record<LagStatus, string> = {
  OK: "Caught up at some point in the window, or the lag is shrinking.",
  WARNING: "The consumer commits, but its lag grew over the whole window: it is slower than the producers.",
  STALLED: "A member of the group holds the partition, but the committed offset has not moved over the window while there is lag.",
  STOPPED: "The committed offset has not moved for longer than the window, there is lag, and no member of the group consumes the partition.",
  REWIND: "The committed offset moved backwards within the window (an offset reset or a consumer that re-read).",
};

/** Severity rank: higher is worse. */
export const lagStatusRank = (status: LagStatus): number => LAG_STATUSES.indexOf(status);

/** The worse of two statuses. */
export const worseStatus = (a: LagStatus, b: LagStatus): LagStatus => (lagStatusRank(b) > lagStatusRank(a) ? b : a);

export const partitionStatusSchema = z.object({
  status: lagStatusSchema,
  /** One sentence saying why, with the figures it rests on. */
  reason: z.string(),
  /** False while the window holds too few samples to judge; the status is then OK. */
  complete: z.boolean(),
});
export type PartitionStatus = z.infer<typeof partitionStatusSchema>;
