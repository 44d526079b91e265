import type { TopicDetail } from "@/lib/contracts";
import { formatBytes, formatNumber } from "@/lib/format";
import { paths } from "@/lib/paths";
import Link from "next/link";
import { Badge } from "@/components/ui/layout";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { ProductionRate } from "./production-rate";

export function PartitionsTab({ topic }: { topic: TopicDetail }) {
  return (
    <>
    <ProductionRate topic={topic.name} />
    <Table testId="partitions-table">
      <thead>
        <tr>
          <Th>Partition</Th>
          <Th className="text-right">First offset</Th>
          <Th className="text-right">Last offset</Th>
          <Th className="text-right">Records</Th>
          <Th className="text-right">Size</Th>
          <Th>Leader</Th>
          <Th>Replicas</Th>
          <Th>In-sync replicas</Th>
        </tr>
      </thead>
      <tbody>
        {topic.partitionList.map((p) => (
          <Tr key={p.partition} data-testid={`partition-row-${p.partition}`}>
            <Td>
              <Link className="underline" href={paths.topic(topic.name, { tab: "messages", partition: p.partition })}>
                {p.partition}
              </Link>
            </Td>
            <Td className="text-right tabular-nums">{formatNumber(p.firstOffset)}</Td>
            <Td className="text-right tabular-nums">{p.records === 0 ? "–" : formatNumber(p.lastOffset)}</Td>
            <Td className="text-right tabular-nums">{formatNumber(p.records)}</Td>
            <Td className="text-right tabular-nums">{formatBytes(p.sizeBytes)}</Td>
            <Td>{p.leader < 0 ? <Badge tone="bad">offline</Badge> : p.leader}</Td>
            <Td className="font-mono">{p.replicas.join(", ")}</Td>
            <Td className="font-mono">
              {p.isr.join(", ")} {p.isr.length < p.replicas.length ? <Badge tone="warn">under-replicated</Badge> : null}
            </Td>
          </Tr>
        ))}
      </tbody>
    </Table>
    </>
  );
}
