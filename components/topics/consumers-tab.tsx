"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { GROUPS_DESCRIBED_MAX } from "@/lib/contracts";
import { formatNumber } from "@/lib/format";
import { paths } from "@/lib/paths";
import { groupsQuery } from "@/lib/queries";
import { GroupStateBadge } from "@/components/groups/group-state";
import { TimeLag } from "@/components/groups/time-lag";
import { EmptyState, ErrorState, Loading, Notice } from "@/components/ui/states";
import { Table, Td, Th, Tr } from "@/components/ui/table";

/** The groups that committed offsets on this topic, with their lag on it. */
export function ConsumersTab({ topic }: { topic: string }) {
  const { data, error, isPending, refetch } = useQuery(groupsQuery());
  if (isPending) return <Loading />;
  if (error) return <ErrorState error={error} onRetry={() => refetch()} />;
  if (!data.supported) return <EmptyState title="This cluster does not answer consumer-group requests" />;
  const consumers = data.groups.flatMap((g) => g.topics.filter((t) => t.topic === topic).map((t) => ({ group: g, lag: t.lag, timeLagMs: t.timeLagMs, timeLagEstimated: t.timeLagEstimated, partitions: t.partitions })));
  return (
    <div className="space-y-3">
      {data.truncated ? <Notice>Only the first {GROUPS_DESCRIBED_MAX} groups by name are described; a consumer past them is not listed here.</Notice> : null}
      {consumers.length === 0 ? (
        <EmptyState title="No consumer group has committed offsets on this topic">Groups appear here once a consumer of this topic commits.</EmptyState>
      ) : (
        <Table testId="consumers-table">
          <thead>
            <tr>
              <Th>Group</Th>
              <Th>State</Th>
              <Th className="text-right">Members</Th>
              <Th className="text-right">Partitions committed</Th>
              <Th className="text-right">Lag on this topic</Th>
              <Th className="text-right" title="The largest over the group's partitions of this topic; ≈ marks an estimate">
                Time lag
              </Th>
            </tr>
          </thead>
          <tbody>
            {consumers.map(({ group, lag, timeLagMs, timeLagEstimated, partitions }) => (
              <Tr key={group.groupId} data-testid={`consumer-row-${group.groupId}`}>
                <Td>
                  <Link className="font-medium underline-offset-2 hover:underline" href={paths.group(group.groupId, { topic })}>
                    {group.groupId}
                  </Link>
                </Td>
                <Td>
                  <GroupStateBadge state={group.state} />
                </Td>
                <Td className="text-right tabular-nums">{group.members}</Td>
                <Td className="text-right tabular-nums">{partitions}</Td>
                <Td className="text-right tabular-nums" data-testid="consumer-lag">
                  {formatNumber(lag)}
                </Td>
                <Td className="text-right tabular-nums">
                  <TimeLag ms={timeLagMs} estimated={timeLagEstimated} aggregate testId="consumer-time-lag" />
                </Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
