import { z } from "zod";
import { lagStatusSchema, partitionStatusSchema } from "./lag-status";

/** Ranges the charts offer, and how far back each looks. */
export const LAG_RANGES = { "1h": 3_600_000, "1d": 86_400_000, "1w": 604_800_000 } as const;
export type LagRange = keyof typeof LAG_RANGES;
export const lagRangeSchema = z.enum(Object.keys(LAG_RANGES) as [LagRange, ...LagRange[]]);

/** Points per series the server sends at most, whatever the range: the browser never loads an unbounded amount. */
export const SERIES_POINTS_MAX = 1_000;
/** Series drawn at most in one chart ("per partition" on a group of 500 partitions shows the 20 with the most lag). */
export const SERIES_MAX = 20;

export const LAG_BREAKDOWNS = ["total", "topic", "partition"] as const;
export const lagBreakdownSchema = z.enum(LAG_BREAKDOWNS);
export type LagBreakdown = z.infer<typeof lagBreakdownSchema>;

export const groupLagQuerySchema = z.object({
  range: lagRangeSchema.default("1h"),
  by: lagBreakdownSchema.default("total"),
  /** Only this topic's partitions (by=partition). */
  topic: z.string().max(249).default(""),
});
export type GroupLagQuery = z.infer<typeof groupLagQuerySchema>;

const valuesSchema = z.array(z.number().nullable());

export const lagSeriesSchema = z.object({
  /** Series name: "total", a topic, or "topic/partition". */
  label: z.string(),
  lag: valuesSchema,
  /** How far behind in time per point, in seconds: the largest over the series' partitions, estimated from the sampled end offsets. */
  timeLagSec: valuesSchema,
});

/** A group's lag over a range, on one time grid shared by every series. */
export const groupLagHistorySchema = z.object({
  groupId: z.string(),
  range: lagRangeSchema,
  by: lagBreakdownSchema,
  fromMs: z.number(),
  toMs: z.number(),
  /** Width of one point: at least the sampling interval, wide enough that a series has at most SERIES_POINTS_MAX points. */
  stepMs: z.number(),
  /** Start of each point's step, in ms since the epoch. */
  times: z.array(z.number()),
  series: z.array(lagSeriesSchema),
  /** Series left out because there were more than SERIES_MAX (the ones with least lag at the end). */
  seriesLeftOut: z.number().int(),
  /** Records per second the group committed past, and the producers appended, over its partitions. */
  consumedPerSec: valuesSchema,
  producedPerSec: valuesSchema,
  /** Samples the store holds for the group in the range; 0 is "nothing sampled yet". */
  samples: z.number().int(),
});
export type GroupLagHistory = z.infer<typeof groupLagHistorySchema>;

/** A group's status now, per partition and overall, judged over the window of its latest samples. */
export const groupStatusSchema = z.object({
  groupId: z.string(),
  status: lagStatusSchema,
  reason: z.string(),
  complete: z.boolean(),
  windowMs: z.number(),
  partitions: z.array(partitionStatusSchema.extend({ topic: z.string(), partition: z.number().int() })),
});
export type GroupStatus = z.infer<typeof groupStatusSchema>;

/** A topic's production rate over a range, summed over its partitions. */
export const topicRateHistorySchema = z.object({
  topic: z.string(),
  range: lagRangeSchema,
  fromMs: z.number(),
  toMs: z.number(),
  stepMs: z.number(),
  times: z.array(z.number()),
  producedPerSec: valuesSchema,
  samples: z.number().int(),
});
export type TopicRateHistory = z.infer<typeof topicRateHistorySchema>;

export const topicRateQuerySchema = z.object({ range: lagRangeSchema.default("1h") });

/** Points in a topic list sparkline (the last hour). */
export const SPARKLINE_POINTS = 30;

/** Consumers named in a topic list cell's tooltip; the cell counts them all. */
export const TREND_CONSUMERS_NAMED_MAX = 10;

export const topicTrendsSchema = z.object({
  trends: z.record(
    z.string(),
    z.object({
      trend: valuesSchema,
      ratePerSec: z.number().nullable(),
      /**
       * The groups of the sampler's newest cycle committing on the topic, their lag there summed, and the
       * largest time lag (estimated from the samples); null before the first cycle.
       */
      consumers: z
        .object({ groups: z.number().int(), lag: z.number(), timeLagMs: z.number().nullable(), named: z.array(z.object({ groupId: z.string(), lag: z.number().nullable() })) })
        .nullable(),
    }),
  ),
});
export type TopicTrends = z.infer<typeof topicTrendsSchema>;
