// Produce (key 0), versions 0-11. Only magic-2 record batches are stored: the old
// message sets of versions 0-2 answer UNSUPPORTED_FOR_MESSAGE_FORMAT per partition.
// Versions 0-2 are still advertised because librdkafka up to 2.11 compresses with
// gzip, snappy or lz4 only when the broker lists Produce v0.
// acks=1 is answered once the batch is in the local log, acks=-1 once it is
// committed (the high watermark passed it: at once while this node is the
// partition's only in-sync replica), acks=0 not at all.
import { ErrorCode, KafkaError } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { ProduceRequest, ProduceResponse } from "../protocol/generated";
import { RecordValidationError } from "../partition/record-validation";
import type { CommitOutcome } from "../partition/partition";
import { defineHandler, errorOf } from "./handler";

type PartitionResponse = ProduceResponse["responses"][number]["partitionResponses"][number];

export const produceHandler = defineHandler<ProduceRequest, ProduceResponse>({
  apiKey: ApiKey.Produce,
  minVersion: 0,
  maxVersion: 11,
  handle(request, context) {
    const { services } = context;
    const acks = request.acks;
    const validAcks = acks === -1 || acks === 0 || acks === 1;
    /** acks=-1 partitions whose commit is still to come; empty on a node that is its own ISR. */
    const uncommitted: Array<Promise<void>> = [];
    const responses = request.topicData.map((topic) => ({
      name: topic.name,
      partitionResponses: topic.partitionData.map((data): PartitionResponse => {
        const response: PartitionResponse = {
          index: data.index,
          errorCode: ErrorCode.NONE,
          baseOffset: -1n,
          logAppendTimeMs: -1n,
          logStartOffset: -1n,
          recordErrors: [],
          errorMessage: null,
          currentLeader: { leaderId: -1, leaderEpoch: -1 },
        };
        if (!validAcks) {
          response.errorCode = ErrorCode.INVALID_REQUIRED_ACKS;
          return response;
        }
        if (request.transactionalId !== null) {
          // Transactions come later; the transactional APIs are not advertised yet.
          response.errorCode = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
          response.errorMessage = "Transactions are not supported by this broker yet";
          return response;
        }
        try {
          if (!data.records || data.records.length === 0)
            throw new KafkaError("INVALID_RECORD", "Produce request carries no record batch");
          const outcome = services.produceFetch.appendRecords(topic.name, data.index, data.records);
          response.baseOffset = BigInt(outcome.baseOffset);
          response.logAppendTimeMs = BigInt(outcome.logAppendTimeMs);
          response.logStartOffset = BigInt(outcome.logStartOffset);
          if (acks === -1) {
            const commit = services.produceFetch.waitForCommit(topic.name, data.index, outcome.lastOffset, request.timeoutMs);
            if (commit) uncommitted.push(commit.then((outcome) => markUncommitted(response, outcome)));
          }
        } catch (error) {
          const { errorCode, errorMessage } = errorOf(error, context, "KAFKA_STORAGE_ERROR");
          response.errorCode = errorCode;
          response.errorMessage = errorMessage;
          // v8+ (KIP-467): which records were refused, so a client fails only those.
          if (error instanceof RecordValidationError)
            response.recordErrors = error.recordErrors.map((record) => ({ batchIndex: record.batchIndex, batchIndexErrorMessage: record.message }));
        }
        return response;
      }),
    }));
    // acks=0: the client does not read a response, so none is sent.
    if (acks === 0) return null;
    const answer: ProduceResponse = { responses, throttleTimeMs: 0, nodeEndpoints: [] };
    if (uncommitted.length === 0) return answer;
    return Promise.all(uncommitted).then(() => answer);
  },
});

/** A batch in the log but not committed in time (REQUEST_TIMED_OUT, as Kafka's delayed produce), or whose partition left this node. */
function markUncommitted(response: PartitionResponse, outcome: CommitOutcome): void {
  if (outcome === "committed") return;
  response.errorCode = outcome === "timed out" ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.NOT_LEADER_OR_FOLLOWER;
  response.errorMessage = outcome === "timed out" ? "The records were not committed within the request's timeout" : "The partition left this node";
}
