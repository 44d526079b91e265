import { ErrorCode, KafkaError } from "../protocol/errors";
import { readConsumerProtocolSubscription } from "../protocol/generated/consumer-protocol-subscription";
import { Reader } from "../protocol/reader";
import type { Logger } from "../runtime/logger";
import type { Cancel, Scheduler } from "../runtime/scheduler";
import type { CommitOutcome } from "../partition/partition";
import { offsetKey, splitOffsetKey, type CommittedOffset, type Group } from "./group";
import type { CoordinatorConfig, CoordinatorLog, GroupRegistry } from "./group-registry";
import { encodeGroupKey, encodeGroupValue, encodeOffsetKey, encodeOffsetValue } from "./offsets-records";

/** Kafka's offset.metadata.max.bytes default. */
export const OFFSET_METADATA_BYTES_MAX = 4096;
/** Kafka's offsets.retention.check.interval.ms default. */
export const OFFSETS_RETENTION_CHECK_INTERVAL_MS = 600_000;

export interface CommitRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** -1 for the broker's retention (OffsetCommit v2-4 may ask for another). */
  retentionTimeMs: number;
  topics: Array<{ name: string; partitions: Array<{ partition: number; offset: number; leaderEpoch: number; metadata: string | null }> }>;
}

export interface TopicPartitionErrors {
  name: string;
  partitions: Array<{ partition: number; errorCode: number }>;
}

export interface FetchedOffsets {
  errorCode: number;
  topics: Array<{
    name: string;
    partitions: Array<{ partition: number; offset: number; leaderEpoch: number; metadata: string; errorCode: number }>;
  }>;
}

/** What a write to __consumer_offsets tells its caller: null once committed, else the error code to answer with. */
export type WriteResult = number | null;

/**
 * The error code a client hears when a coordinator write failed or did not
 * commit in time, as Kafka's GroupMetadataManager maps the append's error
 * (storeOffsets and storeGroup): the partition is not there or has too few
 * replicas, COORDINATOR_NOT_AVAILABLE; this node no longer leads it (or its
 * log failed), NOT_COORDINATOR; too large, INVALID_COMMIT_OFFSET_SIZE for
 * offsets (UNKNOWN_SERVER_ERROR for a group); a commit that timed out,
 * REQUEST_TIMED_OUT for offsets and REBALANCE_IN_PROGRESS for a group (its
 * members rejoin).
 */
export function writeErrorCode(failure: unknown, what: "offsets" | "group"): number {
  if (failure === "timed out") return what === "offsets" ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.REBALANCE_IN_PROGRESS;
  if (failure === "partition gone") return ErrorCode.NOT_COORDINATOR;
  if (!(failure instanceof KafkaError)) return ErrorCode.UNKNOWN_SERVER_ERROR;
  switch (failure.code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return what === "offsets" ? ErrorCode.INVALID_COMMIT_OFFSET_SIZE : ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return failure.code;
  }
}

/** Topics in any member's subscription; every topic counts as subscribed when one cannot be parsed. */
export function subscribedTopics(group: Group): Set<string> {
  const topics = new Set<string>();
  for (const member of group.members.values()) {
    const metadata = group.metadataOf(member);
    try {
      const reader = new Reader(metadata);
      const version = reader.readInt16();
      for (const topic of readConsumerProtocolSubscription(reader, Math.min(version, 3)).topics) topics.add(topic);
    } catch {
      return new Set([...group.offsets.keys()].map((key) => splitOffsetKey(key).topic));
    }
  }
  return topics;
}

/**
 * Committed offsets and everything the coordinator writes to
 * __consumer_offsets: offset commits, group metadata records, and the
 * tombstones of deleted offsets and groups (written by commits, deletes,
 * retention and topic deletion). A write reaches the log before the
 * in-memory state changes, so a reload sees what clients were told.
 *
 * Offset commits and group metadata are answered once the append is
 * committed (the offsets partition's high watermark passes it, as a produce
 * with acks=all), and a committed offset is visible to OffsetFetch only
 * then, as in Kafka, whose pending offsets are kept apart from committed
 * ones. Tombstones (deletes, expiry) take effect at once and their commit is
 * not waited for, as Kafka appends them with acks=0.
 */
export class OffsetStore {
  private cancelExpiry: Cancel | null = null;
  /** Offset commits of each group appended and not yet committed: such a group is not unused, even with no offsets yet. */
  private readonly pendingCommits = new Map<Group, number>();

  constructor(
    private readonly registry: GroupRegistry,
    private readonly log: CoordinatorLog,
    private readonly scheduler: Scheduler,
    private readonly config: () => CoordinatorConfig,
    private readonly logger: Logger,
    /** Whether the topic-partition exists (commits to unknown partitions are refused). */
    private readonly partitionExists: (topic: string, partition: number) => boolean,
  ) {}

  private get nowMs(): number {
    return this.scheduler.clock.nowMs();
  }

  /**
   * OffsetCommit. `authorize` is membership's say on who may commit to the
   * group (an error code, or null to go ahead).
   */
  async commit(request: CommitRequest, authorize: (group: Group) => number | null): Promise<TopicPartitionErrors[]> {
    const all = (errorCode: number) =>
      request.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((p) => ({ partition: p.partition, errorCode })) }));
    const error = this.registry.servingError(request.groupId);
    if (error !== null) return all(error);
    let group = this.registry.get(request.groupId);
    if (!group) {
      // Simple consumers and admin tools commit without a generation: the group is created for them.
      if (request.generationId >= 0) return all(ErrorCode.ILLEGAL_GENERATION);
      group = this.registry.create(request.groupId, this.nowMs);
      if (!group) return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    const groupErrorCode = authorize(group);
    if (groupErrorCode !== null) return all(groupErrorCode);

    const now = this.nowMs;
    const accepted: Array<{ topic: string; partition: number; value: CommittedOffset }> = [];
    const results = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p): { partition: number; errorCode: number } => {
        if (!this.partitionExists(topic.name, p.partition)) return { partition: p.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        const metadata = p.metadata ?? "";
        if (Buffer.byteLength(metadata) > OFFSET_METADATA_BYTES_MAX)
          return { partition: p.partition, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE };
        accepted.push({
          topic: topic.name,
          partition: p.partition,
          value: {
            offset: p.offset,
            leaderEpoch: p.leaderEpoch,
            metadata,
            commitTimestampMs: now,
            expireTimestampMs: request.retentionTimeMs >= 0 ? now + request.retentionTimeMs : -1,
          },
        });
        return { partition: p.partition, errorCode: ErrorCode.NONE };
      }),
    }));
    if (accepted.length === 0) {
      this.dropIfUnused(group);
      return results;
    }
    // Everything above and the append below happen in one go; only the wait for the commit comes after.
    const result = await this.write(
      group.groupId,
      () => accepted.map((entry) => ({ key: encodeOffsetKey(group.groupId, entry.topic, entry.partition), value: encodeOffsetValue(entry.value) })),
      "offsets",
      group,
    );
    if (result !== null) {
      this.dropIfUnused(group);
      for (const topic of results) for (const p of topic.partitions) if (p.errorCode === ErrorCode.NONE) p.errorCode = result;
      return results;
    }
    // A group deleted while the commit was in flight keeps its tombstones; the offsets apply to no one (as Kafka checks for Dead).
    if (!group.is("Dead")) for (const entry of accepted) group.offsets.set(offsetKey(entry.topic, entry.partition), entry.value);
    return results;
  }

  /**
   * Encodes and appends records for one group and waits for them to
   * commit: null once committed, or the error code to answer (see
   * writeErrorCode). The append itself happens before this returns, so it
   * follows the checks of the caller without an await in between. Records
   * that do not encode (an offset past what the record format holds) fail
   * like an append.
   */
  private write(
    groupId: string,
    encode: () => Array<{ key: Buffer; value: Buffer | null }>,
    what: "offsets" | "group",
    group?: Group,
  ): Promise<WriteResult> {
    let waiting: Promise<CommitOutcome> | null;
    try {
      waiting = this.log.append(groupId, encode());
    } catch (failure) {
      this.logger.error("appending to __consumer_offsets failed", { group: groupId, what, error: failure });
      return Promise.resolve(writeErrorCode(failure, what));
    }
    if (waiting === null) return Promise.resolve(null);
    const pending = what === "offsets" ? group : undefined;
    if (pending) this.pendingCommits.set(pending, (this.pendingCommits.get(pending) ?? 0) + 1);
    return waiting.then((outcome) => {
      if (pending) {
        const left = this.pendingCommits.get(pending)! - 1;
        if (left === 0) this.pendingCommits.delete(pending);
        else this.pendingCommits.set(pending, left);
      }
      if (outcome === "committed") return null;
      this.logger.warn("a write to __consumer_offsets did not commit", { group: groupId, what, outcome });
      return writeErrorCode(outcome, what);
    });
  }

  /** A group created for a commit that wrote nothing goes away again. */
  private dropIfUnused(group: Group): void {
    if (group.is("Empty") && group.offsets.size === 0 && group.protocolType === null && group.generationId === 0 && !this.pendingCommits.has(group))
      this.registry.delete(group.groupId);
  }

  /** Committed offsets of a group: of the topics asked for, or of every topic when `topics` is null. */
  fetch(groupId: string, topics: Array<{ name: string; partitions: number[] }> | null): FetchedOffsets {
    const error = this.registry.servingError(groupId);
    if (error !== null) return { errorCode: error, topics: [] };
    const group = this.registry.get(groupId);
    const offsets = group && !group.is("Dead") ? group.offsets : new Map<string, CommittedOffset>();
    const entry = (topic: string, partition: number) => {
      const committed = offsets.get(offsetKey(topic, partition));
      return {
        partition,
        offset: committed?.offset ?? -1,
        leaderEpoch: committed?.leaderEpoch ?? -1,
        metadata: committed?.metadata ?? "",
        errorCode: ErrorCode.NONE,
      };
    };
    if (topics !== null)
      return { errorCode: ErrorCode.NONE, topics: topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((p) => entry(topic.name, p)) })) };
    const byTopic = new Map<string, number[]>();
    for (const key of offsets.keys()) {
      const { topic, partition } = splitOffsetKey(key);
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, (list = []));
      list.push(partition);
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions: partitions.sort((a, b) => a - b).map((p) => entry(name, p)) })),
    };
  }

  /** Writes tombstones for the offsets, then forgets them. */
  removeOffsets(group: Group, removed: Array<{ topic: string; partition: number }>): void {
    if (removed.length === 0) return;
    this.log.append(
      group.groupId,
      removed.map((entry) => ({ key: encodeOffsetKey(group.groupId, entry.topic, entry.partition), value: null })),
    );
    for (const entry of removed) group.offsets.delete(offsetKey(entry.topic, entry.partition));
  }

  /** Writes tombstones for the group's offsets and metadata, then drops the group (it is Dead to anyone holding it). */
  removeGroup(group: Group): void {
    const records = [...group.offsets.keys()].map((key) => {
      const { topic, partition } = splitOffsetKey(key);
      return { key: encodeOffsetKey(group.groupId, topic, partition), value: null };
    });
    records.push({ key: encodeGroupKey(group.groupId), value: null });
    this.log.append(group.groupId, records);
    group.offsets.clear();
    group.transition({ kind: "Dead" }, this.nowMs);
    this.registry.delete(group.groupId);
  }

  /** Writes the group's metadata record (generation, protocol, members and assignments); resolves once committed (null) or with the error code to answer. */
  storeGroup(group: Group): Promise<WriteResult> {
    return this.write(group.groupId, () => [
      {
        key: encodeGroupKey(group.groupId),
        value: encodeGroupValue({
          protocolType: group.protocolType ?? "",
          generation: group.generationId,
          protocol: group.protocolName,
          leader: group.leaderId,
          currentStateTimestampMs: group.stateChangedMs,
          members: [...group.members.values()].map((member) => ({
            memberId: member.memberId,
            groupInstanceId: member.groupInstanceId,
            clientId: member.clientId,
            clientHost: member.clientHost,
            rebalanceTimeoutMs: member.rebalanceTimeoutMs,
            sessionTimeoutMs: member.sessionTimeoutMs,
            subscription: group.metadataOf(member),
            assignment: member.assignment,
          })),
        }),
      },
    ], "group");
  }

  /** storeGroup where no client waits for the outcome (a failure is logged by `write`). */
  storeGroupQuietly(group: Group): void {
    void this.storeGroup(group);
  }

  /** Writes tombstones for offsets past retention (Kafka's rules, see below) and removes groups left with nothing. */
  expireOffsets(): number {
    const now = this.nowMs;
    const retentionMs = this.config().offsetsRetentionMs;
    let expired = 0;
    for (const group of [...this.registry.values()]) {
      // Offsets of a group with members live as long as the group (but see below); an
      // empty group's offsets count from when it became empty; a group that only ever
      // committed (no protocol) counts from each commit. An explicit expiry (OffsetCommit v2-4) wins.
      // A Stable consumer group loses, like in Kafka (KIP-211), the offsets of topics none of its members subscribes to any more.
      let unsubscribed: ((topic: string) => boolean) | null = null;
      if (group.is("Stable") && group.protocolType === "consumer") {
        const subscribed = subscribedTopics(group);
        unsubscribed = (topic) => !subscribed.has(topic);
      } else if (!group.is("Empty")) continue;
      const removed: Array<{ topic: string; partition: number }> = [];
      for (const [key, committed] of group.offsets) {
        if (unsubscribed && !unsubscribed(splitOffsetKey(key).topic)) continue;
        const baseMs = group.protocolType === null || unsubscribed ? committed.commitTimestampMs : group.stateChangedMs;
        const due = committed.expireTimestampMs >= 0 ? now >= committed.expireTimestampMs : now - baseMs >= retentionMs;
        if (due) removed.push(splitOffsetKey(key));
      }
      try {
        this.removeOffsets(group, removed);
        expired += removed.length;
        if (group.offsets.size === 0 && group.is("Empty")) this.removeGroup(group);
      } catch (failure) {
        this.logger.error("expiring offsets failed", { group: group.groupId, error: failure });
      }
    }
    if (expired > 0) this.logger.info("expired committed offsets", { offsets: expired });
    return expired;
  }

  /** Runs expireOffsets every min(offsets.retention.check.interval.ms, retention) until stopExpiry. */
  startExpiry(): void {
    if (this.registry.stopped) return;
    this.cancelExpiry = this.scheduler.schedule(Math.min(OFFSETS_RETENTION_CHECK_INTERVAL_MS, this.config().offsetsRetentionMs), () => {
      this.expireOffsets();
      this.startExpiry();
    });
  }

  stopExpiry(): void {
    this.cancelExpiry?.();
    this.cancelExpiry = null;
  }

  /** Offsets of a deleted topic go too, as in Kafka. */
  topicDeleted(topic: string): void {
    for (const group of this.registry.values()) {
      const removed = [...group.offsets.keys()].map(splitOffsetKey).filter((entry) => entry.topic === topic);
      try {
        this.removeOffsets(group, removed);
      } catch (failure) {
        this.logger.error("removing offsets of a deleted topic failed", { group: group.groupId, topic, error: failure });
      }
    }
  }
}
