import { z } from "zod";
import { topicSummarySchema, type TopicSummary } from "./contracts";
import { paginate, PAGE_SIZE } from "./paginate";
import { compareBy } from "./sort";

/**
 * The topic list as the server serves it: filtered, sorted and cut to one page,
 * so the browser holds at most PAGE_SIZE summaries however large the cluster.
 * The same query lives in the page's URL (?q=&sort=&dir=&internal=1&page=).
 */
export const TOPIC_SORTS = ["name", "partitions", "replication", "urp", "size", "records"] as const;
export type TopicSort = (typeof TOPIC_SORTS)[number];

export const topicListQuerySchema = z.object({
  q: z.string().max(249).default(""),
  sort: z.enum(TOPIC_SORTS).default("name"),
  dir: z.enum(["asc", "desc"]).default("asc"),
  /** "1" shows internal topics (__consumer_offsets ...), hidden by default. */
  internal: z.preprocess((v) => v === true || v === "1" || v === "true", z.boolean()),
  page: z.coerce.number().int().min(1).default(1),
});
export type TopicListQuery = z.infer<typeof topicListQuerySchema>;

export const topicListSchema = z.object({
  /** One page of the matching topics. */
  topics: z.array(topicSummarySchema),
  /** Topics matching the search (and the internal filter). */
  matching: z.number().int(),
  /** Matching topics whose record count could not be read. */
  uncounted: z.number().int(),
  page: z.number().int(),
  pages: z.number().int(),
  pageSize: z.number().int(),
  /** Topics in the cluster, not counting internal ones, and internal ones. */
  topicCount: z.number().int(),
  internalCount: z.number().int(),
});
export type TopicList = z.infer<typeof topicListSchema>;

const SORT_KEY: Record<TopicSort, (t: TopicSummary) => number | string> = {
  name: (t) => t.name,
  partitions: (t) => t.partitions,
  replication: (t) => t.replicationFactor,
  urp: (t) => t.underReplicatedPartitions,
  size: (t) => t.sizeBytes ?? -1,
  records: (t) => t.approximateRecords ?? -1,
};

/** One page of `all` for a query: search by name (case-insensitive), internal filter, sort (ties by name). */
export function selectTopics(all: readonly TopicSummary[], query: TopicListQuery): TopicList {
  const q = query.q.trim().toLowerCase();
  const byName = compareBy<TopicSummary>(SORT_KEY.name, "asc");
  const byKey = compareBy(SORT_KEY[query.sort], query.dir);
  const matching = all
    .filter((t) => (query.internal || !t.internal) && (!q || t.name.toLowerCase().includes(q)))
    .sort((a, b) => byKey(a, b) || byName(a, b));
  const page = paginate(matching, query.page, PAGE_SIZE);
  const internalCount = all.filter((t) => t.internal).length;
  return {
    topics: page.rows,
    matching: matching.length,
    uncounted: matching.filter((t) => t.approximateRecords === null).length,
    page: page.page,
    pages: page.pages,
    pageSize: PAGE_SIZE,
    topicCount: all.length - internalCount,
    internalCount,
  };
}
