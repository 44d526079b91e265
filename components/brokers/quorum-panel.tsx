"use client";

import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import type { MetadataQuorum, QuorumReplica } from "@/lib/contracts";
import { ago, formatNumber } from "@/lib/format";
import { quorumQuery } from "@/lib/queries";
import { Badge, Card } from "@/components/ui/layout";
import { Notice } from "@/components/ui/states";
import { Table, Td, Th, Tr } from "@/components/ui/table";

type Quorum = Extract<MetadataQuorum, { supported: true }>;

/**
 * The KRaft metadata quorum (DescribeQuorum): leader, epoch, high watermark, and each voter's and
 * observer's lag behind the leader. Renders nothing on a cluster that has no quorum to describe
 * (ZooKeeper-mode Kafka), so the brokers page reads the same there as before.
 */
export function QuorumPanel() {
  const { data, error } = useQuery(quorumQuery());
  if (error)
    return (
      <Notice tone="error" testId="quorum-error">
        The metadata quorum could not be described: {error instanceof Error ? error.message : String(error)}
      </Notice>
    );
  if (!data?.supported) return null;
  return <QuorumCard quorum={data} />;
}

function QuorumCard({ quorum }: { quorum: Quorum }) {
  const leaderId = quorum.leaderId;
  // Fetch times are the leader's wall clock; the leader reports its own caught-up time as its current time.
  const leaderNowMs = quorum.voters.find((v) => v.nodeId === leaderId)?.lastCaughtUpMs ?? null;
  const rows = [...quorum.voters.map((r) => ({ ...r, role: "voter" as const })), ...quorum.observers.map((r) => ({ ...r, role: "observer" as const }))];
  return (
    <section className="mt-6" data-testid="quorum-panel">
      <h2 className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">Metadata quorum</h2>
      <div className="mb-3 grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Figure label="Leader" testId="quorum-leader" value={leaderId < 0 ? <Badge tone="bad">none</Badge> : `node ${leaderId}`} />
        <Figure label="Epoch" testId="quorum-epoch" value={formatNumber(quorum.leaderEpoch)} />
        <Figure label="High watermark" testId="quorum-high-watermark" value={formatNumber(quorum.highWatermark)} />
        <Figure label="Voters" testId="quorum-voter-count" value={`${quorum.voters.filter((v) => v.caughtUp).length} of ${quorum.voters.length} caught up`} />
      </div>
      <Table testId="quorum-table">
        <thead>
          <tr>
            <Th>Node</Th>
            <Th>Role</Th>
            <Th className="text-right">Log end offset</Th>
            <Th className="text-right">Lag</Th>
            <Th>Last fetch</Th>
            <Th>Last caught up</Th>
            <Th>State</Th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <Tr key={`${r.role}-${r.nodeId}`} data-testid={`quorum-row-${r.nodeId}`}>
              <Td className="font-medium">{r.nodeId}</Td>
              <Td>{r.nodeId === leaderId ? <Badge tone="good">leader</Badge> : <Badge>{r.role}</Badge>}</Td>
              <Td className="text-right tabular-nums">{formatNumber(r.logEndOffset)}</Td>
              <Td className="text-right tabular-nums" data-testid={`quorum-lag-${r.nodeId}`}>
                {formatNumber(r.lag)}
              </Td>
              <Td title={timeTitle(r.lastFetchMs)}>{r.nodeId === leaderId ? "–" : since(r.lastFetchMs, leaderNowMs)}</Td>
              <Td title={timeTitle(r.lastCaughtUpMs)}>{r.nodeId === leaderId ? "–" : since(r.lastCaughtUpMs, leaderNowMs)}</Td>
              <Td data-testid={`quorum-state-${r.nodeId}`}>{stateBadge(r)}</Td>
            </Tr>
          ))}
        </tbody>
      </Table>
    </section>
  );
}

function Figure({ label, value, testId }: { label: string; value: ReactNode; testId: string }) {
  return (
    <Card>
      <div className="text-xs uppercase tracking-wide text-slate-500">{label}</div>
      <div data-testid={testId} className="mt-1 text-lg font-semibold tabular-nums">
        {value}
      </div>
    </Card>
  );
}

const stateBadge = (r: QuorumReplica) => (r.caughtUp ? <Badge tone="good">caught up</Badge> : <Badge tone="warn">lagging</Badge>);

/** How long before the leader's clock; unknown (–) when the leader did not say, or DescribeQuorum v0 carries no times. */
const since = (ms: number | null, leaderNowMs: number | null) => (ms === null ? "–" : ago((leaderNowMs ?? Date.now()) - ms));
const timeTitle = (ms: number | null) => (ms === null ? "unknown" : new Date(ms).toISOString());
