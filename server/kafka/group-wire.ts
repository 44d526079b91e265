import "server-only";
import { ApiKey } from "@sluice/protocol/messages/api-messages";
import type { FindCoordinatorResponse, OffsetCommitResponse } from "@sluice/protocol/messages";
import { errorFromCode } from "./errors";
import { REQUEST_TIMEOUT_MS, type ClusterClients } from "./registry";
import type { BrokerAddress } from "./broker-wire";

// FindCoordinator v1 and OffsetCommit v2 are served from Kafka 0.11 through 4.x.
const FIND_COORDINATOR_VERSION = 1;
const OFFSET_COMMIT_VERSION = 2;
const GROUP_KEY_TYPE = 0;

export interface OffsetToCommit {
  topic: string;
  partition: number;
  offset: number;
}

/** The broker coordinating a group; an error code from it becomes the matching ServiceError. */
export async function findGroupCoordinator(clients: ClusterClients, bootstrap: BrokerAddress, groupId: string): Promise<BrokerAddress> {
  const wire = await clients.wire(bootstrap.host, bootstrap.port);
  const response = await wire.request<FindCoordinatorResponse>(
    ApiKey.FindCoordinator,
    FIND_COORDINATOR_VERSION,
    { key: groupId, keyType: GROUP_KEY_TYPE, coordinatorKeys: [] },
    REQUEST_TIMEOUT_MS,
  );
  if (response.errorCode !== 0) throw errorFromCode(response.errorCode, `finding the coordinator of group ${groupId}`, response.errorMessage);
  return { nodeId: response.nodeId, host: response.host, port: response.port };
}

/**
 * Commits offsets for a group as an administrator does (generation -1, no
 * member id), which Kafka accepts only while the group has no members. kafkajs
 * has no such call: its setOffsets joins the group as a consumer to commit.
 */
export async function commitGroupOffsets(clients: ClusterClients, bootstrap: BrokerAddress, groupId: string, offsets: OffsetToCommit[]): Promise<void> {
  const coordinator = await findGroupCoordinator(clients, bootstrap, groupId);
  const byTopic = new Map<string, OffsetToCommit[]>();
  for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
  const wire = await clients.wire(coordinator.host, coordinator.port);
  const response = await wire.request<OffsetCommitResponse>(
    ApiKey.OffsetCommit,
    OFFSET_COMMIT_VERSION,
    {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: "",
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [...byTopic].map(([name, list]) => ({
        name,
        partitions: list.map((o) => ({
          partitionIndex: o.partition,
          committedOffset: BigInt(o.offset),
          committedLeaderEpoch: -1,
          commitTimestamp: -1n,
          committedMetadata: null,
        })),
      })),
    },
    REQUEST_TIMEOUT_MS,
  );
  for (const topic of response.topics)
    for (const p of topic.partitions)
      if (p.errorCode !== 0) throw errorFromCode(p.errorCode, `committing ${topic.name}/${p.partitionIndex} for group ${groupId}`);
}
