"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { formatBytes } from "@/lib/format";
import { paths } from "@/lib/paths";
import type { Broker, MetadataQuorum } from "@/lib/contracts";
import { brokersQuery, quorumQuery } from "@/lib/queries";
import { Badge, PageHeader } from "@/components/ui/layout";
import { EmptyState, ErrorState, Loading } from "@/components/ui/states";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { QuorumPanel } from "./quorum-panel";

export function BrokersView() {
  const { data, error, isPending, refetch } = useQuery(brokersQuery());
  const { data: quorum } = useQuery(quorumQuery());
  return (
    <>
      <PageHeader title="Brokers" subtitle="Nodes of the cluster, the partitions they lead and the bytes they hold" />
      {isPending ? (
        <Loading />
      ) : error ? (
        <ErrorState error={error} onRetry={() => refetch()} />
      ) : data.brokers.length === 0 ? (
        <EmptyState title="No brokers in the metadata" />
      ) : (
        <Table testId="brokers-table">
          <thead>
            <tr>
              <Th>Id</Th>
              <Th>Host</Th>
              <Th>Port</Th>
              <Th>Rack</Th>
              <Th>Role</Th>
              <Th className="text-right">Leader partitions</Th>
              <Th className="text-right">Bytes on disk</Th>
            </tr>
          </thead>
          <tbody>
            {data.brokers.map((b) => (
              <Tr key={b.nodeId} data-testid={`broker-row-${b.nodeId}`}>
                <Td>
                  <Link className="font-medium underline" href={paths.broker(b.nodeId)}>
                    {b.nodeId}
                  </Link>
                </Td>
                <Td className="font-mono">{b.host}</Td>
                <Td className="font-mono">{b.port}</Td>
                <Td>{b.rack ?? "–"}</Td>
                <Td data-testid={`broker-role-${b.nodeId}`}>{roleBadge(b, quorum)}</Td>
                <Td className="text-right tabular-nums">{b.leaderPartitions}</Td>
                <Td className="text-right tabular-nums" title={b.bytesOnDisk === null ? "DescribeLogDirs could not be asked" : `${b.bytesOnDisk} bytes`}>
                  {formatBytes(b.bytesOnDisk)}
                </Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      )}
      <QuorumPanel />
    </>
  );
}

/**
 * On KRaft the controller Metadata names is any live broker (Kafka picks one at random), so when the
 * quorum is known its leader is shown as the active controller, and the other voters as such.
 */
function roleBadge(b: Broker, quorum: MetadataQuorum | undefined) {
  if (!quorum?.supported) return b.isController ? <Badge tone="good">controller</Badge> : <Badge>broker</Badge>;
  if (b.nodeId === quorum.leaderId) return <Badge tone="good">active controller</Badge>;
  if (quorum.voters.some((v) => v.nodeId === b.nodeId)) return <Badge>controller (voter)</Badge>;
  return <Badge>broker</Badge>;
}
