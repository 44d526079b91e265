// SyncGroup (key 14), versions 0-5: the leader sends the assignment, every
// member waits for its share. v5 checks the protocol type and name.
import { ApiKey } from "../protocol/generated/api-messages";
import type { SyncGroupRequest, SyncGroupResponse } from "../protocol/generated";
import { defineHandler } from "./handler";

export const syncGroupHandler = defineHandler<SyncGroupRequest, SyncGroupResponse>({
  apiKey: ApiKey.SyncGroup,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, { services, apiVersion }) {
    const result = await services.groups.sync({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: apiVersion >= 3 ? request.groupInstanceId : null,
      protocolType: apiVersion >= 5 ? request.protocolType : null,
      protocolName: apiVersion >= 5 ? request.protocolName : null,
      assignments: request.assignments.map((entry) => ({ memberId: entry.memberId, assignment: entry.assignment })),
    });
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      protocolType: result.protocolType,
      protocolName: result.protocolName,
      assignment: result.assignment,
    };
  },
});
