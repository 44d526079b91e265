"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { formatBytes, formatNumber } from "@/lib/format";
import { nextSort } from "@/lib/sort";
import type { TopicSort } from "@/lib/topic-list";
import { paths } from "@/lib/paths";
import { groupsQuery, topicsQuery } from "@/lib/queries";
import { useSearchParamsState } from "@/lib/use-search-params-state";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/field";
import { Badge, PageHeader } from "@/components/ui/layout";
import { Pagination } from "@/components/ui/pagination";
import { SortHeader } from "@/components/ui/sort-header";
import { EmptyState, ErrorState, Loading } from "@/components/ui/states";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { CreateTopicForm } from "./create-topic-form";
import { NotAllowed, usePermission } from "@/components/layout/access";
import type { TopicTrends } from "@/lib/lag-history";
import { TimeLag } from "@/components/groups/time-lag";
import { TopicTrend, useTopicTrends } from "./production-rate";
import { readTopicListParams, topicListQuery } from "./search-params";

/**
 * Per topic, the groups that committed on it with their lag there, from the
 * groups list (loaded on its own, and like the topic list not polled).
 */
function useConsumersByTopic() {
  const { data } = useQuery(groupsQuery(false));
  return useMemo(() => {
    const byTopic = new Map<string, Array<{ groupId: string; lag: number | null }>>();
    for (const g of data?.groups ?? []) for (const t of g.topics) byTopic.set(t.topic, [...(byTopic.get(t.topic) ?? []), { groupId: g.groupId, lag: t.lag }]);
    return data?.supported ? byTopic : null;
  }, [data]);
}

/** The topic's consumers from the newest samples (every sampled group), with the largest time lag among them. */
function SampledConsumersCell({ topic, consumers }: { topic: string; consumers: NonNullable<TopicTrends["trends"][string]["consumers"]> }) {
  if (consumers.groups === 0) return <>–</>;
  const more = consumers.groups - consumers.named.length;
  const title = consumers.named.map((c) => `${c.groupId}: lag ${formatNumber(c.lag)}`).join("\n") + (more > 0 ? `\n… and ${formatNumber(more)} more` : "") + "\n(from the newest samples)";
  return (
    <Link href={paths.topic(topic, { tab: "consumers" })} title={title} className="underline-offset-2 hover:underline">
      <span data-testid="topic-consumers-summary">
        {formatNumber(consumers.groups)} group{consumers.groups === 1 ? "" : "s"} · lag <span className={consumers.lag ? "font-semibold text-amber-700 dark:text-amber-400" : ""}>{formatNumber(consumers.lag)}</span>
      </span>
      {consumers.timeLagMs !== null && consumers.lag > 0 ? (
        <span className="text-xs text-slate-500">
          {" "}
          (<TimeLag ms={consumers.timeLagMs} estimated aggregate testId="topic-consumers-time-lag" />)
        </span>
      ) : null}
    </Link>
  );
}

function ConsumersCell({ topic, consumers }: { topic: string; consumers: Array<{ groupId: string; lag: number | null }> | undefined }) {
  if (!consumers?.length) return <>–</>;
  const lag = consumers.reduce((sum, c) => sum + (c.lag ?? 0), 0);
  return (
    <Link href={paths.topic(topic, { tab: "consumers" })} title={consumers.map((c) => `${c.groupId}: lag ${formatNumber(c.lag)}`).join("\n")} className="underline-offset-2 hover:underline">
      {consumers.length} group{consumers.length === 1 ? "" : "s"} · lag <span className={lag ? "font-semibold text-amber-700 dark:text-amber-400" : ""}>{formatNumber(lag)}</span>
    </Link>
  );
}

export function TopicsView() {
  const mayCreate = usePermission("topics:create");
  const { params, update } = useSearchParamsState();
  const state = readTopicListParams(params);
  const { data, error, isPending, isPlaceholderData, refetch } = useQuery(topicsQuery(topicListQuery(state)));
  const consumers = useConsumersByTopic();
  const trends = useTopicTrends(data?.topics.map((t) => t.name) ?? []);
  // From the newest samples when there are some (every group); otherwise the live read of the first groups.
  const sampledConsumers = trends !== null && Object.values(trends).some((t) => t.consumers !== null);

  const header = (column: TopicSort, label: string, right = false) => (
    <SortHeader column={column} label={label} sort={state.sort} dir={state.dir} right={right} onSort={(c) => update({ ...nextSort(state, c), page: undefined })} />
  );

  return (
    <>
      <PageHeader
        title="Topics"
        subtitle={data ? `${formatNumber(data.topicCount)} topics${data.internalCount ? `, ${data.internalCount} internal` : ""}${state.q.trim() ? ` · ${formatNumber(data.matching)} matching` : ""}` : undefined}
        actions={
          mayCreate.allowed ? (
            <Button variant="primary" onClick={() => update({ create: state.create ? undefined : 1 })} data-testid="open-create-topic">
              Create topic
            </Button>
          ) : (
            <NotAllowed testId="create-topic-not-allowed" controls={[{ what: "Create topic", decision: mayCreate }]} />
          )
        }
      />
      {state.create && mayCreate.allowed ? <CreateTopicForm onClose={() => update({ create: undefined })} /> : null}
      <div className="mb-4 flex flex-wrap items-center gap-4">
        <Input placeholder="Search topics" value={state.q} onChange={(e) => update({ q: e.target.value, page: undefined })} data-testid="topic-search" className="w-80" />
        <label className="flex items-center gap-1 text-sm">
          <input type="checkbox" checked={state.internal} onChange={(e) => update({ internal: e.target.checked ? 1 : undefined, page: undefined })} data-testid="show-internal" />
          show internal topics
        </label>
      </div>
      {isPending ? (
        <Loading />
      ) : error ? (
        <ErrorState error={error} onRetry={() => refetch()} />
      ) : data.matching === 0 ? (
        <EmptyState title={data.topicCount + data.internalCount === 0 ? "No topics yet" : "No topic matches"}>
          {data.topicCount + data.internalCount === 0 ? "Create one with the button above, or produce to a topic with a Kafka client." : "Change the search or show internal topics."}
        </EmptyState>
      ) : (
        <div className={isPlaceholderData ? "opacity-60 transition-opacity" : ""} aria-busy={isPlaceholderData}>
        <Table testId="topics-table">
          <thead>
            <tr>
              {header("name", "Name")}
              {header("partitions", "Partitions", true)}
              {header("replication", "Replication", true)}
              {header("urp", "Under-replicated", true)}
              {header("size", "Size", true)}
              {header("records", "Records (approx.)", true)}
              {trends ? <Th className="text-right">Produced (last hour)</Th> : null}
              {consumers || sampledConsumers ? <Th className="text-right">Consumers</Th> : null}
            </tr>
          </thead>
          <tbody>
            {data.topics.map((t) => (
              <Tr key={t.name} data-testid={`topic-row-${t.name}`}>
                <Td>
                  <Link href={paths.topic(t.name)} className="font-medium underline-offset-2 hover:underline">
                    {t.name}
                  </Link>{" "}
                  {t.internal ? <Badge>internal</Badge> : null}
                </Td>
                <Td className="text-right tabular-nums">{t.partitions}</Td>
                <Td className="text-right tabular-nums">{t.replicationFactor}</Td>
                <Td className="text-right tabular-nums">{t.underReplicatedPartitions ? <Badge tone="warn">{t.underReplicatedPartitions}</Badge> : 0}</Td>
                <Td className="text-right tabular-nums">{formatBytes(t.sizeBytes)}</Td>
                <Td className="text-right tabular-nums">{formatNumber(t.approximateRecords)}</Td>
                {trends ? (
                  <Td className="text-right" data-testid="topic-trend">
                    <TopicTrend of={trends[t.name]} />
                  </Td>
                ) : null}
                {sampledConsumers && trends?.[t.name]?.consumers ? (
                  <Td className="text-right tabular-nums" data-testid="topic-consumers">
                    <SampledConsumersCell topic={t.name} consumers={trends[t.name].consumers!} />
                  </Td>
                ) : consumers ? (
                  <Td className="text-right tabular-nums" data-testid="topic-consumers">
                    <ConsumersCell topic={t.name} consumers={consumers.get(t.name)} />
                  </Td>
                ) : null}
              </Tr>
            ))}
          </tbody>
        </Table>
        </div>
      )}
      {isPending || error ? null : (
        <Pagination
          of={{ page: data.page, pages: data.pages, total: data.matching, rows: data.topics }}
          pageSize={data.pageSize}
          onPage={(n) => update({ page: n === 1 ? undefined : n }, { push: true })}
        />
      )}
    </>
  );
}
