import "server-only";
import { brokerSchema, type Broker } from "@/lib/contracts";
import { brokerRacks, describeLogDirs } from "../kafka/broker-wire";
import { kafkaCall } from "../kafka/errors";
import { clusterClients, type ClusterClients } from "../kafka/registry";
import { readClusterState, type ClusterState } from "./cluster-state";

export async function listBrokers(clients = clusterClients()): Promise<Broker[]> {
  return kafkaCall(async () => listBrokersFrom(clients, await readClusterState(clients)));
}

export async function listBrokersFrom(clients: ClusterClients, state: ClusterState): Promise<Broker[]> {
  const [racks, logDirs] = await Promise.all([
    state.brokers.length ? brokerRacks(clients, state.brokers[0]) : new Map<number, string | null>(),
    describeLogDirs(clients, state.brokers, null),
  ]);
  const leaders = new Map<number, number>();
  for (const topic of state.topics) for (const p of topic.partitions) leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
  return state.brokers
    .map((b) =>
      brokerSchema.parse({
        nodeId: b.nodeId,
        host: b.host,
        port: b.port,
        rack: racks.get(b.nodeId) ?? null,
        isController: b.nodeId === state.controllerId,
        leaderPartitions: leaders.get(b.nodeId) ?? 0,
        bytesOnDisk: logDirs.byBroker.get(b.nodeId) ?? null,
      }),
    )
    .sort((a, b) => a.nodeId - b.nodeId);
}
