import "server-only";
import { ApiKey } from "@sluice/protocol/messages/api-messages";
import type { FetchResponse } from "@sluice/protocol/messages";
import { Attributes } from "@sluice/protocol/records/batch-header";
import { decodeRecordBatches } from "@sluice/protocol/records/record-batch";
import type { BrokerAddress } from "./broker-wire";
import { errorCodeName, errorFromCode } from "./errors";
import { fetchedRecord, type FetchedRecord } from "./fetch-records";
import { CONNECT_TIMEOUT_MS, type ClusterClients } from "./registry";
import { wireSasl } from "./sasl";
import { WireConnection } from "./wire";

/** Fetch v11, as fetch-records.ts uses. */
const FETCH_VERSION = 11;
const ZERO_UUID = Buffer.alloc(16);
/** Bytes asked per partition and per response of one long poll. */
const TAIL_PARTITION_BYTES = 1024 * 1024;
const TAIL_RESPONSE_BYTES = 4 * 1024 * 1024;
/** A tail never holds more connections than this, whatever the number of leaders. */
export const TAIL_CONNECTIONS_MAX = 4;

/**
 * The connections one live tail owns. A long-polling Fetch holds its socket
 * for up to its max wait, and the registry's shared socket per broker answers
 * requests in order, so a tail on that socket would stall every other console
 * request to the broker. Each tail therefore leases its own connections (one
 * per leader, at most TAIL_CONNECTIONS_MAX) and closes them when it ends.
 */
export class TailLease {
  private readonly connections = new Map<string, Promise<WireConnection>>();
  private closed = false;

  constructor(private readonly clients: ClusterClients) {}

  /** This tail's connection to `leader`, opened on first use (and again if it dropped). */
  async connection(leader: BrokerAddress): Promise<WireConnection> {
    if (this.closed) throw new Error("the tail has ended");
    const address = `${leader.host}:${leader.port}`;
    const existing = this.connections.get(address);
    if (existing) {
      const connection = await existing.catch(() => null);
      if (connection?.usable) return connection;
      connection?.close();
      this.connections.delete(address);
    }
    if (this.connections.size >= TAIL_CONNECTIONS_MAX) throw new Error(`a tail uses at most ${TAIL_CONNECTIONS_MAX} connections`);
    const { config } = this.clients;
    const opened = WireConnection.connect(leader.host, leader.port, {
      clientId: `${config.clientId}-tail`,
      tls: Boolean(config.ssl),
      timeoutMs: CONNECT_TIMEOUT_MS,
      sasl: config.sasl ? wireSasl(config.sasl) : undefined,
    });
    this.connections.set(address, opened);
    const connection = await opened;
    // Closed while connecting: do not leave the new socket behind.
    if (this.closed) connection.close();
    return connection;
  }

  /** Closes this tail's connection to `leader`, once no partition it follows is led there any more. */
  release(leader: BrokerAddress): void {
    const address = `${leader.host}:${leader.port}`;
    this.connections.get(address)?.then((c) => c.close(), () => {});
    this.connections.delete(address);
  }

  /** How many connections this tail holds now (tests check the lease is released). */
  get size(): number {
    return this.connections.size;
  }

  /** Closes every connection at once: a Fetch waiting on one rejects, so the tail's loop stops. */
  close(): void {
    this.closed = true;
    for (const pending of this.connections.values()) pending.then((c) => c.close(), () => {});
    this.connections.clear();
  }
}

export interface PollResult {
  records: FetchedRecord[];
  /** Per partition, where the next poll goes on. */
  next: Map<number, number>;
  /** Partitions this broker no longer leads (or cannot serve for now), by error name: their leader must be looked up again. */
  moved: Map<number, string>;
}

/**
 * Partition errors that mean "ask the metadata who leads this now": what a
 * Kafka client does on them too. UNKNOWN_TOPIC_OR_PARTITION is among them
 * because a broker that just lost a partition says it; a topic that is really
 * gone shows up when the metadata is read again.
 */
const LEADERSHIP_ERRORS = new Set([
  "UNKNOWN_TOPIC_OR_PARTITION",
  "LEADER_NOT_AVAILABLE",
  "NOT_LEADER_OR_FOLLOWER",
  "REPLICA_NOT_AVAILABLE",
  "KAFKA_STORAGE_ERROR",
  "FENCED_LEADER_EPOCH",
  "UNKNOWN_LEADER_EPOCH",
  "OFFSET_NOT_AVAILABLE",
]);

/**
 * One long poll of several partitions led by the same broker: the broker
 * answers as soon as any has a record, or after `maxWaitMs` with none. A
 * partition whose position fell below the log start (retention, a purge) goes
 * on from the log start.
 */
export async function pollPartitions(
  connection: WireConnection,
  topic: string,
  positions: Map<number, number>,
  maxWaitMs: number,
): Promise<PollResult> {
  const response = await connection.request<FetchResponse>(
    ApiKey.Fetch,
    FETCH_VERSION,
    {
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1n },
      maxWaitMs,
      minBytes: 1,
      maxBytes: TAIL_RESPONSE_BYTES,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          topicId: ZERO_UUID,
          partitions: [...positions].map(([partition, offset]) => ({
            partition,
            currentLeaderEpoch: -1,
            fetchOffset: BigInt(offset),
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: TAIL_PARTITION_BYTES,
            replicaDirectoryId: ZERO_UUID,
          })),
        },
      ],
      forgottenTopicsData: [],
      rackId: "",
    },
    // The broker may hold the request for maxWaitMs; give it that plus room to answer.
    maxWaitMs + 10_000,
  );
  const records: FetchedRecord[] = [];
  const next = new Map(positions);
  const moved = new Map<number, string>();
  for (const data of response.responses[0]?.partitions ?? []) {
    const partition = data.partitionIndex;
    const from = positions.get(partition);
    if (from === undefined) continue;
    if (data.errorCode === 1) {
      // OFFSET_OUT_OF_RANGE: the log start moved past us; a position past the end means the log was cut, so follow its end.
      const logStart = Number(data.logStartOffset);
      next.set(partition, from < logStart ? logStart : Number(data.highWatermark));
      continue;
    }
    if (LEADERSHIP_ERRORS.has(errorCodeName(data.errorCode))) {
      moved.set(partition, errorCodeName(data.errorCode));
      continue;
    }
    if (data.errorCode !== 0) throw errorFromCode(data.errorCode, `tail fetch of ${topic}/${partition}`);
    let reached = from;
    for (const batch of decodeRecordBatches(data.records ?? Buffer.alloc(0), { verifyCrc: true })) {
      if ((batch.attributes & Attributes.CONTROL) === 0) {
        for (const record of batch.records) {
          const offset = batch.baseOffset + record.offsetDelta;
          if (offset < from) continue;
          records.push(fetchedRecord(partition, batch, record));
        }
      }
      reached = Math.max(reached, batch.baseOffset + batch.lastOffsetDelta + 1);
    }
    next.set(partition, reached);
  }
  return { records, next, moved };
}
