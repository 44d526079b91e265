import { z } from "zod";
import { lagStatusRank, lagStatusSchema, LAG_STATUSES, type LagStatus } from "./lag-status";
import { paginate, PAGE_SIZE } from "./paginate";
import { compareBy } from "./sort";

/**
 * The groups list as the server serves it: every group the sampler saw, filtered,
 * sorted and cut to one page, so the browser holds at most PAGE_SIZE rows however
 * many groups the cluster has. The same query lives in the page's URL
 * (?q=&status=&state=&sort=&dir=&page=).
 */
export const GROUP_SORTS = ["id", "state", "status", "topics", "lag", "timeLag"] as const;
export type GroupSort = (typeof GROUP_SORTS)[number];

export const groupListQuerySchema = z.object({
  /** Part of a group id or of a topic it commits to (case-insensitive). */
  q: z.string().max(1000).default(""),
  status: z.union([lagStatusSchema, z.literal("")]).default(""),
  state: z.string().max(100).default(""),
  /** Only the groups committing on this topic (exact name); each row's partitions, lag, time lag and status then cover that topic alone. */
  topic: z.string().max(1000).default(""),
  sort: z.enum(GROUP_SORTS).default("id"),
  dir: z.enum(["asc", "desc"]).default("asc"),
  page: z.coerce.number().int().min(1).default(1),
});
export type GroupListQuery = z.infer<typeof groupListQuerySchema>;

export const groupRowSchema = z.object({
  groupId: z.string(),
  state: z.string(),
  protocolType: z.string(),
  topics: z.array(z.string()),
  partitions: z.number().int(),
  lag: z.number().nullable(),
  timeLagMs: z.number().nullable(),
  /** Time lag from the samples is always estimated (the kafka-lag-exporter method). */
  timeLagEstimated: z.boolean(),
  status: lagStatusSchema.nullable(),
  statusReason: z.string().nullable(),
});
export type GroupRow = z.infer<typeof groupRowSchema>;

export const groupListPageSchema = z.object({
  /** False when the cluster does not answer group requests. */
  supported: z.boolean(),
  /** "samples": every group, from the sampler's latest cycle; "live": read now, the first groups by id only (no samples yet). */
  source: z.enum(["samples", "live"]),
  /** When the samples shown were read; null for a live read. */
  sampledAtMs: z.number().nullable(),
  groups: z.array(groupRowSchema),
  /** Groups the rows were chosen from: every group sampled, or the ones a live read covers. */
  covered: z.number().int(),
  /** Groups in the cluster as far as the console knows (more than `covered` on a live read of a large cluster). */
  total: z.number().int(),
  /** Covered groups matching the search and filters, and their summed lag (over those with a known lag). */
  matching: z.number().int(),
  matchingLag: z.number(),
  /** Sum of lag over every covered group, and how many of them have a known lag. */
  coveredLag: z.number(),
  withLag: z.number().int(),
  /** False while the statuses of the latest cycle are still being judged (a large cluster): those shown are the cycle before's, or none. */
  statusesCurrent: z.boolean(),
  /** Covered groups per status, for the filter. */
  statusCounts: z.record(lagStatusSchema, z.number().int()),
  states: z.array(z.string()),
  page: z.number().int(),
  pages: z.number().int(),
  pageSize: z.number().int(),
});
export type GroupListPage = z.infer<typeof groupListPageSchema>;

const statusKey = (g: GroupRow) => (g.status === null ? -1 : lagStatusRank(g.status));
const SORT_KEY: Record<GroupSort, (g: GroupRow) => number | string> = {
  id: (g) => g.groupId,
  state: (g) => g.state,
  status: statusKey,
  topics: (g) => g.topics.length,
  lag: (g) => g.lag ?? -1,
  timeLag: (g) => g.timeLagMs ?? -1,
};

type Covered = Pick<GroupListPage, "supported" | "source" | "sampledAtMs" | "total">;

/** One page of `all` for a query: search, status and state filters, sort (ties by id), with totals that say what they cover. */
export function selectGroups(all: readonly GroupRow[], query: GroupListQuery, covered: Covered): Omit<GroupListPage, "statusesCurrent"> {
  const q = query.q.trim().toLowerCase();
  const byId = compareBy<GroupRow>(SORT_KEY.id, "asc");
  const byKey = compareBy(SORT_KEY[query.sort], query.dir);
  const matching = all
    .filter((g) => !q || g.groupId.toLowerCase().includes(q) || g.topics.some((t) => t.toLowerCase().includes(q)))
    .filter((g) => (!query.status || g.status === query.status) && (!query.state || g.state === query.state))
    .sort((a, b) => byKey(a, b) || byId(a, b));
  const page = paginate(matching, query.page, PAGE_SIZE);
  const sumLag = (rows: readonly GroupRow[]) => rows.reduce((sum, g) => sum + (g.lag ?? 0), 0);
  const statusCounts = Object.fromEntries(LAG_STATUSES.map((s) => [s, 0])) as Record<LagStatus, number>;
  for (const g of all) if (g.status) statusCounts[g.status]++;
  return {
    ...covered,
    groups: page.rows,
    covered: all.length,
    matching: matching.length,
    matchingLag: sumLag(matching),
    coveredLag: sumLag(all),
    withLag: all.filter((g) => g.lag !== null).length,
    statusCounts,
    states: [...new Set(all.map((g) => g.state))].sort(),
    page: page.page,
    pages: page.pages,
    pageSize: PAGE_SIZE,
  };
}
