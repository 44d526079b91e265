// FindCoordinator (key 10), versions 0-5: the node that coordinates a group
// (the leader of its __consumer_offsets partition, creating the topic on first
// use). v4+ batches keys. Transaction coordinators come with transactions.
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { FindCoordinatorRequest, FindCoordinatorResponse } from "../protocol/generated";
import { defineHandler, errorOf, type RequestContext } from "./handler";

type Coordinator = FindCoordinatorResponse["coordinators"][number];

const KEY_TYPE_GROUP = 0;

export const findCoordinatorHandler = defineHandler<FindCoordinatorRequest, FindCoordinatorResponse>({
  apiKey: ApiKey.FindCoordinator,
  minVersion: 0,
  maxVersion: 5,
  handle(request, context) {
    if (context.apiVersion >= 4) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        nodeId: -1,
        host: "",
        port: -1,
        coordinators: request.coordinatorKeys.map((key) => find(key, request.keyType, context)),
      };
    }
    const found = find(request.key, request.keyType, context);
    return {
      throttleTimeMs: 0,
      errorCode: found.errorCode,
      errorMessage: found.errorMessage,
      nodeId: found.nodeId,
      host: found.host,
      port: found.port,
      coordinators: [],
    };
  },
});

function find(key: string, keyType: number, context: RequestContext): Coordinator {
  const result: Coordinator = { key, nodeId: -1, host: "", port: -1, errorCode: ErrorCode.NONE, errorMessage: null };
  if (keyType !== KEY_TYPE_GROUP) {
    result.errorCode = keyType === 1 ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.INVALID_REQUEST;
    result.errorMessage = keyType === 1 ? "Transactions are not supported by this broker yet" : `Unknown coordinator key type ${keyType}`;
    return result;
  }
  if (!key) {
    result.errorCode = ErrorCode.INVALID_REQUEST;
    result.errorMessage = "The group id must not be empty";
    return result;
  }
  const { services } = context;
  try {
    const nodeId = services.offsetsLog.coordinatorFor(key);
    const endpoint = services.image.brokerOn(nodeId, context.connection.listenerName);
    if (!endpoint) {
      result.errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
      result.errorMessage = `The coordinator ${nodeId} is not available`;
      return result;
    }
    Object.assign(result, { nodeId, host: endpoint.host, port: endpoint.port });
  } catch (error) {
    Object.assign(result, errorOf(error, context, "COORDINATOR_NOT_AVAILABLE"));
  }
  return result;
}
