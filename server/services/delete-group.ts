import "server-only";
import type { KafkaJSDeleteGroupsError } from "kafkajs";
import { errorCodeName, kafkaCall, ServiceError } from "../kafka/errors";
import { clusterClients } from "../kafka/registry";

/** Deletes a group and its committed offsets; Kafka refuses while it has members (409). */
export async function deleteGroup(groupId: string, clients = clusterClients()): Promise<void> {
  return kafkaCall(async () => {
    const admin = await clients.getAdmin();
    try {
      await admin.deleteGroups([groupId]);
    } catch (error) {
      // kafkajs reports per-group failures in `groups`, each with the Kafka error of that group.
      // (Matched by name: kafkajs is CommonJS and its error classes are not named ESM exports.)
      const failed = (error as Error)?.name === "KafkaJSDeleteGroupsError" ? (error as KafkaJSDeleteGroupsError).groups.find((g) => g.groupId === groupId) : undefined;
      const type = (failed?.error as { type?: string } | undefined)?.type ?? (failed?.errorCode ? errorCodeName(failed.errorCode) : undefined);
      if (type === "NON_EMPTY_GROUP") throw new ServiceError("CONFLICT", `group ${groupId} still has members; stop its consumers before deleting it`);
      if (type === "GROUP_ID_NOT_FOUND") throw new ServiceError("NOT_FOUND", `group ${groupId} does not exist`);
      throw error;
    }
  });
}
