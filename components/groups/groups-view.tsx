"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import type { GroupListPage } from "@/lib/group-list";
import { LAG_STATUSES } from "@/lib/lag-status";
import { ago, formatNumber, plural } from "@/lib/format";
import { nextSort } from "@/lib/sort";
import { paths } from "@/lib/paths";
import { groupListQuery as groupListPageQuery } from "@/lib/queries";
import { useSearchParamsState } from "@/lib/use-search-params-state";
import { Input, Select } from "@/components/ui/field";
import { PageHeader } from "@/components/ui/layout";
import { Pagination } from "@/components/ui/pagination";
import { SortHeader } from "@/components/ui/sort-header";
import { EmptyState, ErrorState, Loading, Notice } from "@/components/ui/states";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { GroupStateBadge } from "./group-state";
import { LagStatusBadge, LagStatusLegend } from "./lag-status";
import { TimeLag } from "./time-lag";
import type { GroupSort } from "@/lib/group-list";
import { groupListQuery, readGroupListParams } from "./search-params";

/** The heading: what the totals cover, said in so many words (every group sampled, or the part of a live read). */
function coverage(data: GroupListPage, filtered: boolean, nowMs: number): string {
  const what =
    data.source === "samples"
      ? `total lag of ${plural(data.covered, "group")} sampled ${data.sampledAtMs ? ago(nowMs - data.sampledAtMs) : "(no cycle yet)"}: ${formatNumber(data.coveredLag)}`
      : `total lag of the ${plural(data.covered, "group")} read now${data.total > data.covered ? ` (of ${formatNumber(data.total)} in the cluster)` : ""}: ${formatNumber(data.coveredLag)}`;
  return filtered ? `${what} · ${plural(data.matching, "group")} matching, lag ${formatNumber(data.matchingLag)}` : what;
}

export function GroupsView() {
  const { params, update } = useSearchParamsState();
  const state = readGroupListParams(params);
  const { data, error, isPending, refetch, dataUpdatedAt } = useQuery(groupListPageQuery(groupListQuery(state)));
  const filtered = Boolean(state.q.trim() || state.status || state.state);

  const header = (column: GroupSort, label: string, right = false) => (
    <SortHeader column={column} label={label} sort={state.sort} dir={state.dir} right={right} onSort={(c) => update({ ...nextSort(state, c), page: undefined })} />
  );

  return (
    <>
      <PageHeader title="Consumer groups" subtitle={data?.supported ? <span data-testid="groups-coverage">{coverage(data, filtered, dataUpdatedAt)}</span> : undefined} />
      <div className="mb-4 flex flex-wrap items-center gap-4">
        <Input placeholder="Search groups or topics" value={state.q} onChange={(e) => update({ q: e.target.value, page: undefined })} data-testid="group-search" className="w-80" />
        <Select value={state.status} onChange={(e) => update({ status: e.target.value, page: undefined })} data-testid="group-status-filter" aria-label="Status">
          <option value="">any status</option>
          {LAG_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
              {data?.source === "samples" ? ` (${formatNumber(data.statusCounts[s] ?? 0)})` : ""}
            </option>
          ))}
        </Select>
        <Select value={state.state} onChange={(e) => update({ state: e.target.value, page: undefined })} data-testid="group-state-filter" aria-label="State">
          <option value="">any state</option>
          {(data?.states ?? []).map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </Select>
      </div>
      {state.q.trim() && data?.source === "live" && data.total > data.covered && !data.groups.some((g) => g.groupId === state.q.trim()) ? (
        <p className="-mt-2 mb-4 text-sm">
          <Link href={paths.group(state.q.trim())} className="underline" data-testid="open-group-by-id">
            Open the group &ldquo;{state.q.trim()}&rdquo;
          </Link>{" "}
          <span className="text-slate-500">(groups not listed here still open by their exact id)</span>
        </p>
      ) : null}
      {isPending ? (
        <Loading />
      ) : error ? (
        <ErrorState error={error} onRetry={() => refetch()} />
      ) : !data.supported ? (
        <EmptyState title="This cluster does not answer consumer-group requests">ListGroups failed; the cluster or the console&apos;s credentials do not allow it.</EmptyState>
      ) : data.matching === 0 ? (
        <EmptyState title={data.covered === 0 ? "No consumer groups yet" : "No group matches"}>
          {data.covered === 0 ? "Groups appear here once a consumer joins one or commits offsets." : "Change the search or the filters."}
        </EmptyState>
      ) : (
        <>
          {data.source === "samples" && !data.statusesCurrent ? (
            <div className="mb-3">
              <Notice testId="groups-judging-notice">Judging the statuses of {plural(data.covered, "group")} over the latest samples; the statuses shown are the previous cycle&apos;s.</Notice>
            </div>
          ) : null}
          {data.source === "live" ? (
            <div className="mb-3">
              <Notice testId="groups-live-notice">
                No samples yet: these are the {plural(data.covered, "group")} a live read covers{data.total > data.covered ? ` of ${formatNumber(data.total)}` : ""}, without status. Once the
                sampler has run, the list covers every group.
              </Notice>
            </div>
          ) : null}
          <Table testId="groups-table">
            <thead>
              <tr>
                {header("id", "Group")}
                {header("state", "State")}
                {header("status", "Status")}
                <Th>Protocol</Th>
                {header("topics", "Topics")}
                {header("lag", "Lag", true)}
                {header("timeLag", "Time lag", true)}
              </tr>
            </thead>
            <tbody>
              {data.groups.map((g) => (
                <Tr key={g.groupId} data-testid={`group-row-${g.groupId}`}>
                  <Td>
                    <Link href={paths.group(g.groupId)} className="font-medium underline-offset-2 hover:underline">
                      {g.groupId}
                    </Link>
                  </Td>
                  <Td>
                    <GroupStateBadge state={g.state} />
                  </Td>
                  <Td>
                    <LagStatusBadge status={g.status} reason={g.statusReason} testId="group-status" />
                  </Td>
                  <Td>{g.protocolType || "–"}</Td>
                  <Td className="max-w-md">
                    {g.topics.length === 0
                      ? "–"
                      : g.topics.map((t, i) => (
                          <span key={t}>
                            {i ? ", " : ""}
                            <Link href={paths.topic(t, { tab: "consumers" })} className="underline-offset-2 hover:underline">
                              {t}
                            </Link>
                          </span>
                        ))}
                  </Td>
                  <Td className="text-right tabular-nums" data-testid="group-lag">
                    {formatNumber(g.lag)}
                  </Td>
                  <Td className="text-right tabular-nums">
                    <TimeLag ms={g.timeLagMs} estimated={g.timeLagEstimated} aggregate testId="group-time-lag" />
                  </Td>
                </Tr>
              ))}
            </tbody>
          </Table>
          <Pagination of={{ rows: data.groups, page: data.page, pages: data.pages, total: data.matching }} pageSize={data.pageSize} onPage={(p) => update({ page: p }, { push: true })} />
          <details className="mt-4 text-sm">
            <summary className="cursor-pointer text-slate-600 dark:text-slate-400">What the statuses mean</summary>
            <div className="mt-2">
              <LagStatusLegend />
            </div>
          </details>
        </>
      )}
    </>
  );
}
