import { ErrorCode } from "../protocol/errors";
import type { Logger } from "../runtime/logger";
import type { RandomBytes } from "../runtime/random";
import type { Scheduler } from "../runtime/scheduler";
import type { JoinResult, SyncResult } from "./group";
import { GroupAdmin, type GroupDescription, type GroupListing } from "./group-admin";
import { replayGroups } from "./group-loader";
import { GroupRegistry, type CoordinatorConfig, type CoordinatorLog } from "./group-registry";
import { GroupMembership, type JoinRequest, type MemberIdentity, type SyncRequest } from "./membership";
import { OffsetStore, type CommitRequest, type FetchedOffsets, type TopicPartitionErrors } from "./offset-store";

export type { CoordinatorConfig, CoordinatorLog } from "./group-registry";
export { GROUPS_MAX } from "./group-registry";
export type { JoinRequest, MemberIdentity, SyncRequest } from "./membership";
export { GROUP_MEMBERS_MAX } from "./membership";
export type { CommitRequest, FetchedOffsets, TopicPartitionErrors } from "./offset-store";
export { OFFSET_METADATA_BYTES_MAX, OFFSETS_RETENTION_CHECK_INTERVAL_MS } from "./offset-store";
export type { GroupDescription, GroupListing } from "./group-admin";
/** The earlier name of CoordinatorLog. */
export type OffsetsStore = CoordinatorLog;

/**
 * Kafka's classic group coordinator for the groups whose __consumer_offsets
 * partition this node leads: the one entry point for the handlers. It
 * delegates to four parts that share one GroupRegistry:
 * - membership (membership.ts): join, sync, heartbeat, leave, rebalances, sessions;
 * - the offset store (offset-store.ts): commits, fetches, expiry, every record written;
 * - loading (group-loader.ts): replaying an offsets partition into groups;
 * - admin (group-admin.ts): list, describe and delete groups, delete offsets.
 * Leadership of an offsets partition comes and goes through
 * onLeadershipGained / onLeadershipLost.
 */
export class GroupCoordinator {
  private readonly registry: GroupRegistry;
  private readonly offsets: OffsetStore;
  private readonly membership: GroupMembership;
  private readonly admin: GroupAdmin;

  constructor(
    private readonly log: CoordinatorLog,
    private readonly scheduler: Scheduler,
    config: () => CoordinatorConfig,
    private readonly logger: Logger,
    /** Whether the topic-partition exists (commits to unknown partitions are refused). */
    partitionExists: (topic: string, partition: number) => boolean,
    /** Where member ids come from; tests and the simulator pass a seeded source. */
    random: RandomBytes,
  ) {
    this.registry = new GroupRegistry(log);
    this.offsets = new OffsetStore(this.registry, log, scheduler, config, logger, partitionExists);
    this.membership = new GroupMembership(this.registry, this.offsets, scheduler, config, logger, random);
    this.admin = new GroupAdmin(this.registry, this.offsets, logger);
  }

  // ---------------------------------------------------------------------------
  // Lifecycle and leadership

  /** Loads the offsets partitions this node leads, then starts offset expiry. */
  load(): void {
    for (const partition of this.log.localPartitions()) this.onLeadershipGained(partition);
    this.offsets.startExpiry();
  }

  /**
   * This node now leads `partition` of __consumer_offsets: its groups are
   * replayed from the log and served from here on. A partition already
   * loaded is left as it is.
   */
  onLeadershipGained(partition: number): void {
    if (this.registry.stopped || this.registry.isLoaded(partition)) return;
    const groups = replayGroups(this.log.replay(partition), partition, this.scheduler.clock.nowMs());
    for (const group of groups) {
      this.registry.add(group);
      this.membership.resumeSessions(group);
    }
    this.registry.markLoaded(partition);
    if (groups.length > 0) this.logger.info("loaded offsets partition", { partition, groups: groups.length });
  }

  /**
   * This node no longer leads `partition`: its groups are forgotten (the log
   * keeps them for the next leader), their timers stop, and requests waiting
   * in JoinGroup or SyncGroup hear NOT_COORDINATOR so that clients look the
   * coordinator up again. Later requests for those groups get NOT_COORDINATOR too.
   */
  onLeadershipLost(partition: number): void {
    const groups = this.registry.unload(partition);
    for (const group of groups) this.membership.abandon(group, ErrorCode.NOT_COORDINATOR);
    if (groups.length > 0) this.logger.info("unloaded offsets partition", { partition, groups: groups.length });
  }

  /** Unloads every partition (waiting JoinGroup/SyncGroup hear NOT_COORDINATOR) and stops all timers, so shutdown never waits on them. */
  shutdown(): void {
    this.registry.stopped = true;
    this.offsets.stopExpiry();
    for (const partition of this.registry.loadedPartitionList()) this.onLeadershipLost(partition);
  }

  // ---------------------------------------------------------------------------
  // Membership

  join(request: JoinRequest): Promise<JoinResult> {
    return this.membership.join(request);
  }

  sync(request: SyncRequest): Promise<SyncResult> {
    return this.membership.sync(request);
  }

  heartbeat(request: { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null }): number {
    return this.membership.heartbeat(request);
  }

  /** LeaveGroup: a top-level error, or one error per member identity. */
  leave(groupId: string, identities: MemberIdentity[]): { errorCode: number; members: Array<MemberIdentity & { errorCode: number }> } {
    return this.membership.leave(groupId, identities);
  }

  // ---------------------------------------------------------------------------
  // Offsets

  /** OffsetCommit: answered once the offsets are committed to __consumer_offsets; only then does OffsetFetch show them. */
  commitOffsets(request: CommitRequest): Promise<TopicPartitionErrors[]> {
    return this.offsets.commit(request, (group) => this.membership.commitError(group, request));
  }

  /** Committed offsets of a group: of the topics asked for, or of every topic when `topics` is null. */
  fetchOffsets(groupId: string, topics: Array<{ name: string; partitions: number[] }> | null): FetchedOffsets {
    return this.offsets.fetch(groupId, topics);
  }

  /** Writes tombstones for offsets past retention and removes groups left with nothing; the number of offsets expired. */
  expireOffsets(): number {
    return this.offsets.expireOffsets();
  }

  /** Offsets of a deleted topic go too, as in Kafka. */
  topicDeleted(topic: string): void {
    this.offsets.topicDeleted(topic);
  }

  // ---------------------------------------------------------------------------
  // Administration

  listGroups(statesFilter: readonly string[]): GroupListing[] {
    return this.admin.listGroups(statesFilter);
  }

  describeGroup(groupId: string): GroupDescription {
    return this.admin.describeGroup(groupId);
  }

  /** DeleteGroups: only empty groups; their offsets and metadata get tombstones. */
  deleteGroup(groupId: string): number {
    return this.admin.deleteGroup(groupId);
  }

  /** OffsetDelete: only offsets no member consumes (an empty group, or topics outside every subscription). */
  deleteOffsets(groupId: string, topics: Array<{ name: string; partitions: number[] }>): { errorCode: number; topics: TopicPartitionErrors[] } {
    return this.admin.deleteOffsets(groupId, topics);
  }

  /** For tests and the console: the state of a group, or undefined. */
  stateOf(groupId: string): string | undefined {
    return this.registry.get(groupId)?.state.kind;
  }
}
