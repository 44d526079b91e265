"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { ApiRequestError } from "@/lib/api-client";
import { formatBytes, formatNumber } from "@/lib/format";
import { paths } from "@/lib/paths";
import { topicQuery } from "@/lib/queries";
import { useSearchParamsState } from "@/lib/use-search-params-state";
import { MessagesTab } from "@/components/messages/messages-tab";
import { Badge, PageHeader } from "@/components/ui/layout";
import { ErrorState, Loading } from "@/components/ui/states";
import { Tabs } from "@/components/ui/tabs";
import { ConfigsTab } from "./configs-tab";
import { ConsumersTab } from "./consumers-tab";
import { PartitionsTab } from "./partitions-tab";
import { TopicActions } from "./topic-actions";
import { TopicNotFound } from "./topic-not-found";

const TABS = [
  { id: "messages", label: "Messages" },
  { id: "partitions", label: "Partitions" },
  { id: "consumers", label: "Consumers" },
  { id: "configuration", label: "Configuration" },
] as const;

export function TopicView({ name }: { name: string }) {
  const { data, error, isPending, refetch } = useQuery(topicQuery(name));
  const { params } = useSearchParamsState();
  const tab = TABS.find((t) => t.id === params.get("tab"))?.id ?? "messages";
  if (isPending) return <Loading />;
  if (error instanceof ApiRequestError && error.status === 404) return <TopicNotFound name={name} />;
  if (error)
    return (
      <>
        <PageHeader title={name} />
        <ErrorState error={error} onRetry={() => refetch()} />
        <p className="mt-4 text-sm">
          <Link className="underline" href={paths.topics()}>
            Back to topics
          </Link>
        </p>
      </>
    );
  return (
    <>
      <PageHeader
        title={
          <>
            {data.name} {data.internal ? <Badge>internal</Badge> : null}
          </>
        }
        subtitle={
          <span data-testid="topic-summary">
            {data.partitions} partition{data.partitions === 1 ? "" : "s"} · replication {data.replicationFactor} · {formatNumber(data.approximateRecords)} record{data.approximateRecords === 1 ? "" : "s"} (approx.) ·{" "}
            {formatBytes(data.sizeBytes)}
            {data.underReplicatedPartitions ? ` · ${data.underReplicatedPartitions} under-replicated` : ""}
          </span>
        }
        actions={<TopicActions topic={data.name} partitions={data.partitions} internal={data.internal} />}
      />
      <Tabs active={tab} tabs={TABS.map((t) => ({ id: t.id, label: t.label, href: paths.topic(data.name, { tab: t.id }) }))} />
      {tab === "messages" ? <MessagesTab topic={data} /> : null}
      {tab === "partitions" ? <PartitionsTab topic={data} /> : null}
      {tab === "configuration" ? <ConfigsTab topic={data.name} /> : null}
      {tab === "consumers" ? <ConsumersTab topic={data.name} /> : null}
    </>
  );
}
