// Fetch (key 1), versions 4-16: whole stored batches, long poll bounded by max wait,
// min bytes, max bytes (never above the broker's fetch.max.bytes) and
// per-partition max bytes. No fetch sessions: the response's session id 0
// tells clients to send full fetch requests.
import { ErrorCode, KafkaError } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import { BatchHeader, RECORD_BATCH_MAGIC } from "../protocol/records/batch-header";
import type { FetchRequest, FetchResponse } from "../protocol/generated";
import { topicIdHex, ZERO_UUID } from "../metadata/topic-ids";
import { METADATA_TOPIC, METADATA_TOPIC_ID } from "../raft/messages";
import { defineHandler, errorOf, type RequestContext } from "./handler";
import { isMetadataPartitionOnly, quorumFor } from "./quorum-requests";

type TopicResponse = FetchResponse["responses"][number];
type PartitionResponse = TopicResponse["partitions"][number];

/** A bound on how long one fetch may hold a connection, whatever the client asks. */
const FETCH_WAIT_MS_MAX = 30_000;

export const fetchHandler = defineHandler<FetchRequest, FetchResponse>({
  apiKey: ApiKey.Fetch,
  minVersion: 4,
  maxVersion: 16,
  async handle(request, context) {
    const { services } = context;
    if (isReplicaFetchOfMetadata(request, context)) return quorumFetch(request, context);
    if (request.sessionId !== 0 || (request.sessionEpoch !== -1 && request.sessionEpoch !== 0)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [], nodeEndpoints: [] };
    }
    const waitMs = Math.min(Math.max(request.maxWaitMs, 0), FETCH_WAIT_MS_MAX);
    const deadline = services.clock.nowMs() + waitMs;
    const wanted = request.topics.flatMap((topic) =>
      topic.partitions.map((partition) => ({ topic: resolveTopicName(context, topic.topic, topic.topicId), partition: partition.partition })),
    );

    // As Kafka does: the broker's fetch.max.bytes caps what a client asks for, and min bytes never exceeds that cap.
    const maxBytes = Math.min(Math.max(request.maxBytes, 0), services.config.fetchMaxBytes);
    const minBytes = Math.min(request.minBytes, maxBytes);
    for (;;) {
      const { responses, bytes, hasError } = readOnce(request, maxBytes, context);
      const remainingMs = deadline - services.clock.nowMs();
      if (bytes >= minBytes || hasError || remainingMs <= 0 || services.isStopping) {
        // A follower's fetch is replication traffic (ReplicationBytesOutPerSec in Kafka), not bytes out.
        if (bytes > 0 && request.replicaId < 0 && request.replicaState.replicaId < 0) countBytesOut(responses, context);
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses, nodeEndpoints: [] };
      }
      await services.produceFetch.waitForAppend(
        wanted.filter((entry): entry is { topic: string; partition: number } => entry.topic !== null),
        remainingMs,
      );
    }
  },
});

/** A voter or observer fetching __cluster_metadata (KRaft's replication runs over Fetch, with the replica's id). */
function isReplicaFetchOfMetadata(request: FetchRequest, context: RequestContext): boolean {
  const replicaId = context.apiVersion >= 15 ? request.replicaState.replicaId : request.replicaId;
  if (replicaId < 0 || context.services.quorum === null) return false;
  const named = (topic: FetchRequest["topics"][number]) => (context.apiVersion >= 13 ? (topic.topicId.equals(METADATA_TOPIC_ID) ? METADATA_TOPIC : "") : topic.topic);
  return isMetadataPartitionOnly(request.topics, named, (topic) => topic.partitions.map((partition) => partition.partition));
}

function quorumFetch(request: FetchRequest, context: RequestContext): FetchResponse {
  const refused = (errorCode: number): FetchResponse => ({ throttleTimeMs: 0, errorCode, sessionId: 0, responses: [], nodeEndpoints: [] });
  const target = quorumFor(context, request.clusterId);
  if ("errorCode" in target) return refused(target.errorCode);
  const body = context.apiVersion >= 15 ? request : { ...request, replicaState: { ...request.replicaState, replicaId: request.replicaId } };
  const answer = target.quorum.answer({ kind: "FetchRequest", body });
  return answer?.kind === "FetchResponse" ? answer.body : refused(ErrorCode.UNKNOWN_SERVER_ERROR);
}

/**
 * The record bytes of the response, per topic, go to BytesOutPerSec, and
 * its records to Sluice's messages-out count (once per fetch, not per read
 * of a long poll; per batch header, not per record).
 */
function countBytesOut(responses: readonly TopicResponse[], context: RequestContext): void {
  for (const topic of responses) {
    let bytes = 0;
    let records = 0;
    for (const partition of topic.partitions) {
      const batches = partition.records;
      if (batches === null || batches.length === 0) continue;
      bytes += batches.length;
      records += recordCount(batches);
    }
    if (bytes > 0) context.services.metrics.topic(topic.topic).fetched(bytes, records);
  }
}

/** The records of the whole v2 batches in `batches`, read from their headers. */
function recordCount(batches: Buffer): number {
  let count = 0;
  let at = 0;
  while (at + BatchHeader.SIZE <= batches.length && batches[at + BatchHeader.MAGIC] === RECORD_BATCH_MAGIC) {
    const next = at + BatchHeader.LOG_OVERHEAD + batches.readInt32BE(at + BatchHeader.BATCH_LENGTH);
    if (next > batches.length || next <= at) break;
    count += batches.readInt32BE(at + BatchHeader.RECORD_COUNT);
    at = next;
  }
  return count;
}

/** Topics are named up to v12 and identified by id from v13. */
function resolveTopicName(context: RequestContext, name: string, topicId: Buffer): string | null {
  if (context.apiVersion < 13) return name;
  return context.services.image.topicsById.get(topicIdHex(topicId))?.name ?? null;
}

function readOnce(request: FetchRequest, maxBytes: number, context: RequestContext) {
  const { services, apiVersion } = context;
  const readCommitted = request.isolationLevel === 1;
  let budgetBytes = maxBytes;
  let bytes = 0;
  let hasError = false;
  const responses: TopicResponse[] = request.topics.map((topic) => {
    const name = resolveTopicName(context, topic.topic, topic.topicId);
    return {
      topic: name ?? "",
      // The response carries topic ids from v13 only, so older versions need no lookup.
      topicId: apiVersion >= 13 ? topic.topicId : ZERO_UUID,
      partitions: topic.partitions.map((fetch): PartitionResponse => {
        const response: PartitionResponse = {
          partitionIndex: fetch.partition,
          errorCode: ErrorCode.NONE,
          highWatermark: -1n,
          lastStableOffset: -1n,
          logStartOffset: -1n,
          divergingEpoch: { epoch: -1, endOffset: -1n },
          currentLeader: { leaderId: -1, leaderEpoch: -1 },
          snapshotId: { endOffset: -1n, epoch: -1 },
          abortedTransactions: readCommitted ? [] : null,
          preferredReadReplica: -1,
          records: null,
        };
        try {
          if (name === null) throw new KafkaError("UNKNOWN_TOPIC_ID", "This server does not host this topic ID.");
          const partition = services.produceFetch.partition(name, fetch.partition);
          const { log, highWatermark } = partition;
          response.highWatermark = BigInt(highWatermark);
          response.lastStableOffset = BigInt(highWatermark);
          response.logStartOffset = BigInt(log.logStartOffset);
          const offset = Number(fetch.fetchOffset);
          const limit = Math.min(Math.max(fetch.partitionMaxBytes, 0), budgetBytes);
          // Kafka's rule (KIP-74): the first partition with data returns at least one
          // whole batch even above the limits, so a large batch never stalls a consumer.
          const minOneBatch = bytes === 0;
          if (offset < highWatermark && (limit > 0 || minOneBatch)) {
            // Past the first, a batch larger than what is left is not even read: 10,000 partitions must not mean 10,000 reads thrown away.
            const { records } = log.read(offset, limit, { maxOffset: highWatermark, minOneBatch });
            if (records.length > 0 && (minOneBatch || records.length <= limit)) {
              response.records = records;
              bytes += records.length;
              budgetBytes = Math.max(budgetBytes - records.length, 0);
            }
          } else if (offset > highWatermark || offset < log.logStartOffset) {
            log.read(offset, 0); // throws OFFSET_OUT_OF_RANGE with the log's own message
          }
        } catch (error) {
          hasError = true;
          Object.assign(response, { errorCode: errorOf(error, context).errorCode });
        }
        response.records ??= Buffer.alloc(0);
        return response;
      }),
    };
  });
  return { responses, bytes, hasError };
}
