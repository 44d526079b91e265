// DescribeCluster (key 60), versions 0-1: cluster id, controller and brokers (admin clients' view).
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { DescribeClusterRequest, DescribeClusterResponse } from "../protocol/generated";
import { authorizedOperations } from "./authorized-operations";
import { defineHandler } from "./handler";

/** EndpointType 1 asks for brokers; 2 (controllers) needs a separate controller listener we do not have. */
const ENDPOINT_TYPE_BROKERS = 1;

export const describeClusterHandler = defineHandler<DescribeClusterRequest, DescribeClusterResponse>({
  apiKey: ApiKey.DescribeCluster,
  minVersion: 0,
  maxVersion: 1,
  handle(request, { services, connection }) {
    const image = services.image;
    const listed = image.brokersOn(connection.listenerName);
    const base = {
      throttleTimeMs: 0,
      endpointType: request.endpointType,
      clusterId: image.clusterId,
      controllerId: image.controllerIdAmong(listed),
      clusterAuthorizedOperations: authorizedOperations("cluster", request.includeClusterAuthorizedOperations),
    };
    if (request.endpointType !== ENDPOINT_TYPE_BROKERS)
      return {
        ...base,
        errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: `Endpoint type ${request.endpointType} is not supported; only brokers (1) are.`,
        brokers: [],
      };
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      brokers: listed.map((endpoint) => ({
        brokerId: endpoint.nodeId,
        host: endpoint.host,
        port: endpoint.port,
        rack: endpoint.rack,
      })),
    };
  },
});
