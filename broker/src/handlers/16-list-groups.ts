// ListGroups (key 16), versions 0-5: the groups this node coordinates (clients
// ask every node), filtered by state (v4+) and type (v5+; all groups here are "classic").
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { ListGroupsRequest, ListGroupsResponse } from "../protocol/generated";
import { defineHandler } from "./handler";

export const listGroupsHandler = defineHandler<ListGroupsRequest, ListGroupsResponse>({
  apiKey: ApiKey.ListGroups,
  minVersion: 0,
  maxVersion: 5,
  handle(request, { services, apiVersion }) {
    const states = apiVersion >= 4 ? request.statesFilter : [];
    const types = apiVersion >= 5 ? request.typesFilter.map((type) => type.toLowerCase()) : [];
    const groups = types.length > 0 && !types.includes("classic") ? [] : services.groups.listGroups(states);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      groups: groups.map((group) => ({ groupId: group.groupId, protocolType: group.protocolType, groupState: group.state, groupType: "classic" })),
    };
  },
});
