import { readPageParam } from "@/lib/paginate";

/** URL state of the groups list: ?q=&state=&sort=id|state|members|topics|lag|timeLag&dir=asc|desc&page= */
export const GROUP_SORTS = ["id", "state", "members", "topics", "lag", "timeLag"] as const;
export type GroupSort = (typeof GROUP_SORTS)[number];

export function readGroupListParams(params: URLSearchParams) {
  const sort = params.get("sort");
  return {
    q: params.get("q") ?? "",
    state: params.get("state") ?? "",
    sort: (GROUP_SORTS as readonly string[]).includes(sort ?? "") ? (sort as GroupSort) : "id",
    dir: params.get("dir") === "desc" ? ("desc" as const) : ("asc" as const),
    page: readPageParam(params.get("page")),
  };
}

/** URL state of a group page: ?topic= (partition filter) &page= (partitions) &mpage= (members) &paused=1 &reset=1 */
export function readGroupParams(params: URLSearchParams) {
  return {
    topic: params.get("topic") ?? "",
    page: readPageParam(params.get("page")),
    membersPage: readPageParam(params.get("mpage")),
    paused: params.get("paused") === "1",
    reset: params.get("reset") === "1",
  };
}
