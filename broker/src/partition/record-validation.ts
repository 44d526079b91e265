import { KafkaError, type ErrorCodeName } from "../protocol/errors";
import { decodeRecordBatch, recordTimestamp, type ValidatedBatch } from "../protocol/records/record-batch";
import type { TimestampType } from "../config/broker-config";

/*
 * The checks Kafka makes on each record of a produced batch (KIP-467): a
 * compacted topic needs a key on every record, and a CreateTime topic wants
 * timestamps within message.timestamp.before.max.ms / after.max.ms of the
 * broker's clock. Every record of a batch is checked, so the answer names each
 * bad one and a client can fail those alone (librdkafka then retries or fails
 * the others with a "different record" error).
 */

/** One refused record: its index within its batch and why. */
export interface RecordError {
  batchIndex: number;
  message: string;
}

/** A batch refused because of some of its records; the produce response lists them. */
export class RecordValidationError extends KafkaError {
  constructor(
    code: Extract<ErrorCodeName, "INVALID_RECORD" | "INVALID_TIMESTAMP">,
    message: string,
    readonly recordErrors: readonly RecordError[],
  ) {
    super(code, message);
  }
}

export interface RecordChecks {
  /** cleanup.policy includes compact. */
  compacted: boolean;
  timestampType: TimestampType;
  /** message.timestamp.before.max.ms; Number.MAX_SAFE_INTEGER stands for Long.MAX_VALUE (no limit). */
  timestampBeforeMaxMs: number;
  timestampAfterMaxMs: number;
  nowMs: number;
  /** The decompression bound validateProducedRecords used for these batches. */
  decompressedBytesMax: number;
  /** topic-partition, for the messages. */
  partitionName: string;
}

/** Messages repeat per record; the summary quotes only the first few, as Kafka does. */
const QUOTED_ERRORS_MAX = 3;
/** Kafka's "no timestamp" (magic 0 records, or a producer that set none): never out of range. */
const NO_TIMESTAMP = -1;

/**
 * Checks every record of each batch, and throws a RecordValidationError for
 * the first batch that holds bad records, listing all of that batch's bad
 * records. Decodes batches only when a check applies, so a delete-policy topic
 * with unbounded timestamps costs nothing here.
 */
export function validateRecords(records: Buffer, batches: readonly ValidatedBatch[], checks: RecordChecks): void {
  const { compacted, timestampType, timestampBeforeMaxMs, timestampAfterMaxMs, nowMs } = checks;
  const checkTimestamps =
    timestampType === "CreateTime" && (timestampBeforeMaxMs < Number.MAX_SAFE_INTEGER || timestampAfterMaxMs < Number.MAX_SAFE_INTEGER);
  if (!compacted && !checkTimestamps) return;
  const earliestMs = nowMs - timestampBeforeMaxMs;
  const latestMs = nowMs + timestampAfterMaxMs;

  for (const located of batches) {
    const batch = decodeRecordBatch(records.subarray(located.at, located.at + located.bytes), {
      verifyCrc: false,
      decompressedBytesMax: checks.decompressedBytesMax,
    });
    const errors: RecordError[] = [];
    let timestampRefused = false;
    batch.records.forEach((record, batchIndex) => {
      if (compacted && record.key === null) {
        errors.push({ batchIndex, message: `Compacted topic cannot accept message without key in topic partition ${checks.partitionName}` });
        return;
      }
      if (!checkTimestamps) return;
      const timestampMs = recordTimestamp(batch, record);
      if (timestampMs === NO_TIMESTAMP || (timestampMs >= earliestMs && timestampMs <= latestMs)) return;
      timestampRefused = true;
      errors.push({
        batchIndex,
        message: `Timestamp ${timestampMs} of record ${batchIndex} is out of range: it must be within [${earliestMs}, ${latestMs}]`,
      });
    });
    if (errors.length === 0) continue;
    // As in Kafka, one bad timestamp makes the batch's error INVALID_TIMESTAMP.
    if (timestampRefused)
      throw new RecordValidationError("INVALID_TIMESTAMP", "One or more records have been rejected due to invalid timestamp", errors);
    const quoted = errors.slice(0, QUOTED_ERRORS_MAX).map((error) => `${error.batchIndex}: ${error.message}`);
    throw new RecordValidationError(
      "INVALID_RECORD",
      `${errors.length} of ${batch.records.length} records of the batch were rejected; the first ${quoted.length}: [${quoted.join("; ")}]`,
      errors,
    );
  }
}
