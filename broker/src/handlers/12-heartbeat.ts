// Heartbeat (key 12), versions 0-4: keeps a member's session alive and tells it about rebalances.
import { ApiKey } from "../protocol/generated/api-messages";
import type { HeartbeatRequest, HeartbeatResponse } from "../protocol/generated";
import { defineHandler } from "./handler";

export const heartbeatHandler = defineHandler<HeartbeatRequest, HeartbeatResponse>({
  apiKey: ApiKey.Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  handle(request, { services, apiVersion }) {
    const errorCode = services.groups.heartbeat({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: apiVersion >= 3 ? request.groupInstanceId : null,
    });
    return { throttleTimeMs: 0, errorCode };
  },
});
