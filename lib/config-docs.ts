/**
 * What Kafka's topic configs and the common broker configs mean, in a line
 * each, written for this console from Kafka's documentation; the values a
 * config can take when they are a fixed set; and a reading of values in
 * milliseconds or bytes for people. Client-safe.
 */
import { formatByteSize, formatDurationMs } from "./format";

const CLEANUP_POLICIES = ["delete", "compact", "compact,delete"] as const;
const COMPRESSION_TYPES = ["producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"] as const;
const TIMESTAMP_TYPES = ["CreateTime", "LogAppendTime"] as const;
const BOOLEAN = ["true", "false"] as const;

/** Configs whose value is one of a fixed set (a select box rather than free text). */
const CHOICES: Record<string, readonly string[]> = {
  "cleanup.policy": CLEANUP_POLICIES,
  "log.cleanup.policy": CLEANUP_POLICIES,
  "compression.type": COMPRESSION_TYPES,
  "message.timestamp.type": TIMESTAMP_TYPES,
  "log.message.timestamp.type": TIMESTAMP_TYPES,
  preallocate: BOOLEAN,
  "log.preallocate": BOOLEAN,
  "unclean.leader.election.enable": BOOLEAN,
  "message.downconversion.enable": BOOLEAN,
  "remote.storage.enable": BOOLEAN,
  "auto.create.topics.enable": BOOLEAN,
  "delete.topic.enable": BOOLEAN,
  "log.cleaner.enable": BOOLEAN,
  "auto.leader.rebalance.enable": BOOLEAN,
};

// prettier-ignore
const DESCRIPTIONS: Record<string, string> = {
  // ------------------------------------------------------------ topic configs
  "cleanup.policy": "What happens to old data: delete drops whole segments past the retention limits; compact keeps only the latest record of each key; both compact and then delete.",
  "compression.type": "The codec the broker stores batches in: producer keeps whatever the producer sent, uncompressed stores them plain, a codec name makes the broker recompress to it.",
  "compression.gzip.level": "Level the broker uses when it compresses with gzip itself.",
  "compression.lz4.level": "Level the broker uses when it compresses with lz4 itself.",
  "compression.zstd.level": "Level the broker uses when it compresses with zstd itself.",
  "delete.retention.ms": "How long a tombstone (a record with no value) stays in a compacted topic, so that a consumer reading behind still sees the key removed.",
  "file.delete.delay.ms": "How long a segment file marked for deletion waits before it is removed from disk.",
  "flush.messages": "Forces an fsync after this many records. Kafka normally leaves flushing to the operating system and relies on replicas for durability.",
  "flush.ms": "Forces an fsync once this long has passed since the last one; normally left to the operating system.",
  "follower.replication.throttled.replicas": "Replicas (partition:broker pairs, or *) whose replication is throttled on the follower's side.",
  "leader.replication.throttled.replicas": "Replicas (partition:broker pairs, or *) whose replication is throttled on the leader's side.",
  "index.interval.bytes": "Bytes of records between two entries of the offset index: smaller finds an offset faster but makes the index bigger.",
  "local.retention.bytes": "With tiered storage, how many bytes of each partition stay on the broker's own disk; -2 means the same as retention.bytes.",
  "local.retention.ms": "With tiered storage, how long records stay on the broker's own disk; -2 means the same as retention.ms.",
  "max.compaction.lag.ms": "The longest a record can wait before compaction: a log whose oldest uncompacted record is this old gets compacted.",
  "max.message.bytes": "The largest record batch the topic accepts, after compression. Consumers must be able to fetch a batch this big.",
  "message.downconversion.enable": "Whether the broker converts records to an older format for consumers too old to read the current one.",
  "message.format.version": "The record format version written to disk. Deprecated; ignored since Kafka 3.0.",
  "message.timestamp.after.max.ms": "How far ahead of the broker's clock a record's timestamp may be; a record further in the future is refused.",
  "message.timestamp.before.max.ms": "How far behind the broker's clock a record's timestamp may be; an older record is refused.",
  "message.timestamp.difference.max.ms": "Deprecated: the largest gap allowed between a record's timestamp and the broker's clock, replaced by the before/after pair.",
  "message.timestamp.type": "The time records keep: CreateTime, set by the producer, or LogAppendTime, when the broker wrote them.",
  "min.cleanable.dirty.ratio": "Share of a compacted log (0 to 1) that must be uncompacted before the cleaner takes it on; lower compacts more often.",
  "min.compaction.lag.ms": "The least time a record stays uncompacted, so consumers can see every update within that window.",
  "min.insync.replicas": "For producers with acks=all: how many in-sync replicas must have a write for it to succeed. With fewer, writes fail.",
  preallocate: "Whether a new segment file is given its full size on disk up front.",
  "remote.storage.enable": "Whether the topic uses tiered storage, moving older segments to a remote store.",
  "retention.bytes": "The most bytes a partition keeps under the delete policy before its oldest segments go; -1 means no size limit.",
  "retention.ms": "How long records are kept under the delete policy before their segment may go; -1 means no time limit.",
  "segment.bytes": "Size at which a partition's active segment is closed and a new one begun. Retention and compaction act on whole closed segments.",
  "segment.index.bytes": "Size of the offset index file of each segment.",
  "segment.jitter.ms": "A random amount up to this is taken off segment.ms, so that many partitions do not roll segments at the same moment.",
  "segment.ms": "Age at which the active segment is closed even when not full, so that retention and compaction can reach its records.",
  "unclean.leader.election.enable": "Whether a replica that is not in sync may become leader when no in-sync one is left: the partition stays available but loses records.",

  // ------------------------------------------------------------ broker configs
  "advertised.listeners": "The addresses the broker hands to clients, when they differ from those it listens on.",
  "auto.create.topics.enable": "Whether asking for metadata of, or producing to, an unknown topic creates it.",
  "auto.leader.rebalance.enable": "Whether leadership moves back to each partition's preferred replica in the background.",
  "background.threads": "Threads for background work such as deleting files.",
  "broker.id": "This broker's id in the cluster.",
  "broker.rack": "The rack (or zone) of this broker; replicas of a partition are spread over racks.",
  "connections.max.idle.ms": "A connection with no traffic for this long is closed.",
  "controller.listener.names": "The listeners the KRaft controllers are reached on.",
  "controller.quorum.bootstrap.servers": "Addresses to find the KRaft controller quorum at.",
  "controller.quorum.voters": "The KRaft controller quorum's voters, as id@host:port.",
  "default.replication.factor": "The replication factor of topics created without one, including auto-created topics.",
  "delete.topic.enable": "Whether topics may be deleted; when off, deletions are refused.",
  "fetch.max.bytes": "The most bytes the broker returns for one fetch request.",
  "group.initial.rebalance.delay.ms": "How long the first rebalance of a new group waits for more members to join.",
  "group.max.session.timeout.ms": "The longest session timeout a consumer may ask for.",
  "group.min.session.timeout.ms": "The shortest session timeout a consumer may ask for.",
  "inter.broker.listener.name": "The listener brokers use to talk to each other.",
  "listener.security.protocol.map": "The security protocol of each listener name.",
  listeners: "The addresses and listener names the broker accepts connections on.",
  "log.cleaner.delete.retention.ms": "Default of delete.retention.ms for topics that do not set it.",
  "log.cleaner.enable": "Whether the log cleaner runs; compacted topics need it.",
  "log.cleaner.max.compaction.lag.ms": "Default of max.compaction.lag.ms for topics that do not set it.",
  "log.cleaner.min.cleanable.ratio": "Default of min.cleanable.dirty.ratio for topics that do not set it.",
  "log.cleaner.min.compaction.lag.ms": "Default of min.compaction.lag.ms for topics that do not set it.",
  "log.cleaner.threads": "Threads compacting logs.",
  "log.cleanup.policy": "Default of cleanup.policy for topics that do not set it.",
  "log.dir": "The directory partition logs are kept in when log.dirs is not set.",
  "log.dirs": "The directories partition logs are kept in.",
  "log.flush.interval.messages": "Default of flush.messages for topics that do not set it.",
  "log.flush.interval.ms": "Default of flush.ms for topics that do not set it; when empty, log.flush.scheduler.interval.ms applies.",
  "log.flush.offset.checkpoint.interval.ms": "How often the broker records how far each log has been flushed.",
  "log.flush.scheduler.interval.ms": "How often the broker checks whether a log is due for a flush.",
  "log.index.interval.bytes": "Default of index.interval.bytes for topics that do not set it.",
  "log.index.size.max.bytes": "Default of segment.index.bytes for topics that do not set it.",
  "log.message.timestamp.after.max.ms": "Default of message.timestamp.after.max.ms for topics that do not set it.",
  "log.message.timestamp.before.max.ms": "Default of message.timestamp.before.max.ms for topics that do not set it.",
  "log.message.timestamp.type": "Default of message.timestamp.type for topics that do not set it.",
  "log.preallocate": "Default of preallocate for topics that do not set it.",
  "log.retention.bytes": "Default of retention.bytes for topics that do not set it.",
  "log.retention.check.interval.ms": "How often the broker looks for segments past their retention limits.",
  "log.retention.hours": "Default of retention.ms, in hours, unless log.retention.minutes or log.retention.ms is set.",
  "log.retention.minutes": "Default of retention.ms, in minutes, unless log.retention.ms is set; when empty, log.retention.hours applies.",
  "log.retention.ms": "Default of retention.ms for topics that do not set it; when empty, the minutes or hours setting applies.",
  "log.roll.hours": "Default of segment.ms, in hours, unless log.roll.ms is set.",
  "log.roll.jitter.hours": "Default of segment.jitter.ms, in hours, unless log.roll.jitter.ms is set.",
  "log.roll.jitter.ms": "Default of segment.jitter.ms for topics that do not set it; when empty, the hours setting applies.",
  "log.roll.ms": "Default of segment.ms for topics that do not set it; when empty, log.roll.hours applies.",
  "log.segment.bytes": "Default of segment.bytes for topics that do not set it.",
  "log.segment.delete.delay.ms": "Default of file.delete.delay.ms for topics that do not set it.",
  "message.max.bytes": "Default of max.message.bytes: the largest record batch a topic accepts unless it sets its own limit.",
  "metadata.log.dir": "Where the KRaft metadata log is kept, when not in the first of log.dirs.",
  "node.id": "This node's id in the KRaft cluster.",
  "num.io.threads": "Threads that process requests, disk work included.",
  "num.network.threads": "Threads that read requests from and write responses to the network.",
  "num.partitions": "The partition count of topics created without one, including auto-created topics.",
  "num.recovery.threads.per.data.dir": "Threads per log directory that recover logs at startup and flush them at shutdown.",
  "num.replica.fetchers": "Threads fetching records from leaders, per source broker.",
  "offsets.retention.minutes": "How long the committed offsets of an empty group are kept.",
  "offsets.topic.num.partitions": "Partitions of __consumer_offsets, fixed once the topic exists.",
  "offsets.topic.replication.factor": "Replication factor of __consumer_offsets.",
  "process.roles": "What this node is in KRaft mode: broker, controller or both.",
  "queued.max.requests": "Requests that may wait for a request thread before the network threads stop reading.",
  "replica.fetch.max.bytes": "Bytes a follower asks for per partition in each fetch from the leader.",
  "replica.lag.time.max.ms": "A follower that has not caught up with the leader for this long drops out of the in-sync replicas.",
  "sasl.enabled.mechanisms": "The SASL mechanisms clients may authenticate with.",
  "sasl.server.max.receive.size": "The largest SASL message the broker reads before a client is authenticated.",
  "security.inter.broker.protocol": "The security protocol brokers use to talk to each other.",
  "share.coordinator.state.topic.min.isr": "min.insync.replicas of the internal topic holding share-group state.",
  "share.coordinator.state.topic.replication.factor": "Replication factor of the internal topic holding share-group state.",
  "socket.receive.buffer.bytes": "The socket receive buffer size; -1 uses the operating system's default.",
  "socket.request.max.bytes": "The largest request the broker accepts.",
  "socket.send.buffer.bytes": "The socket send buffer size; -1 uses the operating system's default.",
  "transaction.max.timeout.ms": "The longest transaction timeout a producer may ask for.",
  "transaction.state.log.min.isr": "min.insync.replicas of __transaction_state.",
  "transaction.state.log.num.partitions": "Partitions of __transaction_state.",
  "transaction.state.log.replication.factor": "Replication factor of __transaction_state.",
  "transactional.id.expiration.ms": "How long a transactional id stays known after its producer last used it.",
};

/** What a config means, in a line; undefined for configs this table does not know. */
export function configDescription(name: string): string | undefined {
  return Object.hasOwn(DESCRIPTIONS, name) ? DESCRIPTIONS[name] : undefined;
}

/** The values a config can take when they are a fixed set, with `current` kept when it is spelt another way ("delete,compact"). */
export function configChoices(name: string, current: string | null): readonly string[] | undefined {
  const choices = Object.hasOwn(CHOICES, name) ? CHOICES[name] : undefined;
  if (!choices || current === null || current === "" || choices.includes(current)) return choices;
  return [current, ...choices];
}

// Kafka writes "no limit" as Long.MAX_VALUE; anything this large reads the same.
const NO_LIMIT_MIN = 2 ** 62;

/**
 * A value in milliseconds or bytes (or hours, minutes) as people read it,
 * told by the config's name as Kafka names them (.ms, .bytes, .hours, .minutes):
 * "604800000" -> "7 d". Null when the raw value says it as well.
 */
export function humanConfigValue(name: string, value: string | null): string | null {
  if (value === null || !/^-?\d+$/.test(value)) return null;
  const n = Number(value);
  if (n >= NO_LIMIT_MIN) return "no limit";
  const scale = name.endsWith(".ms") ? 1 : name.endsWith(".minutes") ? 60_000 : name.endsWith(".hours") ? 3_600_000 : name.endsWith(".bytes") ? -1 : 0;
  if (scale === 0) return null;
  if (n === -1 && name.includes("retention")) return "no limit";
  if (n < 0) return null;
  if (scale === -1) return n < 1024 ? null : formatByteSize(n);
  if (scale === 1 && n < 1000) return null;
  return formatDurationMs(n * scale);
}
