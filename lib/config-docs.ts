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
  "remote.log.copy.disable": "With tiered storage on, stops copying new segments to the remote store; what is already there stays readable and still expires.",
  "remote.log.delete.on.disable": "Must be true to turn tiered storage off for the topic, confirming that its data in the remote store is to be deleted.",
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

  // -- topic defaults
  "log.local.retention.bytes": "Default of local.retention.bytes for topics that do not set it.",
  "log.local.retention.ms": "Default of local.retention.ms for topics that do not set it.",
  "log.message.downconversion.enable": "Default of message.downconversion.enable for topics that do not set it.",
  "log.message.format.version": "Default of message.format.version. Deprecated; ignored since Kafka 3.0.",
  "log.message.timestamp.difference.max.ms": "Deprecated default of message.timestamp.difference.max.ms, replaced by the before/after pair.",

  // -- KRaft / controller
  "broker.heartbeat.interval.ms": "How often a broker sends a heartbeat to the active KRaft controller.",
  "broker.id.generation.enable": "Whether a broker with no broker.id set is given one automatically, above reserved.broker.max.id. A ZooKeeper-era setting.",
  "broker.session.timeout.ms": "How long the controller waits for a broker's heartbeat before it fences the broker and moves leadership away from it.",
  "controlled.shutdown.enable": "Whether a stopping broker first has leadership of its partitions moved to other replicas, so clients see a short pause rather than errors.",
  "controlled.shutdown.max.retries": "How many times a controlled shutdown is tried before the broker stops anyway.",
  "controlled.shutdown.retry.backoff.ms": "How long a broker waits between two tries of a controlled shutdown.",
  "controller.quorum.append.linger.ms": "How long the quorum leader waits to gather more metadata records so it can write them to the metadata log together.",
  "controller.quorum.election.backoff.max.ms": "The longest a controller waits before starting a new election after one that failed.",
  "controller.quorum.election.timeout.ms": "How long a voter goes without hearing from a quorum leader before it calls an election.",
  "controller.quorum.fetch.timeout.ms": "How long a quorum member goes without a successful fetch from the leader before it suspects the leader is gone.",
  "controller.quorum.request.timeout.ms": "How long a request between members of the controller quorum may take before it is given up.",
  "controller.quorum.retry.backoff.ms": "How long to wait before retrying a failed request within the controller quorum.",
  "controller.socket.timeout.ms": "Socket timeout of the controller's connections to brokers.",
  "early.start.listeners": "Listeners opened before the authorizer has finished loading, typically the controller listeners; the others open only after it has.",
  "eligible.leader.replicas.enable": "Whether the controller tracks eligible leader replicas: replicas outside the in-sync set that are still known to hold every committed record and so may safely become leader.",
  "initial.broker.registration.timeout.ms": "How long a broker tries at startup to register with the controller quorum before it gives up and shuts down.",
  "inter.broker.protocol.version": "The protocol version brokers speak with each other. A ZooKeeper-era setting; KRaft clusters follow metadata.version instead.",
  "leader.imbalance.check.interval.seconds": "How often the controller checks whether leadership should move back to preferred replicas.",
  "leader.imbalance.per.broker.percentage": "Percentage of a broker's partitions that may be led by a replica other than the preferred one before leadership is rebalanced.",
  "metadata.log.max.record.bytes.between.snapshots": "Bytes of new metadata records after which a node writes a new snapshot of the metadata.",
  "metadata.log.max.snapshot.interval.ms": "The longest a node goes between metadata snapshots while there are new records; 0 leaves snapshots to the size setting alone.",
  "metadata.log.segment.bytes": "Segment size of the KRaft metadata log.",
  "metadata.log.segment.ms": "Age at which the metadata log's active segment is closed and a new one begun.",
  "metadata.max.idle.interval.ms": "How often the active controller writes a no-op record to the metadata log when nothing else is written; 0 turns this off.",
  "metadata.max.retention.bytes": "How many bytes of metadata log and snapshots are kept; older segments and snapshots go once a newer snapshot covers them.",
  "metadata.max.retention.ms": "How long metadata log segments and snapshots are kept once a newer snapshot covers them.",
  "request.timeout.ms": "How long the broker's own clients (towards other brokers and controllers) wait for a response before they give up or retry.",
  "reserved.broker.max.id": "The highest broker id that may be set by hand; automatically generated ids start above it.",
  "socket.connection.setup.timeout.max.ms": "The ceiling the connection setup timeout grows to after repeated failures to connect.",
  "socket.connection.setup.timeout.ms": "How long the broker waits for an outgoing connection to be set up before it gives up; it grows with each failure, up to the max.",
  "socket.listen.backlog.size": "How many not-yet-accepted connections the listening socket may queue.",

  // -- groups and offsets
  "delete.records.purgatory.purge.interval.requests": "How many requests go by between clean-ups of finished entries in the purgatory where DeleteRecords requests wait.",
  "fetch.purgatory.purge.interval.requests": "How many requests go by between clean-ups of finished entries in the purgatory where fetches wait for data.",
  "group.consumer.assignors": "The server-side partition assignors consumer groups of the new protocol may use; the first is the default.",
  "group.consumer.heartbeat.interval.ms": "How often members of a consumer group of the new protocol send a heartbeat.",
  "group.consumer.max.heartbeat.interval.ms": "The longest heartbeat interval a consumer group of the new protocol may be given.",
  "group.consumer.max.session.timeout.ms": "The longest session timeout a consumer group of the new protocol may be given.",
  "group.consumer.max.size": "The most members a consumer group of the new protocol may have.",
  "group.consumer.min.heartbeat.interval.ms": "The shortest heartbeat interval a consumer group of the new protocol may be given.",
  "group.consumer.min.session.timeout.ms": "The shortest session timeout a consumer group of the new protocol may be given.",
  "group.consumer.session.timeout.ms": "How long a member of a consumer group of the new protocol may go without a heartbeat before it is removed from the group.",
  "group.coordinator.append.linger.ms": "How long the group coordinator waits to gather more records so it can write them to its log together.",
  "group.coordinator.rebalance.protocols": "The group protocols the group coordinator serves, such as classic and consumer.",
  "group.coordinator.threads": "Threads the group coordinator runs on.",
  "group.max.size": "The most members a classic consumer group may have.",
  "max.incremental.fetch.session.cache.slots": "How many incremental fetch sessions the broker keeps; more lets more consumers and followers send only what changed.",
  "max.request.partition.size.limit": "The most partitions the broker returns in one response to a request that pages through partitions, such as DescribeTopicPartitions.",
  "offset.metadata.max.bytes": "The longest metadata string a consumer may store with a committed offset.",
  "offsets.commit.timeout.ms": "How long an offset commit waits for the replicas of __consumer_offsets to have it before it fails.",
  "offsets.load.buffer.size": "Read buffer used when a broker loads groups' offsets from __consumer_offsets after becoming their coordinator.",
  "offsets.retention.check.interval.ms": "How often the broker looks for committed offsets past their retention.",
  "offsets.topic.compression.codec": "Compression of the records written to __consumer_offsets, as a codec number (0 is none).",
  "offsets.topic.segment.bytes": "Segment size of __consumer_offsets, kept small so it compacts and loads quickly.",
  "producer.purgatory.purge.interval.requests": "How many requests go by between clean-ups of finished entries in the purgatory where acks=all produce requests wait.",

  // -- share groups
  "group.share.delivery.count.limit": "How many times a record may be delivered to a share group before it is given up on and no longer handed out.",
  "group.share.heartbeat.interval.ms": "How often members of a share group send a heartbeat.",
  "group.share.max.groups": "The most share groups the cluster allows.",
  "group.share.max.heartbeat.interval.ms": "The longest heartbeat interval a share group may be given.",
  "group.share.max.record.lock.duration.ms": "The longest record lock duration a share group may be given.",
  "group.share.max.session.timeout.ms": "The longest session timeout a share group may be given.",
  "group.share.max.size": "The most members a share group may have.",
  "group.share.min.heartbeat.interval.ms": "The shortest heartbeat interval a share group may be given.",
  "group.share.min.record.lock.duration.ms": "The shortest record lock duration a share group may be given.",
  "group.share.min.session.timeout.ms": "The shortest session timeout a share group may be given.",
  "group.share.partition.max.record.locks": "The most records of one partition that a share group may have handed out and not yet acknowledged at once.",
  "group.share.record.lock.duration.ms": "How long a share-group member holds the records it fetched before they are released to other members if not acknowledged.",
  "group.share.session.timeout.ms": "How long a share-group member may go without a heartbeat before it is removed from the group.",
  "share.coordinator.append.linger.ms": "How long the share coordinator waits to gather more records so it can write them to its log together.",
  "share.coordinator.load.buffer.size": "Read buffer used when a broker loads share-group state from its internal topic.",
  "share.coordinator.snapshot.update.records.per.snapshot": "How many update records the share coordinator writes about a share partition before it writes a full snapshot of its state.",
  "share.coordinator.state.topic.compression.codec": "Compression of the records written to the share-group state topic, as a codec number (0 is none).",
  "share.coordinator.state.topic.num.partitions": "Partitions of the internal topic holding share-group state.",
  "share.coordinator.state.topic.segment.bytes": "Segment size of the internal topic holding share-group state.",
  "share.coordinator.threads": "Threads the share coordinator runs on.",
  "share.coordinator.write.timeout.ms": "How long the share coordinator waits for a write of share-group state to be replicated.",
  "share.fetch.purgatory.purge.interval.requests": "How many requests go by between clean-ups of finished entries in the purgatory where share fetches wait.",

  // -- transactions
  "producer.id.expiration.ms": "How long the broker keeps a producer id's state after that producer's last write; after that, its idempotent writes are no longer deduplicated.",
  "transaction.abort.timed.out.transaction.cleanup.interval.ms": "How often the transaction coordinator looks for transactions past their timeout to abort them.",
  "transaction.partition.verification.enable": "Whether the broker checks that a partition was added to an ongoing transaction before it accepts transactional records for it.",
  "transaction.remove.expired.transaction.cleanup.interval.ms": "How often the transaction coordinator removes transactional ids past transactional.id.expiration.ms.",
  "transaction.state.log.load.buffer.size": "Read buffer used when a broker loads transaction state from __transaction_state.",
  "transaction.state.log.segment.bytes": "Segment size of __transaction_state, kept small so it compacts and loads quickly.",
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
