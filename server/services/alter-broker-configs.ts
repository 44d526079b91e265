import "server-only";
import type { AlterConfigsInput, ConfigList } from "@/lib/contracts";
import { incrementalAlterConfigs } from "../kafka/broker-wire";
import { kafkaCall, ServiceError } from "../kafka/errors";
import { clusterClients } from "../kafka/registry";
import { describeBrokerConfigs } from "./describe-configs";

/**
 * Sets or removes a broker's dynamic configs (those Kafka describes as not
 * read-only), only those named, then reads them back. Kafka refuses the
 * others with its reason, which the error carries.
 */
export async function alterBrokerConfigs(nodeId: number, input: AlterConfigsInput, clients = clusterClients()): Promise<ConfigList> {
  await kafkaCall(async () => {
    const admin = await clients.getAdmin();
    const { brokers } = await admin.describeCluster();
    const broker = brokers.find((b) => b.nodeId === nodeId);
    if (!broker) throw new ServiceError("NOT_FOUND", `no broker with id ${nodeId} in the cluster`);
    await incrementalAlterConfigs(clients, broker, { type: "broker", name: String(nodeId) }, input.set);
  });
  return describeBrokerConfigs(nodeId, clients);
}
