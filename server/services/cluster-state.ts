import "server-only";
import type { ITopicMetadata, PartitionMetadata } from "kafkajs";
import type { ClusterClients } from "../kafka/registry";
import type { BrokerAddress } from "../kafka/broker-wire";

/** What several services need from one Metadata round trip: brokers, controller and every topic's partitions. */
export interface ClusterState {
  clusterId: string;
  controllerId: number | null;
  brokers: BrokerAddress[];
  topics: ITopicMetadata[];
}

export async function readClusterState(clients: ClusterClients, topics?: string[]): Promise<ClusterState> {
  const admin = await clients.getAdmin();
  const [cluster, metadata] = await Promise.all([admin.describeCluster(), admin.fetchTopicMetadata(topics ? { topics } : undefined)]);
  return {
    clusterId: cluster.clusterId,
    controllerId: cluster.controller,
    brokers: cluster.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })),
    topics: metadata.topics,
  };
}

export const isUnderReplicated = (p: PartitionMetadata) => p.isr.length < p.replicas.length;
export const isOffline = (p: PartitionMetadata) => p.leader < 0;
