"use client";

import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { apiFetch, ApiRequestError } from "@/lib/api-client";
import { isResettable, type GroupDetail } from "@/lib/contracts";
import { formatNumber, formatTimeLag } from "@/lib/format";
import { largestTimeLag } from "@/lib/lag";
import { paginate, PAGE_SIZE } from "@/lib/paginate";
import { paths } from "@/lib/paths";
import { groupQuery, GROUP_REFRESH_MS } from "@/lib/queries";
import { queryKeys } from "@/lib/query-keys";
import { useSearchParamsState } from "@/lib/use-search-params-state";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Select } from "@/components/ui/field";
import { PageHeader, Stat } from "@/components/ui/layout";
import { Pagination } from "@/components/ui/pagination";
import { EmptyState, ErrorState, Loading, Notice } from "@/components/ui/states";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { GroupLagHistory } from "./group-lag-history";
import { GroupNotFound } from "./group-not-found";
import { GroupStateBadge } from "./group-state";
import { ResetOffsets } from "./reset-offsets";
import { NotAllowed, usePermission } from "@/components/layout/access";
import { readGroupParams } from "./search-params";
import { TimeLag } from "./time-lag";

export function GroupView({ id }: { id: string }) {
  const { params, update } = useSearchParamsState();
  const state = readGroupParams(params);
  const mayReset = usePermission("groups:reset-offsets", { group: id });
  const { data, error, isPending, refetch, dataUpdatedAt, isFetching } = useQuery(groupQuery(id, !state.paused));

  if (isPending) return <Loading />;
  // Deleted while open (by this page or anyone else): a permanent answer, not one to retry.
  if (error instanceof ApiRequestError && error.status === 404) return <GroupNotFound id={id} />;
  if (error)
    return (
      <>
        <PageHeader title={id} />
        <ErrorState error={error} onRetry={() => refetch()} />
        <p className="mt-4 text-sm">
          <Link className="underline" href={paths.groups()}>
            Back to consumer groups
          </Link>
        </p>
      </>
    );
  return (
    <>
      <PageHeader
        title={data.groupId}
        subtitle={
          <span className="flex flex-wrap items-center gap-2" data-testid="group-summary">
            <GroupStateBadge state={data.state} />
            <span>
              {data.protocolType || "no protocol"}
              {data.protocol ? ` · ${data.protocol}` : ""} · {data.members.length} member{data.members.length === 1 ? "" : "s"}
            </span>
          </span>
        }
        actions={<GroupActions group={data} onReset={() => update({ reset: state.reset ? undefined : 1 })} />}
      />
      <div className="mb-4 flex items-center gap-3 text-sm text-slate-500">
        <Button onClick={() => update({ paused: state.paused ? undefined : 1 })} data-testid="refresh-toggle" aria-pressed={!state.paused}>
          {state.paused ? "Resume auto-refresh" : "Pause auto-refresh"}
        </Button>
        <span data-testid="refresh-status">
          {state.paused ? "Paused" : `Refreshing every ${GROUP_REFRESH_MS / 1000} s`} · updated {new Date(dataUpdatedAt).toLocaleTimeString()}
          {isFetching ? " · loading…" : ""}
        </span>
      </div>
      {state.reset && mayReset.allowed ? <ResetOffsets group={data} onClose={() => update({ reset: undefined })} /> : null}
      <div className="mb-6 grid grid-cols-2 gap-4 md:grid-cols-5">
        <Stat label="Total lag" value={formatNumber(data.lag)} testId="group-total-lag" tone={data.lag ? "warn" : "normal"} />
        <Stat
          label="Time lag (largest)"
          value={<TimeLag ms={data.timeLagMs} estimated={data.timeLagEstimated} aggregate testId="group-time-lag" />}
          tone={data.timeLagMs ? "warn" : "normal"}
        />
        <Stat label="Topics" value={data.topics.length} />
        <Stat label="Partitions" value={formatNumber(data.partitions.length)} />
        <Stat label="Members" value={data.members.length} />
      </div>
      <GroupLagHistory
        groupId={data.groupId}
        topics={data.topics.map((t) => t.topic)}
        range={state.range}
        by={state.by}
        topic={state.lagTopic}
        inTime={state.lagInTime}
        refresh={!state.paused}
        update={update}
      />
      <Members group={data} page={state.membersPage} onPage={(p) => update({ mpage: p === 1 ? undefined : p }, { push: true })} />
      <Offsets group={data} topic={state.topic} page={state.page} update={update} />
    </>
  );
}

function GroupActions({ group, onReset }: { group: GroupDetail; onReset(): void }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () => apiFetch(paths.api.group(group.groupId), null, { method: "DELETE" }),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: queryKeys.group(group.groupId) });
      await queryClient.invalidateQueries({ queryKey: queryKeys.groups() });
      await queryClient.invalidateQueries({ queryKey: queryKeys.groupList() });
      router.push(paths.groups());
    },
    onSettled: () => setConfirming(false),
  });
  const empty = isResettable(group.state);
  const mayReset = usePermission("groups:reset-offsets", { group: group.groupId });
  const mayDelete = usePermission("groups:delete", { group: group.groupId });
  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex gap-2">
        {mayReset.allowed ? (
          <Button onClick={onReset} data-testid="open-reset">
            Reset offsets
          </Button>
        ) : null}
        {mayDelete.allowed ? (
          <Button variant="danger" onClick={() => setConfirming(true)} disabled={!empty} title={empty ? undefined : "Only an empty group can be deleted"} data-testid="delete-group">
            Delete group
          </Button>
        ) : null}
      </div>
      <NotAllowed
        testId="group-actions-not-allowed"
        controls={[
          { what: "Reset offsets", decision: mayReset },
          { what: "Delete group", decision: mayDelete },
        ]}
      />
      {remove.error ? (
        <Notice tone="error" testId="group-action-error">
          {remove.error.message}
        </Notice>
      ) : null}
      {confirming ? (
        <ConfirmDialog
          title="Delete the consumer group?"
          confirmLabel="Delete group"
          typeToConfirm={group.groupId}
          busy={remove.isPending}
          onConfirm={() => remove.mutate()}
          onCancel={() => setConfirming(false)}
          testId="delete-group-dialog"
        >
          Its committed offsets on {group.partitions.length} partition{group.partitions.length === 1 ? "" : "s"} are deleted; a consumer joining it again starts from its
          auto.offset.reset position.
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

function Members({ group, page: requestedPage, onPage }: { group: GroupDetail; page: number; onPage(page: number): void }) {
  const page = paginate(group.members, requestedPage);
  return (
    <section className="mb-6">
      <h2 className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">Members</h2>
      {group.members.length === 0 ? (
        <EmptyState title="No active members">The group is {group.state}; its committed offsets stay until they expire or the group is deleted.</EmptyState>
      ) : (
        <Table testId="members-table">
          <thead>
            <tr>
              <Th>Client id</Th>
              <Th>Member id</Th>
              <Th>Host</Th>
              <Th>Assigned partitions</Th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((m) => (
              <Tr key={m.memberId} data-testid="member-row">
                <Td className="font-medium">{m.clientId}</Td>
                <Td className="max-w-xs break-all font-mono text-xs">
                  {m.memberId}
                  {m.groupInstanceId ? <div className="text-slate-500">static: {m.groupInstanceId}</div> : null}
                </Td>
                <Td className="font-mono text-xs">{m.host.replace(/^\//, "") /* Kafka writes "/10.0.0.7" */}</Td>
                <Td>
                  {m.assignments.length === 0
                    ? "–"
                    : m.assignments.map((a) => (
                        <div key={a.topic}>
                          <span className="font-medium">{a.topic}</span>: <span className="font-mono text-xs">{compactRanges(a.partitions)}</span>
                        </div>
                      ))}
                </Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      )}
      <Pagination of={page} pageSize={PAGE_SIZE} onPage={onPage} testId="members-pagination" />
    </section>
  );
}

/** "0-3, 7, 9-10": assignments of hundreds of partitions stay one short line. */
function compactRanges(partitions: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < partitions.length; ) {
    let j = i;
    while (j + 1 < partitions.length && partitions[j + 1] === partitions[j] + 1) j++;
    parts.push(j > i ? `${partitions[i]}-${partitions[j]}` : String(partitions[i]));
    i = j + 1;
  }
  return parts.join(", ");
}

function Offsets({
  group,
  topic,
  page: requestedPage,
  update,
}: {
  group: GroupDetail;
  topic: string;
  page: number;
  update: ReturnType<typeof useSearchParamsState>["update"];
}) {
  const clientOf = useMemo(() => new Map(group.members.map((m) => [m.memberId, m.clientId])), [group.members]);
  const rows = useMemo(() => (topic ? group.partitions.filter((p) => p.topic === topic) : group.partitions), [group.partitions, topic]);
  const page = paginate(rows, requestedPage);
  const totalLag = rows.reduce((sum, p) => sum + (p.lag ?? 0), 0);
  const totalTimeLag = useMemo(() => largestTimeLag(rows.filter((p) => p.committed !== null)), [rows]);
  return (
    <section>
      <div className="mb-2 flex items-center justify-between gap-4">
        <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-500">Offsets and lag</h2>
        {group.topics.length > 1 ? (
          <Select value={topic} onChange={(e) => update({ topic: e.target.value, page: undefined })} data-testid="offsets-topic-filter" aria-label="Topic">
            <option value="">all topics</option>
            {group.topics.map((t) => (
              <option key={t.topic} value={t.topic}>
                {t.topic} (lag {formatNumber(t.lag)}, {formatTimeLag(t.timeLagMs, t.timeLagEstimated)} behind)
              </option>
            ))}
          </Select>
        ) : null}
      </div>
      {rows.length === 0 ? (
        <EmptyState title="No committed offsets">The group has not committed offsets for any partition yet.</EmptyState>
      ) : (
        <>
          <Table testId="offsets-table">
            <thead>
              <tr>
                <Th>Topic</Th>
                <Th className="text-right">Partition</Th>
                <Th className="text-right">Committed</Th>
                <Th className="text-right">End offset</Th>
                <Th className="text-right">Lag</Th>
                <Th className="text-right" title="How far behind in time: now minus the timestamp of the next record to read; ≈ marks an estimate">
                  Time lag
                </Th>
                <Th>Consumer</Th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((p) => (
                <Tr key={`${p.topic}/${p.partition}`} data-testid={`offset-row-${p.topic}-${p.partition}`}>
                  <Td>
                    <Link className="underline-offset-2 hover:underline" href={paths.topic(p.topic)}>
                      {p.topic}
                    </Link>
                  </Td>
                  <Td className="text-right tabular-nums">{p.partition}</Td>
                  <Td className="text-right tabular-nums" data-testid="offset-committed">
                    {p.committed === null ? (
                      "none"
                    ) : (
                      <Link className="underline-offset-2 hover:underline" href={paths.record(p.topic, p.partition, p.committed)} title="The next record the group reads">
                        {formatNumber(p.committed)}
                      </Link>
                    )}
                  </Td>
                  <Td className="text-right tabular-nums">{formatNumber(p.end)}</Td>
                  <Td className={`text-right tabular-nums ${p.lag ? "font-semibold text-amber-700 dark:text-amber-400" : ""}`} data-testid="offset-lag">
                    {formatNumber(p.lag)}
                  </Td>
                  <Td className={`text-right tabular-nums ${p.timeLagMs ? "text-amber-700 dark:text-amber-400" : ""}`}>
                    <TimeLag ms={p.timeLagMs} estimated={p.timeLagEstimated} testId="offset-time-lag" />
                  </Td>
                  <Td className="text-xs">{p.memberId ? (clientOf.get(p.memberId) ?? p.memberId) : "–"}</Td>
                </Tr>
              ))}
            </tbody>
            <tfoot>
              <tr className="font-semibold">
                <Td>Total ({formatNumber(rows.length)} partitions)</Td>
                <Td />
                <Td />
                <Td />
                <Td className="text-right tabular-nums" data-testid="offsets-total-lag">
                  {formatNumber(totalLag)}
                </Td>
                <Td className="text-right tabular-nums">
                  <TimeLag ms={totalTimeLag.timeLagMs} estimated={totalTimeLag.timeLagEstimated} aggregate testId="offsets-total-time-lag" />
                </Td>
                <Td />
              </tr>
            </tfoot>
          </Table>
          <Pagination of={page} pageSize={PAGE_SIZE} onPage={(p) => update({ page: p }, { push: true })} />
        </>
      )}
    </section>
  );
}
