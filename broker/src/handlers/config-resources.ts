// Config resources shared by DescribeConfigs, AlterConfigs, IncrementalAlterConfigs
// and CreateTopics: what a resource is, how its configs are described, and how an
// alteration turns into the next set of overrides.
import type { NodeServices } from "./node-services";
import { BROKER_CONFIG_DEFS, effectiveBrokerValue, type ConfigType } from "../config/broker-config";
import { LISTENER_PREFIX_ONLY_CONFIGS } from "../config/kafka-config-names";
import {
  ConfigSource,
  ConfigTypeId,
  describeBrokerConfigs,
  describeTopicConfigs,
  TOPIC_CONFIG_DEFS,
  topicConfigDefault,
  type DescribedConfig,
} from "../config/topic-config";
import { ErrorCode, KafkaError } from "../protocol/errors";
import { errorOf, type RequestContext } from "./handler";

/** Kafka's ConfigResource.Type ids. */
export const ResourceType = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

/** IncrementalAlterConfigs operations (AlterConfigOp.OpType). */
export const AlterOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface ConfigChange {
  name: string;
  /** SET for the legacy AlterConfigs, which replaces every override at once. */
  op: number;
  value: string | null;
}

/** A resolved target of a config request. */
type Resource = { kind: "topic"; name: string } | { kind: "broker"; name: string };

/** Resolves a request's (type, name) or throws the error Kafka answers with. */
export function resolveResource(services: NodeServices, resourceType: number, resourceName: string): Resource {
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
  resource: Resource,
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
 * Applies config changes to a resource, or only checks them with
 * `validateOnly`. `mode: "replace"` is the legacy AlterConfigs: the given
 * configs become the whole set of overrides. `"incremental"` edits the
 * current overrides one operation at a time.
 */
export function alterResource(
  services: NodeServices,
  resource: Resource,
  changes: readonly ConfigChange[],
  options: { mode: "replace" | "incremental"; validateOnly: boolean },
): void {
  const seen = new Set<string>();
  for (const change of changes) {
    if (seen.has(change.name))
      throw new KafkaError("INVALID_REQUEST", `Error due to duplicate config keys: ${change.name}`);
    seen.add(change.name);
  }
  const current =
    resource.kind === "topic" ? services.image.topic(resource.name)!.configs : (services.image.brokerConfigs.get(resource.name) ?? new Map());
  const next: Record<string, string> = options.mode === "replace" ? {} : Object.fromEntries(current);
  const typeOf = (name: string): ConfigType | undefined =>
    (resource.kind === "topic" ? TOPIC_CONFIG_DEFS.get(name) : BROKER_CONFIG_DEFS.get(name))?.type;
  const effective = (name: string): string | null => {
    if (Object.hasOwn(next, name)) return next[name];
    if (resource.kind === "broker") return effectiveBrokerValue(services.config, name);
    const def = TOPIC_CONFIG_DEFS.get(name);
    return def ? topicConfigDefault(def, services.config) : null;
  };

  for (const change of changes) {
    if (typeOf(change.name) === undefined) throw new KafkaError("INVALID_CONFIG", `Unknown ${resource.kind} config name: ${change.name}`);
    switch (change.op) {
      case AlterOp.SET:
        if (change.value === null) {
          if (options.mode === "replace") continue; // the legacy API drops a null value
          throw new KafkaError("INVALID_CONFIG", `Null value not supported for : ${change.name}`);
        }
        next[change.name] = change.value;
        break;
      case AlterOp.DELETE:
        delete next[change.name];
        break;
      case AlterOp.APPEND:
      case AlterOp.SUBTRACT: {
        if (typeOf(change.name) !== "LIST")
          throw new KafkaError("INVALID_CONFIG", `Config value append is not allowed for config key: ${change.name}`);
        const items = splitList(effective(change.name));
        const given = splitList(change.value);
        const updated =
          change.op === AlterOp.APPEND
            ? [...items, ...given.filter((item) => !items.includes(item))]
            : items.filter((item) => !given.includes(item));
        next[change.name] = updated.join(",");
        break;
      }
      default:
        throw new KafkaError("INVALID_REQUEST", `Unknown config operation ${change.op} for ${change.name}`);
    }
  }

  if (resource.kind === "topic") {
    services.controller.replaceTopicConfigs(resource.name, next, options);
    if (!options.validateOnly) services.replicas.topicConfigChanged(resource.name);
  } else {
    // Kafka's answer (and wording) for a property that needs a restart.
    const fixed = Object.keys(next).filter((name) => BROKER_CONFIG_DEFS.get(name)?.mode === "read-only");
    if (fixed.length > 0) throw new KafkaError("INVALID_REQUEST", `Cannot update these configs dynamically: Set(${fixed.join(", ")})`);
    const prefixOnly = Object.keys(next).filter((name) => LISTENER_PREFIX_ONLY_CONFIGS.has(name));
    if (prefixOnly.length > 0)
      throw new KafkaError(
        "INVALID_REQUEST",
        `These security configs can be dynamically updated only per-listener using the listener prefix: Set(${prefixOnly.join(", ")})`,
      );
    services.replaceDynamicConfigs(next, options);
  }
}

function splitList(text: string | null): string[] {
  return text === null || text.trim() === "" ? [] : text.split(",").map((item) => item.trim());
}

/**
 * The per-resource results of AlterConfigs and IncrementalAlterConfigs: each
 * resource is altered on its own, and a failure is that resource's error.
 */
export function alterResources<Resource extends { resourceType: number; resourceName: string }>(
  resources: readonly Resource[],
  changesOf: (resource: Resource) => ConfigChange[],
  options: { mode: "replace" | "incremental"; validateOnly: boolean },
  context: RequestContext,
) {
  return resources.map((resource) => {
    const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
    try {
      const target = resolveResource(context.services, resource.resourceType, resource.resourceName);
      alterResource(context.services, target, changesOf(resource), options);
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
    } catch (error) {
      return { ...base, ...errorOf(error, context) };
    }
  });
}
