import { readPageParam } from "@/lib/paginate";
import { TOPIC_SORTS, type TopicListQuery, type TopicSort } from "@/lib/topic-list";

/** URL state of the topics list: ?q=&sort=name|partitions|records|size|urp&dir=asc|desc&internal=1&page=2&create=1 (read leniently: a bad value is the default). */
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

/** The part of the URL state the server answers: what the topics API is asked. */
export const topicListQuery = ({ q, sort, dir, internal, page }: TopicListParams): TopicListQuery => ({ q: q.trim(), sort, dir, internal, page });
