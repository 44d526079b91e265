// DeleteGroups (key 42), versions 0-2: removes empty groups and their offsets (tombstones in __consumer_offsets).
import { ApiKey } from "../protocol/generated/api-messages";
import type { DeleteGroupsRequest, DeleteGroupsResponse } from "../protocol/generated";
import { defineHandler } from "./handler";

export const deleteGroupsHandler = defineHandler<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: ApiKey.DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  handle(request, { services }) {
    return {
      throttleTimeMs: 0,
      results: request.groupsNames.map((groupId) => ({ groupId, errorCode: services.groups.deleteGroup(groupId) })),
    };
  },
});
