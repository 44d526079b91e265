import "server-only";
import { ApiKey } from "@sluice/protocol/messages/api-messages";
import type { FetchResponse, ListOffsetsResponse } from "@sluice/protocol/messages";
import { Attributes } from "@sluice/protocol/records/batch-header";
import { decodeRecordBatches, recordTimestamp, type RecordBatch } from "@sluice/protocol/records/record-batch";
import { errorFromCode, ServiceError } from "./errors";
import { REQUEST_TIMEOUT_MS, type ClusterClients } from "./registry";
import type { BrokerAddress } from "./broker-wire";

/** Fetch v11: record batches by topic name; served by Kafka 2.3 through 4.x and the bundled broker. */
const FETCH_VERSION = 11;
const ZERO_UUID = Buffer.alloc(16);
/** Bytes asked for per fetch; Kafka still returns a first batch that is larger (KIP-74). */
export const FETCH_PARTITION_BYTES = 1024 * 1024;

export interface FetchedRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
}

/** One record of a decoded batch as the console reads it (absolute offset and timestamp); browsing and the live tail both use it. */
export function fetchedRecord(partition: number, batch: RecordBatch, record: RecordBatch["records"][number]): FetchedRecord {
  return {
    partition,
    offset: batch.baseOffset + record.offsetDelta,
    timestamp: recordTimestamp(batch, record),
    key: record.key,
    value: record.value,
    headers: record.headers.map((h) => ({ key: h.key, value: h.value })),
  };
}

/** Shared limits of one browse: when either runs out the read stops with what it has. */
export interface ReadBudget {
  deadlineMs: number;
  bytesLeft: number;
  exhausted: boolean;
}

export interface RangeRead {
  records: FetchedRecord[];
  /** Every offset in [from, reachedOffset) was returned or holds no record (compacted, control, aborted); below `to` when a budget or the log cut the read short. */
  reachedOffset: number;
}

/**
 * Reads the records of one partition with offsets in [from, to), at most
 * `limit` of them, straight from the leader with Fetch requests: no consumer
 * group, no committed offsets, nothing left behind on the cluster.
 */
export async function readPartitionRange(...args: Parameters<typeof readPartitionRangeReached>): Promise<FetchedRecord[]> {
  return (await readPartitionRangeReached(...args)).records;
}

/** readPartitionRange that also says how far it got, so a scan knows where to go on. */
export async function readPartitionRangeReached(
  clients: ClusterClients,
  leader: BrokerAddress,
  topic: string,
  partition: number,
  from: number,
  to: number,
  limit: number,
  budget: ReadBudget,
): Promise<RangeRead> {
  const records: FetchedRecord[] = [];
  let next = from;
  while (next < to && records.length < limit) {
    if (Date.now() >= budget.deadlineMs || budget.bytesLeft <= 0) {
      budget.exhausted = true;
      break;
    }
    const wire = await clients.wire(leader.host, leader.port);
    const response = await wire.request<FetchResponse>(
      ApiKey.Fetch,
      FETCH_VERSION,
      {
        clusterId: null,
        replicaId: -1,
        replicaState: { replicaId: -1, replicaEpoch: -1n },
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: Math.min(FETCH_PARTITION_BYTES, Math.max(budget.bytesLeft, 1)),
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic,
            topicId: ZERO_UUID,
            partitions: [
              {
                partition,
                currentLeaderEpoch: -1,
                fetchOffset: BigInt(next),
                lastFetchedEpoch: -1,
                logStartOffset: -1n,
                partitionMaxBytes: Math.min(FETCH_PARTITION_BYTES, Math.max(budget.bytesLeft, 1)),
                replicaDirectoryId: ZERO_UUID,
              },
            ],
          },
        ],
        forgottenTopicsData: [],
        rackId: "",
      },
      Math.max(1, Math.min(REQUEST_TIMEOUT_MS, budget.deadlineMs - Date.now())),
    );
    const data = response.responses[0]?.partitions[0];
    if (!data) break;
    if (data.errorCode === 1) {
      // OFFSET_OUT_OF_RANGE: retention or a purge moved the log start past `next`; start again there.
      if (Number(data.logStartOffset) > next) {
        next = Number(data.logStartOffset);
        continue;
      }
      break;
    }
    if (data.errorCode !== 0) throw new ServiceError("KAFKA_ERROR", `fetch of ${topic}/${partition} failed with error code ${data.errorCode}`);
    const blob = data.records ?? Buffer.alloc(0);
    budget.bytesLeft -= blob.length;
    const batches = decodeRecordBatches(blob, { verifyCrc: true });
    if (batches.length === 0) break;
    let progressed = false;
    for (const batch of batches) {
      const batchEnd = batch.baseOffset + batch.lastOffsetDelta + 1;
      if (batchEnd > next) progressed = true;
      if ((batch.attributes & Attributes.CONTROL) === 0) {
        for (const record of batch.records) {
          const offset = batch.baseOffset + record.offsetDelta;
          if (offset < next || offset >= to || records.length >= limit) continue;
          records.push(fetchedRecord(partition, batch, record));
        }
      }
      next = Math.max(next, batchEnd);
    }
    if (!progressed) break;
  }
  // Records past the limit in the last batch were skipped, not read: the read reached just past the last one kept.
  const reachedOffset = records.length >= limit && records.length > 0 ? records[records.length - 1].offset + 1 : Math.min(next, to);
  return { records, reachedOffset };
}

// ListOffsets v2 (non-flexible): served by Kafka 0.11 through 4.x and the bundled broker.
const LIST_OFFSETS_VERSION = 2;

/**
 * Per partition, the offset of the first record with a timestamp at or after
 * `timestamp`, or -1 when there is none; asked of each partition's leader
 * (not from kafkajs, whose admin keeps the partitions it saw first, so a topic
 * created again with more partitions would lose the new ones).
 */
export async function offsetsForTimestamp(
  clients: ClusterClients,
  topic: string,
  partitions: Array<{ partition: number; leader: BrokerAddress }>,
  timestamp: number,
): Promise<Map<number, number>> {
  const byLeader = new Map<string, { leader: BrokerAddress; partitions: number[] }>();
  for (const p of partitions) {
    const key = `${p.leader.host}:${p.leader.port}`;
    const entry = byLeader.get(key) ?? { leader: p.leader, partitions: [] };
    entry.partitions.push(p.partition);
    byLeader.set(key, entry);
  }
  const found = new Map<number, number>();
  await Promise.all(
    [...byLeader.values()].map(async ({ leader, partitions: indexes }) => {
      const wire = await clients.wire(leader.host, leader.port);
      const response = await wire.request<ListOffsetsResponse>(
        ApiKey.ListOffsets,
        LIST_OFFSETS_VERSION,
        {
          replicaId: -1,
          isolationLevel: 0,
          timeoutMs: REQUEST_TIMEOUT_MS,
          topics: [{ name: topic, partitions: indexes.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp: BigInt(timestamp), maxNumOffsets: 1 })) }],
        },
        REQUEST_TIMEOUT_MS,
      );
      for (const t of response.topics)
        for (const p of t.partitions) {
          if (p.errorCode !== 0) throw errorFromCode(p.errorCode, `ListOffsets by time for ${topic}/${p.partitionIndex}`);
          found.set(p.partitionIndex, Number(p.offset));
        }
    }),
  );
  return found;
}
