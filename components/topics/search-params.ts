import { readPageParam } from "@/lib/paginate";

/** URL state of the topics list: ?q=&sort=name|partitions|records|size|urp&dir=asc|desc&internal=1&page=2&create=1 */
export const TOPIC_SORTS = ["name", "partitions", "replication", "urp", "size", "records"] as const;
export type TopicSort = (typeof TOPIC_SORTS)[number];

export interface TopicListParams {
  q: string;
  sort: TopicSort;
  dir: "asc" | "desc";
  internal: boolean;
  /** 1-based; back to 1 whenever the search, the sort or the internal filter changes. */
  page: number;
  create: boolean;
}

export function readTopicListParams(params: URLSearchParams): TopicListParams {
  const sort = params.get("sort");
  return {
    q: params.get("q") ?? "",
    sort: (TOPIC_SORTS as readonly string[]).includes(sort ?? "") ? (sort as TopicSort) : "name",
    dir: params.get("dir") === "desc" ? "desc" : "asc",
    internal: params.get("internal") === "1",
    page: readPageParam(params.get("page")),
    create: params.get("create") === "1",
  };
}
