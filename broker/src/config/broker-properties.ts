import {
  atLeast,
  between,
  LONG_MAX,
  listOf,
  oneOf,
  splitList,
  type BrokerConfigDef,
  type ConfigType,
  type ResolvedValue,
  type UpdateMode,
  type Validator,
} from "./definitions";
import { UNUSED_BROKER_CONFIGS } from "./kafka-config-names";

/*
 * The property table: every broker property this node knows, with Kafka's
 * name, type, default and update mode, a line of documentation, its
 * validator and the topic config it supplies the default for. Sluice's own
 * rows come first; Kafka's other properties (kafka-config-names.ts) are
 * known too, and marked unused.
 */

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

const hostPortList: Validator = (value) => {
  const bad = (value as string[]).find((server) => !/^(\[[^\]]+\]|[^:@\s]+):\d+$/.test(server));
  return bad === undefined ? null : `${bad} is not of the form {host}:{port}`;
};

/**
 * metrics.listener: [http://]host:port of the Prometheus endpoint; an empty
 * host means every interface, port 0 a free port. Undefined host: every interface.
 */
export function parseMetricsListener(text: string): { host: string | undefined; port: number } | { error: string } {
  const match = /^(?:http:\/\/)?(\[[^\]]+\]|[^:/\s]*):(\d{1,5})\/?$/i.exec(text.trim());
  if (!match || Number(match[2]) > 65535) return { error: `${text} is not [http://]host:port (an empty host listens on every interface)` };
  const host = match[1].replace(/^\[(.*)\]$/, "$1");
  return { host: host === "" ? undefined : host, port: Number(match[2]) };
}

const metricsListener: Validator = (value) => {
  const parsed = parseMetricsListener(value as string);
  return "error" in parsed ? parsed.error : null;
};

/** max.connections.per.ip.overrides: host:count,host:count (split at the last colon, so IPv6 addresses need no brackets). */
export function parsePerIpOverrides(text: string): { overrides: Map<string, number> } | { error: string } {
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


const nonEmptyDistinctList: Validator = (value) => {
  const items = value as string[];
  if (items.length === 0 || items.some((item) => item === "")) return "Value must be a non-empty list without empty entries";
  return new Set(items).size === items.length ? null : "Values must not be duplicated";
};

/**
 * One property: name, type, Kafka's default (null: none), update mode, doc,
 * and optionally its validator, the topic config it supplies the default
 * for (with the topic config's own validator where Kafka's differs), and `field`: the name under which BrokerConfig carries its typed value
 * (for the properties the node reads; the others it reads by name).
 */
type Row = readonly [
  name: string,
  type: ConfigType,
  dflt: string | null,
  mode: UpdateMode,
  doc: string,
  extra?: {
    readonly validator?: Validator;
    /** The values a STRING may take, or a LIST's items; gives the validator and the typed value's type. */
    readonly choices?: readonly string[];
    readonly topicConfig?: string;
    readonly topicValidator?: Validator;
    readonly field?: string;
  },
];

// prettier-ignore
const ROWS = [
  // Node identity and roles
  ["node.id", "INT", "1", R, "Id of this node (Kafka requires it in KRaft mode; Sluice defaults to 1)", { validator: atLeast(0), field: "nodeId" }],
  ["broker.id", "INT", "-1", R, "Older name of node.id; when both are set they must agree", { validator: atLeast(-1) }],
  ["process.roles", "LIST", "broker,controller", R, "Roles of this node: broker, controller or both", { validator: listOf("broker", "controller") }],
  ["broker.rack", "STRING", null, R, "Rack of this broker, reported in metadata", { field: "brokerRack" }],
  // Listeners
  ["listeners", "STRING", "PLAINTEXT://:9092", R, "Comma-separated NAME://host:port to listen on; an empty host means every interface"],
  ["advertised.listeners", "STRING", null, R, "Listeners given to clients when they differ from listeners"],
  ["listener.security.protocol.map", "STRING", "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT", R, "Security protocol of each listener name, NAME:PROTOCOL"],
  ["inter.broker.listener.name", "STRING", null, R, "Listener brokers use to talk to each other"],
  ["security.inter.broker.protocol", "STRING", "PLAINTEXT", R, "Inter-broker security protocol when inter.broker.listener.name is unset", { validator: oneOf(...SECURITY_PROTOCOLS) }],
  ["controller.listener.names", "STRING", null, R, "Listener names the controller serves the quorum's requests on (the first is the one voters dial)"],
  ["controller.quorum.voters", "LIST", "", R, "Voters of the metadata quorum as id@host:port; empty: a cluster of one with no quorum", { validator: voterList }],
  ["controller.quorum.bootstrap.servers", "LIST", "", R, "Controller listeners (host:port) of the quorum, for nodes that find the voters from them", { validator: hostPortList }],
  ["controller.quorum.election.timeout.ms", "INT", "1000", R, "Base of the randomized wait before a voter that hears no leader starts an election", { validator: atLeast(1), field: "quorumElectionTimeoutMs" }],
  ["controller.quorum.fetch.timeout.ms", "INT", "2000", R, "Time without a fetch answer from the leader after which a voter starts an election", { validator: atLeast(1), field: "quorumFetchTimeoutMs" }],
  ["broker.heartbeat.interval.ms", "INT", "2000", R, "How often a broker of a quorum heartbeats to the active controller", { validator: atLeast(1), field: "brokerHeartbeatIntervalMs" }],
  ["broker.session.timeout.ms", "INT", "9000", R, "Time without a heartbeat after which the active controller fences a broker", { validator: atLeast(1), field: "brokerSessionTimeoutMs" }],
  ["controller.quorum.request.timeout.ms", "INT", "2000", R, "Time a quorum request waits for its answer before it is sent again", { validator: atLeast(1), field: "quorumRequestTimeoutMs" }],
  // SASL (per listener: listener.name.<listener>.sasl.enabled.mechanisms and listener.name.<listener>.<mechanism>.sasl.jaas.config)
  ["sasl.enabled.mechanisms", "LIST", "GSSAPI", R, "SASL mechanisms of SASL listeners; this broker offers PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512"],
  ["sasl.server.max.receive.size", "INT", "524288", R, "Largest frame accepted before and during SASL authentication", { validator: atLeast(1), field: "saslServerMaxReceiveSize" }],
  // Storage
  ["log.dirs", "LIST", null, R, "Directories where partition logs are stored; log.dir when unset", { validator: nonEmptyDistinctList }],
  ["log.dir", "LIST", "/tmp/kafka-logs", R, "Log directory used when log.dirs is unset", { validator: nonEmptyDistinctList }],
  ["num.recovery.threads.per.data.dir", "INT", "1", C, "Threads per log dir for recovery (accepted; informational)", { validator: atLeast(1) }],
  // Topic defaults
  ["num.partitions", "INT", "1", R, "Partitions of a topic created without a partition count", { validator: atLeast(1), field: "numPartitions" }],
  ["default.replication.factor", "INT", "1", R, "Replication factor of a topic created without one", { validator: atLeast(1), field: "defaultReplicationFactor" }],
  ["min.insync.replicas", "INT", "1", C, "Replicas that must acknowledge an acks=all write", { validator: atLeast(1), topicConfig: "min.insync.replicas" }],
  ["auto.create.topics.enable", "BOOLEAN", "true", R, "Create a topic when a client asks for an unknown one", { field: "autoCreateTopicsEnable" }],
  ["delete.topic.enable", "BOOLEAN", "true", R, "Allow deleting topics", { field: "deleteTopicEnable" }],
  ["unclean.leader.election.enable", "BOOLEAN", "false", C, "Allow an out-of-sync replica to become leader", { topicConfig: "unclean.leader.election.enable" }],
  ["compression.type", "STRING", "producer", C, "Compression of stored batches; producer keeps the producer's", { choices: COMPRESSION_TYPES, topicConfig: "compression.type" }],
  ["message.max.bytes", "INT", "1048588", C, "Largest record batch the broker accepts", { validator: atLeast(0), topicConfig: "max.message.bytes" }],
  // Log segments, retention, flushing
  ["log.segment.bytes", "INT", "1073741824", C, "Size at which a log segment is rolled", { validator: atLeast(14), topicConfig: "segment.bytes" }],
  ["log.roll.ms", "LONG", null, C, "Age at which a segment is rolled, in ms; log.roll.hours when unset", { validator: atLeast(1), topicConfig: "segment.ms" }],
  ["log.roll.hours", "INT", "168", C, "Age at which a segment is rolled, in hours", { validator: atLeast(1) }],
  ["log.roll.jitter.ms", "LONG", null, C, "Random jitter subtracted from the roll time, in ms; log.roll.jitter.hours when unset", { validator: atLeast(0), topicConfig: "segment.jitter.ms" }],
  ["log.roll.jitter.hours", "INT", "0", C, "Random jitter subtracted from the roll time, in hours", { validator: atLeast(0) }],
  ["log.retention.ms", "LONG", null, C, "How long to keep data, in ms (-1: forever); log.retention.minutes when unset", { topicConfig: "retention.ms", topicValidator: atLeast(-1) }],
  ["log.retention.minutes", "INT", null, C, "How long to keep data, in minutes; log.retention.hours when unset"],
  ["log.retention.hours", "INT", "168", C, "How long to keep data, in hours"],
  ["log.retention.bytes", "LONG", "-1", C, "Size a partition log may reach before old segments are deleted (-1: no limit)", { topicConfig: "retention.bytes" }],
  ["log.retention.check.interval.ms", "LONG", "300000", R, "How often retention is enforced", { validator: atLeast(1), field: "logRetentionCheckIntervalMs" }],
  ["log.cleanup.policy", "LIST", "delete", C, "What happens to old segments: delete, compact or both", { choices: CLEANUP_POLICIES, topicConfig: "cleanup.policy" }],
  ["log.index.size.max.bytes", "INT", "10485760", C, "Largest offset index file", { validator: atLeast(4), topicConfig: "segment.index.bytes" }],
  ["log.index.interval.bytes", "INT", "4096", C, "Bytes between offset index entries", { validator: atLeast(0), topicConfig: "index.interval.bytes" }],
  ["log.flush.interval.messages", "LONG", LONG_MAX, C, "Messages appended before the log is fsynced", { validator: atLeast(1), topicConfig: "flush.messages" }],
  ["log.flush.interval.ms", "LONG", null, C, "Age of unflushed data before an fsync, in ms; log.flush.scheduler.interval.ms when unset", { validator: atLeast(0), topicConfig: "flush.ms" }],
  ["log.flush.scheduler.interval.ms", "LONG", LONG_MAX, R, "How often the flusher looks for logs to fsync", { field: "logFlushSchedulerIntervalMs" }],
  ["log.flush.offset.checkpoint.interval.ms", "INT", "60000", R, "How often the recovery point is checkpointed", { validator: atLeast(0) }],
  ["log.segment.delete.delay.ms", "LONG", "60000", C, "Delay before a deleted segment's files are removed", { validator: atLeast(0), topicConfig: "file.delete.delay.ms" }],
  ["log.preallocate", "BOOLEAN", "false", C, "Preallocate segment files", { topicConfig: "preallocate" }],
  ["log.message.timestamp.type", "STRING", "CreateTime", C, "Record timestamps: the producer's (CreateTime) or the broker's (LogAppendTime)", { choices: TIMESTAMP_TYPES, topicConfig: "message.timestamp.type" }],
  ["log.message.timestamp.before.max.ms", "LONG", LONG_MAX, C, "How far a CreateTime timestamp may lie in the past", { validator: atLeast(0), topicConfig: "message.timestamp.before.max.ms" }],
  ["log.message.timestamp.after.max.ms", "LONG", LONG_MAX, C, "How far a CreateTime timestamp may lie in the future", { validator: atLeast(0), topicConfig: "message.timestamp.after.max.ms" }],
  ["log.message.timestamp.difference.max.ms", "LONG", LONG_MAX, C, "Older bound both ways, used where before.max.ms or after.max.ms is left at its default", { validator: atLeast(0), topicConfig: "message.timestamp.difference.max.ms" }],
  // Log cleaner
  ["log.cleaner.enable", "BOOLEAN", "true", R, "Run the log cleaner for compacted topics", { field: "logCleanerEnable" }],
  ["log.cleaner.delete.retention.ms", "LONG", "86400000", C, "How long tombstones are kept in compacted topics", { validator: atLeast(0), topicConfig: "delete.retention.ms" }],
  ["log.cleaner.min.compaction.lag.ms", "LONG", "0", C, "Minimum age of a record before it may be compacted", { validator: atLeast(0), topicConfig: "min.compaction.lag.ms" }],
  ["log.cleaner.max.compaction.lag.ms", "LONG", LONG_MAX, C, "Maximum age of a record before it must be compacted", { validator: atLeast(1), topicConfig: "max.compaction.lag.ms" }],
  ["log.cleaner.min.cleanable.ratio", "DOUBLE", "0.5", C, "Dirty ratio above which a log is compacted", { validator: between(0, 1), topicConfig: "min.cleanable.dirty.ratio" }],
  // Network
  ["socket.request.max.bytes", "INT", "104857600", R, "Largest request frame accepted", { validator: atLeast(1), field: "socketRequestMaxBytes" }],
  ["socket.send.buffer.bytes", "INT", "102400", R, "SO_SNDBUF of client sockets (-1: the OS default)"],
  ["socket.receive.buffer.bytes", "INT", "102400", R, "SO_RCVBUF of client sockets (-1: the OS default)"],
  ["queued.max.requests", "INT", "500", R, "Requests a connection may queue before reads pause", { validator: atLeast(1), field: "queuedMaxRequests" }],
  ["queued.max.request.bytes", "LONG", "536870912", R, "Request bytes held across all connections before reading pauses (0 or less: unbounded; Kafka's default is -1, Sluice bounds it at 512 MiB)"],
  ["max.connections", "INT", "2147483647", C, "Connections accepted across all listeners; more are closed at once", { validator: atLeast(0), field: "maxConnections" }],
  ["max.connections.per.ip", "INT", "2147483647", C, "Connections accepted from one IP address; more are closed at once", { validator: atLeast(0), field: "maxConnectionsPerIp" }],
  ["max.connections.per.ip.overrides", "STRING", "", C, "Per-host or per-IP limits replacing max.connections.per.ip, as host:count,host:count", { validator: perIpOverrides }],
  ["connections.max.idle.ms", "LONG", "600000", R, "Time without traffic after which a connection with no request in flight is closed (negative: never, as in Kafka)", { field: "connectionsMaxIdleMs" }],
  ["num.network.threads", "INT", "3", C, "Network threads (accepted; informational)", { validator: atLeast(1) }],
  ["num.io.threads", "INT", "8", C, "Request handler threads (accepted; informational)", { validator: atLeast(1) }],
  // Replication and fetching
  ["replica.fetch.max.bytes", "INT", "1048576", R, "Bytes a follower fetches per partition", { validator: atLeast(0) }],
  ["replica.lag.time.max.ms", "LONG", "30000", R, "How long a follower may lag before leaving the ISR"],
  ["fetch.max.bytes", "INT", "57671680", R, "Most bytes returned by one fetch request", { validator: atLeast(1024), field: "fetchMaxBytes" }],
  // Groups and offsets
  ["offsets.topic.num.partitions", "INT", "50", R, "Partitions of __consumer_offsets", { validator: atLeast(1), field: "offsetsTopicNumPartitions" }],
  ["offsets.topic.replication.factor", "SHORT", "3", R, "Replication factor of __consumer_offsets (the caller caps it at the brokers available)", { validator: atLeast(1), field: "offsetsTopicReplicationFactor" }],
  ["offsets.retention.minutes", "INT", "10080", R, "How long committed offsets of an empty group are kept", { validator: atLeast(1), field: "offsetsRetentionMinutes" }],
  ["group.initial.rebalance.delay.ms", "INT", "3000", R, "Wait for more members before the first rebalance of a new group", { field: "groupInitialRebalanceDelayMs" }],
  ["group.min.session.timeout.ms", "INT", "6000", R, "Smallest session timeout a consumer may ask for", { field: "groupMinSessionTimeoutMs" }],
  ["group.max.session.timeout.ms", "INT", "1800000", R, "Largest session timeout a consumer may ask for", { field: "groupMaxSessionTimeoutMs" }],
  // Transactions and share groups
  ["transaction.state.log.num.partitions", "INT", "50", R, "Partitions of __transaction_state", { validator: atLeast(1) }],
  ["transaction.state.log.replication.factor", "SHORT", "3", R, "Replication factor of __transaction_state", { validator: atLeast(1) }],
  ["transaction.state.log.min.isr", "INT", "2", R, "min.insync.replicas of __transaction_state", { validator: atLeast(1) }],
  ["transactional.id.expiration.ms", "INT", "604800000", R, "Idle time after which a transactional id expires", { validator: atLeast(1) }],
  ["transaction.max.timeout.ms", "INT", "900000", R, "Largest transaction timeout a producer may ask for", { validator: atLeast(1) }],
  ["share.coordinator.state.topic.replication.factor", "SHORT", "3", R, "Replication factor of __share_group_state (accepted; informational)", { validator: atLeast(1) }],
  ["share.coordinator.state.topic.min.isr", "SHORT", "2", R, "min.insync.replicas of __share_group_state (accepted; informational)", { validator: atLeast(1) }],
  // Sluice's own: the Prometheus endpoint of this node
  ["metrics.listener", "STRING", null, R, "host:port of this node's Prometheus endpoint (GET /metrics), Kafka's metrics under the JMX exporter's names; unset: none", { validator: metricsListener, field: "metricsListener" }],
] as const satisfies readonly Row[];

const UNUSED_DOC = "A Kafka property this broker accepts and does not act on";

/** Sluice's rows, then Kafka's other properties (which Sluice's rows override). */
export const BROKER_CONFIG_DEFS: ReadonlyMap<string, BrokerConfigDef> = new Map([
  ...UNUSED_BROKER_CONFIGS.map(([name, type, dflt, mode, topicConfig]): [string, BrokerConfigDef] => [
    name,
    { name, type, default: dflt, mode, doc: UNUSED_DOC, unused: true, ...(topicConfig ? { topicConfig } : {}) },
  ]),
  ...(ROWS as readonly Row[]).map(([name, type, dflt, mode, doc, extra]): [string, BrokerConfigDef] => {
    const { choices, topicConfig, topicValidator } = extra ?? {};
    const validator = choices ? (type === "LIST" ? listOf(...choices) : oneOf(...choices)) : extra?.validator;
    return [
      name,
      { name, type, default: dflt, mode, doc, ...(validator ? { validator } : {}), ...(topicConfig ? { topicConfig } : {}), ...(topicValidator ? { topicValidator } : {}) },
    ];
  }),
]);

/*
 * The TypeScript types of typed values, read off the rows: numbers for every
 * numeric type (LONG clamped, see definitions.ts), a row's choices as a union
 * of string literals, null when the property has no default.
 */
type ChoiceOf<Row> = Row extends { readonly 5: { readonly choices: readonly (infer Choice)[] } } ? Choice : string;
type NonNullTypedValue<Row extends readonly [string, ConfigType, ...unknown[]]> = Row[1] extends "BOOLEAN"
  ? boolean
  : Row[1] extends "INT" | "SHORT" | "LONG" | "DOUBLE"
    ? number
    : Row[1] extends "LIST"
      ? ChoiceOf<Row>[]
      : ChoiceOf<Row>;
type TypedValue<Row extends readonly [string, ConfigType, string | null, ...unknown[]]> = NonNullTypedValue<Row> | (Row[2] extends null ? null : never);
type RowWithField = Extract<(typeof ROWS)[number], { readonly 5: { readonly field: string } }>;
type RowWithTopicConfig = Extract<(typeof ROWS)[number], { readonly 5: { readonly topicConfig: string } }>;
/** "max.message.bytes" -> "maxMessageBytes". */
type CamelCase<Name extends string> = Name extends `${infer Head}.${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : Name;

/** The typed fields BrokerConfig carries, one per row with a `field`, typed from the row. */
export type BrokerPropertyFields = { readonly [Row in RowWithField as Row[5]["field"]]: TypedValue<Row> };

/**
 * A topic's typed effective configuration: a camelCase field for the topic
 * config of each of Sluice's rows (the unused Kafka ones are left out), typed
 * from the row. A topic config always has a value (retention.ms comes from
 * log.retention.hours when nothing else is set).
 */
export type TopicConfigFields = { [Row in RowWithTopicConfig as CamelCase<Row[5]["topicConfig"]>]: NonNullTypedValue<Row> };

/** field name -> property name, for the rows with a `field`. */
export const BROKER_PROPERTY_FIELDS: ReadonlyArray<readonly [field: keyof BrokerPropertyFields, property: string]> = (ROWS as readonly Row[]).flatMap(
  ([name, , , , , extra]) => (extra?.field ? [[extra.field as keyof BrokerPropertyFields, name] as const] : []),
);

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

export type CleanupPolicy = (typeof CLEANUP_POLICIES)[number];
export type TimestampType = (typeof TIMESTAMP_TYPES)[number];

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
export function effectiveBrokerValue(config: { readonly values: ReadonlyMap<string, ResolvedValue> }, name: string): string | null {
  return effectiveChainValue(name, (synonym) => config.values.get(synonym)?.value ?? null);
}
