import "server-only";
import { ConfigResourceTypes } from "../kafka/kafkajs-constants";
import type { AlterConfigsInput, ConfigList } from "@/lib/contracts";
import { kafkaCall } from "../kafka/errors";
import { clusterClients } from "../kafka/registry";
import { describeTopicConfigs } from "./describe-configs";

/**
 * Sets or removes topic config overrides. kafkajs only has the legacy
 * AlterConfigs, which replaces the whole set of overrides, so the current
 * overrides are read first and sent back with the changes applied.
 */
export async function alterTopicConfigs(name: string, input: AlterConfigsInput, clients = clusterClients()): Promise<ConfigList> {
  await kafkaCall(async () => {
    const current = await describeTopicConfigs(name, clients);
    const overrides = new Map(current.configs.filter((c) => c.source === "DYNAMIC_TOPIC_CONFIG" && c.value !== null).map((c) => [c.name, c.value!]));
    for (const [key, value] of Object.entries(input.set)) {
      if (value === null) overrides.delete(key);
      else overrides.set(key, value);
    }
    const admin = await clients.getAdmin();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name, configEntries: [...overrides].map(([n, value]) => ({ name: n, value })) }],
    });
  });
  return describeTopicConfigs(name, clients);
}
