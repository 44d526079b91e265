// BrokerHeartbeat (key 63), versions 0-1: a registered broker tells the active controller it is alive and how far
// it has replayed the metadata; the answer says whether it is fenced (it is unfenced once caught up).
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { BrokerHeartbeatRequest, BrokerHeartbeatResponse } from "../protocol/generated";
import { defineHandler } from "./handler";

export const brokerHeartbeatHandler = defineHandler<BrokerHeartbeatRequest, BrokerHeartbeatResponse>({
  apiKey: ApiKey.BrokerHeartbeat,
  minVersion: 0,
  maxVersion: 1,
  handle(request, context) {
    const { services } = context;
    const onControllerListener = services.config.quorum?.controllerListenerNames.includes(context.connection.listenerName) ?? false;
    if (services.brokerHeartbeats === null || !onControllerListener)
      return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, isCaughtUp: false, isFenced: true, shouldShutDown: false };
    return services.brokerHeartbeats.heartbeat(request);
  },
});
