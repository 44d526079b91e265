import { readFileSync } from "node:fs";
import { jaasUsers, JaasSyntaxError, parseJaasConfig } from "./jaas";
import { UNUSED_BROKER_CONFIGS } from "./kafka-config-names";
import { parsePropertiesEntries, PropertiesSyntaxError } from "./properties-file";

/*
 * Broker configuration with Kafka's property names, types, defaults and
 * validators, and the bookkeeping DescribeConfigs needs (where each value
 * came from, whether it may change at run time, its synonyms).
 *
 * Numbers: INT, SHORT and DOUBLE values are JS numbers. LONG values are
 * validated exactly (as 64-bit integers) and their canonical strings keep
 * every digit, so DescribeConfigs reports Long.MAX_VALUE as
 * 9223372036854775807; the typed fields are JS numbers, with anything beyond
 * ±Number.MAX_SAFE_INTEGER clamped to it (2^53-1 ms is 285 000 years, so it
 * still means "never").
 */

export type ConfigType = "BOOLEAN" | "STRING" | "INT" | "SHORT" | "LONG" | "DOUBLE" | "LIST" | "CLASS" | "PASSWORD";
/** Kafka's update modes: read-only needs a restart; the others can change through AlterConfigs. */
export type UpdateMode = "read-only" | "per-broker" | "cluster-wide";
export type ConfigSourceName = Exclude<keyof typeof ConfigSource, "UNKNOWN" | "DYNAMIC_BROKER_LOGGER_CONFIG" | "CLIENT_METRICS_CONFIG" | "GROUP_CONFIG">;
export type BrokerConfigSource = "DYNAMIC_BROKER_CONFIG" | "STATIC_BROKER_CONFIG" | "DEFAULT_CONFIG";

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

export class ConfigError extends Error {
  constructor(
    message: string,
    /** The property at fault, when there is one. */
    readonly property?: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

// ---------------------------------------------------------------------------
// Values and validators

export const LONG_MAX = "9223372036854775807";
const LONG_RANGE = [-(2n ** 63n), 2n ** 63n - 1n] as const;
const INT_RANGE = [-(2n ** 31n), 2n ** 31n - 1n] as const;
const SHORT_RANGE = [-(2n ** 15n), 2n ** 15n - 1n] as const;

export type ParsedValue = number | bigint | boolean | string | string[];

/** Returns a reason (Kafka's wording) when the parsed value is not acceptable. */
export type Validator = (value: ParsedValue) => string | null;

export const atLeast =
  (min: number): Validator =>
  (value) =>
    (value as number | bigint) < min ? `Value must be at least ${min}` : null;

export const between =
  (min: number, max: number): Validator =>
  (value) =>
    (value as number) < min ? `Value must be at least ${min}` : (value as number) > max ? `Value must be no more than ${max}` : null;

export const oneOf =
  (...allowed: string[]): Validator =>
  (value) =>
    allowed.includes(value as string) ? null : `String must be one of: ${allowed.join(", ")}`;

export const listOf =
  (...allowed: string[]): Validator =>
  (value) => {
    const bad = (value as string[]).find((item) => !allowed.includes(item));
    return bad === undefined ? null : `String must be one of: ${allowed.join(", ")} (got ${bad})`;
  };

const nonEmptyDistinctList: Validator = (value) => {
  const items = value as string[];
  if (items.length === 0 || items.some((item) => item === "")) return "Value must be a non-empty list without empty entries";
  return new Set(items).size === items.length ? null : "Values must not be duplicated";
};

export type Parsed = { ok: true; value: ParsedValue; text: string } | { ok: false; reason: string };

/**
 * Parses the string form of a value of `type` as Kafka's ConfigDef does
 * (trimmed; lists split on commas) and gives its canonical text, the string
 * DescribeConfigs reports (ConfigDef.convertToString).
 */
export function parseTyped(type: ConfigType, raw: string): Parsed {
  const trimmed = raw.trim();
  const integer = (range: readonly [bigint, bigint]) => {
    if (!/^[+-]?\d+$/.test(trimmed)) return null;
    const n = BigInt(trimmed);
    return n < range[0] || n > range[1] ? null : n;
  };
  switch (type) {
    case "INT":
    case "SHORT": {
      const n = integer(type === "INT" ? INT_RANGE : SHORT_RANGE);
      return n === null ? { ok: false, reason: `Not a number of type ${type}` } : { ok: true, value: Number(n), text: n.toString() };
    }
    case "LONG": {
      const n = integer(LONG_RANGE);
      return n === null ? { ok: false, reason: "Not a number of type LONG" } : { ok: true, value: n, text: n.toString() };
    }
    case "DOUBLE": {
      if (!/^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?|NaN|Infinity)$/.test(trimmed))
        return { ok: false, reason: "Not a number of type DOUBLE" };
      const value = Number(trimmed.replace(/[dDfF]$/, ""));
      return { ok: true, value, text: javaDoubleText(value) };
    }
    case "BOOLEAN": {
      const lower = trimmed.toLowerCase();
      if (lower !== "true" && lower !== "false") return { ok: false, reason: "Expected value to be either true or false" };
      return { ok: true, value: lower === "true", text: lower };
    }
    case "LIST": {
      const items = trimmed === "" ? [] : trimmed.split(/\s*,\s*/);
      return { ok: true, value: items, text: items.join(",") };
    }
    default:
      return { ok: true, value: trimmed, text: trimmed };
  }
}

/** A double as Java's Double.toString writes it (1.0E7, 1.7976931348623157E308), the text Kafka describes. */
function javaDoubleText(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) return Number.isInteger(value) ? value.toFixed(1) : String(value);
  const [mantissa, exponent] = value.toExponential().split("e");
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** A LONG (or any integer) as a JS number, clamped to the safe range. */
export function toSafeNumber(value: bigint | number): number {
  if (typeof value === "number") return value;
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  return Number(value > max ? max : value < -max ? -max : value);
}

/** Parses and validates; the error message is Kafka's `Invalid value X for configuration Y: reason`. */
export function checkValue(
  name: string,
  type: ConfigType,
  raw: string,
  validator?: Validator,
): { ok: true; value: ParsedValue; text: string } | { ok: false; message: string } {
  const parsed = parseTyped(type, raw);
  const reason = parsed.ok ? (validator?.(parsed.value) ?? null) : parsed.reason;
  if (parsed.ok && reason === null) return parsed;
  return { ok: false, message: `Invalid value ${type === "PASSWORD" ? "[hidden]" : raw} for configuration ${name}: ${reason}` };
}

/** The parsed default of a defined property (null when it has none). */
function defaultOf(def: BrokerConfigDef): { value: ParsedValue; text: string } | null {
  if (def.default === null) return null;
  const parsed = parseTyped(def.type, def.default);
  if (!parsed.ok) throw new Error(`bad default for ${def.name}: ${def.default}`);
  return parsed;
}

// ---------------------------------------------------------------------------
// The definitions

export interface BrokerConfigDef {
  name: string;
  type: ConfigType;
  /** Kafka's default as a string; null when the property has none. */
  default: string | null;
  mode: UpdateMode;
  /** One line; DescribeConfigs sends documentation: null. */
  doc: string;
  validator?: Validator;
  /** The topic config this property supplies the default for (its synonym). */
  topicConfig?: string;
  /** A Kafka property this broker accepts and describes but does not act on (kafka-config-names.ts). */
  unused?: true;
}

const R: UpdateMode = "read-only";
const C: UpdateMode = "cluster-wide";

export const SECURITY_PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];
/** The SASL mechanisms this broker implements (Kafka also has GSSAPI and OAUTHBEARER). */
export const SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];
export const COMPRESSION_TYPES = ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"] as const;
export type CompressionTypeName = (typeof COMPRESSION_TYPES)[number];
export const TIMESTAMP_TYPES = ["CreateTime", "LogAppendTime"] as const;
export const CLEANUP_POLICIES = ["compact", "delete"] as const;

const voterList: Validator = (value) => {
  const bad = (value as string[]).find((voter) => !/^\d+@(\[[^\]]+\]|[^:@\s]+):\d+$/.test(voter));
  return bad === undefined ? null : `${bad} is not of the form {id}@{host}:{port}`;
};

/** max.connections.per.ip.overrides: host:count,host:count (split at the last colon, so IPv6 addresses need no brackets). */
function parsePerIpOverrides(text: string): { overrides: Map<string, number> } | { error: string } {
  const overrides = new Map<string, number>();
  for (const entry of splitList(text)) {
    const colon = entry.lastIndexOf(":");
    const host = entry.slice(0, colon).trim().replace(/^\[(.*)\]$/, "$1");
    const count = entry.slice(colon + 1).trim();
    if (colon <= 0 || host === "" || !/^\d+$/.test(count) || Number(count) > 2 ** 31 - 1)
      return { error: `${entry} is not host:count with count a non-negative INT` };
    overrides.set(host.toLowerCase(), Number(count));
  }
  return { overrides };
}

const perIpOverrides: Validator = (value) => {
  const parsed = parsePerIpOverrides(value as string);
  return "error" in parsed ? parsed.error : null;
};

type Row = [name: string, type: ConfigType, dflt: string | null, mode: UpdateMode, doc: string, extra?: Pick<BrokerConfigDef, "validator" | "topicConfig">];

// prettier-ignore
const ROWS: Row[] = [
  // Node identity and roles
  ["node.id", "INT", "1", R, "Id of this node (Kafka requires it in KRaft mode; Sluice defaults to 1)", { validator: atLeast(0) }],
  ["broker.id", "INT", "-1", R, "Older name of node.id; when both are set they must agree", { validator: atLeast(-1) }],
  ["process.roles", "LIST", "broker,controller", R, "Roles of this node: broker, controller or both", { validator: listOf("broker", "controller") }],
  ["broker.rack", "STRING", null, R, "Rack of this broker, reported in metadata"],
  // Listeners
  ["listeners", "STRING", "PLAINTEXT://:9092", R, "Comma-separated NAME://host:port to listen on; an empty host means every interface"],
  ["advertised.listeners", "STRING", null, R, "Listeners given to clients when they differ from listeners"],
  ["listener.security.protocol.map", "STRING", "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT", R, "Security protocol of each listener name, NAME:PROTOCOL"],
  ["inter.broker.listener.name", "STRING", null, R, "Listener brokers use to talk to each other"],
  ["security.inter.broker.protocol", "STRING", "PLAINTEXT", R, "Inter-broker security protocol when inter.broker.listener.name is unset", { validator: oneOf(...SECURITY_PROTOCOLS) }],
  ["controller.listener.names", "STRING", null, R, "Listener names used by the controller"],
  ["controller.quorum.voters", "LIST", "", R, "Controller quorum voters as id@host:port (accepted; Sluice runs no Raft quorum)", { validator: voterList }],
  ["controller.quorum.bootstrap.servers", "LIST", "", R, "Controller quorum bootstrap host:port list (accepted; informational)"],
  // SASL (per listener: listener.name.<listener>.sasl.enabled.mechanisms and listener.name.<listener>.<mechanism>.sasl.jaas.config)
  ["sasl.enabled.mechanisms", "LIST", "GSSAPI", R, "SASL mechanisms of SASL listeners; this broker offers PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512"],
  ["sasl.server.max.receive.size", "INT", "524288", R, "Largest frame accepted before and during SASL authentication", { validator: atLeast(1) }],
  // Storage
  ["log.dirs", "LIST", null, R, "Directories where partition logs are stored; log.dir when unset", { validator: nonEmptyDistinctList }],
  ["log.dir", "LIST", "/tmp/kafka-logs", R, "Log directory used when log.dirs is unset", { validator: nonEmptyDistinctList }],
  ["num.recovery.threads.per.data.dir", "INT", "1", C, "Threads per log dir for recovery (accepted; informational)", { validator: atLeast(1) }],
  // Topic defaults
  ["num.partitions", "INT", "1", R, "Partitions of a topic created without a partition count", { validator: atLeast(1) }],
  ["default.replication.factor", "INT", "1", R, "Replication factor of a topic created without one", { validator: atLeast(1) }],
  ["min.insync.replicas", "INT", "1", C, "Replicas that must acknowledge an acks=all write", { validator: atLeast(1), topicConfig: "min.insync.replicas" }],
  ["auto.create.topics.enable", "BOOLEAN", "true", R, "Create a topic when a client asks for an unknown one"],
  ["delete.topic.enable", "BOOLEAN", "true", R, "Allow deleting topics"],
  ["unclean.leader.election.enable", "BOOLEAN", "false", C, "Allow an out-of-sync replica to become leader", { topicConfig: "unclean.leader.election.enable" }],
  ["compression.type", "STRING", "producer", C, "Compression of stored batches; producer keeps the producer's", { validator: oneOf(...COMPRESSION_TYPES), topicConfig: "compression.type" }],
  ["message.max.bytes", "INT", "1048588", C, "Largest record batch the broker accepts", { validator: atLeast(0), topicConfig: "max.message.bytes" }],
  // Log segments, retention, flushing
  ["log.segment.bytes", "INT", "1073741824", C, "Size at which a log segment is rolled", { validator: atLeast(14), topicConfig: "segment.bytes" }],
  ["log.roll.ms", "LONG", null, C, "Age at which a segment is rolled, in ms; log.roll.hours when unset", { validator: atLeast(1), topicConfig: "segment.ms" }],
  ["log.roll.hours", "INT", "168", C, "Age at which a segment is rolled, in hours", { validator: atLeast(1) }],
  ["log.roll.jitter.ms", "LONG", null, C, "Random jitter subtracted from the roll time, in ms; log.roll.jitter.hours when unset", { validator: atLeast(0), topicConfig: "segment.jitter.ms" }],
  ["log.roll.jitter.hours", "INT", "0", C, "Random jitter subtracted from the roll time, in hours", { validator: atLeast(0) }],
  ["log.retention.ms", "LONG", null, C, "How long to keep data, in ms (-1: forever); log.retention.minutes when unset", { topicConfig: "retention.ms" }],
  ["log.retention.minutes", "INT", null, C, "How long to keep data, in minutes; log.retention.hours when unset"],
  ["log.retention.hours", "INT", "168", C, "How long to keep data, in hours"],
  ["log.retention.bytes", "LONG", "-1", C, "Size a partition log may reach before old segments are deleted (-1: no limit)", { topicConfig: "retention.bytes" }],
  ["log.retention.check.interval.ms", "LONG", "300000", R, "How often retention is enforced", { validator: atLeast(1) }],
  ["log.cleanup.policy", "LIST", "delete", C, "What happens to old segments: delete, compact or both", { validator: listOf(...CLEANUP_POLICIES), topicConfig: "cleanup.policy" }],
  ["log.index.size.max.bytes", "INT", "10485760", C, "Largest offset index file", { validator: atLeast(4), topicConfig: "segment.index.bytes" }],
  ["log.index.interval.bytes", "INT", "4096", C, "Bytes between offset index entries", { validator: atLeast(0), topicConfig: "index.interval.bytes" }],
  ["log.flush.interval.messages", "LONG", LONG_MAX, C, "Messages appended before the log is fsynced", { validator: atLeast(1), topicConfig: "flush.messages" }],
  ["log.flush.interval.ms", "LONG", null, C, "Age of unflushed data before an fsync, in ms; log.flush.scheduler.interval.ms when unset", { validator: atLeast(0), topicConfig: "flush.ms" }],
  ["log.flush.scheduler.interval.ms", "LONG", LONG_MAX, R, "How often the flusher looks for logs to fsync"],
  ["log.flush.offset.checkpoint.interval.ms", "INT", "60000", R, "How often the recovery point is checkpointed", { validator: atLeast(0) }],
  ["log.segment.delete.delay.ms", "LONG", "60000", C, "Delay before a deleted segment's files are removed", { validator: atLeast(0), topicConfig: "file.delete.delay.ms" }],
  ["log.preallocate", "BOOLEAN", "false", C, "Preallocate segment files", { topicConfig: "preallocate" }],
  ["log.message.timestamp.type", "STRING", "CreateTime", C, "Record timestamps: the producer's (CreateTime) or the broker's (LogAppendTime)", { validator: oneOf(...TIMESTAMP_TYPES), topicConfig: "message.timestamp.type" }],
  ["log.message.timestamp.before.max.ms", "LONG", LONG_MAX, C, "How far a CreateTime timestamp may lie in the past", { validator: atLeast(0), topicConfig: "message.timestamp.before.max.ms" }],
  ["log.message.timestamp.after.max.ms", "LONG", LONG_MAX, C, "How far a CreateTime timestamp may lie in the future", { validator: atLeast(0), topicConfig: "message.timestamp.after.max.ms" }],
  ["log.message.timestamp.difference.max.ms", "LONG", LONG_MAX, C, "Older bound both ways, used where before.max.ms or after.max.ms is left at its default", { validator: atLeast(0), topicConfig: "message.timestamp.difference.max.ms" }],
  // Log cleaner
  ["log.cleaner.enable", "BOOLEAN", "true", R, "Run the log cleaner for compacted topics"],
  ["log.cleaner.delete.retention.ms", "LONG", "86400000", C, "How long tombstones are kept in compacted topics", { validator: atLeast(0), topicConfig: "delete.retention.ms" }],
  ["log.cleaner.min.compaction.lag.ms", "LONG", "0", C, "Minimum age of a record before it may be compacted", { validator: atLeast(0), topicConfig: "min.compaction.lag.ms" }],
  ["log.cleaner.max.compaction.lag.ms", "LONG", LONG_MAX, C, "Maximum age of a record before it must be compacted", { validator: atLeast(1), topicConfig: "max.compaction.lag.ms" }],
  ["log.cleaner.min.cleanable.ratio", "DOUBLE", "0.5", C, "Dirty ratio above which a log is compacted", { validator: between(0, 1), topicConfig: "min.cleanable.dirty.ratio" }],
  // Network
  ["socket.request.max.bytes", "INT", "104857600", R, "Largest request frame accepted", { validator: atLeast(1) }],
  ["socket.send.buffer.bytes", "INT", "102400", R, "SO_SNDBUF of client sockets (-1: the OS default)"],
  ["socket.receive.buffer.bytes", "INT", "102400", R, "SO_RCVBUF of client sockets (-1: the OS default)"],
  ["queued.max.requests", "INT", "500", R, "Requests a connection may queue before reads pause", { validator: atLeast(1) }],
  ["queued.max.request.bytes", "LONG", "536870912", R, "Request bytes held across all connections before reading pauses (0 or less: unbounded; Kafka's default is -1, Sluice bounds it at 512 MiB)"],
  ["max.connections", "INT", "2147483647", C, "Connections accepted across all listeners; more are closed at once", { validator: atLeast(0) }],
  ["max.connections.per.ip", "INT", "2147483647", C, "Connections accepted from one IP address; more are closed at once", { validator: atLeast(0) }],
  ["max.connections.per.ip.overrides", "STRING", "", C, "Per-host or per-IP limits replacing max.connections.per.ip, as host:count,host:count", { validator: perIpOverrides }],
  ["connections.max.idle.ms", "LONG", "600000", R, "Time without traffic after which a connection with no request in flight is closed (negative: never, as in Kafka)"],
  ["num.network.threads", "INT", "3", C, "Network threads (accepted; informational)", { validator: atLeast(1) }],
  ["num.io.threads", "INT", "8", C, "Request handler threads (accepted; informational)", { validator: atLeast(1) }],
  // Replication and fetching
  ["replica.fetch.max.bytes", "INT", "1048576", R, "Bytes a follower fetches per partition", { validator: atLeast(0) }],
  ["replica.lag.time.max.ms", "LONG", "30000", R, "How long a follower may lag before leaving the ISR"],
  ["fetch.max.bytes", "INT", "57671680", R, "Most bytes returned by one fetch request", { validator: atLeast(1024) }],
  // Groups and offsets
  ["offsets.topic.num.partitions", "INT", "50", R, "Partitions of __consumer_offsets", { validator: atLeast(1) }],
  ["offsets.topic.replication.factor", "SHORT", "3", R, "Replication factor of __consumer_offsets (the caller caps it at the brokers available)", { validator: atLeast(1) }],
  ["offsets.retention.minutes", "INT", "10080", R, "How long committed offsets of an empty group are kept", { validator: atLeast(1) }],
  ["group.initial.rebalance.delay.ms", "INT", "3000", R, "Wait for more members before the first rebalance of a new group"],
  ["group.min.session.timeout.ms", "INT", "6000", R, "Smallest session timeout a consumer may ask for"],
  ["group.max.session.timeout.ms", "INT", "1800000", R, "Largest session timeout a consumer may ask for"],
  // Transactions and share groups
  ["transaction.state.log.num.partitions", "INT", "50", R, "Partitions of __transaction_state", { validator: atLeast(1) }],
  ["transaction.state.log.replication.factor", "SHORT", "3", R, "Replication factor of __transaction_state", { validator: atLeast(1) }],
  ["transaction.state.log.min.isr", "INT", "2", R, "min.insync.replicas of __transaction_state", { validator: atLeast(1) }],
  ["transactional.id.expiration.ms", "INT", "604800000", R, "Idle time after which a transactional id expires", { validator: atLeast(1) }],
  ["transaction.max.timeout.ms", "INT", "900000", R, "Largest transaction timeout a producer may ask for", { validator: atLeast(1) }],
  ["share.coordinator.state.topic.replication.factor", "SHORT", "3", R, "Replication factor of __share_group_state (accepted; informational)", { validator: atLeast(1) }],
  ["share.coordinator.state.topic.min.isr", "SHORT", "2", R, "min.insync.replicas of __share_group_state (accepted; informational)", { validator: atLeast(1) }],
];

const UNUSED_DOC = "A Kafka property this broker accepts and does not act on";

/** Sluice's rows, then Kafka's other properties (which Sluice's rows override). */
export const BROKER_CONFIG_DEFS: ReadonlyMap<string, BrokerConfigDef> = new Map([
  ...UNUSED_BROKER_CONFIGS.map(([name, type, dflt, mode, topicConfig]): [string, BrokerConfigDef] => [
    name,
    { name, type, default: dflt, mode, doc: UNUSED_DOC, unused: true, ...(topicConfig ? { topicConfig } : {}) },
  ]),
  ...ROWS.map(([name, type, dflt, mode, doc, extra]): [string, BrokerConfigDef] => [name, { name, type, default: dflt, mode, doc, ...extra }]),
]);

/** The properties set (statically or dynamically) that this broker accepts but does not act on, sorted. */
export function unusedBrokerProperties(config: BrokerConfig): string[] {
  const set = [...Object.keys(config.staticConfigs), ...Object.keys(config.dynamicConfigs)];
  return [...new Set(set)].filter((name) => (BROKER_CONFIG_DEFS.get(name) ?? listenerPropertyDef(name))?.unused).sort();
}

/**
 * Properties whose value, when unset, comes from the next one in the list
 * (with a unit conversion). Kafka's DynamicBrokerConfig.brokerConfigSynonyms.
 */
const SYNONYM_CHAINS: Record<string, Array<[name: string, toMs: bigint]>> = {
  "log.retention.ms": [["log.retention.ms", 1n], ["log.retention.minutes", 60_000n], ["log.retention.hours", 3_600_000n]],
  "log.roll.ms": [["log.roll.ms", 1n], ["log.roll.hours", 3_600_000n]],
  "log.roll.jitter.ms": [["log.roll.jitter.ms", 1n], ["log.roll.jitter.hours", 3_600_000n]],
  "log.flush.interval.ms": [["log.flush.interval.ms", 1n], ["log.flush.scheduler.interval.ms", 1n]],
};

/** The broker properties that stand for `name`, highest precedence first (just `[name]` for most). */
export function brokerSynonyms(name: string): string[] {
  return SYNONYM_CHAINS[name]?.map(([synonym]) => synonym) ?? [name];
}

// ---------------------------------------------------------------------------
// The parsed configuration

export interface ResolvedValue {
  /** Canonical string form (lists joined by ","); null when unset without a default, or sensitive. */
  value: string | null;
  source: BrokerConfigSource;
  isSensitive: boolean;
  readOnly: boolean;
}

export interface ListenerConfig {
  /** Upper-cased, as Kafka normalises listener names. */
  name: string;
  /** Empty means every interface (bind) — never empty in advertisedListeners. IPv6 without brackets. */
  host: string;
  /** 0 binds a free port. */
  port: number;
  securityProtocol: SecurityProtocol;
}

/** How a SASL_PLAINTEXT listener authenticates clients. */
export interface ListenerSaslConfig {
  mechanisms: SaslMechanism[];
  /** Users (name to password) each mechanism accepts. */
  users: ReadonlyMap<SaslMechanism, ReadonlyMap<string, string>>;
}

export interface QuorumVoter {
  nodeId: number;
  host: string;
  port: number;
}

export type ProcessRole = "broker" | "controller";
export type CleanupPolicy = (typeof CLEANUP_POLICIES)[number];
export type TimestampType = (typeof TIMESTAMP_TYPES)[number];

export interface BrokerConfig {
  nodeId: number;
  processRoles: ProcessRole[];
  brokerRack: string | null;

  /** Everything to bind, in the order given (controller listeners included). */
  listeners: ListenerConfig[];
  /** What clients are told: advertised.listeners, or listeners without the controller ones and with "localhost" for a wildcard host. */
  advertisedListeners: ListenerConfig[];
  listenerSecurityProtocolMap: ReadonlyMap<string, SecurityProtocol>;
  interBrokerListenerName: string;
  controllerListenerNames: string[];
  controllerQuorumVoters: QuorumVoter[];
  /** The SASL settings of each SASL_PLAINTEXT listener, by listener name. */
  listenerSasl: ReadonlyMap<string, ListenerSaslConfig>;
  /** sasl.server.max.receive.size: the frame limit until a SASL client has authenticated. */
  saslServerMaxReceiveSize: number;

  /** log.dirs, else log.dir; relative paths are relative to the working directory. */
  logDirs: string[];

  numPartitions: number;
  defaultReplicationFactor: number;
  minInsyncReplicas: number;
  autoCreateTopicsEnable: boolean;
  deleteTopicEnable: boolean;
  uncleanLeaderElectionEnable: boolean;
  compressionType: CompressionTypeName;
  messageMaxBytes: number;

  logSegmentBytes: number;
  /** log.roll.ms, else log.roll.hours in ms. */
  logRollMs: number;
  logRollJitterMs: number;
  /** log.retention.ms, else .minutes, else .hours, in ms; -1 (any negative) means unlimited. */
  logRetentionMs: number;
  logRetentionBytes: number;
  logRetentionCheckIntervalMs: number;
  logCleanupPolicy: CleanupPolicy[];
  logIndexSizeMaxBytes: number;
  logIndexIntervalBytes: number;
  logFlushIntervalMessages: number;
  /** log.flush.interval.ms, else log.flush.scheduler.interval.ms. */
  logFlushIntervalMs: number;
  logFlushSchedulerIntervalMs: number;
  logSegmentDeleteDelayMs: number;
  logPreallocate: boolean;
  logMessageTimestampType: TimestampType;
  logMessageTimestampBeforeMaxMs: number;
  logMessageTimestampAfterMaxMs: number;
  logMessageTimestampDifferenceMaxMs: number;

  logCleanerEnable: boolean;
  logCleanerDeleteRetentionMs: number;
  logCleanerMinCompactionLagMs: number;
  logCleanerMaxCompactionLagMs: number;
  logCleanerMinCleanableRatio: number;

  socketRequestMaxBytes: number;
  /** queued.max.request.bytes; 0 or less means unbounded. */
  queuedMaxRequestBytes: number;
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** max.connections.per.ip.overrides: host name or address (lower case) to its limit. */
  maxConnectionsPerIpOverrides: ReadonlyMap<string, number>;
  /** listener.name.<listener>.max.connections, by listener name (upper case). */
  listenerMaxConnections: ReadonlyMap<string, number>;
  socketSendBufferBytes: number;
  socketReceiveBufferBytes: number;
  queuedMaxRequests: number;
  connectionsMaxIdleMs: number;
  numNetworkThreads: number;
  numIoThreads: number;

  replicaFetchMaxBytes: number;
  replicaLagTimeMaxMs: number;
  fetchMaxBytes: number;

  offsetsTopicNumPartitions: number;
  /** Kafka's default 3; the caller caps it at the number of live brokers. */
  offsetsTopicReplicationFactor: number;
  offsetsRetentionMinutes: number;
  groupInitialRebalanceDelayMs: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;

  transactionStateLogNumPartitions: number;
  transactionStateLogReplicationFactor: number;
  transactionStateLogMinIsr: number;
  transactionalIdExpirationMs: number;
  transactionMaxTimeoutMs: number;

  /** Every defined property (DescribeConfigs reads this). */
  values: ReadonlyMap<string, ResolvedValue>;
  /** Properties set in the file or by --override, in canonical form. */
  staticConfigs: Readonly<Record<string, string>>;
  /** Properties set at run time (AlterConfigs on this broker), in canonical form. */
  dynamicConfigs: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------
// Parsing

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

function unknownProperty(name: string): ConfigError {
  if (LISTENER_PREFIXED.test(name))
    return new ConfigError(
      `Unknown broker property ${name} (a listener.name.<listener>. prefix takes sasl.enabled.mechanisms or ` +
        `<mechanism>.sasl.jaas.config with mechanism ${SASL_MECHANISMS.map((m) => m.toLowerCase()).join(", ")})`,
      name,
    );
  const asTopicConfig = [...BROKER_CONFIG_DEFS.values()].find((def) => def.topicConfig === name);
  let hint = "";
  if (asTopicConfig) hint = ` (${name} is a topic config; the broker-wide default is ${asTopicConfig.name})`;
  else {
    let best: string | null = null;
    let bestDistance = Math.min(3, Math.floor(name.length / 3));
    for (const known of BROKER_CONFIG_DEFS.keys()) {
      const distance = editDistance(name, known);
      if (distance <= bestDistance) [best, bestDistance] = [known, distance];
    }
    if (best) hint = ` (did you mean ${best}?)`;
  }
  return new ConfigError(`Unknown broker property ${name}${hint}`, name);
}

type Layer = Map<string, { value: ParsedValue; text: string }>;

/** Kafka's per-listener overrides: listener.name.<listener, lower case>.<property>. */
const LISTENER_PREFIXED = /^listener\.name\.([A-Za-z0-9_-]+)\.(.+)$/;
const jaasSuffix = (mechanism: SaslMechanism) => `${mechanism.toLowerCase()}.sasl.jaas.config`;

/** The definition of a listener-prefixed property this broker understands. */
function listenerPropertyDef(name: string): BrokerConfigDef | undefined {
  const suffix = LISTENER_PREFIXED.exec(name)?.[2];
  if (suffix === "sasl.enabled.mechanisms") return { ...BROKER_CONFIG_DEFS.get(suffix)!, name, default: null };
  if (suffix === "max.connections") return { ...BROKER_CONFIG_DEFS.get(suffix)!, name, default: null };
  if (SASL_MECHANISMS.some((mechanism) => suffix === jaasSuffix(mechanism)))
    return { name, type: "PASSWORD", default: null, mode: R, doc: "JAAS login module of one SASL mechanism on one listener" };
  // Kafka's other per-listener (or per-listener-and-mechanism) settings: accepted, not acted on.
  const base = suffix?.replace(/^(plain|scram-sha-256|scram-sha-512|gssapi|oauthbearer)\.(?=sasl\.)/, "");
  const def = base === undefined ? undefined : BROKER_CONFIG_DEFS.get(base);
  if (def?.unused) return { ...def, name, default: null, mode: R };
  return undefined;
}

/** Parses and validates each given property. */
function parseLayer(raw: Readonly<Record<string, string>>): Layer {
  const layer: Layer = new Map();
  for (const [name, text] of Object.entries(raw)) {
    const def = BROKER_CONFIG_DEFS.get(name) ?? listenerPropertyDef(name);
    if (!def) throw unknownProperty(name);
    const checked = checkValue(name, def.type, text, def.validator);
    if (!checked.ok) throw new ConfigError(checked.message, name);
    layer.set(name, checked);
  }
  return layer;
}

const LISTENER = /^([A-Za-z0-9_-]+):\/\/(\[[0-9A-Za-z:.%]*\]|[^:/[\]]*):(\d+)$/;
const splitList = (text: string) => (text.trim() === "" ? [] : text.trim().split(/\s*,\s*/));
const unbracket = (host: string) => host.replace(/^\[(.*)\]$/, "$1");

/** `NAME://host:port,...` (Kafka's listener syntax; IPv6 hosts in brackets). Only bound listeners need distinct ports. */
function parseListeners(property: string, text: string, protocolOf: (name: string) => SecurityProtocol): ListenerConfig[] {
  const bind = property === "listeners";
  const invalid = (reason: string) => new ConfigError(`Invalid value ${text} for configuration ${property}: ${reason}`, property);
  const listeners = splitList(text).map((entry) => {
    const match = LISTENER.exec(entry);
    if (!match || Number(match[3]) > 65535) throw invalid(`unable to parse ${entry} as NAME://host:port`);
    const name = match[1].toUpperCase();
    return { name, host: unbracket(match[2]), port: Number(match[3]), securityProtocol: protocolOf(name) };
  });
  const names = listeners.map((listener) => listener.name);
  if (new Set(names).size !== names.length) throw invalid("each listener must have a different name");
  const bound = listeners.filter((listener) => listener.port !== 0).map((listener) => `${listener.host}:${listener.port}`);
  if (bind && new Set(bound).size !== bound.length) throw invalid("each listener must have a different port");
  return listeners;
}

function parseProtocolMap(text: string): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>();
  for (const entry of splitList(text)) {
    const [name, protocol, ...rest] = entry.split(":").map((part) => part.trim().toUpperCase());
    if (!name || rest.length > 0 || !(SECURITY_PROTOCOLS as readonly string[]).includes(protocol))
      throw new ConfigError(
        `Invalid value ${text} for configuration listener.security.protocol.map: ${entry} is not NAME:PROTOCOL with PROTOCOL one of ${SECURITY_PROTOCOLS.join(", ")}`,
        "listener.security.protocol.map",
      );
    map.set(name, protocol as SecurityProtocol);
  }
  return map;
}

const WILDCARD_HOSTS = new Set(["", "0.0.0.0", "::"]);

const LOGIN_MODULES: Record<SaslMechanism, string> = {
  PLAIN: "org.apache.kafka.common.security.plain.PlainLoginModule",
  "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
  "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
};

/**
 * The mechanisms and users of each SASL_PLAINTEXT listener. Users are the
 * `user_<name>="<password>"` options of a mechanism's JAAS login module
 * (listener.name.<listener>.<mechanism>.sasl.jaas.config), which is how Kafka
 * configures PLAIN. Kafka keeps SCRAM credentials in the metadata log instead;
 * here a SCRAM mechanism whose login module lists no users takes the users of
 * the listener's PLAIN login module, and the broker derives their SCRAM
 * credentials at startup. SSL and SASL_SSL listeners are refused: this broker
 * has no TLS.
 */
function saslListenerConfigs(listeners: ListenerConfig[], layer: Layer, defaultMechanisms: string[]): Map<string, ListenerSaslConfig> {
  const prefixed = new Map<string, Map<string, { property: string; text: string }>>();
  for (const [property, { text }] of layer) {
    const match = LISTENER_PREFIXED.exec(property);
    if (!match) continue;
    const listenerName = match[1].toUpperCase();
    if (!listeners.some((listener) => listener.name === listenerName))
      throw new ConfigError(`${property} names listener ${listenerName}, which is not in listeners`, property);
    const properties = prefixed.get(listenerName) ?? new Map();
    prefixed.set(listenerName, properties);
    if (properties.has(match[2])) throw new ConfigError(`${property} is given twice (listener names are case-insensitive)`, property);
    properties.set(match[2], { property, text });
  }

  const result = new Map<string, ListenerSaslConfig>();
  for (const listener of listeners) {
    const protocol = listener.securityProtocol;
    if (protocol === "SSL" || protocol === "SASL_SSL")
      throw new ConfigError(`Listener ${listener.name} uses ${protocol}, which needs TLS; this broker supports PLAINTEXT and SASL_PLAINTEXT listeners`, "listeners");
    const own = prefixed.get(listener.name) ?? new Map<string, { property: string; text: string }>();
    if (protocol !== "SASL_PLAINTEXT") continue;

    const mechanismsEntry = own.get("sasl.enabled.mechanisms");
    const mechanismsProperty = mechanismsEntry?.property ?? "sasl.enabled.mechanisms";
    const mechanisms = mechanismsEntry ? splitList(mechanismsEntry.text) : defaultMechanisms;
    if (mechanisms.length === 0) throw new ConfigError(`${mechanismsProperty} is empty, so SASL listener ${listener.name} could accept no client`, mechanismsProperty);
    for (const mechanism of mechanisms)
      if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism))
        throw new ConfigError(
          `Invalid value ${mechanisms.join(",")} for configuration ${mechanismsProperty}: listener ${listener.name} enables ${mechanism}, ` +
            `but this broker supports ${SASL_MECHANISMS.join(", ")}`,
          mechanismsProperty,
        );

    const jaas = new Map<SaslMechanism, { property: string; users: Map<string, string> }>();
    for (const mechanism of SASL_MECHANISMS) {
      const entry = own.get(jaasSuffix(mechanism));
      if (!entry) continue;
      let module;
      try {
        module = parseJaasConfig(entry.text);
      } catch (error) {
        if (error instanceof JaasSyntaxError) throw new ConfigError(`Invalid value [hidden] for configuration ${entry.property}: ${error.message}`, entry.property);
        throw error;
      }
      if (module.loginModule !== LOGIN_MODULES[mechanism])
        throw new ConfigError(`Invalid value [hidden] for configuration ${entry.property}: the login module of ${mechanism} is ${LOGIN_MODULES[mechanism]}`, entry.property);
      jaas.set(mechanism, { property: entry.property, users: jaasUsers(module) });
    }

    const users = new Map<SaslMechanism, ReadonlyMap<string, string>>();
    const plainProperty = `listener.name.${listener.name.toLowerCase()}.${jaasSuffix("PLAIN")}`;
    for (const mechanism of new Set(mechanisms as SaslMechanism[])) {
      let list = jaas.get(mechanism)?.users;
      if (mechanism !== "PLAIN" && (list === undefined || list.size === 0)) list = jaas.get("PLAIN")?.users;
      if (list === undefined || list.size === 0) {
        const property = mechanism === "PLAIN" ? plainProperty : `${plainProperty} (or listener.name.${listener.name.toLowerCase()}.${jaasSuffix(mechanism)})`;
        throw new ConfigError(
          `Listener ${listener.name} enables ${mechanism} but no users: set ${property} to ${LOGIN_MODULES.PLAIN} required user_<name>="<password>";`,
          jaas.get(mechanism)?.property ?? plainProperty,
        );
      }
      users.set(mechanism, list);
    }
    result.set(listener.name, { mechanisms: [...users.keys()], users });
  }
  return result;
}

/**
 * Builds the broker configuration from static properties (file plus
 * overrides) and optional dynamic per-broker ones, which must be updatable.
 * Throws ConfigError naming the property at fault.
 */
export function parseBrokerConfig(raw: Readonly<Record<string, string>>, dynamic: Readonly<Record<string, string>> = {}): BrokerConfig {
  const staticLayer = parseLayer(raw);
  const dynamicLayer = parseLayer(dynamic);
  const fixed = [...dynamicLayer.keys()].filter((name) => (BROKER_CONFIG_DEFS.get(name) ?? listenerPropertyDef(name))!.mode === R);
  if (fixed.length > 0) throw new ConfigError(`Cannot update these configs dynamically: ${fixed.join(", ")}`, fixed[0]);

  // node.id and broker.id are one setting under two names: setting either sets both.
  const nodeIdSet = staticLayer.get("node.id");
  const brokerIdSet = staticLayer.get("broker.id");
  if (nodeIdSet && brokerIdSet && nodeIdSet.value !== brokerIdSet.value)
    throw new ConfigError(`If both node.id and broker.id are defined, they must be the same (node.id=${nodeIdSet.text}, broker.id=${brokerIdSet.text})`, "broker.id");
  const idSet = nodeIdSet ?? brokerIdSet;
  if (idSet && (idSet.value as number) < 0) throw new ConfigError(`Invalid value ${idSet.text} for configuration broker.id: the node id must be at least 0`, "broker.id");
  if (idSet) for (const name of ["node.id", "broker.id"]) staticLayer.set(name, idSet);

  const parsed = new Map<string, ParsedValue | null>();
  const values = new Map<string, ResolvedValue>();
  for (const def of BROKER_CONFIG_DEFS.values()) {
    const source: BrokerConfigSource = dynamicLayer.has(def.name) ? "DYNAMIC_BROKER_CONFIG" : staticLayer.has(def.name) ? "STATIC_BROKER_CONFIG" : "DEFAULT_CONFIG";
    const entry = dynamicLayer.get(def.name) ?? staticLayer.get(def.name) ?? defaultOf(def);
    const isSensitive = def.type === "PASSWORD";
    parsed.set(def.name, entry?.value ?? null);
    values.set(def.name, { value: isSensitive ? null : (entry?.text ?? null), source, isSensitive, readOnly: def.mode === R });
  }
  if (!idSet) {
    parsed.set("broker.id", parsed.get("node.id")!);
    values.get("broker.id")!.value = values.get("node.id")!.value;
  }

  const get = <T extends ParsedValue | null>(name: string) => parsed.get(name) as T;
  const num = (name: string) => toSafeNumber(get<number | bigint>(name));
  const chained = (name: string) => toSafeNumber(BigInt(effectiveChainValue(name, (synonym) => values.get(synonym)!.value)!));
  const isSet = (name: string) => staticLayer.has(name) || dynamicLayer.has(name);

  // Listeners. Controller listeners need no map entry while the map is left at its default (as in Kafka).
  const protocolMap = parseProtocolMap(get<string>("listener.security.protocol.map"));
  const controllerListenerNames = splitList(get<string | null>("controller.listener.names") ?? "").map((name) => name.toUpperCase());
  const protocolOf = (property: string) => (name: string) => {
    const protocol = protocolMap.get(name) ?? (!isSet("listener.security.protocol.map") && controllerListenerNames.includes(name) ? "PLAINTEXT" : undefined);
    if (!protocol) throw new ConfigError(`No security protocol defined for listener ${name} in listener.security.protocol.map`, property);
    return protocol;
  };
  const listeners = parseListeners("listeners", get<string>("listeners"), protocolOf("listeners"));
  const advertisedText = get<string | null>("advertised.listeners");
  const advertised = advertisedText === null ? listeners : parseListeners("advertised.listeners", advertisedText, protocolOf("advertised.listeners"));
  for (const listener of advertisedText === null ? [] : advertised) {
    if (!listeners.some((bound) => bound.name === listener.name))
      throw new ConfigError(`advertised.listeners may only use names defined in listeners; ${listener.name} is not one of them`, "advertised.listeners");
    if (listener.host === "0.0.0.0" || listener.host === "::")
      throw new ConfigError(`advertised.listeners cannot use the nonroutable meta-address ${listener.host}`, "advertised.listeners");
  }
  const advertisedListeners = advertised
    .filter((listener) => !controllerListenerNames.includes(listener.name))
    .map((listener) => (WILDCARD_HOSTS.has(listener.host) ? { ...listener, host: "localhost" } : listener));

  const listenerSasl = saslListenerConfigs(listeners, staticLayer, get<string[]>("sasl.enabled.mechanisms"));

  const processRoles = get<ProcessRole[]>("process.roles");
  if (processRoles.length === 0 || new Set(processRoles).size !== processRoles.length)
    throw new ConfigError(`Invalid value ${values.get("process.roles")!.value} for configuration process.roles: give broker, controller or both, once each`, "process.roles");
  if (isSet("inter.broker.listener.name") && isSet("security.inter.broker.protocol"))
    throw new ConfigError("Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.", "inter.broker.listener.name");
  const interBrokerListenerName = get<string | null>("inter.broker.listener.name")?.toUpperCase() ?? get<string>("security.inter.broker.protocol");
  if (processRoles.includes("broker") && !advertisedListeners.some((listener) => listener.name === interBrokerListenerName))
    throw new ConfigError(
      `inter.broker.listener.name must be a listener name defined in advertised.listeners (or listeners): ${interBrokerListenerName} is not; ` +
        `set it to one of: ${advertisedListeners.map((listener) => listener.name).join(", ")}`,
      "inter.broker.listener.name",
    );

  const controllerQuorumVoters = get<string[]>("controller.quorum.voters").map((voter) => {
    const [, id, host, port] = /^(\d+)@(.+):(\d+)$/.exec(voter)!;
    return { nodeId: Number(id), host: unbracket(host), port: Number(port) };
  });

  // Kafka's checks of the connection and request memory limits.
  const perIpOverrides = (parsePerIpOverrides(get<string>("max.connections.per.ip.overrides")) as { overrides: Map<string, number> }).overrides;
  if (num("max.connections.per.ip") === 0 && perIpOverrides.size === 0)
    throw new ConfigError("max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides property is set.", "max.connections.per.ip");
  if (isSet("queued.max.request.bytes") && num("queued.max.request.bytes") > 0 && num("queued.max.request.bytes") < num("socket.request.max.bytes"))
    throw new ConfigError("queued.max.request.bytes must be larger or equal to socket.request.max.bytes", "queued.max.request.bytes");
  const listenerMaxConnections = new Map<string, number>();
  for (const [property, { value }] of [...staticLayer, ...dynamicLayer]) {
    const match = LISTENER_PREFIXED.exec(property);
    if (match?.[2] !== "max.connections") continue;
    const listenerName = match[1].toUpperCase();
    if (!listeners.some((listener) => listener.name === listenerName))
      throw new ConfigError(`${property} names listener ${listenerName}, which is not in listeners`, property);
    listenerMaxConnections.set(listenerName, value as number);
  }

  if (num("group.min.session.timeout.ms") > num("group.max.session.timeout.ms"))
    throw new ConfigError("group.min.session.timeout.ms must not exceed group.max.session.timeout.ms", "group.min.session.timeout.ms");

  return {
    nodeId: num("node.id"),
    processRoles,
    brokerRack: get<string | null>("broker.rack"),
    listeners,
    advertisedListeners,
    listenerSecurityProtocolMap: protocolMap,
    interBrokerListenerName,
    controllerListenerNames,
    controllerQuorumVoters,
    listenerSasl,
    saslServerMaxReceiveSize: num("sasl.server.max.receive.size"),
    logDirs: get<string[] | null>("log.dirs") ?? get<string[]>("log.dir"),
    numPartitions: num("num.partitions"),
    defaultReplicationFactor: num("default.replication.factor"),
    minInsyncReplicas: num("min.insync.replicas"),
    autoCreateTopicsEnable: get<boolean>("auto.create.topics.enable"),
    deleteTopicEnable: get<boolean>("delete.topic.enable"),
    uncleanLeaderElectionEnable: get<boolean>("unclean.leader.election.enable"),
    compressionType: get<CompressionTypeName>("compression.type"),
    messageMaxBytes: num("message.max.bytes"),
    logSegmentBytes: num("log.segment.bytes"),
    logRollMs: chained("log.roll.ms"),
    logRollJitterMs: chained("log.roll.jitter.ms"),
    logRetentionMs: chained("log.retention.ms"),
    logRetentionBytes: num("log.retention.bytes"),
    logRetentionCheckIntervalMs: num("log.retention.check.interval.ms"),
    logCleanupPolicy: get<CleanupPolicy[]>("log.cleanup.policy"),
    logIndexSizeMaxBytes: num("log.index.size.max.bytes"),
    logIndexIntervalBytes: num("log.index.interval.bytes"),
    logFlushIntervalMessages: num("log.flush.interval.messages"),
    logFlushIntervalMs: chained("log.flush.interval.ms"),
    logFlushSchedulerIntervalMs: num("log.flush.scheduler.interval.ms"),
    logSegmentDeleteDelayMs: num("log.segment.delete.delay.ms"),
    logPreallocate: get<boolean>("log.preallocate"),
    logMessageTimestampType: get<TimestampType>("log.message.timestamp.type"),
    logMessageTimestampBeforeMaxMs: num("log.message.timestamp.before.max.ms"),
    logMessageTimestampAfterMaxMs: num("log.message.timestamp.after.max.ms"),
    logMessageTimestampDifferenceMaxMs: num("log.message.timestamp.difference.max.ms"),
    logCleanerEnable: get<boolean>("log.cleaner.enable"),
    logCleanerDeleteRetentionMs: num("log.cleaner.delete.retention.ms"),
    logCleanerMinCompactionLagMs: num("log.cleaner.min.compaction.lag.ms"),
    logCleanerMaxCompactionLagMs: num("log.cleaner.max.compaction.lag.ms"),
    logCleanerMinCleanableRatio: num("log.cleaner.min.cleanable.ratio"),
    socketRequestMaxBytes: num("socket.request.max.bytes"),
    // Left at its default, the bound grows with socket.request.max.bytes, so that raising one alone never fails the check above.
    queuedMaxRequestBytes: isSet("queued.max.request.bytes")
      ? num("queued.max.request.bytes")
      : Math.max(num("queued.max.request.bytes"), num("socket.request.max.bytes")),
    maxConnections: num("max.connections"),
    maxConnectionsPerIp: num("max.connections.per.ip"),
    maxConnectionsPerIpOverrides: perIpOverrides,
    listenerMaxConnections,
    socketSendBufferBytes: num("socket.send.buffer.bytes"),
    socketReceiveBufferBytes: num("socket.receive.buffer.bytes"),
    queuedMaxRequests: num("queued.max.requests"),
    connectionsMaxIdleMs: num("connections.max.idle.ms"),
    numNetworkThreads: num("num.network.threads"),
    numIoThreads: num("num.io.threads"),
    replicaFetchMaxBytes: num("replica.fetch.max.bytes"),
    replicaLagTimeMaxMs: num("replica.lag.time.max.ms"),
    fetchMaxBytes: num("fetch.max.bytes"),
    offsetsTopicNumPartitions: num("offsets.topic.num.partitions"),
    offsetsTopicReplicationFactor: num("offsets.topic.replication.factor"),
    offsetsRetentionMinutes: num("offsets.retention.minutes"),
    groupInitialRebalanceDelayMs: num("group.initial.rebalance.delay.ms"),
    groupMinSessionTimeoutMs: num("group.min.session.timeout.ms"),
    groupMaxSessionTimeoutMs: num("group.max.session.timeout.ms"),
    transactionStateLogNumPartitions: num("transaction.state.log.num.partitions"),
    transactionStateLogReplicationFactor: num("transaction.state.log.replication.factor"),
    transactionStateLogMinIsr: num("transaction.state.log.min.isr"),
    transactionalIdExpirationMs: num("transactional.id.expiration.ms"),
    transactionMaxTimeoutMs: num("transaction.max.timeout.ms"),
    values,
    staticConfigs: Object.fromEntries([...staticLayer].map(([name, { text }]) => [name, text])),
    dynamicConfigs: Object.fromEntries([...dynamicLayer].map(([name, { text }]) => [name, text])),
  };
}

/** The same static configuration with a new set of dynamic per-broker properties (replacing the previous set). */
export function withDynamicConfigs(config: BrokerConfig, dynamic: Readonly<Record<string, string>>): BrokerConfig {
  return parseBrokerConfig(config.staticConfigs, dynamic);
}

/**
 * Follows a synonym chain (log.retention.ms, else minutes, else hours,
 * converted to ms) to an exact decimal string; null when nothing in it has a
 * value. A negative retention time means unlimited and comes out as -1.
 */
function effectiveChainValue(name: string, valueOf: (name: string) => string | null): string | null {
  const chain = SYNONYM_CHAINS[name];
  if (!chain) return valueOf(name);
  for (const [synonym, toMs] of chain) {
    const text = valueOf(synonym);
    if (text === null) continue;
    const ms = BigInt(text) * toMs;
    return name === "log.retention.ms" && ms < 0n ? "-1" : ms.toString();
  }
  return null;
}

/** The effective value of a broker property as a string, following its synonyms (see above). */
export function effectiveBrokerValue(config: BrokerConfig, name: string): string | null {
  return effectiveChainValue(name, (synonym) => config.values.get(synonym)?.value ?? null);
}

// ---------------------------------------------------------------------------
// DescribeConfigs

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

// ---------------------------------------------------------------------------
// Command line

/**
 * `[path/to/server.properties] [--override key=value ...]`: the file (if
 * any) read as Java properties, then the overrides, which win. Every problem
 * is a ConfigError; one about a property read from the file names its line.
 */
export function loadBrokerConfig(argv: readonly string[]): BrokerConfig {
  let file: string | null = null;
  const overrides: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--override" || arg.startsWith("--override=")) {
      const pair = arg === "--override" ? argv[++i] : arg.slice("--override=".length);
      if (pair === undefined) throw new ConfigError("--override needs a key=value argument");
      const eq = pair.indexOf("=");
      if (eq <= 0) throw new ConfigError(`--override expects key=value, got: ${pair}`);
      overrides[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
    } else if (arg.startsWith("-")) throw new ConfigError(`Unknown option ${arg}; usage: [server.properties] [--override key=value ...]`);
    else if (file !== null) throw new ConfigError(`Only one properties file may be given (got ${file} and ${arg})`);
    else file = arg;
  }

  const fromFile: Record<string, string> = {};
  const lineOf = new Map<string, number>();
  if (file !== null) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new ConfigError(`Cannot read properties file ${file}: ${(error as Error).message}`);
    }
    try {
      for (const entry of parsePropertiesEntries(text, file)) {
        fromFile[entry.key] = entry.value;
        lineOf.set(entry.key, entry.line);
      }
    } catch (error) {
      if (error instanceof PropertiesSyntaxError) throw new ConfigError(error.message);
      throw error;
    }
  }
  try {
    return parseBrokerConfig({ ...fromFile, ...overrides });
  } catch (error) {
    if (error instanceof ConfigError && error.property && !(error.property in overrides) && lineOf.has(error.property))
      throw new ConfigError(`${file}:${lineOf.get(error.property)}: ${error.message}`, error.property);
    throw error;
  }
}
