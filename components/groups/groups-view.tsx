"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { GROUPS_DESCRIBED_MAX, type GroupSummary } from "@/lib/contracts";
import { formatNumber } from "@/lib/format";
import { compareBy, nextSort } from "@/lib/sort";
import { paginate, PAGE_SIZE } from "@/lib/paginate";
import { paths } from "@/lib/paths";
import { groupsQuery } from "@/lib/queries";
import { useSearchParamsState } from "@/lib/use-search-params-state";
import { Input, Select } from "@/components/ui/field";
import { PageHeader } from "@/components/ui/layout";
import { Pagination } from "@/components/ui/pagination";
import { SortHeader } from "@/components/ui/sort-header";
import { EmptyState, ErrorState, Loading, Notice } from "@/components/ui/states";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { GroupStateBadge } from "./group-state";
import { TimeLag } from "./time-lag";
import { readGroupListParams, type GroupSort } from "./search-params";

const SORT_VALUE: Record<GroupSort, (g: GroupSummary) => number | string> = {
  id: (g) => g.groupId,
  state: (g) => g.state,
  members: (g) => g.members,
  topics: (g) => g.topics.length,
  lag: (g) => g.lag ?? -1,
  timeLag: (g) => g.timeLagMs ?? -1,
};

export function GroupsView() {
  const { data, error, isPending, refetch } = useQuery(groupsQuery());
  const { params, update } = useSearchParamsState();
  const state = readGroupListParams(params);

  const shown = useMemo(() => {
    if (!data) return [];
    const q = state.q.trim().toLowerCase();
    const value = SORT_VALUE[state.sort];
    return data.groups
      .filter((g) => (!q || g.groupId.toLowerCase().includes(q) || g.topics.some((t) => t.topic.toLowerCase().includes(q))) && (!state.state || g.state === state.state))
      .sort(compareBy(value, state.dir));
  }, [data, state.q, state.state, state.sort, state.dir]);
  const page = paginate(shown, state.page);
  const states = useMemo(() => [...new Set(data?.groups.map((g) => g.state) ?? [])].sort(), [data]);

  const header = (column: GroupSort, label: string, right = false) => (
    <SortHeader column={column} label={label} sort={state.sort} dir={state.dir} right={right} onSort={(c) => update({ ...nextSort(state, c), page: undefined })} />
  );

  return (
    <>
      <PageHeader
        title="Consumer groups"
        subtitle={data?.supported ? `${data.groups.length} group${data.groups.length === 1 ? "" : "s"} · total lag ${formatNumber(data.groups.reduce((s, g) => s + (g.lag ?? 0), 0))}` : undefined}
      />
      <div className="mb-4 flex flex-wrap items-center gap-4">
        <Input placeholder="Search groups or topics" value={state.q} onChange={(e) => update({ q: e.target.value, page: undefined })} data-testid="group-search" className="w-80" />
        <Select value={state.state} onChange={(e) => update({ state: e.target.value, page: undefined })} data-testid="group-state-filter" aria-label="State">
          <option value="">any state</option>
          {states.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </Select>
      </div>
      {state.q.trim() && data?.truncated && !data.groups.some((g) => g.groupId === state.q.trim()) ? (
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
        <EmptyState title="This cluster does not answer consumer-group requests">ListGroups failed; the cluster or the console's credentials do not allow it.</EmptyState>
      ) : shown.length === 0 ? (
        <EmptyState title={data.groups.length === 0 ? "No consumer groups yet" : "No group matches"}>
          {data.groups.length === 0 ? "Groups appear here once a consumer joins one or commits offsets." : "Change the search or the state filter."}
        </EmptyState>
      ) : (
        <>
          {data.truncated ? (
            <div className="mb-3">
              <Notice>
                The cluster has {formatNumber(data.total)} groups. The first {GROUPS_DESCRIBED_MAX} by name are shown with state and lag
                {data.total > data.groups.length ? `, the next ${formatNumber(data.groups.length - GROUPS_DESCRIBED_MAX)} by name only, the rest not at all` : ", the rest by name only"}
                ; type a group's exact id in the search box to open it.
              </Notice>
            </div>
          ) : null}
          <Table testId="groups-table">
            <thead>
              <tr>
                {header("id", "Group")}
                {header("state", "State")}
                <Th>Protocol</Th>
                {header("members", "Members", true)}
                {header("topics", "Topics")}
                {header("lag", "Lag", true)}
                {header("timeLag", "Time lag", true)}
              </tr>
            </thead>
            <tbody>
              {page.rows.map((g) => (
                <Tr key={g.groupId} data-testid={`group-row-${g.groupId}`}>
                  <Td>
                    <Link href={paths.group(g.groupId)} className="font-medium underline-offset-2 hover:underline">
                      {g.groupId}
                    </Link>
                  </Td>
                  <Td>
                    <GroupStateBadge state={g.state} />
                  </Td>
                  <Td>{g.protocolType || "–"}</Td>
                  <Td className="text-right tabular-nums">{g.members}</Td>
                  <Td className="max-w-md">
                    {g.topics.length === 0
                      ? "–"
                      : g.topics.map((t, i) => (
                          <span key={t.topic}>
                            {i ? ", " : ""}
                            <Link href={paths.topic(t.topic, { tab: "consumers" })} className="underline-offset-2 hover:underline">
                              {t.topic}
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
          <Pagination of={page} pageSize={PAGE_SIZE} onPage={(p) => update({ page: p }, { push: true })} />
        </>
      )}
    </>
  );
}
