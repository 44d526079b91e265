import "server-only";
import { ApiKey } from "@sluice/protocol/messages/api-messages";
import type { ProduceResponse } from "@sluice/protocol/messages";
import { encodeRecordBatch, type RecordInput } from "@sluice/protocol/records/record-batch";
import type { BrokerAddress } from "./broker-wire";
import { REQUEST_TIMEOUT_MS, type ClusterClients } from "./registry";

/**
 * Produce v8 (non-flexible, with the broker's error message): served by Kafka
 * 2.4 through 4.x and the bundled broker. The console writes its own batches
 * because kafkajs takes headers as an object, which cannot hold a key twice or
 * keep keys in the order given, and its long-lived producer keeps every topic
 * it wrote to in the metadata it refreshes, failing once one is deleted.
 */
const PRODUCE_VERSION = 8;
/** acks=all: answered once every in-sync replica has the records. */
const ACKS_ALL = -1;

export interface PartitionBatch {
  partition: number;
  records: RecordInput[];
}

export interface PartitionAnswer {
  partition: number;
  errorCode: number;
  /** Offset of the batch's first record; -1 on error. */
  baseOffset: number;
  recordCount: number;
  batchBytes: number;
  /** The broker's words, when it gave any (a record error's first). */
  errorMessage: string | null;
}

/** Sends one uncompressed batch per partition to their leader in one request; answers per partition, failures included. */
export async function produceBatches(clients: ClusterClients, leader: BrokerAddress, topic: string, batches: PartitionBatch[]): Promise<PartitionAnswer[]> {
  const encoded = batches.map((b) => ({ partition: b.partition, count: b.records.length, bytes: encodeRecordBatch({ now: Date.now(), records: b.records }) }));
  const wire = await clients.wire(leader.host, leader.port);
  const response = await wire.request<ProduceResponse>(
    ApiKey.Produce,
    PRODUCE_VERSION,
    {
      transactionalId: null,
      acks: ACKS_ALL,
      timeoutMs: REQUEST_TIMEOUT_MS,
      topicData: [{ name: topic, partitionData: encoded.map((b) => ({ index: b.partition, records: b.bytes })) }],
    },
    // The broker waits up to timeoutMs for the replicas, then answers; give the answer time to arrive.
    REQUEST_TIMEOUT_MS + 5_000,
  );
  const answers = new Map((response.responses.find((r) => r.name === topic)?.partitionResponses ?? []).map((p) => [p.index, p]));
  return encoded.map((b) => {
    const p = answers.get(b.partition);
    return {
      partition: b.partition,
      // A partition left out of the answer was not written; UNKNOWN_SERVER_ERROR (-1) says so without guessing why.
      errorCode: p ? p.errorCode : -1,
      baseOffset: p && p.errorCode === 0 ? Number(p.baseOffset) : -1,
      recordCount: b.count,
      batchBytes: b.bytes.length,
      errorMessage: p?.recordErrors[0]?.batchIndexErrorMessage ?? p?.errorMessage ?? null,
    };
  });
}
