import {
  BROKER_CONFIG_DEFS,
  brokerSynonyms,
  effectiveBrokerValue,
  type TopicConfigFields,
} from "./broker-properties";
import { checkValue, ConfigError, toSafeNumber, type ConfigType, type ParsedValue, type Validator } from "./definitions";
import { brokerSynonymEntries, selectNames, type ConfigSynonym, type DescribedConfig, type DescribeOptions } from "./describe";
import type { BrokerConfig } from "./load-broker-config";
import { UNUSED_TOPIC_CONFIGS } from "./kafka-config-names";

// The describe vocabulary is shared with broker configs; import it from either module.
export { ConfigSource, ConfigTypeId, describeBrokerConfigs } from "./describe";
export type { ConfigSourceName, ConfigSynonym, DescribedConfig, DescribeOptions } from "./describe";
export type { ConfigType } from "./definitions";

/*
 * Topic-level configs with Kafka's names, types and validators. A topic's
 * value is its override if it has one, else the broker property that is its
 * synonym (the broker table's `topicConfig` column: retention.ms <-
 * log.retention.ms, falling back to log.retention.minutes and
 * log.retention.hours), else that property's default.
 */

export interface TopicConfigDef {
  name: string;
  type: ConfigType;
  validator?: Validator;
  /** The broker property that supplies the default; null for the few Kafka configs with no broker default. */
  synonym: string | null;
  /** The default when there is no synonym. */
  default?: string;
  /** A Kafka config this broker accepts and describes but does not act on (kafka-config-names.ts). */
  unused?: true;
}

const synonymOf = (topicConfig: string) => {
  const def = [...BROKER_CONFIG_DEFS.values()].find((candidate) => candidate.topicConfig === topicConfig);
  if (!def) throw new Error(`no broker property supplies the default of topic config ${topicConfig}`);
  return def.name;
};

/**
 * Every topic config: one for each broker property with a topic config
 * (same type and validator, unless the row gives the topic its own), then
 * the few Kafka topic configs no broker property supplies, with their own
 * defaults (kafka-config-names.ts).
 */
export const TOPIC_CONFIG_DEFS: ReadonlyMap<string, TopicConfigDef> = new Map([
  ...[...BROKER_CONFIG_DEFS.values()].flatMap((broker): Array<[string, TopicConfigDef]> => {
    if (broker.topicConfig === undefined) return [];
    const validator = broker.topicValidator ?? broker.validator;
    const def: TopicConfigDef = { name: broker.topicConfig, type: broker.type, synonym: broker.name, ...(validator ? { validator } : {}), ...(broker.unused ? { unused: true } : {}) };
    return [[def.name, def]];
  }),
  ...UNUSED_TOPIC_CONFIGS.map(([name, type, dflt]): [string, TopicConfigDef] => [name, { name, type, synonym: null, default: dflt, unused: true }]),
]);

/** Topic config name -> the broker property that supplies its default. */
export const TOPIC_CONFIG_SYNONYMS: ReadonlyMap<string, string> = new Map(
  [...TOPIC_CONFIG_DEFS].flatMap(([name, def]) => (def.synonym === null ? [] : [[name, def.synonym] as const])),
);

/** The default of a topic config from the broker's configuration, or its own when no broker property supplies one. */
export function topicConfigDefault(def: TopicConfigDef, broker: BrokerConfig): string | null {
  return def.synonym === null ? (def.default ?? null) : effectiveBrokerValue(broker, def.synonym);
}

/** The typed effective configuration of a topic (resolveTopicConfig), declared by the broker property table. */
export type ResolvedTopicConfig = TopicConfigFields;

const camelCase = (name: string) => name.replace(/\.([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** Effective value of every topic config: parsed value and canonical text. */
function effectiveValues(overrides: Readonly<Record<string, string>>, broker: BrokerConfig): Map<string, { value: ParsedValue; text: string }> {
  const out = new Map<string, { value: ParsedValue; text: string }>();
  for (const def of TOPIC_CONFIG_DEFS.values()) {
    const override = Object.hasOwn(overrides, def.name) ? overrides[def.name] : undefined;
    const raw = override ?? topicConfigDefault(def, broker);
    if (raw === null) throw new Error(`topic config ${def.name} has no default`);
    const checked = checkValue(def.name, def.type, raw, def.validator);
    if (!checked.ok) throw new ConfigError(checked.message, def.name);
    out.set(def.name, checked);
  }
  return out;
}

/**
 * Validates topic overrides (CreateTopics, AlterConfigs). On success the
 * configs are returned as given, to be stored as they are. With `broker`, the
 * cross-checks (min.compaction.lag.ms <= max.compaction.lag.ms) also see the
 * broker defaults.
 */
export function validateTopicConfigs(
  configs: Readonly<Record<string, string | null>>,
  broker?: BrokerConfig,
): { ok: true; configs: Record<string, string> } | { ok: false; name: string; message: string } {
  const nulls = Object.keys(configs).filter((name) => configs[name] === null);
  if (nulls.length > 0) return { ok: false, name: nulls[0], message: `Null value not supported for topic configs: ${nulls.join(",")}` };
  const valid: Record<string, string> = {};
  const longs = new Map<string, bigint>();
  for (const [name, value] of Object.entries(configs) as Array<[string, string]>) {
    const def = TOPIC_CONFIG_DEFS.get(name);
    if (!def) return { ok: false, name, message: `Unknown topic config name: ${name}` };
    const checked = checkValue(name, def.type, value, def.validator);
    if (!checked.ok) return { ok: false, name, message: checked.message };
    if (typeof checked.value === "bigint") longs.set(name, checked.value);
    valid[name] = value;
  }
  const lag = (name: string) => longs.get(name) ?? (broker ? BigInt(effectiveBrokerValue(broker, synonymOf(name))!) : undefined);
  const [minLag, maxLag] = [lag("min.compaction.lag.ms"), lag("max.compaction.lag.ms")];
  if (minLag !== undefined && maxLag !== undefined && minLag > maxLag)
    return {
      ok: false,
      name: longs.has("min.compaction.lag.ms") ? "min.compaction.lag.ms" : "max.compaction.lag.ms",
      message: `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`,
    };
  return { ok: true, configs: valid };
}

/** The typed effective configuration of a topic: its overrides over the broker defaults. */
export function resolveTopicConfig(topicOverrides: Readonly<Record<string, string>>, broker: BrokerConfig): ResolvedTopicConfig {
  const resolved: Record<string, unknown> = {};
  for (const [name, { value }] of effectiveValues(topicOverrides, broker))
    if (!TOPIC_CONFIG_DEFS.get(name)!.unused) resolved[camelCase(name)] = typeof value === "bigint" ? toSafeNumber(value) : value;
  return resolved as unknown as ResolvedTopicConfig;
}

/**
 * DescribeConfigs of a topic. Each entry's synonyms are, in order: the topic
 * override, then the broker synonyms set dynamically, then statically, then
 * their defaults. Unlike Kafka, a fallback property (log.retention.hours for
 * retention.ms) is listed even when the primary one (log.retention.ms) is
 * unset, so the source tells where the value really comes from.
 */
export function describeTopicConfigs(
  topicOverrides: Readonly<Record<string, string>>,
  broker: BrokerConfig,
  options: DescribeOptions,
): DescribedConfig[] {
  const effective = effectiveValues(topicOverrides, broker);
  return selectNames(TOPIC_CONFIG_DEFS.keys(), options.names).map((name) => {
    const def = TOPIC_CONFIG_DEFS.get(name)!;
    const value = effective.get(name)!.text;
    const synonyms: ConfigSynonym[] = [
      ...(Object.hasOwn(topicOverrides, name) ? [{ name, value, source: "TOPIC_CONFIG" as const }] : []),
      ...(def.synonym === null ? [] : brokerSynonymEntries(broker, brokerSynonyms(def.synonym))),
    ];
    return {
      name,
      value,
      source: synonyms[0]?.source ?? "DEFAULT_CONFIG",
      isSensitive: false,
      readOnly: false,
      type: def.type,
      documentation: null,
      synonyms: options.includeSynonyms ? synonyms : [],
    };
  });
}
