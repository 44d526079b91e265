import { LAG_BREAKDOWNS, LAG_RANGES, type LagBreakdown, type LagRange } from "@/lib/lag-history";
import { GROUP_SORTS, type GroupListQuery, type GroupSort } from "@/lib/group-list";
import { LAG_STATUSES, type LagStatus } from "@/lib/lag-status";
import { readPageParam } from "@/lib/paginate";

/** URL state of the groups list: ?q=&status=&state=&sort=id|state|status|topics|lag|timeLag&dir=asc|desc&page= (read leniently: a bad value is the default). */
export function readGroupListParams(params: URLSearchParams) {
  const sort = params.get("sort");
  const status = params.get("status") ?? "";
  return {
    q: params.get("q") ?? "",
    status: ((LAG_STATUSES as readonly string[]).includes(status) ? status : "") as LagStatus | "",
    state: params.get("state") ?? "",
    sort: (GROUP_SORTS as readonly string[]).includes(sort ?? "") ? (sort as GroupSort) : "id",
    dir: params.get("dir") === "desc" ? ("desc" as const) : ("asc" as const),
    page: readPageParam(params.get("page")),
  };
}

/** The part of the URL state the server answers: what the group-list API is asked. */
export const groupListQuery = ({ q, status, state, sort, dir, page }: ReturnType<typeof readGroupListParams>): GroupListQuery => ({ q: q.trim(), status, state, topic: "", sort, dir, page });

/**
 * URL state of a group page: ?topic= (partition filter) &page= (partitions) &mpage= (members) &paused=1 &reset=1,
 * and of its lag chart: &range=1h|1d|1w &by=total|topic|partition &ltopic= (the partitions' topic) &lunit=time (lag in seconds)
 */
export function readGroupParams(params: URLSearchParams) {
  return {
    topic: params.get("topic") ?? "",
    page: readPageParam(params.get("page")),
    membersPage: readPageParam(params.get("mpage")),
    paused: params.get("paused") === "1",
    reset: params.get("reset") === "1",
    range: (Object.keys(LAG_RANGES).includes(params.get("range") ?? "") ? params.get("range") : "1h") as LagRange,
    by: ((LAG_BREAKDOWNS as readonly string[]).includes(params.get("by") ?? "") ? params.get("by") : "total") as LagBreakdown,
    lagTopic: params.get("ltopic") ?? "",
    lagInTime: params.get("lunit") === "time",
  };
}
