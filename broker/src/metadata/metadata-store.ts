import { decodeRecordBatches, encodeRecordBatch, validateProducedRecords } from "../protocol/records/record-batch";
import type { Clock } from "../runtime/clock";
import type { Logger } from "../runtime/logger";
import { PartitionLog, type LogConfig } from "../storage/partition-log";
import type { FileSystem } from "../runtime/fs";
import { MetadataImage, type BrokerRegistration } from "./image";
import { decodeMetadataRecord, encodeMetadataRecord, type MetadataRecord } from "./records";
import type { RandomBytes } from "../runtime/random";

/** The metadata log never expires: it is the cluster's source of truth. */
const METADATA_LOG_CONFIG: LogConfig = {
  segmentBytes: 8 * 1024 * 1024,
  segmentMs: Number.MAX_SAFE_INTEGER,
  retentionMs: -1,
  retentionBytes: -1,
  indexIntervalBytes: 4096,
  flushIntervalMessages: 1,
  flushIntervalMs: Number.MAX_SAFE_INTEGER,
};

const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * Owns the metadata image and the log it is replayed from. Changes are
 * appended (and fsynced) first and applied to the image second, all without
 * yielding, so no reader ever sees a change that is not durable.
 */
export class MetadataStore {
  private committedListener: ((records: readonly MetadataRecord[]) => void) | null = null;

  private constructor(
    readonly image: MetadataImage,
    private readonly log: PartitionLog,
    private readonly clock: Clock,
  ) {}

  static open(options: {
    dir: string;
    clusterId: string;
    nodeId: number;
    brokers: ReadonlyMap<number, BrokerRegistration>;
    fs?: FileSystem;
    clock: Clock;
    logger: Logger;
  }): MetadataStore {
    const log = PartitionLog.open(options.dir, METADATA_LOG_CONFIG, {
      fs: options.fs,
      // Without it the metadata log read the real clock (segment and flush times) even in a node given a simulated one.
      clock: options.clock,
      logger: (msg, fields) => options.logger.info(msg, { ...fields, log: "__cluster_metadata" }),
    });
    const image = new MetadataImage(options.clusterId, options.nodeId, options.brokers);
    let offset = log.logStartOffset;
    while (offset < log.logEndOffset) {
      const { records } = log.read(offset, READ_CHUNK_BYTES);
      if (records.length === 0) break;
      for (const batch of decodeRecordBatches(records)) {
        for (const record of batch.records) {
          const recordOffset = batch.baseOffset + record.offsetDelta;
          if (recordOffset < offset) continue;
          if (!record.value) throw new Error(`metadata record at offset ${recordOffset} has no value`);
          image.replay(decodeMetadataRecord(record.value), recordOffset);
        }
        offset = batch.baseOffset + batch.lastOffsetDelta + 1;
      }
    }
    options.logger.info("metadata loaded", { records: log.logEndOffset, topics: image.topicsByName.size });
    return new MetadataStore(image, log, options.clock);
  }

  /** Appends the records as one batch, makes them durable, then applies them. */
  commit(records: readonly MetadataRecord[]): void {
    if (records.length === 0) return;
    const batch = encodeRecordBatch({
      now: this.clock.nowMs(),
      records: records.map((record, index) => ({ ...encodeMetadataRecord(record), offsetDelta: index })),
    });
    const validated = validateProducedRecords(batch, { maxMessageBytes: Number.MAX_SAFE_INTEGER });
    const { baseOffset } = this.log.append(batch, validated);
    this.log.flush();
    records.forEach((record, index) => this.image.replay(record, baseOffset + index));
    this.committedListener?.(records);
  }

  /** Calls `listener` with each commit's records once the image holds them (the node acting on what it committed). */
  onCommitted(listener: (records: readonly MetadataRecord[]) => void): void {
    this.committedListener = listener;
  }

  close(): void {
    this.log.close();
  }
}

export function newTopicId(random: RandomBytes): string {
  // An all-zero id means "no id" on the wire, so draw until it is not.
  for (;;) {
    const id = random(16);
    if (!id.every((byte) => byte === 0)) return id.toString("hex");
  }
}
