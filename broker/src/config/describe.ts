import { BROKER_CONFIG_DEFS, brokerSynonyms } from "./broker-properties";
import { defaultOf, type ConfigType } from "./definitions";
import type { BrokerConfig } from "./load-broker-config";

/*
 * What DescribeConfigs reports of a broker property: its value, where it
 * came from (source), whether it is sensitive or read-only, its type, and
 * its synonyms in Kafka's order. topic-config.ts describes topics with the
 * same vocabulary.
 */

export type ConfigSourceName = Exclude<keyof typeof ConfigSource, "UNKNOWN" | "DYNAMIC_BROKER_LOGGER_CONFIG" | "CLIENT_METRICS_CONFIG" | "GROUP_CONFIG">;

/** DescribeConfigs (v1+) config source ids. */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
  CLIENT_METRICS_CONFIG: 7,
  GROUP_CONFIG: 8,
} as const;

/** DescribeConfigs (v3+) config type ids. */
export const ConfigTypeId = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const;

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: ConfigSourceName;
}

export interface DescribedConfig {
  name: string;
  value: string | null;
  source: ConfigSourceName;
  isSensitive: boolean;
  readOnly: boolean;
  type: ConfigType;
  documentation: null;
  /** Empty unless includeSynonyms. */
  synonyms: ConfigSynonym[];
}

export interface DescribeOptions {
  includeSynonyms: boolean;
  /** Only these names (DescribeConfigs configurationKeys); null or empty means all. Unknown names are skipped. */
  names?: readonly string[] | null;
}

const own = (record: Readonly<Record<string, string>>, name: string) => (Object.hasOwn(record, name) ? record[name] : undefined);

/** Where the broker properties `names` are set, in Kafka's order: every dynamic one, then every static one, then every default. */
export function brokerSynonymEntries(config: BrokerConfig, names: readonly string[]): ConfigSynonym[] {
  const layers: Array<[ConfigSourceName, (name: string) => string | null | undefined]> = [
    ["DYNAMIC_BROKER_CONFIG", (name) => own(config.dynamicConfigs, name)],
    ["STATIC_BROKER_CONFIG", (name) => own(config.staticConfigs, name)],
    ["DEFAULT_CONFIG", (name) => defaultOf(BROKER_CONFIG_DEFS.get(name)!)?.text],
  ];
  const synonyms: ConfigSynonym[] = [];
  for (const [source, lookup] of layers)
    for (const name of names) {
      const value = lookup(name);
      if (value === undefined || value === null) continue;
      synonyms.push({ name, value: BROKER_CONFIG_DEFS.get(name)!.type === "PASSWORD" ? null : value, source });
    }
  return synonyms;
}

/** All names, sorted, or only the requested ones. */
export function selectNames(all: Iterable<string>, names: readonly string[] | null | undefined): string[] {
  const sorted = [...all].sort();
  return names && names.length > 0 ? sorted.filter((name) => names.includes(name)) : sorted;
}

/**
 * DescribeConfigs of this broker (resource name = its node id). As in Kafka,
 * an entry's synonyms start at the property itself: log.retention.ms lists
 * log.retention.hours only after a value of its own (log.retention.hours has
 * its own entry).
 */
export function describeBrokerConfigs(config: BrokerConfig, options: DescribeOptions): DescribedConfig[] {
  return selectNames(BROKER_CONFIG_DEFS.keys(), options.names).map((name) => {
    const resolved = config.values.get(name)!;
    const all = brokerSynonymEntries(config, brokerSynonyms(name));
    const first = all.findIndex((synonym) => synonym.name === name);
    const synonyms = first < 0 ? [] : all.slice(first);
    return {
      name,
      value: resolved.value,
      source: synonyms[0]?.source ?? "DEFAULT_CONFIG",
      isSensitive: resolved.isSensitive,
      readOnly: resolved.readOnly,
      type: BROKER_CONFIG_DEFS.get(name)!.type,
      documentation: null,
      synonyms: options.includeSynonyms ? synonyms : [],
    };
  });
}
