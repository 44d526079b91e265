// LeaveGroup (key 13), versions 0-5: one member (v0-2) or a batch of members
// identified by member id and/or group.instance.id (v3+).
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { LeaveGroupRequest, LeaveGroupResponse } from "../protocol/generated";
import { defineHandler } from "./handler";

export const leaveGroupHandler = defineHandler<LeaveGroupRequest, LeaveGroupResponse>({
  apiKey: ApiKey.LeaveGroup,
  minVersion: 0,
  maxVersion: 5,
  handle(request, { services, apiVersion }) {
    const identities =
      apiVersion >= 3
        ? request.members.map((member) => ({ memberId: member.memberId, groupInstanceId: member.groupInstanceId }))
        : [{ memberId: request.memberId, groupInstanceId: null }];
    const result = services.groups.leave(request.groupId, identities);
    if (apiVersion < 3) {
      // One member: its error is the request's error.
      const errorCode = result.errorCode !== ErrorCode.NONE ? result.errorCode : (result.members[0]?.errorCode ?? ErrorCode.NONE);
      return { throttleTimeMs: 0, errorCode, members: [] };
    }
    return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
  },
});
