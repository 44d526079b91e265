/**
 * The console's contracts: what services return and route handlers accept.
 * Client-safe (no kafkajs, no Node APIs); the UI and the server share them.
 */
import { z } from "zod";
import { INPUT_FORMATS, inputProblem, type InputFormat } from "./payload";
import { topicNameProblem } from "./topic-name";

// ---------------------------------------------------------------- limits

/** Largest number of records one browse request returns. */
export const BROWSE_COUNT_MAX = 500;
export const BROWSE_COUNT_DEFAULT = 50;
/** Value and key bytes sent to the browser per record unless the whole record is asked for. */
export const PAYLOAD_PREVIEW_BYTES_MAX = 64 * 1024;
/** Longest search text a browse accepts. */
export const SEARCH_TEXT_MAX = 200;
/** Records one produce request may write. */
export const PRODUCE_COUNT_MAX = 1000;
export const PARTITIONS_MAX = 1000;
/** Groups described (state, lag) per groups-list request; more are listed by id only. */
export const GROUPS_DESCRIBED_MAX = 200;
/** Groups listed at all per request, so a cluster with a million groups does not send a million rows to the browser. */
export const GROUPS_LISTED_MAX = 5_000;

// ---------------------------------------------------------------- errors

export const apiErrorSchema = z.object({
  error: z.object({
    code: z.enum(["INVALID_INPUT", "NOT_FOUND", "CONFLICT", "UNAVAILABLE", "KAFKA_ERROR", "INTERNAL", "UNAUTHENTICATED", "FORBIDDEN", "RATE_LIMITED"]),
    message: z.string(),
    /** The input field at fault, for INVALID_INPUT. */
    field: z.string().optional(),
  }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

// ---------------------------------------------------------------- cluster

export const brokerSchema = z.object({
  nodeId: z.number().int(),
  host: z.string(),
  port: z.number().int(),
  rack: z.string().nullable(),
  isController: z.boolean(),
  leaderPartitions: z.number().int(),
  /** Bytes of all partitions in its log dirs; null when the broker could not be asked. */
  bytesOnDisk: z.number().nullable(),
});
export type Broker = z.infer<typeof brokerSchema>;

/** What a broker serves, from its ApiVersions answer. */
export const clusterProtocolSchema = z.object({
  /** The broker asked: the controller, or the first broker when there is none. */
  nodeId: z.number().int(),
  apis: z.array(z.object({ apiKey: z.number().int(), name: z.string(), minVersion: z.number().int(), maxVersion: z.number().int() })),
  /** Feature flags the broker can run (metadata.version, kraft.version, group.version ...), with their version ranges. */
  supportedFeatures: z.array(z.object({ name: z.string(), minVersion: z.number().int(), maxVersion: z.number().int() })),
  /** Feature flags the cluster has finalized, with their levels; empty when the broker reports none. */
  finalizedFeatures: z.array(z.object({ name: z.string(), level: z.number().int() })),
});
export type ClusterProtocol = z.infer<typeof clusterProtocolSchema>;

export const clusterOverviewSchema = z.object({
  clusterId: z.string(),
  controllerId: z.number().int().nullable(),
  brokers: z.array(brokerSchema),
  topicCount: z.number().int(),
  internalTopicCount: z.number().int(),
  partitionCount: z.number().int(),
  underReplicatedPartitions: z.number().int(),
  offlinePartitions: z.number().int(),
  /** Null when the cluster does not answer group requests (yet). */
  groupCount: z.number().int().nullable(),
  totalLag: z.number().nullable(),
  /**
   * What totalLag sums: every group of the lag sampler's newest cycle ("samples", read at sampledAtMs),
   * or, before the first cycle or without a history, the groups read live ("live": the first ones by id).
   */
  lagCoverage: z.object({ source: z.enum(["samples", "live"]), groups: z.number().int(), sampledAtMs: z.number().nullable() }).nullable(),
  /**
   * The group furthest behind in time over the same groups as totalLag, with its time lag (milliseconds; from
   * the samples always an estimate); null when no group's time lag is known.
   */
  largestTimeLag: z.object({ groupId: z.string(), ms: z.number(), estimated: z.boolean() }).nullable(),
  /** Null when no broker answered ApiVersions. */
  protocol: clusterProtocolSchema.nullable(),
});
export type ClusterOverview = z.infer<typeof clusterOverviewSchema>;

/** One voter or observer of the KRaft metadata quorum, as the quorum's leader last saw it. */
export const quorumReplicaSchema = z.object({
  nodeId: z.number().int(),
  /** Its last known log end offset on __cluster_metadata; null when the leader does not know it. */
  logEndOffset: z.number().nullable(),
  /** The leader's log end offset minus this one's (0 for the leader); null when its log end is unknown. */
  lag: z.number().nullable(),
  /** Leader wall-clock time (ms) of its last fetch; null when unknown, always for the leader and before DescribeQuorum v1. */
  lastFetchMs: z.number().nullable(),
  /** Leader wall-clock time (ms) when it last fetched up to the leader's log end; null when unknown. */
  lastCaughtUpMs: z.number().nullable(),
  /** No lag, or caught up within QUORUM_CAUGHT_UP_MS of the leader's own time. */
  caughtUp: z.boolean(),
});
export type QuorumReplica = z.infer<typeof quorumReplicaSchema>;

/** A replica counts as caught up when it reached the leader's log end this recently (Kafka's replica.lag.time.max.ms default). */
export const QUORUM_CAUGHT_UP_MS = 30_000;

/**
 * The KRaft metadata quorum (__cluster_metadata), from DescribeQuorum; `supported: false` with the reason
 * when the cluster does not serve it (ZooKeeper-mode Kafka, Kafka before 3.3, or no version in common).
 */
export const metadataQuorumSchema = z.discriminatedUnion("supported", [
  z.object({
    supported: z.literal(true),
    /** host:port of the broker the request was sent to (it forwards it to the quorum's leader). */
    askedBroker: z.string(),
    /** The DescribeQuorum version used. */
    version: z.number().int(),
    leaderId: z.number().int(),
    leaderEpoch: z.number().int(),
    highWatermark: z.number(),
    voters: z.array(quorumReplicaSchema),
    observers: z.array(quorumReplicaSchema),
  }),
  z.object({ supported: z.literal(false), reason: z.string() }),
]);
export type MetadataQuorum = z.infer<typeof metadataQuorumSchema>;

export const configEntrySchema = z.object({
  name: z.string(),
  value: z.string().nullable(),
  /** Where the value comes from, in Kafka's words (TOPIC_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG ...). */
  source: z.string(),
  isDefault: z.boolean(),
  isSensitive: z.boolean(),
  readOnly: z.boolean(),
});
export type ConfigEntry = z.infer<typeof configEntrySchema>;

// ---------------------------------------------------------------- topics

export const topicNameSchema = z.string().superRefine((name, ctx) => {
  const problem = topicNameProblem(name);
  if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
});

export const topicSummarySchema = z.object({
  name: z.string(),
  internal: z.boolean(),
  partitions: z.number().int(),
  replicationFactor: z.number().int(),
  underReplicatedPartitions: z.number().int(),
  /** Null when the log dirs could not be described. */
  sizeBytes: z.number().nullable(),
  /**
   * Sum over partitions of high watermark minus log start offset (compaction and
   * aborts make it approximate); null when a partition's offsets could not be read.
   */
  approximateRecords: z.number().nullable(),
});
export type TopicSummary = z.infer<typeof topicSummarySchema>;

export const partitionSchema = z.object({
  partition: z.number().int(),
  firstOffset: z.number(),
  lastOffset: z.number(),
  /** High watermark: the offset the next record will get. */
  highWatermark: z.number(),
  records: z.number(),
  sizeBytes: z.number().nullable(),
  leader: z.number().int(),
  replicas: z.array(z.number().int()),
  isr: z.array(z.number().int()),
});
export type Partition = z.infer<typeof partitionSchema>;

export const topicDetailSchema = topicSummarySchema.extend({ partitionList: z.array(partitionSchema) });
export type TopicDetail = z.infer<typeof topicDetailSchema>;

export const createTopicInputSchema = z.object({
  name: topicNameSchema,
  partitions: z.coerce.number().int().min(1).max(PARTITIONS_MAX),
  replicationFactor: z.coerce.number().int().min(1).max(32),
  configs: z.record(z.string().min(1), z.string()).default({}),
});
export type CreateTopicInput = z.infer<typeof createTopicInputSchema>;

export const addPartitionsInputSchema = z.object({ count: z.coerce.number().int().min(1).max(PARTITIONS_MAX) });
export type AddPartitionsInput = z.infer<typeof addPartitionsInputSchema>;

export const alterConfigsInputSchema = z.object({
  /** name -> new value; null removes the override. */
  set: z.record(z.string().min(1), z.string().nullable()),
});
export type AlterConfigsInput = z.infer<typeof alterConfigsInputSchema>;

export const configListSchema = z.object({ configs: z.array(configEntrySchema) });
export type ConfigList = z.infer<typeof configListSchema>;

// ---------------------------------------------------------------- messages

export const browseStartSchema = z.enum(["oldest", "newest", "offset", "timestamp"], { errorMap: () => ({ message: "a start is oldest, newest, offset or timestamp" }) });
export type BrowseStart = z.infer<typeof browseStartSchema>;
export const browseOrderSchema = z.enum(["newest-first", "oldest-first"], { errorMap: () => ({ message: "an order is newest-first or oldest-first" }) });
export type BrowseOrder = z.infer<typeof browseOrderSchema>;

/** Starting at a position reads forward from it; only the newest records are read backwards by default. */
export const defaultOrder = (start: BrowseStart): BrowseOrder => (start === "newest" ? "newest-first" : "oldest-first");

/** Where a search looks: the key, the value, header keys and values, or all of them. */
export const searchFieldSchema = z.enum(["any", "key", "value", "headers"], { errorMap: () => ({ message: "a search is in any, key, value or headers" }) });
export type SearchField = z.infer<typeof searchFieldSchema>;

/** "0:12,3:40": per partition, where the next page starts. */
export const cursorSchema = z.string().regex(/^\d+:\d+(,\d+:\d+)*$/, "a cursor is partition:offset pairs separated by commas");

export const browseInputSchema = z
  .object({
    partition: z.union([z.literal("all"), z.coerce.number({ invalid_type_error: "a partition is all or a number" }).int().min(0, "a partition is 0 or more")], { errorMap: () => ({ message: "a partition is all or a number from 0" }) }).default("all"),
    start: browseStartSchema.default("newest"),
    offset: z.coerce.number({ invalid_type_error: "an offset is a number" }).int("an offset is a whole number").min(0, "an offset is 0 or more").optional(),
    timestamp: z.coerce.number({ invalid_type_error: "a timestamp is milliseconds since 1970" }).int("a timestamp is whole milliseconds").min(0, "a timestamp is 0 or more").optional(),
    count: z.coerce.number({ invalid_type_error: "a count is a number" }).int().min(1, "at least 1 record a page").max(BROWSE_COUNT_MAX, `at most ${BROWSE_COUNT_MAX} records a page`).default(BROWSE_COUNT_DEFAULT),
    /** Unless given: newest-first from the newest record, oldest-first (reading forward) from any other start. */
    order: browseOrderSchema.optional(),
    cursor: cursorSchema.optional(),
    /** Keep only records containing this text (case-insensitive) in the `in` field(s); the scan is budgeted. */
    q: z.string().min(1).max(SEARCH_TEXT_MAX, `search text is at most ${SEARCH_TEXT_MAX} characters`).optional(),
    in: searchFieldSchema.default("any"),
  })
  .superRefine((input, ctx) => {
    if (input.start === "offset" && input.offset === undefined)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["offset"], message: "an offset is required to start at an offset" });
    if (input.start === "timestamp" && input.timestamp === undefined)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["timestamp"], message: "a timestamp is required to start at a timestamp" });
  })
  .transform((input) => ({ ...input, order: input.order ?? defaultOrder(input.start) }));
export type BrowseInput = z.infer<typeof browseInputSchema>;

export const payloadSchema = z.object({
  /** The bytes as base64; the first PAYLOAD_PREVIEW_BYTES_MAX unless the whole record was asked for. */
  base64: z.string(),
  /** Size of the whole payload in bytes. */
  sizeBytes: z.number().int(),
  truncated: z.boolean(),
});
export type Payload = z.infer<typeof payloadSchema>;

export const messageSchema = z.object({
  partition: z.number().int(),
  offset: z.number(),
  timestamp: z.number(),
  key: payloadSchema.nullable(),
  value: payloadSchema.nullable(),
  /** In record order; keys may repeat. */
  headers: z.array(z.object({ key: z.string(), value: payloadSchema.nullable() })),
});
export type Message = z.infer<typeof messageSchema>;

export const browseResultSchema = z.object({
  messages: z.array(messageSchema),
  /** Cursor of the next page in the same order, or null at the end. */
  nextCursor: z.string().nullable(),
  /** True when the time, byte or (searching) record budget ended the read before `count` records were found. */
  budgetExhausted: z.boolean(),
  /** Records examined: read for a page, or tested against the search text; `nextCursor` continues after them. */
  scanned: z.number().int(),
});
export type BrowseResult = z.infer<typeof browseResultSchema>;

export const recordInputSchema = z.object({
  partition: z.coerce.number().int().min(0),
  offset: z.coerce.number().int().min(0),
});

// ---------------------------------------------------------------- produce

export const inputFormatSchema = z.enum(INPUT_FORMATS as [InputFormat, ...InputFormat[]]);
export const headerValueFormatSchema = z.enum(["text", "base64"]);

export const produceInputSchema = z
  .object({
    /** A partition, or null to let the partitioner choose (by key hash, or spread when there is no key). */
    partition: z.coerce.number().int().min(0).nullable().default(null),
    /** Null: no key. */
    key: z.string().nullable().default(null),
    keyFormat: inputFormatSchema.default("text"),
    /** Null: no value, a tombstone on a compacted topic. */
    value: z.string().nullable().default(null),
    valueFormat: inputFormatSchema.default("text"),
    /** In order; a key may repeat. A null value is a header without one. */
    headers: z
      .array(z.object({ key: z.string().min(1, "a header needs a key"), value: z.string().nullable(), valueFormat: headerValueFormatSchema.default("text") }))
      .max(100)
      .default([]),
    count: z.coerce.number().int().min(1).max(PRODUCE_COUNT_MAX).default(1),
  })
  .superRefine((input, ctx) => {
    const check = (text: string | null, format: InputFormat, path: Array<string | number>, what: string) => {
      const problem = text === null ? null : inputProblem(text, format);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: `the ${what} ${problem}` });
    };
    check(input.key, input.keyFormat, ["key"], "key");
    check(input.value, input.valueFormat, ["value"], "value");
    input.headers.forEach((h, i) => {
      check(h.key, "text", ["headers", i, "key"], "header key");
      check(h.value, h.valueFormat, ["headers", i, "value"], "header value");
    });
  });
export type ProduceInput = z.infer<typeof produceInputSchema>;

export const produceResultSchema = z.object({
  /** Every record written, in the order they were sent. */
  records: z.array(z.object({ partition: z.number().int(), offset: z.number() })),
});
export type ProduceResult = z.infer<typeof produceResultSchema>;

export const purgeResultSchema = z.object({
  partitions: z.array(z.object({ partition: z.number().int(), lowWatermark: z.number() })),
});
export type PurgeResult = z.infer<typeof purgeResultSchema>;

// ---------------------------------------------------------------- consumer groups

/** A group's lag on one topic: the sum over the partitions it committed. */
export const groupTopicLagSchema = z.object({
  topic: z.string(),
  partitions: z.number().int(),
  /** Null when no end offsets could be read for the topic. */
  lag: z.number().nullable(),
  /**
   * How far behind in time, in milliseconds: now minus the timestamp of the next
   * record to consume (0 when caught up); null when unknown. Of a topic or group,
   * the largest over its partitions whose time lag is known.
   */
  timeLagMs: z.number().nullable(),
  /** True when timeLagMs is estimated from earlier end-offset readings rather than read from the record itself. */
  timeLagEstimated: z.boolean(),
});
export type GroupTopicLag = z.infer<typeof groupTopicLagSchema>;

export const groupSummarySchema = z.object({
  groupId: z.string(),
  /** Kafka's group state: Stable, Empty, PreparingRebalance, CompletingRebalance, Dead ... */
  state: z.string(),
  protocolType: z.string(),
  members: z.number().int(),
  /** Topics the group has committed offsets for, with its lag on each. */
  topics: z.array(groupTopicLagSchema),
  /** Sum over its committed partitions of high watermark minus committed offset; null when not computed. */
  lag: z.number().nullable(),
  /**
   * How far behind in time, in milliseconds: now minus the timestamp of the next
   * record to consume (0 when caught up); null when unknown. Of a topic or group,
   * the largest over its partitions whose time lag is known.
   */
  timeLagMs: z.number().nullable(),
  /** True when timeLagMs is estimated from earlier end-offset readings rather than read from the record itself. */
  timeLagEstimated: z.boolean(),
});
export type GroupSummary = z.infer<typeof groupSummarySchema>;

export const groupListSchema = z.object({
  /** False when the cluster does not answer group requests. */
  supported: z.boolean(),
  groups: z.array(groupSummarySchema),
  /** True when there were more groups than one request describes; the rest are listed without lag. */
  truncated: z.boolean(),
  /** Groups in the cluster; more than `groups` holds when there are too many to list. */
  total: z.number().int(),
});
export type GroupList = z.infer<typeof groupListSchema>;

export const groupMemberSchema = z.object({
  memberId: z.string(),
  groupInstanceId: z.string().nullable(),
  clientId: z.string(),
  host: z.string(),
  /** Partitions assigned to it, per topic (consumer protocol groups only). */
  assignments: z.array(z.object({ topic: z.string(), partitions: z.array(z.number().int()) })),
});
export type GroupMember = z.infer<typeof groupMemberSchema>;

export const groupPartitionSchema = z.object({
  topic: z.string(),
  partition: z.number().int(),
  /** Null when the group has no commit for it (assigned but not committed yet). */
  committed: z.number().nullable(),
  /** Log start offset and high watermark; null when they could not be read. */
  start: z.number().nullable(),
  end: z.number().nullable(),
  lag: z.number().nullable(),
  /**
   * How far behind in time, in milliseconds: now minus the timestamp of the next
   * record to consume (0 when caught up); null when unknown. Of a topic or group,
   * the largest over its partitions whose time lag is known.
   */
  timeLagMs: z.number().nullable(),
  /** True when timeLagMs is estimated from earlier end-offset readings rather than read from the record itself. */
  timeLagEstimated: z.boolean(),
  /** Member id of the consumer assigned the partition, if any. */
  memberId: z.string().nullable(),
  metadata: z.string().nullable(),
});
export type GroupPartition = z.infer<typeof groupPartitionSchema>;

export const groupDetailSchema = z.object({
  groupId: z.string(),
  state: z.string(),
  protocolType: z.string(),
  /** The assignor in use (range, roundrobin, cooperative-sticky ...); empty when no member. */
  protocol: z.string(),
  members: z.array(groupMemberSchema),
  /** One row per partition the group committed or is assigned, sorted by topic then partition. */
  partitions: z.array(groupPartitionSchema),
  topics: z.array(groupTopicLagSchema),
  lag: z.number().nullable(),
  /**
   * How far behind in time, in milliseconds: now minus the timestamp of the next
   * record to consume (0 when caught up); null when unknown. Of a topic or group,
   * the largest over its partitions whose time lag is known.
   */
  timeLagMs: z.number().nullable(),
  /** True when timeLagMs is estimated from earlier end-offset readings rather than read from the record itself. */
  timeLagEstimated: z.boolean(),
});
export type GroupDetail = z.infer<typeof groupDetailSchema>;

/** Group states in which offsets may be reset: no member can overwrite them. */
export const RESETTABLE_GROUP_STATES = ["Empty", "Dead"] as const;
export const isResettable = (state: string) => (RESETTABLE_GROUP_STATES as readonly string[]).includes(state);

export const resetStrategySchema = z.enum(["earliest", "latest", "timestamp", "offset", "shift"]);
export type ResetStrategy = z.infer<typeof resetStrategySchema>;

export const resetOffsetsInputSchema = z
  .object({
    /** Which offsets: the group's committed topics (no topic), one topic, or one partition of it. */
    topic: topicNameSchema.optional(),
    partition: z.coerce.number().int().min(0).optional(),
    strategy: resetStrategySchema,
    /** Milliseconds since the epoch, for "timestamp". */
    timestamp: z.coerce.number().int().min(0).optional(),
    /** The offset itself, for "offset". */
    offset: z.coerce.number().int().min(0).optional(),
    /** Records to move by (negative is back), for "shift". */
    shift: z.coerce.number().int().optional(),
    /** A group that does not exist is a 404 unless this asks for it to be created by the reset. */
    createIfMissing: z.boolean().default(false),
  })
  .superRefine((input, ctx) => {
    if (input.partition !== undefined && input.topic === undefined)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["topic"], message: "a partition needs its topic" });
    const needs = { timestamp: "a time", offset: "an offset", shift: "a number of records" } as const;
    for (const field of ["timestamp", "offset", "shift"] as const)
      if (input.strategy === field && input[field] === undefined)
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [field], message: `${needs[field]} is required for this reset` });
  });
export type ResetOffsetsInput = z.infer<typeof resetOffsetsInputSchema>;

export const offsetChangeSchema = z.object({
  topic: z.string(),
  partition: z.number().int(),
  /** Committed now; null when the group has none for this partition. */
  current: z.number().nullable(),
  target: z.number(),
  start: z.number(),
  end: z.number(),
});
export type OffsetChange = z.infer<typeof offsetChangeSchema>;

export const resetPreviewSchema = z.object({ groupId: z.string(), state: z.string(), changes: z.array(offsetChangeSchema) });
export type ResetPreview = z.infer<typeof resetPreviewSchema>;

/** Applying a reset commits exactly the offsets that were previewed. */
export const applyOffsetsInputSchema = z.object({
  offsets: z
    .array(z.object({ topic: topicNameSchema, partition: z.number().int().min(0), offset: z.number().int().min(0) }))
    .min(1, "nothing to apply")
    .max(100_000),
  /** A group that does not exist is a 404 unless this asks for it to be created with these offsets. */
  createIfMissing: z.boolean().default(false),
});
export type ApplyOffsetsInput = z.infer<typeof applyOffsetsInputSchema>;
