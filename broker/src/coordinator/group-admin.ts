import { ErrorCode } from "../protocol/errors";
import type { Logger } from "../runtime/logger";
import { offsetKey } from "./group";
import type { GroupRegistry } from "./group-registry";
import { subscribedTopics, type OffsetStore, type TopicPartitionErrors } from "./offset-store";

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: string;
}

export interface GroupDescription {
  errorCode: number;
  groupId: string;
  state: string;
  protocolType: string;
  protocolData: string;
  members: Array<{
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    metadata: Buffer;
    assignment: Buffer;
  }>;
}

const EMPTY = Buffer.alloc(0);

/** The admin side of groups: ListGroups, DescribeGroups, DeleteGroups and OffsetDelete. */
export class GroupAdmin {
  constructor(
    private readonly registry: GroupRegistry,
    private readonly offsets: OffsetStore,
    private readonly logger: Logger,
  ) {}

  listGroups(statesFilter: readonly string[]): GroupListing[] {
    if (this.registry.stopped) return [];
    const wanted = new Set(statesFilter.map((state) => state.toLowerCase()));
    const listings: GroupListing[] = [];
    for (const group of this.registry.values()) {
      if (group.is("Dead")) continue;
      if (wanted.size > 0 && !wanted.has(group.state.kind.toLowerCase())) continue;
      listings.push({ groupId: group.groupId, protocolType: group.protocolType ?? "", state: group.state.kind });
    }
    return listings;
  }

  describeGroup(groupId: string): GroupDescription {
    const error = this.registry.servingError(groupId);
    const blank = { groupId, state: "Dead", protocolType: "", protocolData: "", members: [] };
    if (error !== null) return { errorCode: error, ...blank };
    const group = this.registry.get(groupId);
    if (!group) return { errorCode: ErrorCode.NONE, ...blank };
    const stable = group.is("Stable");
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      state: group.state.kind,
      protocolType: group.protocolType ?? "",
      protocolData: stable ? (group.protocolName ?? "") : "",
      members: [...group.members.values()].map((member) => ({
        memberId: member.memberId,
        groupInstanceId: member.groupInstanceId,
        clientId: member.clientId,
        clientHost: member.clientHost,
        metadata: stable ? group.metadataOf(member) : EMPTY,
        assignment: stable ? member.assignment : EMPTY,
      })),
    };
  }

  /** DeleteGroups: only empty groups; their offsets and metadata get tombstones. */
  deleteGroup(groupId: string): number {
    const error = this.registry.servingError(groupId);
    if (error !== null) return error;
    const group = this.registry.get(groupId);
    if (!group || group.is("Dead")) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (!group.is("Empty")) return ErrorCode.NON_EMPTY_GROUP;
    try {
      this.offsets.removeGroup(group);
    } catch (failure) {
      this.logger.error("deleting group failed", { group: groupId, error: failure });
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    return ErrorCode.NONE;
  }

  /** OffsetDelete: only offsets no member consumes (an empty group, or topics outside every subscription). */
  deleteOffsets(groupId: string, topics: Array<{ name: string; partitions: number[] }>): { errorCode: number; topics: TopicPartitionErrors[] } {
    const error = this.registry.servingError(groupId);
    if (error !== null) return { errorCode: error, topics: [] };
    const group = this.registry.get(groupId);
    if (!group || group.is("Dead")) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
    let subscribed: Set<string> | null = null;
    if (!group.is("Empty")) {
      if (group.protocolType !== "consumer") return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] };
      subscribed = subscribedTopics(group);
    }
    const removed: Array<{ topic: string; partition: number }> = [];
    const results = topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => {
        if (subscribed === null || subscribed.has(topic.name) === false) {
          if (group.offsets.has(offsetKey(topic.name, partition))) removed.push({ topic: topic.name, partition });
          return { partition, errorCode: ErrorCode.NONE };
        }
        return { partition, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
      }),
    }));
    try {
      this.offsets.removeOffsets(group, removed);
    } catch (failure) {
      this.logger.error("deleting offsets failed", { group: groupId, error: failure });
      return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] };
    }
    return { errorCode: ErrorCode.NONE, topics: results };
  }
}
