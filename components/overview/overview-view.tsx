"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { formatBytes, formatNumber } from "@/lib/format";
import { paths } from "@/lib/paths";
import { overviewQuery } from "@/lib/queries";
import { PageHeader, Stat, Badge } from "@/components/ui/layout";
import { ErrorState, Loading } from "@/components/ui/states";
import { Table, Td, Th, Tr } from "@/components/ui/table";

export function OverviewView() {
  const { data, error, isPending, refetch } = useQuery(overviewQuery());
  return (
    <>
      <PageHeader title="Overview" subtitle={data ? `Cluster ${data.clusterId}` : "The cluster at a glance"} />
      {isPending ? <Loading /> : error ? <ErrorState error={error} onRetry={() => refetch()} /> : (
        <div className="space-y-6">
          <div className="grid grid-cols-2 gap-4 md:grid-cols-4" data-testid="overview-stats">
            <Stat label="Cluster id" value={<span className="break-all text-base">{data.clusterId}</span>} testId="stat-cluster-id" />
            <Stat label="Controller" value={data.controllerId ?? "none"} testId="stat-controller" href={data.controllerId === null ? undefined : paths.broker(data.controllerId)} />
            <Stat label="Brokers" value={data.brokers.length} testId="stat-brokers" href={paths.brokers()} />
            <Stat label="Topics" value={formatNumber(data.topicCount)} testId="stat-topics" href={paths.topics()} />
            <Stat label="Partitions" value={formatNumber(data.partitionCount)} testId="stat-partitions" href={paths.topics()} />
            <Stat label="Under-replicated" value={data.underReplicatedPartitions} tone={data.underReplicatedPartitions ? "warn" : "normal"} testId="stat-under-replicated" href={`${paths.topics()}?sort=urp&dir=desc`} />
            <Stat label="Offline partitions" value={data.offlinePartitions} tone={data.offlinePartitions ? "warn" : "normal"} testId="stat-offline" href={paths.topics()} />
            <Stat
              label="Consumer groups / lag"
              value={data.groupCount === null ? <span className="text-base text-slate-500">not supported by the cluster</span> : `${data.groupCount} / ${formatNumber(data.totalLag)}`}
              href={data.groupCount === null ? undefined : paths.groups()}
              testId="stat-groups"
            />
          </div>
          <section>
            <h2 className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">Brokers</h2>
            <Table testId="overview-brokers">
              <thead>
                <tr>
                  <Th>Id</Th>
                  <Th>Address</Th>
                  <Th>Rack</Th>
                  <Th className="text-right">Leader partitions</Th>
                  <Th className="text-right">On disk</Th>
                </tr>
              </thead>
              <tbody>
                {data.brokers.map((b) => (
                  <Tr key={b.nodeId}>
                    <Td>
                      <Link className="underline" href={paths.broker(b.nodeId)}>
                        {b.nodeId}
                      </Link>{" "}
                      {b.isController ? <Badge tone="good">controller</Badge> : null}
                    </Td>
                    <Td className="font-mono">
                      {b.host}:{b.port}
                    </Td>
                    <Td>{b.rack ?? "–"}</Td>
                    <Td className="text-right tabular-nums">{b.leaderPartitions}</Td>
                    <Td className="text-right tabular-nums">{formatBytes(b.bytesOnDisk)}</Td>
                  </Tr>
                ))}
              </tbody>
            </Table>
          </section>
        </div>
      )}
    </>
  );
}
