import type { BrokerConfig } from "../config/broker-config";
import type { Controller } from "../metadata/controller";
import type { MetadataImage } from "../metadata/image";
import { KafkaError, ProtocolError } from "../protocol/errors";
import { decodeRecordBatches, encodeRecordBatch, type RecordInput } from "../protocol/records/record-batch";
import type { Clock } from "../runtime/clock";
import type { CommitOutcome } from "../partition/partition";
import type { ProduceFetchPath } from "../partition/produce-fetch-path";
import { decodeGroupValue, decodeKey, decodeOffsetValue, offsetsPartitionFor, type GroupMetadataValue, type OffsetCommitValue } from "./offsets-records";

export const OFFSETS_TOPIC = "__consumer_offsets";

/** Kafka's offsets.load.buffer.size: how much of the log one read brings in while loading. */
const LOAD_READ_BYTES = 5 * 1024 * 1024;
/** Kafka's offsets.commit.timeout.ms: how long a write of the coordinator waits for its commit. */
const OFFSETS_COMMIT_TIMEOUT_MS = 5000;

export interface OffsetsLogDeps {
  image: () => MetadataImage;
  controller: () => Controller;
  produceFetch: () => Pick<ProduceFetchPath, "appendRecords" | "waitForCommit" | "hostedPartition">;
  config: () => BrokerConfig;
  clock: Clock;
  nodeId: number;
  /** Told about records that do not decode (written by something other than the coordinator); they are skipped. */
  onUndecodable?: (partition: number, offset: number, error: Error) => void;
}

/** What replaying one partition of __consumer_offsets finds, in log order. */
export type OffsetsLogEntry =
  | { kind: "offset"; group: string; topic: string; partition: number; value: OffsetCommitValue | null }
  | { kind: "group"; group: string; value: GroupMetadataValue | null };

/**
 * The internal topic behind the coordinator: placement of groups on its
 * partitions, creation on first use, keyed appends (tombstones for deleted
 * offsets and groups, so compaction can clean it) and replay on start.
 */
export class OffsetsLog {
  constructor(private readonly deps: OffsetsLogDeps) {}

  get numPartitions(): number {
    return this.deps.image().topic(OFFSETS_TOPIC)?.partitions.length ?? this.deps.config().offsetsTopicNumPartitions;
  }

  partitionFor(groupId: string): number {
    return offsetsPartitionFor(groupId, this.numPartitions);
  }

  /** The node leading the group's partition, creating the topic first when it does not exist yet. */
  coordinatorFor(groupId: string): number {
    this.ensureTopic();
    const topic = this.deps.image().topic(OFFSETS_TOPIC)!;
    return topic.partitions[offsetsPartitionFor(groupId, topic.partitions.length)].leader;
  }

  isLocal(groupId: string): boolean {
    const topic = this.deps.image().topic(OFFSETS_TOPIC);
    if (!topic) return true; // created on the first write; this node will lead it in a cluster of one
    return topic.partitions[offsetsPartitionFor(groupId, topic.partitions.length)].leader === this.deps.nodeId;
  }

  /**
   * Proposes the topic when it does not exist. On a cluster of one it is
   * committed and applied before the proposal returns; until it is (a
   * quorum, or a refused proposal) the coordinator is not available yet.
   */
  ensureTopic(): void {
    if (this.deps.image().topic(OFFSETS_TOPIC)) return;
    const config = this.deps.config();
    // Partitions do not replicate between the nodes of a quorum yet (issue 12 §2), so there its replicas are one.
    const brokers = config.quorum !== null ? 1 : this.deps.image().brokers.size;
    const proposed = this.deps.controller().createTopic(
      {
        name: OFFSETS_TOPIC,
        numPartitions: config.offsetsTopicNumPartitions,
        replicationFactor: Math.max(1, Math.min(config.offsetsTopicReplicationFactor, brokers)),
        assignments: [],
        configs: { "cleanup.policy": "compact", "compression.type": "producer", "segment.bytes": String(100 * 1024 * 1024) },
      },
      { validateOnly: false, allowInternal: true },
    );
    // A refusal is seen below as the topic still missing, and the caller's client retries.
    proposed.catch(() => {});
    if (!this.deps.image().topic(OFFSETS_TOPIC)) throw new KafkaError("COORDINATOR_NOT_AVAILABLE", "The offsets topic is being created.");
  }

  /**
   * Appends records for one group as a single batch, as a produce with
   * acks=all does: the batch is committed once the partition's high
   * watermark passes it. Returns null when it is committed already (always,
   * while this node is the partition's only in-sync replica), so the caller
   * may acknowledge at once; otherwise how the wait for the commit ended.
   */
  append(groupId: string, records: Array<{ key: Buffer; value: Buffer | null }>): Promise<CommitOutcome> | null {
    if (records.length === 0) return null;
    this.ensureTopic();
    const nowMs = this.deps.clock.nowMs();
    const inputs: RecordInput[] = records.map((record) => ({ key: record.key, value: record.value, timestamp: nowMs }));
    const batch = encodeRecordBatch({ baseTimestamp: nowMs, records: inputs });
    const partition = this.partitionFor(groupId);
    const { lastOffset } = this.deps.produceFetch().appendRecords(OFFSETS_TOPIC, partition, batch);
    return this.deps.produceFetch().waitForCommit(OFFSETS_TOPIC, partition, lastOffset, OFFSETS_COMMIT_TIMEOUT_MS);
  }

  /** Every partition of the topic this node leads; all of them before the topic exists (as isLocal says). */
  localPartitions(): number[] {
    const topic = this.deps.image().topic(OFFSETS_TOPIC);
    if (!topic) return Array.from({ length: this.numPartitions }, (_, partition) => partition);
    return topic.partitions.filter((state) => state.leader === this.deps.nodeId).map((state) => state.partition);
  }

  /** Replays one partition from its log start to its end (nothing before the topic exists, or without a log here). */
  *replay(partition: number): Generator<OffsetsLogEntry> {
    // Not created yet, or no log here (reads never create one): nothing was written.
    const log = this.deps.produceFetch().hostedPartition(OFFSETS_TOPIC, partition)?.log;
    if (!log) return;
    let offset = log.logStartOffset;
    const end = log.logEndOffset;
    while (offset < end) {
      const { records } = log.read(offset, LOAD_READ_BYTES);
      if (records.length === 0) break;
      let next = offset;
      for (const batch of decodeRecordBatches(records)) {
        next = Math.max(next, batch.baseOffset + batch.lastOffsetDelta + 1);
        if ((batch.attributes & 0x20) !== 0) continue; // control batches carry no keys of ours
        for (const record of batch.records) {
          const recordOffset = batch.baseOffset + record.offsetDelta;
          if (recordOffset < offset || !record.key) continue;
          let entry: OffsetsLogEntry;
          try {
            const key = decodeKey(record.key);
            entry =
              key.kind === "offset"
                ? { ...key, value: record.value ? decodeOffsetValue(record.value) : null }
                : { kind: "group", group: key.group, value: record.value ? decodeGroupValue(record.value) : null };
          } catch (error) {
            if (!(error instanceof ProtocolError)) throw error;
            this.deps.onUndecodable?.(partition, recordOffset, error);
            continue;
          }
          yield entry;
        }
      }
      if (next <= offset) throw new KafkaError("CORRUPT_MESSAGE", `${OFFSETS_TOPIC}-${partition}: no progress reading at ${offset}`);
      offset = next;
    }
  }
}
