/**
 * Record batches (magic 2), the entry point that callers import. Each job
 * lives in its own module, all over the protocol's one Reader and Writer:
 *
 * - batch-header.ts: the fixed 61-byte header, read and written in place.
 * - read-records.ts: the records after the header (or decompressed).
 * - decode-batch.ts: batches into records, with keys and values as views.
 * - encode-batch.ts: records into a batch.
 * - validate-produced.ts: the produce path's check of what a producer sent,
 *   without decoding it.
 * - stamp-batch.ts: writing the assigned offsets into a validated batch.
 * - batch-errors.ts: every failure as a KafkaError with the code a produce
 *   response would carry.
 *
 * The protocol reads no clock: encoding takes the caller's `now` (or a base
 * timestamp), stamping the caller's append time.
 */
export { computeBatchCrc, RECORD_BATCH_MAGIC, TimestampType } from "./batch-header";
export { decodeRecordBatch, decodeRecordBatches, recordTimestamp, type DecodeOptions, type RecordBatch } from "./decode-batch";
export { encodeRecordBatch, type RecordBatchInput, type RecordHeaderInput, type RecordInput } from "./encode-batch";
export { DEFAULT_DECOMPRESSED_BYTES_MAX, type KafkaRecord, type KafkaRecordHeader } from "./read-records";
export { stampBatch } from "./stamp-batch";
export { decompressedBytesMaxFor, validateProducedRecords, type ProduceLimits, type ValidatedBatch } from "./validate-produced";
