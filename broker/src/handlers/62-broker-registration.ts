// BrokerRegistration (key 62), versions 0-4: a broker of the quorum registers its endpoints and rack with the
// active controller, which answers with its broker epoch (the offset of its RegisterBrokerRecord).
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { BrokerRegistrationRequest, BrokerRegistrationResponse } from "../protocol/generated";
import { defineHandler } from "./handler";

export const brokerRegistrationHandler = defineHandler<BrokerRegistrationRequest, BrokerRegistrationResponse>({
  apiKey: ApiKey.BrokerRegistration,
  minVersion: 0,
  maxVersion: 4,
  handle(request, context) {
    const { services } = context;
    const onControllerListener = services.config.quorum?.controllerListenerNames.includes(context.connection.listenerName) ?? false;
    if (services.brokerHeartbeats === null || !onControllerListener) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, brokerEpoch: -1n };
    return services.brokerHeartbeats.register(request);
  },
});
