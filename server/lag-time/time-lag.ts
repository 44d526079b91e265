import "server-only";
import type { GroupPartition } from "@/lib/contracts";
import { estimateTimeLagMs } from "@/lib/lag";
export { largestTimeLag } from "@/lib/lag";
import type { BrokerAddress } from "../kafka/broker-wire";
import { readPartitionRangeReached } from "../kafka/fetch-records";
import type { ClusterClients } from "../kafka/registry";
import { readClusterState } from "../services/cluster-state";
import { lagHistory, lagHistoryOpen } from "../lag-history";
import { InMemoryEndOffsetHistory, type EndOffsetHistory } from "./end-offset-history";
import { SampledEndOffsetHistory } from "./sampled-end-offset-history";

/** Bytes asked for by one exact read; Kafka still returns the whole first batch (KIP-74), which holds the record wanted. */
export const EXACT_READ_BYTES = 1024;
/** Exact reads in flight at once, so a group over many partitions does not flood the leaders. */
export const EXACT_READS_CONCURRENCY = 8;
/** Time all exact reads of one request may take together; partitions not read by then are estimated. */
export const EXACT_READS_DEADLINE_MS = 3_000;

const histories = new WeakMap<ClusterClients, EndOffsetHistory>();

/**
 * The end-offset readings known for one cluster: those this process read (in
 * memory, one per set of clients), with the sampler's stored ones once the lag
 * history is open (the sampler opens it when the console starts).
 */
export function endOffsetHistoryOf(clients: ClusterClients): EndOffsetHistory {
  let recent = histories.get(clients);
  if (!recent) histories.set(clients, (recent = new InMemoryEndOffsetHistory()));
  return lagHistoryOpen() ? new SampledEndOffsetHistory(lagHistory(clients.config.id), recent) : recent;
}

type Row = Pick<GroupPartition, "topic" | "partition" | "committed" | "start" | "end" | "timeLagMs" | "timeLagEstimated">;

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Fills in each row's time lag. Caught up is 0. Where the record at the
 * committed offset is still in the log (and `exactReadsMax` is not used up),
 * one small Fetch at that offset gives its timestamp, and the lag is now minus
 * it. Otherwise (committed below the log start, the read failed or found no
 * timestamp) it is estimated from the partition's earlier end-offset readings;
 * unknown (null) when those cannot place it or the row has no commit.
 */
export async function fillTimeLag(clients: ClusterClients, rows: Row[], exactReadsMax: number, history = endOffsetHistoryOf(clients)): Promise<void> {
  const exact: Row[] = [];
  for (const row of rows) {
    row.timeLagMs = null;
    row.timeLagEstimated = false;
    if (row.committed === null || row.end === null || row.start === null) continue;
    if (row.committed >= row.end) row.timeLagMs = 0;
    else if (row.committed >= row.start && exact.length < exactReadsMax) exact.push(row);
  }
  const leaders = exact.length ? await leadersOf(clients, [...new Set(exact.map((r) => r.topic))]).catch(() => new Map<string, BrokerAddress>()) : new Map<string, BrokerAddress>();
  const deadlineMs = Date.now() + EXACT_READS_DEADLINE_MS;
  await forEachLimited(exact, EXACT_READS_CONCURRENCY, async (row) => {
    const leader = leaders.get(`${row.partition}/${row.topic}`);
    if (!leader || Date.now() >= deadlineMs) return;
    try {
      const budget = { deadlineMs, bytesLeft: EXACT_READ_BYTES, exhausted: false };
      const { records } = await readPartitionRangeReached(clients, leader, row.topic, row.partition, row.committed!, row.end!, 1, budget);
      // The first record at or after the commit is the next one the group reads (compaction may have removed the one at it).
      const timestamp = records[0]?.timestamp ?? -1;
      if (timestamp >= 0) row.timeLagMs = Math.max(0, Date.now() - timestamp);
    } catch {
      // Unreachable leader or a connection that cannot speak to it: estimated below instead.
    }
  });
  const nowMs = Date.now();
  for (const row of rows) {
    if (row.timeLagMs !== null || row.committed === null || row.end === null) continue;
    const estimate = estimateTimeLagMs(history.points(row.topic, row.partition, row.committed), row.committed, nowMs);
    if (estimate !== null) {
      row.timeLagMs = estimate;
      row.timeLagEstimated = true;
    }
  }
}

/** Leader address per "partition/topic", from one Metadata request. */
async function leadersOf(clients: ClusterClients, topics: string[]): Promise<Map<string, BrokerAddress>> {
  const state = await readClusterState(clients, topics);
  const brokers = new Map(state.brokers.map((b) => [b.nodeId, b]));
  const found = new Map<string, BrokerAddress>();
  for (const t of state.topics)
    for (const p of t.partitions) {
      const leader = brokers.get(p.leader);
      if (leader) found.set(`${p.partitionId}/${t.name}`, leader);
    }
  return found;
}
