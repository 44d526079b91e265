// DescribeGroups (key 15), versions 0-5: state, protocol and members of each group
// (metadata and assignments while Stable); from v3 the authorized operations when asked.
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { DescribeGroupsRequest, DescribeGroupsResponse } from "../protocol/generated";
import { authorizedOperations } from "./authorized-operations";
import { defineHandler } from "./handler";

export const describeGroupsHandler = defineHandler<DescribeGroupsRequest, DescribeGroupsResponse>({
  apiKey: ApiKey.DescribeGroups,
  minVersion: 0,
  maxVersion: 5,
  handle(request, { services }) {
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => {
        const group = services.groups.describeGroup(groupId);
        return {
          errorCode: group.errorCode,
          groupId: group.groupId,
          groupState: group.state,
          protocolType: group.protocolType,
          protocolData: group.protocolData,
          members: group.members.map((member) => ({
            memberId: member.memberId,
            groupInstanceId: member.groupInstanceId,
            clientId: member.clientId,
            clientHost: member.clientHost,
            memberMetadata: member.metadata,
            memberAssignment: member.assignment,
          })),
          // As in Kafka, a group that failed to describe gets no operations.
          authorizedOperations: authorizedOperations("group", request.includeAuthorizedOperations && group.errorCode === ErrorCode.NONE),
        };
      }),
    };
  },
});
