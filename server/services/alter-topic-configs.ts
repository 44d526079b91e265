import "server-only";
import type { AlterConfigsInput, ConfigList } from "@/lib/contracts";
import { incrementalAlterTopicConfigs } from "../kafka/broker-wire";
import { ServiceError, topicCall } from "../kafka/errors";
import { clusterClients } from "../kafka/registry";
import { describeTopicConfigs } from "./describe-configs";

/** Sets or removes topic config overrides, only those named (IncrementalAlterConfigs), then reads them back. */
export async function alterTopicConfigs(name: string, input: AlterConfigsInput, clients = clusterClients()): Promise<ConfigList> {
  await topicCall(name, async () => {
    const admin = await clients.getAdmin();
    const { brokers } = await admin.describeCluster();
    if (brokers.length === 0) throw new ServiceError("UNAVAILABLE", "the cluster listed no brokers");
    await incrementalAlterTopicConfigs(clients, brokers[0], name, input.set);
  });
  return describeTopicConfigs(name, clients);
}
