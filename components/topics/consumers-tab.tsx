"use client";

import { useState } from "react";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import type { GroupListPage } from "@/lib/group-list";
import { ago, formatNumber, plural } from "@/lib/format";
import { paths } from "@/lib/paths";
import { groupListQuery } from "@/lib/queries";
import { GroupStateBadge } from "@/components/groups/group-state";
import { LagStatusBadge } from "@/components/groups/lag-status";
import { TimeLag } from "@/components/groups/time-lag";
import { Pagination } from "@/components/ui/pagination";
import { EmptyState, ErrorState, Loading, Notice } from "@/components/ui/states";
import { Table, Td, Th, Tr } from "@/components/ui/table";

/** What the rows and their total cover: every group the sampler saw on the topic, or the part of a live read. */
function coverage(data: GroupListPage, nowMs: number): string {
  const lag = `lag on this topic ${formatNumber(data.coveredLag)}`;
  return data.source === "samples"
    ? `${plural(data.covered, "group")} committing on this topic, of every group sampled ${data.sampledAtMs ? ago(nowMs - data.sampledAtMs) : ""}; ${lag}`
    : `${plural(data.covered, "group")} committing on this topic among the groups read now${data.total > data.covered ? ` (a live read covers the first groups by id of ${formatNumber(data.total)})` : ""}; ${lag}`;
}

/**
 * The groups that committed offsets on this topic, with their lag, time lag
 * and status there: the groups list filtered to the topic on the server, over
 * every group the sampler saw (a live read of the first groups before the
 * first cycle), sorted by lag, one page at a time.
 */
export function ConsumersTab({ topic }: { topic: string }) {
  const [page, setPage] = useState(1);
  const { data, error, isPending, refetch, dataUpdatedAt } = useQuery(groupListQuery({ q: "", status: "", state: "", topic, sort: "lag", dir: "desc", page }));
  if (isPending) return <Loading />;
  if (error) return <ErrorState error={error} onRetry={() => refetch()} />;
  if (!data.supported) return <EmptyState title="This cluster does not answer consumer-group requests" />;
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="consumers-coverage">
        {coverage(data, dataUpdatedAt)}
      </p>
      {data.source === "live" ? <Notice>No samples yet: statuses appear after the sampler&apos;s first cycles.</Notice> : null}
      {data.groups.length === 0 ? (
        <EmptyState title="No consumer group has committed offsets on this topic">Groups appear here once a consumer of this topic commits.</EmptyState>
      ) : (
        <Table testId="consumers-table">
          <thead>
            <tr>
              <Th>Group</Th>
              <Th>State</Th>
              <Th title="The worst status of the group's partitions of this topic, judged over the recent samples">Status</Th>
              <Th className="text-right">Partitions committed</Th>
              <Th className="text-right">Lag on this topic</Th>
              <Th className="text-right" title="The largest over the group's partitions of this topic; ≈ marks an estimate">
                Time lag
              </Th>
            </tr>
          </thead>
          <tbody>
            {data.groups.map((g) => (
              <Tr key={g.groupId} data-testid={`consumer-row-${g.groupId}`}>
                <Td>
                  <Link className="font-medium underline-offset-2 hover:underline" href={paths.group(g.groupId, { topic })}>
                    {g.groupId}
                  </Link>
                </Td>
                <Td>
                  <GroupStateBadge state={g.state} />
                </Td>
                <Td>{g.status ? <LagStatusBadge status={g.status} reason={g.statusReason} testId="consumer-status" /> : <span className="text-slate-400">–</span>}</Td>
                <Td className="text-right tabular-nums">{g.partitions}</Td>
                <Td className="text-right tabular-nums" data-testid="consumer-lag">
                  {formatNumber(g.lag)}
                </Td>
                <Td className="text-right tabular-nums">
                  <TimeLag ms={g.timeLagMs} estimated={g.timeLagEstimated} aggregate testId="consumer-time-lag" />
                </Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      )}
      <Pagination of={{ rows: data.groups, page: data.page, pages: data.pages, total: data.matching }} pageSize={data.pageSize} onPage={setPage} testId="consumers-pagination" />
    </div>
  );
}
