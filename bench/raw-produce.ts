/**
 * Filling a topic fast for the console bench: record batches encoded once with
 * the broker's own record-batch code, restamped (timestamps, CRC) per send, and
 * written with pipelined Produce requests over one raw connection. kafkajs
 * manages a few hundred thousand records a second on this box; this path is
 * bounded by the broker.
 */
import { ApiKey } from "@sluice/protocol/messages/api-messages";
import type { ProduceResponse } from "@sluice/protocol/messages";
import { BatchHeader } from "@sluice/protocol/records/batch-header";
import { computeBatchCrc, encodeRecordBatch } from "@sluice/protocol/records/record-batch";
import { RawClient } from "../broker/test/helpers/raw-client";

/** Produce v7: non-flexible, magic-2 batches; every Kafka since 2.1 serves it. */
const PRODUCE_VERSION = 7;
/** Produce requests in flight on the connection at once. */
const IN_FLIGHT_MAX = 8;
/** Distinct batch templates cycled through, so that not every batch holds the same bytes. */
const TEMPLATES = 4;

export interface FillOptions {
  port: number;
  topic: string;
  partitions: number;
  records: number;
  recordsPerBatch: number;
  valueBytes: number;
  onProgress?(written: number): void;
}

function template(index: number, records: number, valueBytes: number): Buffer {
  const pad = "x".repeat(Math.max(0, valueBytes - 40));
  const now = Date.now();
  return encodeRecordBatch({
    baseTimestamp: now,
    records: Array.from({ length: records }, (_, i) => ({
      key: `k${i}`,
      value: `{"template":${index},"i":${i},"pad":"${pad}"}`,
      timestamp: now,
    })),
  });
}

/** The same records restamped at `timestamp`, with a fresh CRC (the broker verifies it). */
function restamp(batch: Buffer, timestamp: number): Buffer {
  const copy = Buffer.from(batch);
  copy.writeBigInt64BE(BigInt(timestamp), BatchHeader.BASE_TIMESTAMP);
  copy.writeBigInt64BE(BigInt(timestamp), BatchHeader.MAX_TIMESTAMP);
  copy.writeUInt32BE(computeBatchCrc(copy), BatchHeader.CRC);
  return copy;
}

/** Writes `records` records round-robin over the partitions, a batch per Produce request; returns the seconds taken. */
export async function fillTopic(options: FillOptions): Promise<number> {
  const started = performance.now();
  const templates = Array.from({ length: TEMPLATES }, (_, i) => template(i, options.recordsPerBatch, options.valueBytes));
  const client = await RawClient.connect(options.port);
  const batches = Math.ceil(options.records / options.recordsPerBatch);
  const inFlight: Array<Promise<void>> = [];
  let written = 0;
  const clock = Date.now() - batches; // one millisecond per batch, ending about now
  const awaitOldest = async () => {
    await inFlight.shift();
  };
  try {
    for (let b = 0; b < batches; b++) {
      const count = Math.min(options.recordsPerBatch, options.records - b * options.recordsPerBatch);
      const batch = count === options.recordsPerBatch ? restamp(templates[b % TEMPLATES], clock + b) : restamp(template(0, count, options.valueBytes), clock + b);
      const correlationId = client.send(ApiKey.Produce, PRODUCE_VERSION, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 30_000,
        topicData: [{ name: options.topic, partitionData: [{ index: b % options.partitions, records: batch }] }],
      });
      inFlight.push(
        client.readResponse<ProduceResponse>(ApiKey.Produce, PRODUCE_VERSION, correlationId).then((response) => {
          const answer = response.responses[0]?.partitionResponses[0];
          if (!answer || answer.errorCode !== 0) throw new Error(`produce to ${options.topic} failed with error code ${answer?.errorCode}`);
          written += count;
          options.onProgress?.(written);
        }),
      );
      if (inFlight.length >= IN_FLIGHT_MAX) await awaitOldest();
    }
    while (inFlight.length > 0) await awaitOldest();
  } finally {
    client.close();
  }
  return (performance.now() - started) / 1000;
}

/** A few small batches to each of many partitions in one Produce request per `partitionsPerRequest`. */
export async function produceToPartitions(port: number, topic: string, partitions: number, recordsEach: number): Promise<void> {
  const client = await RawClient.connect(port);
  try {
    const batch = template(0, recordsEach, 40);
    for (let first = 0; first < partitions; first += 500) {
      const indexes = Array.from({ length: Math.min(500, partitions - first) }, (_, i) => first + i);
      const response = await client.request<ProduceResponse>(ApiKey.Produce, PRODUCE_VERSION, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 30_000,
        topicData: [{ name: topic, partitionData: indexes.map((index) => ({ index, records: batch })) }],
      });
      const failed = response.responses.flatMap((t) => t.partitionResponses).find((p) => p.errorCode !== 0);
      if (failed) throw new Error(`produce to ${topic}/${failed.index} failed with error code ${failed.errorCode}`);
    }
  } finally {
    client.close();
  }
}

export interface PacedOptions {
  port: number;
  topic: string;
  partitions: number;
  recordsPerSecond: number;
  /** Records per batch; one batch goes out every recordsPerBatch / recordsPerSecond seconds. */
  recordsPerBatch: number;
  valueBytes: number;
  signal: AbortSignal;
}

/**
 * Produces at a steady rate until `signal` aborts, round-robin over the
 * partitions, with each batch stamped when it is sent (so a tail sees current
 * timestamps). Returns the records the broker acknowledged and the seconds
 * taken, to report the rate reached when the broker or this process fell behind.
 */
export async function producePaced(options: PacedOptions): Promise<{ records: number; seconds: number }> {
  const templates = Array.from({ length: TEMPLATES }, (_, i) => template(i, options.recordsPerBatch, options.valueBytes));
  const intervalMs = (options.recordsPerBatch / options.recordsPerSecond) * 1000;
  const client = await RawClient.connect(options.port);
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  let acknowledged = 0;
  try {
    for (let b = 0; !options.signal.aborted; b++) {
      // Sleep until this batch is due; when behind schedule, send at once.
      const dueMs = started + b * intervalMs;
      const waitMs = dueMs - performance.now();
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      if (options.signal.aborted) break;
      const correlationId = client.send(ApiKey.Produce, PRODUCE_VERSION, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 30_000,
        topicData: [{ name: options.topic, partitionData: [{ index: b % options.partitions, records: restamp(templates[b % TEMPLATES], Date.now()) }] }],
      });
      inFlight.push(
        client.readResponse<ProduceResponse>(ApiKey.Produce, PRODUCE_VERSION, correlationId).then((response) => {
          const answer = response.responses[0]?.partitionResponses[0];
          if (!answer || answer.errorCode !== 0) throw new Error(`produce to ${options.topic} failed with error code ${answer?.errorCode}`);
          acknowledged += options.recordsPerBatch;
        }),
      );
      if (inFlight.length >= IN_FLIGHT_MAX) await inFlight.shift();
    }
    await Promise.all(inFlight);
  } finally {
    client.close();
  }
  return { records: acknowledged, seconds: (performance.now() - started) / 1000 };
}
