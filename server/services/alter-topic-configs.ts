import "server-only";
import type { AlterConfigsInput, ConfigList } from "@/lib/contracts";
import { incrementalAlterConfigs } from "../kafka/broker-wire";
import { ServiceError, topicCall } from "../kafka/errors";
import { clusterClients } from "../kafka/registry";
import { describeTopicConfigs } from "./describe-configs";

/** Sets or removes topic config overrides, only those named (IncrementalAlterConfigs), then reads them back. */
export async function alterTopicConfigs(name: string, input: AlterConfigsInput, clients = clusterClients()): Promise<ConfigList> {
  await topicCall(name, async () => {
    const admin = await clients.getAdmin();
    const { brokers } = await admin.describeCluster();
    if (brokers.length === 0) throw new ServiceError("UNAVAILABLE", "the cluster listed no brokers");
    await incrementalAlterConfigs(clients, brokers[0], { type: "topic", name }, input.set);
  });
  return describeTopicConfigs(name, clients);
}
