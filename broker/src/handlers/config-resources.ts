// Config resources shared by DescribeConfigs, AlterConfigs, IncrementalAlterConfigs
// and CreateTopics: which resource a request names, how its configs are described
// on the wire, and the per-resource results of an alteration. The alteration
// itself is the controller's (metadata/config-control.ts).
import type { NodeServices } from "./node-services";
import { BROKER_CONFIG_DEFS } from "../config/broker-config";
import { ConfigSource, ConfigTypeId, describeBrokerConfigs, describeTopicConfigs, type DescribedConfig } from "../config/topic-config";
import type { ConfigChange, ConfigResource } from "../metadata/config-control";
import { ErrorCode, KafkaError } from "../protocol/errors";
import { errorOf, type RequestContext } from "./handler";

export { AlterOp, type ConfigChange } from "../metadata/config-control";

/** Kafka's ConfigResource.Type ids. */
export const ResourceType = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

/** Resolves a request's (type, name) or throws the error Kafka answers with. */
export function resolveResource(services: NodeServices, resourceType: number, resourceName: string): ConfigResource {
  switch (resourceType) {
    case ResourceType.TOPIC:
      if (!services.image.topic(resourceName))
        throw new KafkaError("UNKNOWN_TOPIC_OR_PARTITION", `Topic ${resourceName} does not exist.`);
      return { kind: "topic", name: resourceName };
    case ResourceType.BROKER:
      if (resourceName === "")
        throw new KafkaError("INVALID_REQUEST", "Cluster-wide default broker configs are not supported; name a broker id.");
      if (resourceName !== String(services.nodeId))
        throw new KafkaError("INVALID_REQUEST", `Unexpected broker id, expected ${services.nodeId} or empty string, but received ${resourceName}`);
      return { kind: "broker", name: resourceName };
    case ResourceType.BROKER_LOGGER:
      throw new KafkaError("INVALID_REQUEST", "NodeServices logger configs are not supported.");
    default:
      throw new KafkaError("INVALID_REQUEST", `Unsupported resource type ${resourceType}.`);
  }
}

/** The described configs of a resource, in the wire shape of DescribeConfigs v0-4. */
export function describeResource(
  services: NodeServices,
  resource: ConfigResource,
  options: { names: readonly string[] | null; includeSynonyms: boolean; includeDocumentation: boolean },
) {
  const described =
    resource.kind === "topic"
      ? describeTopicConfigs(Object.fromEntries(services.image.topic(resource.name)!.configs), services.config, options)
      : describeBrokerConfigs(services.config, options);
  return described.map((entry) => ({
    ...toWire(entry),
    isDefault: entry.source === "DEFAULT_CONFIG",
    synonyms: entry.synonyms.map((synonym) => ({ name: synonym.name, value: synonym.value, source: ConfigSource[synonym.source] })),
    configType: ConfigTypeId[entry.type],
    documentation: options.includeDocumentation && resource.kind === "broker" ? (BROKER_CONFIG_DEFS.get(entry.name)?.doc ?? null) : null,
  }));
}

/** A topic's configs as CreateTopics v5+ reports them. */
export function describedTopicConfigs(services: NodeServices, topicName: string) {
  const topic = services.image.topic(topicName)!;
  return describeTopicConfigs(Object.fromEntries(topic.configs), services.config, { includeSynonyms: false }).map(toWire);
}

function toWire(entry: DescribedConfig) {
  return {
    name: entry.name,
    value: entry.value,
    readOnly: entry.readOnly,
    configSource: ConfigSource[entry.source],
    isSensitive: entry.isSensitive,
  };
}

/**
 * The per-resource results of AlterConfigs and IncrementalAlterConfigs: each
 * resource is altered on its own, in request order, and a failure is that
 * resource's error.
 */
export async function alterResources<Resource extends { resourceType: number; resourceName: string }>(
  resources: readonly Resource[],
  changesOf: (resource: Resource) => ConfigChange[],
  options: { mode: "replace" | "incremental"; validateOnly: boolean },
  context: RequestContext,
) {
  const results = [];
  for (const resource of resources) {
    const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
    try {
      const target = resolveResource(context.services, resource.resourceType, resource.resourceName);
      await context.services.controller.alterConfigs(target, changesOf(resource), options);
      results.push({ ...base, errorCode: ErrorCode.NONE, errorMessage: null });
    } catch (error) {
      results.push({ ...base, ...errorOf(error, context) });
    }
  }
  return results;
}
