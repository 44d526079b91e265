/*
 * The broker's configuration, as the rest of the node imports it. The work is
 * done in five modules, which import one another directly (never this file):
 *   definitions.ts         what a definition is: value types, validators, parsing to canonical text
 *   broker-properties.ts   the property table: every broker property, its default and docs
 *   listeners.ts           listeners, advertised listeners and SASL
 *   describe.ts            what DescribeConfigs reports: source, sensitivity, synonyms
 *   load-broker-config.ts  loading: file and --override, dynamic layers, the resolved BrokerConfig
 * Topic configs are in topic-config.ts, derived from the property table.
 */

export {
  atLeast,
  between,
  checkValue,
  ConfigError,
  listOf,
  LONG_MAX,
  oneOf,
  parseTyped,
  toSafeNumber,
  type BrokerConfigDef,
  type BrokerConfigSource,
  type ConfigType,
  type Parsed,
  type ParsedValue,
  type ResolvedValue,
  type UpdateMode,
  type Validator,
} from "./definitions";
export {
  BROKER_CONFIG_DEFS,
  brokerSynonyms,
  CLEANUP_POLICIES,
  COMPRESSION_TYPES,
  effectiveBrokerValue,
  parseMetricsListener,
  SASL_MECHANISMS,
  SECURITY_PROTOCOLS,
  TIMESTAMP_TYPES,
  type CleanupPolicy,
  type CompressionTypeName,
  type SaslMechanism,
  type SecurityProtocol,
  type TimestampType,
} from "./broker-properties";
export type { ListenerConfig, ListenerSaslConfig } from "./listeners";
export type { QuorumConfig, QuorumVoter } from "./quorum";
export {
  brokerSynonymEntries,
  ConfigSource,
  ConfigTypeId,
  describeBrokerConfigs,
  selectNames,
  type ConfigSourceName,
  type ConfigSynonym,
  type DescribedConfig,
  type DescribeOptions,
} from "./describe";
export {
  loadBrokerConfig,
  parseBrokerConfig,
  unusedBrokerProperties,
  withDynamicConfigs,
  type BrokerConfig,
  type ProcessRole,
} from "./load-broker-config";
