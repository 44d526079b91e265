"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import type { ClusterOverview, ClusterProtocol } from "@/lib/contracts";
import { ago, formatBytes, formatNumber, plural } from "@/lib/format";
import { paths } from "@/lib/paths";
import { overviewQuery } from "@/lib/queries";
import { PageHeader, Stat, Badge } from "@/components/ui/layout";
import { ErrorState, Loading } from "@/components/ui/states";
import { TimeLag } from "@/components/groups/time-lag";
import { Table, Td, Th, Tr } from "@/components/ui/table";

/** What the total lag sums, in so many words: every sampled group, or the part of the cluster read live. */
function lagCoverageText({ lagCoverage, groupCount }: ClusterOverview): string {
  if (!lagCoverage) return "";
  if (lagCoverage.source === "samples") return `of ${plural(lagCoverage.groups, "group")}, sampled ${lagCoverage.sampledAtMs ? ago(Date.now() - lagCoverage.sampledAtMs) : ""}`;
  const of = groupCount !== null && groupCount > lagCoverage.groups ? ` of ${formatNumber(groupCount)}` : "";
  return `of the ${plural(lagCoverage.groups, "group")}${of} read now (no lag sample yet)`;
}

export function OverviewView() {
  const { data, error, isPending, refetch } = useQuery(overviewQuery());
  return (
    <>
      <PageHeader title="Overview" subtitle={data ? `Cluster ${data.clusterId}` : "The cluster at a glance"} />
      {isPending ? <Loading /> : error ? <ErrorState error={error} onRetry={() => refetch()} /> : (
        <div className="space-y-6">
          <div className="grid grid-cols-2 gap-4 md:grid-cols-3 xl:grid-cols-5" data-testid="overview-stats">
            <Stat label="Cluster id" value={<span className="break-all text-base">{data.clusterId}</span>} testId="stat-cluster-id" />
            <Stat label="Controller" value={data.controllerId ?? "none"} testId="stat-controller" href={data.controllerId === null ? undefined : paths.broker(data.controllerId)} />
            <Stat label="Brokers" value={data.brokers.length} testId="stat-brokers" href={paths.brokers()} />
            <Stat label="Topics" value={formatNumber(data.topicCount)} testId="stat-topics" href={paths.topics()} />
            <Stat label="Partitions" value={formatNumber(data.partitionCount)} testId="stat-partitions" href={paths.topics()} />
            <Stat label="Under-replicated" value={data.underReplicatedPartitions} tone={data.underReplicatedPartitions ? "warn" : "normal"} testId="stat-under-replicated" href={`${paths.topics()}?sort=urp&dir=desc`} />
            <Stat label="Offline partitions" value={data.offlinePartitions} tone={data.offlinePartitions ? "warn" : "normal"} testId="stat-offline" href={paths.topics()} />
            <Stat
              label="Consumer groups"
              value={data.groupCount === null ? <span className="text-base text-slate-500">not supported by the cluster</span> : formatNumber(data.groupCount)}
              href={data.groupCount === null ? undefined : paths.groups()}
              testId="stat-groups"
            />
            <Stat
              label="Total lag (records)"
              value={
                data.totalLag === null ? (
                  <span className="text-base text-slate-500">unknown</span>
                ) : (
                  <>
                    <span data-testid="stat-total-lag-records">{formatNumber(data.totalLag)}</span>
                    <span className="mt-1 block text-xs font-normal text-slate-500" data-testid="stat-total-lag-coverage">
                      {lagCoverageText(data)}
                    </span>
                    {data.largestTimeLag ? (
                      <span className="mt-1 block text-xs font-normal text-slate-600 dark:text-slate-400" data-testid="stat-largest-time-lag">
                        furthest behind: {data.largestTimeLag.groupId}, <TimeLag ms={data.largestTimeLag.ms} estimated={data.largestTimeLag.estimated} aggregate testId="stat-largest-time-lag-value" />
                      </span>
                    ) : null}
                  </>
                )
              }
              tone={data.totalLag ? "warn" : "normal"}
              href={data.groupCount === null ? undefined : `${paths.groups()}?sort=lag&dir=desc`}
              testId="stat-total-lag"
            />
            <Stat
              label="Kafka APIs served"
              value={data.protocol === null ? <span className="text-base text-slate-500">unknown</span> : data.protocol.apis.length}
              href={data.protocol === null ? undefined : "#protocol"}
              testId="stat-apis"
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
          {data.protocol ? <Protocol protocol={data.protocol} /> : null}
        </div>
      )}
    </>
  );
}

/**
 * What the cluster speaks, as its controller answers ApiVersions: the feature
 * flags and every API with its version range. No release number is claimed:
 * Kafka-compatible brokers (Redpanda, the bundled one) serve their own mix of
 * versions, so only the versions themselves are shown.
 */
function Protocol({ protocol }: { protocol: ClusterProtocol }) {
  const supported = new Map(protocol.supportedFeatures.map((f) => [f.name, f]));
  const names = [...new Set([...protocol.finalizedFeatures.map((f) => f.name), ...supported.keys()])].sort();
  const finalized = new Map(protocol.finalizedFeatures.map((f) => [f.name, f.level]));
  return (
    <section id="protocol" data-testid="overview-protocol">
      <h2 className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">Protocol</h2>
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
        Broker {protocol.nodeId} serves {protocol.apis.length} Kafka APIs
        {names.length ? "" : " and reports no feature flags (Apache Kafka in KRaft mode reports metadata.version and others)"}.
      </p>
      {names.length ? (
        <Table testId="overview-features">
          <thead>
            <tr>
              <Th>Feature</Th>
              <Th className="text-right">Finalized level</Th>
              <Th className="text-right">Supported levels</Th>
            </tr>
          </thead>
          <tbody>
            {names.map((name) => (
              <Tr key={name} data-testid={`feature-row-${name}`}>
                <Td className="font-mono text-xs">{name}</Td>
                <Td className="text-right tabular-nums">{finalized.get(name) ?? "–"}</Td>
                <Td className="text-right tabular-nums">{supported.has(name) ? `${supported.get(name)!.minVersion} to ${supported.get(name)!.maxVersion}` : "–"}</Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      ) : null}
      <details className="mt-3 text-sm" data-testid="overview-apis">
        <summary className="cursor-pointer text-slate-600 dark:text-slate-400">API versions</summary>
        <div className="mt-2">
          <Table>
            <thead>
              <tr>
                <Th className="text-right">Key</Th>
                <Th>API</Th>
                <Th className="text-right">Versions</Th>
              </tr>
            </thead>
            <tbody>
              {protocol.apis.map((a) => (
                <Tr key={a.apiKey} data-testid={`api-row-${a.name}`}>
                  <Td className="text-right tabular-nums">{a.apiKey}</Td>
                  <Td>{a.name}</Td>
                  <Td className="text-right tabular-nums">{a.minVersion === a.maxVersion ? a.minVersion : `${a.minVersion} to ${a.maxVersion}`}</Td>
                </Tr>
              ))}
            </tbody>
          </Table>
        </div>
      </details>
    </section>
  );
}
