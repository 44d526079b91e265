// JoinGroup (key 11), versions 0-9: classic group membership. The response
// waits until the rebalance completes (every member rejoined, or the
// rebalance timeout). v4+ hands new members their id with MEMBER_ID_REQUIRED;
// v5+ carries group.instance.id (static membership).
import { ApiKey } from "../protocol/generated/api-messages";
import type { JoinGroupRequest, JoinGroupResponse } from "../protocol/generated";
import { defineHandler } from "./handler";

export const joinGroupHandler = defineHandler<JoinGroupRequest, JoinGroupResponse>({
  apiKey: ApiKey.JoinGroup,
  minVersion: 0,
  maxVersion: 9,
  async handle(request, { services, apiVersion, clientId, connection }) {
    const result = await services.groups.join({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: apiVersion >= 5 ? request.groupInstanceId : null,
      clientId: clientId ?? "",
      clientHost: `/${connection.remoteAddress}`,
      sessionTimeoutMs: request.sessionTimeoutMs,
      // v0 has no rebalance timeout: the session timeout served for both.
      rebalanceTimeoutMs: apiVersion >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols.map((protocol) => ({ name: protocol.name, metadata: protocol.metadata })),
      requireKnownMemberId: apiVersion >= 4,
    });
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      generationId: result.generationId,
      protocolType: result.protocolType,
      // Before v7 the protocol name is not nullable.
      protocolName: apiVersion >= 7 ? result.protocolName : (result.protocolName ?? ""),
      leader: result.leader,
      skipAssignment: false,
      memberId: result.memberId,
      members: result.members.map((member) => ({ memberId: member.memberId, groupInstanceId: member.groupInstanceId, metadata: member.metadata })),
    };
  },
});
