import { ErrorCode, KafkaError, type ErrorCodeName } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { AllocateProducerIdsResponse, CreateTopicsRequest, CreateTopicsResponse } from "../protocol/generated";
import type { QuorumEndpoint } from "../raft/quorum";
import type { Scheduler } from "../runtime/scheduler";
import type { RemoteController } from "./controller";
import type { MetadataImage } from "./image";

const ERROR_NAMES = new Map<number, ErrorCodeName>(Object.entries(ErrorCode).map(([name, code]) => [code, name as ErrorCodeName]));
const failure = (code: number, message: string | null) => new KafkaError(ERROR_NAMES.get(code) ?? "UNKNOWN_SERVER_ERROR", message ?? undefined);
/** How often a node waiting for a record to reach its own image looks again. */
const APPLIED_POLL_MS = 10;

/** The active controller reached over its controller listener, as Kafka's brokers send CreateTopics and AllocateProducerIds. */
export function remoteController(quorum: QuorumEndpoint, image: () => MetadataImage, scheduler: Scheduler, timeoutMs: number): RemoteController {
  const applied = (done: () => boolean, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const deadline = scheduler.clock.nowMs() + timeoutMs;
      const check = () => {
        if (done()) resolve();
        else if (scheduler.clock.nowMs() >= deadline) reject(new KafkaError("REQUEST_TIMED_OUT", `${what} did not reach this node within ${timeoutMs} ms`));
        else scheduler.schedule(APPLIED_POLL_MS, check);
      };
      check();
    });
  return {
    createTopic(spec) {
      const request: CreateTopicsRequest = {
        topics: [
          {
            name: spec.name,
            numPartitions: spec.numPartitions,
            replicationFactor: spec.replicationFactor,
            assignments: spec.assignments.map((assignment) => ({ partitionIndex: assignment.partition, brokerIds: [...assignment.brokerIds] })),
            configs: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
          },
        ],
        timeoutMs,
        validateOnly: false,
      };
      const forwarded = quorum.forwardToActiveController(ApiKey.CreateTopics, 7, request, timeoutMs);
      return forwarded?.then((response) => {
        const topic = (response as CreateTopicsResponse).topics[0];
        if (!topic || topic.errorCode !== ErrorCode.NONE) throw failure(topic?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, topic?.errorMessage ?? null);
      }) ?? null;
    },
    allocateProducerIds(nodeId) {
      const forwarded = quorum.forwardToActiveController(ApiKey.AllocateProducerIds, 0, { brokerId: nodeId, brokerEpoch: -1n }, timeoutMs);
      return (
        forwarded?.then((body) => {
          const response = body as AllocateProducerIdsResponse;
          if (response.errorCode !== ErrorCode.NONE) throw failure(response.errorCode, null);
          const end = Number(response.producerIdStart) + response.producerIdLen;
          return applied(() => image().nextProducerId >= end, `producer-id block ending at ${end}`);
        }) ?? null
      );
    },
  };
}
