import { randomUUID } from "node:crypto";
import { ErrorCode, KafkaError } from "../protocol/errors";
import { readConsumerProtocolSubscription } from "../protocol/generated/consumer-protocol-subscription";
import { Reader } from "../protocol/reader";
import type { Logger } from "../runtime/logger";
import type { Cancel, Scheduler } from "../runtime/scheduler";
import {
  Group,
  offsetKey,
  splitOffsetKey,
  type CommittedOffset,
  type GroupState,
  type JoinResult,
  type Member,
  type MemberProtocol,
  type SyncResult,
} from "./group";
import type { OffsetsLog } from "./offsets-log";
import { encodeGroupKey, encodeGroupValue, encodeOffsetKey, encodeOffsetValue, type GroupMetadataValue } from "./offsets-records";

/** What the coordinator needs of the offsets log (tests pass an in-memory one). */
export type OffsetsStore = Pick<OffsetsLog, "partitionFor" | "isLocal" | "append" | "localPartitions" | "replay">;

export interface CoordinatorConfig {
  groupInitialRebalanceDelayMs: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  offsetsRetentionMs: number;
}

/** Kafka's offset.metadata.max.bytes default. */
export const OFFSET_METADATA_BYTES_MAX = 4096;
/** Kafka's offsets.retention.check.interval.ms default. */
export const OFFSETS_RETENTION_CHECK_INTERVAL_MS = 600_000;
/** A limit on groups one coordinator holds, so a client cannot grow its memory without bound. */
export const GROUPS_MAX = 100_000;
/** A limit on members (joined or pending) of one group; Kafka's group.max.size is unbounded by default. */
export const GROUP_MEMBERS_MAX = 10_000;

export interface JoinRequest {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
  /** JoinGroup v4+: a new member first gets its id back with MEMBER_ID_REQUIRED. */
  requireKnownMemberId: boolean;
}

export interface SyncRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface MemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
}

export interface CommitRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** -1 for the broker's retention (OffsetCommit v2-4 may ask for another). */
  retentionTimeMs: number;
  topics: Array<{ name: string; partitions: Array<{ partition: number; offset: number; leaderEpoch: number; metadata: string | null }> }>;
}

export interface TopicPartitionErrors {
  name: string;
  partitions: Array<{ partition: number; errorCode: number }>;
}

export interface FetchedOffsets {
  errorCode: number;
  topics: Array<{
    name: string;
    partitions: Array<{ partition: number; offset: number; leaderEpoch: number; metadata: string; errorCode: number }>;
  }>;
}

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

function joinError(errorCode: number, memberId: string): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: "", memberId, members: [] };
}

function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

/**
 * Kafka's classic group coordinator for the groups whose __consumer_offsets
 * partition this node leads. It is the single owner of every group: all
 * methods are synchronous from check to write (appends to the offsets log
 * included), and JoinGroup/SyncGroup return promises that a later event
 * (the last member joining, the leader's assignment, a timeout) resolves.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private cancelExpiry: Cancel | null = null;
  private stopped = false;

  constructor(
    private readonly log: OffsetsStore,
    private readonly scheduler: Scheduler,
    private readonly config: () => CoordinatorConfig,
    private readonly logger: Logger,
    /** Whether the topic-partition exists (commits to unknown partitions are refused). */
    private readonly partitionExists: (topic: string, partition: number) => boolean,
  ) {}

  private get nowMs(): number {
    return this.scheduler.clock.nowMs();
  }

  // ---------------------------------------------------------------------------
  // Lifecycle

  /** Replays the offsets log partitions this node leads, then starts offset expiry. */
  load(): void {
    for (const partition of this.log.localPartitions()) this.loadPartition(partition);
    this.scheduleExpiry();
  }

  private loadPartition(partition: number): void {
    const offsets = new Map<string, Map<string, CommittedOffset>>();
    const metadata = new Map<string, GroupMetadataValue>();
    for (const entry of this.log.replay(partition)) {
      if (entry.kind === "offset") {
        let byKey = offsets.get(entry.group);
        if (!byKey) offsets.set(entry.group, (byKey = new Map()));
        if (entry.value) byKey.set(offsetKey(entry.topic, entry.partition), { ...entry.value });
        else byKey.delete(offsetKey(entry.topic, entry.partition));
      } else if (entry.value) metadata.set(entry.group, entry.value);
      else metadata.delete(entry.group);
    }
    const now = this.nowMs;
    for (const groupId of new Set([...offsets.keys(), ...metadata.keys()])) {
      const value = metadata.get(groupId);
      const committed = offsets.get(groupId);
      if (!value && (!committed || committed.size === 0)) continue;
      const group = new Group(groupId, partition, now);
      for (const [key, offset] of committed ?? []) group.offsets.set(key, offset);
      if (value) {
        group.generationId = value.generation;
        group.protocolType = value.protocolType;
        group.protocolName = value.protocol;
        group.stateChangedMs = value.currentStateTimestampMs >= 0 ? value.currentStateTimestampMs : now;
        if (value.members.length > 0) {
          for (const stored of value.members) {
            const member: Member = {
              memberId: stored.memberId,
              groupInstanceId: stored.groupInstanceId,
              clientId: stored.clientId,
              clientHost: stored.clientHost,
              rebalanceTimeoutMs: stored.rebalanceTimeoutMs,
              sessionTimeoutMs: stored.sessionTimeoutMs,
              protocolType: value.protocolType,
              protocols: [{ name: value.protocol ?? "", metadata: stored.subscription }],
              assignment: stored.assignment,
              awaitingJoin: null,
              awaitingSync: null,
              cancelHeartbeat: null,
            };
            group.addMember(member);
          }
          group.leaderId = value.leader && group.members.has(value.leader) ? value.leader : group.leaderId;
          // A loaded generation is Stable: members that still live go on heartbeating, the rest time out.
          group.state = { kind: "Stable" };
          for (const member of group.members.values()) this.scheduleHeartbeat(group, member);
        }
      }
      this.groups.set(groupId, group);
    }
  }

  /** Answers every waiting JoinGroup/SyncGroup with NOT_COORDINATOR and stops all timers, so shutdown never waits on them. */
  shutdown(): void {
    this.stopped = true;
    this.cancelExpiry?.();
    for (const group of this.groups.values()) {
      if (group.state.kind === "PreparingRebalance") group.state.cancelJoinTimer();
      for (const cancel of group.pendingMembers.values()) cancel();
      for (const member of group.members.values()) {
        member.cancelHeartbeat?.();
        const join = member.awaitingJoin;
        const sync = member.awaitingSync;
        member.awaitingJoin = null;
        member.awaitingSync = null;
        join?.(joinError(ErrorCode.NOT_COORDINATOR, member.memberId));
        sync?.(syncError(ErrorCode.NOT_COORDINATOR));
      }
    }
  }

  // ---------------------------------------------------------------------------
  // Membership

  /** An error for requests about a group this node cannot serve; null when it can. */
  private groupError(groupId: string): number | null {
    if (this.stopped) return ErrorCode.NOT_COORDINATOR;
    if (!groupId) return ErrorCode.INVALID_GROUP_ID;
    if (!this.log.isLocal(groupId)) return ErrorCode.NOT_COORDINATOR;
    return null;
  }

  join(request: JoinRequest): Promise<JoinResult> {
    const error = this.groupError(request.groupId);
    if (error !== null) return Promise.resolve(joinError(error, request.memberId));
    const { groupMinSessionTimeoutMs, groupMaxSessionTimeoutMs } = this.config();
    if (request.sessionTimeoutMs < groupMinSessionTimeoutMs || request.sessionTimeoutMs > groupMaxSessionTimeoutMs)
      return Promise.resolve(joinError(ErrorCode.INVALID_SESSION_TIMEOUT, request.memberId));

    let group = this.groups.get(request.groupId);
    if (!group) {
      if (request.memberId !== "") return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, request.memberId));
      if (this.groups.size >= GROUPS_MAX) return Promise.resolve(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, request.memberId));
      group = this.createGroup(request.groupId);
    }
    if (group.is("Dead")) return Promise.resolve(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, request.memberId));
    if (!group.supportsProtocols(request.protocolType, request.protocols))
      return Promise.resolve(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, request.memberId));
    const target = group;
    return new Promise((resolve) =>
      request.memberId === "" ? this.joinUnknownMember(target, request, resolve) : this.joinKnownMember(target, request, resolve),
    );
  }

  private createGroup(groupId: string): Group {
    const group = new Group(groupId, this.log.partitionFor(groupId), this.nowMs);
    this.groups.set(groupId, group);
    return group;
  }

  private joinUnknownMember(group: Group, request: JoinRequest, resolve: (result: JoinResult) => void): void {
    const memberId = `${request.clientId}-${randomUUID()}`;
    const isKnownInstance = request.groupInstanceId !== null && group.staticMembers.has(request.groupInstanceId);
    if (!isKnownInstance && group.members.size + group.pendingMembers.size >= GROUP_MEMBERS_MAX)
      return resolve(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED, ""));
    if (request.groupInstanceId !== null) {
      const existing = group.staticMembers.get(request.groupInstanceId);
      if (existing !== undefined) return this.replaceStaticMember(group, existing, memberId, request, resolve);
      return this.addMemberAndRebalance(group, memberId, request, resolve);
    }
    if (request.requireKnownMemberId) {
      // The member comes back with this id; until then it holds up the rebalance for at most a session timeout.
      group.pendingMembers.set(
        memberId,
        this.scheduler.schedule(request.sessionTimeoutMs, () => this.expirePendingMember(group, memberId)),
      );
      return resolve(joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId));
    }
    this.addMemberAndRebalance(group, memberId, request, resolve);
  }

  private joinKnownMember(group: Group, request: JoinRequest, resolve: (result: JoinResult) => void): void {
    const { memberId } = request;
    const pending = group.pendingMembers.get(memberId);
    if (pending) {
      pending();
      group.pendingMembers.delete(memberId);
      return this.addMemberAndRebalance(group, memberId, request, resolve);
    }
    const member = group.members.get(memberId);
    if (!member) return resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    if (request.groupInstanceId !== null && group.staticMembers.get(request.groupInstanceId) !== memberId)
      return resolve(joinError(ErrorCode.FENCED_INSTANCE_ID, memberId));
    const state = group.state;
    switch (state.kind) {
      case "PreparingRebalance":
        return this.updateMemberAndRebalance(group, member, request, resolve);
      case "CompletingRebalance":
        if (Group.sameProtocols(member, request.protocols)) return resolve(this.joinResultFor(group, member));
        return this.updateMemberAndRebalance(group, member, request, resolve);
      case "Stable":
        if (member.memberId !== group.leaderId && Group.sameProtocols(member, request.protocols)) {
          this.scheduleHeartbeat(group, member);
          return resolve(this.joinResultFor(group, member));
        }
        return this.updateMemberAndRebalance(group, member, request, resolve);
      case "Empty":
      case "Dead":
        return resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
      default: {
        const unreachable: never = state;
        throw new Error(`unhandled group state ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** A static member restarted with a new member id: the old id is fenced and the member keeps its place. */
  private replaceStaticMember(group: Group, oldMemberId: string, newMemberId: string, request: JoinRequest, resolve: (result: JoinResult) => void): void {
    const member = group.members.get(oldMemberId)!;
    const join = member.awaitingJoin;
    const sync = member.awaitingSync;
    member.awaitingJoin = null;
    member.awaitingSync = null;
    join?.(joinError(ErrorCode.FENCED_INSTANCE_ID, oldMemberId));
    sync?.(syncError(ErrorCode.FENCED_INSTANCE_ID));
    group.members.delete(oldMemberId);
    member.memberId = newMemberId;
    group.members.set(newMemberId, member);
    group.staticMembers.set(request.groupInstanceId!, newMemberId);
    const wasLeader = group.leaderId === oldMemberId;
    if (wasLeader) group.leaderId = newMemberId;
    member.clientId = request.clientId;
    member.clientHost = request.clientHost;
    member.sessionTimeoutMs = request.sessionTimeoutMs;
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    if (group.is("Stable") && !wasLeader && Group.sameProtocols(member, request.protocols)) {
      // Same subscription: the member takes its old assignment back without a rebalance.
      this.scheduleHeartbeat(group, member);
      this.storeGroup(group);
      return resolve(this.joinResultFor(group, member));
    }
    this.updateMemberAndRebalance(group, member, request, resolve);
  }

  private addMemberAndRebalance(group: Group, memberId: string, request: JoinRequest, resolve: (result: JoinResult) => void): void {
    const member: Member = {
      memberId,
      groupInstanceId: request.groupInstanceId,
      clientId: request.clientId,
      clientHost: request.clientHost,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      sessionTimeoutMs: request.sessionTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols,
      assignment: EMPTY,
      awaitingJoin: resolve,
      awaitingSync: null,
      cancelHeartbeat: null,
    };
    group.addMember(member);
    if (group.state.kind === "PreparingRebalance" && group.state.initialDelay) group.state.initialDelay.newMemberAdded = true;
    this.maybePrepareRebalance(group);
    this.tryCompleteJoin(group);
  }

  private updateMemberAndRebalance(group: Group, member: Member, request: JoinRequest, resolve: (result: JoinResult) => void): void {
    member.protocols = request.protocols;
    member.sessionTimeoutMs = request.sessionTimeoutMs;
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    // A second JoinGroup from the same member replaces the first (its connection may have been lost).
    member.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    member.awaitingJoin = resolve;
    this.maybePrepareRebalance(group);
    this.tryCompleteJoin(group);
  }

  private maybePrepareRebalance(group: Group): void {
    const kind = group.state.kind;
    if (kind === "Stable" || kind === "CompletingRebalance" || kind === "Empty") this.prepareRebalance(group);
  }

  private prepareRebalance(group: Group): void {
    if (group.is("CompletingRebalance")) this.resetAssignments(group, ErrorCode.REBALANCE_IN_PROGRESS);
    const rebalanceTimeoutMs = group.rebalanceTimeoutMs;
    const initialDelayMs = this.config().groupInitialRebalanceDelayMs;
    let next: GroupState;
    if (group.is("Empty") && initialDelayMs > 0) {
      const delayMs = Math.min(initialDelayMs, rebalanceTimeoutMs);
      next = {
        kind: "PreparingRebalance",
        cancelJoinTimer: this.scheduler.schedule(delayMs, () => this.onInitialDelayEnd(group)),
        initialDelay: { delayMs: initialDelayMs, remainingMs: Math.max(rebalanceTimeoutMs - initialDelayMs, 0), newMemberAdded: false },
      };
    } else {
      next = {
        kind: "PreparingRebalance",
        cancelJoinTimer: this.scheduler.schedule(rebalanceTimeoutMs, () => this.completeJoin(group)),
        initialDelay: null,
      };
    }
    this.logger.info("preparing rebalance", { group: group.groupId, generation: group.generationId, members: group.members.size });
    group.transition(next, this.nowMs);
  }

  /** Kafka's InitialDelayedJoin: while new members keep arriving, wait another delay, up to the rebalance timeout. */
  private onInitialDelayEnd(group: Group): void {
    const state = group.state;
    if (state.kind !== "PreparingRebalance" || !state.initialDelay) return;
    const { delayMs, remainingMs, newMemberAdded } = state.initialDelay;
    if (newMemberAdded && remainingMs > 0) {
      const nextDelayMs = Math.min(delayMs, remainingMs);
      state.initialDelay = { delayMs, remainingMs: Math.max(remainingMs - nextDelayMs, 0), newMemberAdded: false };
      state.cancelJoinTimer = this.scheduler.schedule(nextDelayMs, () => this.onInitialDelayEnd(group));
      return;
    }
    this.completeJoin(group);
  }

  private tryCompleteJoin(group: Group): void {
    const state = group.state;
    if (state.kind === "PreparingRebalance" && state.initialDelay === null && group.allMembersJoined) this.completeJoin(group);
  }

  private completeJoin(group: Group): void {
    const state = group.state;
    if (state.kind !== "PreparingRebalance") return;
    state.cancelJoinTimer();
    // Dynamic members that did not rejoin in time are out; static members keep their place.
    for (const member of [...group.members.values()])
      if (!member.awaitingJoin && member.groupInstanceId === null) group.removeMember(member.memberId);
    if (group.leaderId !== null && !group.members.get(group.leaderId)?.awaitingJoin) {
      const rejoined = [...group.members.values()].find((member) => member.awaitingJoin);
      if (rejoined) group.leaderId = rejoined.memberId;
    }
    const now = this.nowMs;
    group.generationId++;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.leaderId = null;
      group.transition({ kind: "Empty" }, now);
      this.logger.info("group is empty", { group: group.groupId, generation: group.generationId });
      this.storeGroupQuietly(group);
      return;
    }
    group.protocolName = group.selectProtocol();
    group.transition({ kind: "CompletingRebalance" }, now);
    this.logger.info("rebalance: new generation", { group: group.groupId, generation: group.generationId, members: group.members.size });
    for (const member of group.members.values()) {
      const resolve = member.awaitingJoin;
      member.awaitingJoin = null;
      this.scheduleHeartbeat(group, member);
      resolve?.(this.joinResultFor(group, member));
    }
  }

  private joinResultFor(group: Group, member: Member): JoinResult {
    const isLeader = member.memberId === group.leaderId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? "",
      memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: group.metadataOf(m) }))
        : [],
    };
  }

  sync(request: SyncRequest): Promise<SyncResult> {
    const error = this.groupError(request.groupId);
    if (error !== null) return Promise.resolve(syncError(error));
    const group = this.groups.get(request.groupId);
    if (!group) return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (group.is("Dead")) return Promise.resolve(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (request.groupInstanceId !== null && group.staticMembers.get(request.groupInstanceId) !== request.memberId)
      return Promise.resolve(syncError(ErrorCode.FENCED_INSTANCE_ID));
    const member = group.members.get(request.memberId);
    if (!member) return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (request.generationId !== group.generationId) return Promise.resolve(syncError(ErrorCode.ILLEGAL_GENERATION));
    if (
      (request.protocolType !== null && request.protocolType !== group.protocolType) ||
      (request.protocolName !== null && request.protocolName !== group.protocolName)
    )
      return Promise.resolve(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));

    const state = group.state;
    switch (state.kind) {
      case "Empty":
        return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
      case "PreparingRebalance":
        return Promise.resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      case "Stable":
        this.scheduleHeartbeat(group, member);
        return Promise.resolve(this.syncResultFor(group, member));
      case "Dead":
        return Promise.resolve(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
      case "CompletingRebalance":
        return new Promise((resolve) => {
          member.awaitingSync?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
          member.awaitingSync = resolve;
          this.scheduleHeartbeat(group, member);
          if (member.memberId === group.leaderId) this.applyAssignments(group, request.assignments);
        });
      default: {
        const unreachable: never = state;
        throw new Error(`unhandled group state ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** The leader's assignment: stored in the log first, then handed to every member waiting in SyncGroup. */
  private applyAssignments(group: Group, assignments: SyncRequest["assignments"]): void {
    const byMember = new Map(assignments.map((entry) => [entry.memberId, entry.assignment]));
    for (const member of group.members.values()) member.assignment = byMember.get(member.memberId) ?? EMPTY;
    try {
      this.storeGroup(group);
    } catch (error) {
      this.logger.error("storing group assignment failed", { group: group.groupId, error });
      this.resetAssignments(group, ErrorCode.COORDINATOR_NOT_AVAILABLE);
      this.prepareRebalance(group);
      return;
    }
    group.transition({ kind: "Stable" }, this.nowMs);
    for (const member of group.members.values()) {
      const resolve = member.awaitingSync;
      member.awaitingSync = null;
      resolve?.(this.syncResultFor(group, member));
    }
  }

  private resetAssignments(group: Group, errorCode: number): void {
    for (const member of group.members.values()) {
      member.assignment = EMPTY;
      const resolve = member.awaitingSync;
      member.awaitingSync = null;
      resolve?.(syncError(errorCode));
    }
  }

  private syncResultFor(group: Group, member: Member): SyncResult {
    return { errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment };
  }

  heartbeat(request: { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null }): number {
    const error = this.groupError(request.groupId);
    if (error !== null) return error;
    const group = this.groups.get(request.groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    const state = group.state;
    switch (state.kind) {
      case "Dead":
        return ErrorCode.COORDINATOR_NOT_AVAILABLE;
      case "Empty":
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case "PreparingRebalance":
      case "CompletingRebalance":
      case "Stable": {
        // A fenced static member hears so before anything else (its old id is gone too).
        if (request.groupInstanceId !== null && group.staticMembers.get(request.groupInstanceId) !== request.memberId)
          return ErrorCode.FENCED_INSTANCE_ID;
        const member = group.members.get(request.memberId);
        if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
        if (request.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
        this.scheduleHeartbeat(group, member);
        return state.kind === "PreparingRebalance" ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
      }
      default: {
        const unreachable: never = state;
        throw new Error(`unhandled group state ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** LeaveGroup: a top-level error, or one error per member identity. */
  leave(groupId: string, identities: MemberIdentity[]): { errorCode: number; members: Array<MemberIdentity & { errorCode: number }> } {
    const error = this.groupError(groupId);
    if (error !== null) return { errorCode: error, members: [] };
    const group = this.groups.get(groupId);
    if (!group) return { errorCode: ErrorCode.NONE, members: identities.map((id) => ({ ...id, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })) };
    if (group.is("Dead")) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const members = identities.map((identity) => ({ ...identity, errorCode: this.leaveOne(group, identity) }));
    return { errorCode: ErrorCode.NONE, members };
  }

  private leaveOne(group: Group, identity: MemberIdentity): number {
    let memberId = identity.memberId;
    if (identity.groupInstanceId !== null) {
      const current = group.staticMembers.get(identity.groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (memberId !== "" && memberId !== current) return ErrorCode.FENCED_INSTANCE_ID;
      memberId = current;
    }
    const pending = group.pendingMembers.get(memberId);
    if (pending) {
      pending();
      group.pendingMembers.delete(memberId);
      this.tryCompleteJoin(group);
      return ErrorCode.NONE;
    }
    const member = group.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.logger.info("member left", { group: group.groupId, member: memberId });
    this.removeMemberAndUpdateGroup(group, member);
    return ErrorCode.NONE;
  }

  private removeMemberAndUpdateGroup(group: Group, member: Member): void {
    const join = member.awaitingJoin;
    const sync = member.awaitingSync;
    member.awaitingJoin = null;
    member.awaitingSync = null;
    group.removeMember(member.memberId);
    join?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    sync?.(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    const state = group.state;
    switch (state.kind) {
      case "Dead":
      case "Empty":
        return;
      case "Stable":
      case "CompletingRebalance":
        return this.prepareRebalance(group);
      case "PreparingRebalance":
        return this.tryCompleteJoin(group);
      default: {
        const unreachable: never = state;
        throw new Error(`unhandled group state ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private scheduleHeartbeat(group: Group, member: Member): void {
    member.cancelHeartbeat?.();
    if (this.stopped) return;
    member.cancelHeartbeat = this.scheduler.schedule(member.sessionTimeoutMs, () => this.onSessionExpired(group, member));
  }

  private onSessionExpired(group: Group, member: Member): void {
    member.cancelHeartbeat = null;
    if (group.members.get(member.memberId) !== member) return;
    // A member with a JoinGroup or SyncGroup in flight is alive; the rebalance bounds that wait.
    if (member.awaitingJoin || member.awaitingSync) return this.scheduleHeartbeat(group, member);
    this.logger.info("member session expired", { group: group.groupId, member: member.memberId, sessionTimeoutMs: member.sessionTimeoutMs });
    this.removeMemberAndUpdateGroup(group, member);
  }

  private expirePendingMember(group: Group, memberId: string): void {
    if (!group.pendingMembers.delete(memberId)) return;
    this.tryCompleteJoin(group);
  }

  // ---------------------------------------------------------------------------
  // Offsets

  commitOffsets(request: CommitRequest): TopicPartitionErrors[] {
    const all = (errorCode: number) =>
      request.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((p) => ({ partition: p.partition, errorCode })) }));
    const error = this.groupError(request.groupId);
    if (error !== null) return all(error);
    let group = this.groups.get(request.groupId);
    if (!group) {
      // Simple consumers and admin tools commit without a generation: the group is created for them.
      if (request.generationId >= 0) return all(ErrorCode.ILLEGAL_GENERATION);
      if (this.groups.size >= GROUPS_MAX) return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      group = this.createGroup(request.groupId);
    }
    const groupErrorCode = this.commitError(group, request);
    if (groupErrorCode !== null) return all(groupErrorCode);

    const now = this.nowMs;
    const accepted: Array<{ topic: string; partition: number; value: CommittedOffset }> = [];
    const results = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p): { partition: number; errorCode: number } => {
        if (!this.partitionExists(topic.name, p.partition)) return { partition: p.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        const metadata = p.metadata ?? "";
        if (Buffer.byteLength(metadata) > OFFSET_METADATA_BYTES_MAX)
          return { partition: p.partition, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE };
        accepted.push({
          topic: topic.name,
          partition: p.partition,
          value: {
            offset: p.offset,
            leaderEpoch: p.leaderEpoch,
            metadata,
            commitTimestampMs: now,
            expireTimestampMs: request.retentionTimeMs >= 0 ? now + request.retentionTimeMs : -1,
          },
        });
        return { partition: p.partition, errorCode: ErrorCode.NONE };
      }),
    }));
    if (accepted.length === 0) {
      this.dropIfUnused(group);
      return results;
    }
    try {
      this.log.append(
        group.groupId,
        accepted.map((entry) => ({ key: encodeOffsetKey(group.groupId, entry.topic, entry.partition), value: encodeOffsetValue(entry.value) })),
      );
    } catch (failure) {
      const code: number = failure instanceof KafkaError && failure.code === ErrorCode.NOT_LEADER_OR_FOLLOWER ? ErrorCode.NOT_COORDINATOR : ErrorCode.COORDINATOR_NOT_AVAILABLE;
      this.logger.error("appending offset commit failed", { group: group.groupId, error: failure });
      this.dropIfUnused(group);
      for (const topic of results) for (const p of topic.partitions) if (p.errorCode === ErrorCode.NONE) p.errorCode = code;
      return results;
    }
    for (const entry of accepted) group.offsets.set(offsetKey(entry.topic, entry.partition), entry.value);
    return results;
  }

  /** Kafka's rules for who may commit: admin/simple commits only to empty groups, members only in their generation. */
  private commitError(group: Group, request: CommitRequest): number | null {
    if (group.is("Dead")) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (request.generationId < 0 && group.is("Empty")) return null;
    if (request.groupInstanceId !== null && group.staticMembers.get(request.groupInstanceId) !== request.memberId)
      return ErrorCode.FENCED_INSTANCE_ID;
    const member = group.members.get(request.memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (request.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (group.is("CompletingRebalance")) return ErrorCode.REBALANCE_IN_PROGRESS;
    this.scheduleHeartbeat(group, member);
    return null;
  }

  /** A group created for a commit that wrote nothing goes away again. */
  private dropIfUnused(group: Group): void {
    if (group.is("Empty") && group.offsets.size === 0 && group.protocolType === null && group.generationId === 0)
      this.groups.delete(group.groupId);
  }

  /** Committed offsets of a group: of the topics asked for, or of every topic when `topics` is null. */
  fetchOffsets(groupId: string, topics: Array<{ name: string; partitions: number[] }> | null): FetchedOffsets {
    const error = this.groupError(groupId);
    if (error !== null) return { errorCode: error, topics: [] };
    const group = this.groups.get(groupId);
    const offsets = group && !group.is("Dead") ? group.offsets : new Map<string, CommittedOffset>();
    const entry = (topic: string, partition: number) => {
      const committed = offsets.get(offsetKey(topic, partition));
      return {
        partition,
        offset: committed?.offset ?? -1,
        leaderEpoch: committed?.leaderEpoch ?? -1,
        metadata: committed?.metadata ?? "",
        errorCode: ErrorCode.NONE,
      };
    };
    if (topics !== null)
      return { errorCode: ErrorCode.NONE, topics: topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((p) => entry(topic.name, p)) })) };
    const byTopic = new Map<string, number[]>();
    for (const key of offsets.keys()) {
      const { topic, partition } = splitOffsetKey(key);
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, (list = []));
      list.push(partition);
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions: partitions.sort((a, b) => a - b).map((p) => entry(name, p)) })),
    };
  }

  /** OffsetDelete: only offsets no member consumes (an empty group, or topics outside every subscription). */
  deleteOffsets(groupId: string, topics: Array<{ name: string; partitions: number[] }>): { errorCode: number; topics: TopicPartitionErrors[] } {
    const error = this.groupError(groupId);
    if (error !== null) return { errorCode: error, topics: [] };
    const group = this.groups.get(groupId);
    if (!group || group.is("Dead")) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
    let subscribed: Set<string> | null = null;
    if (!group.is("Empty")) {
      if (group.protocolType !== "consumer") return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] };
      subscribed = this.subscribedTopics(group);
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
      this.removeOffsets(group, removed);
    } catch (failure) {
      this.logger.error("deleting offsets failed", { group: groupId, error: failure });
      return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] };
    }
    return { errorCode: ErrorCode.NONE, topics: results };
  }

  /** Topics in any member's subscription; every topic counts as subscribed when one cannot be parsed. */
  private subscribedTopics(group: Group): Set<string> {
    const topics = new Set<string>();
    for (const member of group.members.values()) {
      const metadata = group.metadataOf(member);
      try {
        const reader = new Reader(metadata);
        const version = reader.readInt16();
        for (const topic of readConsumerProtocolSubscription(reader, Math.min(version, 3)).topics) topics.add(topic);
      } catch {
        return new Set([...group.offsets.keys()].map((key) => splitOffsetKey(key).topic));
      }
    }
    return topics;
  }

  private removeOffsets(group: Group, removed: Array<{ topic: string; partition: number }>): void {
    if (removed.length === 0) return;
    this.log.append(
      group.groupId,
      removed.map((entry) => ({ key: encodeOffsetKey(group.groupId, entry.topic, entry.partition), value: null })),
    );
    for (const entry of removed) group.offsets.delete(offsetKey(entry.topic, entry.partition));
  }

  // ---------------------------------------------------------------------------
  // Administration

  listGroups(statesFilter: readonly string[]): GroupListing[] {
    if (this.stopped) return [];
    const wanted = new Set(statesFilter.map((state) => state.toLowerCase()));
    const listings: GroupListing[] = [];
    for (const group of this.groups.values()) {
      if (group.is("Dead")) continue;
      if (wanted.size > 0 && !wanted.has(group.state.kind.toLowerCase())) continue;
      listings.push({ groupId: group.groupId, protocolType: group.protocolType ?? "", state: group.state.kind });
    }
    return listings;
  }

  describeGroup(groupId: string): GroupDescription {
    const error = this.groupError(groupId);
    const blank = { groupId, state: "Dead", protocolType: "", protocolData: "", members: [] };
    if (error !== null) return { errorCode: error, ...blank };
    const group = this.groups.get(groupId);
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
    const error = this.groupError(groupId);
    if (error !== null) return error;
    const group = this.groups.get(groupId);
    if (!group || group.is("Dead")) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (!group.is("Empty")) return ErrorCode.NON_EMPTY_GROUP;
    try {
      this.removeGroup(group);
    } catch (failure) {
      this.logger.error("deleting group failed", { group: groupId, error: failure });
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    return ErrorCode.NONE;
  }

  private removeGroup(group: Group): void {
    const records = [...group.offsets.keys()].map((key) => {
      const { topic, partition } = splitOffsetKey(key);
      return { key: encodeOffsetKey(group.groupId, topic, partition), value: null };
    });
    records.push({ key: encodeGroupKey(group.groupId), value: null });
    this.log.append(group.groupId, records);
    group.offsets.clear();
    group.transition({ kind: "Dead" }, this.nowMs);
    this.groups.delete(group.groupId);
  }

  /** Writes tombstones for offsets past retention (Kafka's rules, see below) and removes groups left with nothing. */
  expireOffsets(): number {
    const now = this.nowMs;
    const retentionMs = this.config().offsetsRetentionMs;
    let expired = 0;
    for (const group of [...this.groups.values()]) {
      // Offsets of a group with members live as long as the group (but see below); an
      // empty group's offsets count from when it became empty; a group that only ever
      // committed (no protocol) counts from each commit. An explicit expiry (OffsetCommit v2-4) wins.
      // A Stable consumer group loses, like in Kafka (KIP-211), the offsets of topics none of its members subscribes to any more.
      let unsubscribed: ((topic: string) => boolean) | null = null;
      if (group.is("Stable") && group.protocolType === "consumer") {
        const subscribed = this.subscribedTopics(group);
        unsubscribed = (topic) => !subscribed.has(topic);
      } else if (!group.is("Empty")) continue;
      const removed: Array<{ topic: string; partition: number }> = [];
      for (const [key, committed] of group.offsets) {
        if (unsubscribed && !unsubscribed(splitOffsetKey(key).topic)) continue;
        const baseMs = group.protocolType === null || unsubscribed ? committed.commitTimestampMs : group.stateChangedMs;
        const due = committed.expireTimestampMs >= 0 ? now >= committed.expireTimestampMs : now - baseMs >= retentionMs;
        if (due) removed.push(splitOffsetKey(key));
      }
      try {
        this.removeOffsets(group, removed);
        expired += removed.length;
        if (group.offsets.size === 0 && group.is("Empty")) this.removeGroup(group);
      } catch (failure) {
        this.logger.error("expiring offsets failed", { group: group.groupId, error: failure });
      }
    }
    if (expired > 0) this.logger.info("expired committed offsets", { offsets: expired });
    return expired;
  }

  private scheduleExpiry(): void {
    if (this.stopped) return;
    this.cancelExpiry = this.scheduler.schedule(Math.min(OFFSETS_RETENTION_CHECK_INTERVAL_MS, this.config().offsetsRetentionMs), () => {
      this.expireOffsets();
      this.scheduleExpiry();
    });
  }

  /** Offsets of a deleted topic go too, as in Kafka. */
  topicDeleted(topic: string): void {
    for (const group of this.groups.values()) {
      const removed = [...group.offsets.keys()].map(splitOffsetKey).filter((entry) => entry.topic === topic);
      try {
        this.removeOffsets(group, removed);
      } catch (failure) {
        this.logger.error("removing offsets of a deleted topic failed", { group: group.groupId, topic, error: failure });
      }
    }
  }

  /** Writes the group's metadata record (generation, protocol, members and assignments). */
  private storeGroup(group: Group): void {
    this.log.append(group.groupId, [
      {
        key: encodeGroupKey(group.groupId),
        value: encodeGroupValue({
          protocolType: group.protocolType ?? "",
          generation: group.generationId,
          protocol: group.protocolName,
          leader: group.leaderId,
          currentStateTimestampMs: group.stateChangedMs,
          members: [...group.members.values()].map((member) => ({
            memberId: member.memberId,
            groupInstanceId: member.groupInstanceId,
            clientId: member.clientId,
            clientHost: member.clientHost,
            rebalanceTimeoutMs: member.rebalanceTimeoutMs,
            sessionTimeoutMs: member.sessionTimeoutMs,
            subscription: group.metadataOf(member),
            assignment: member.assignment,
          })),
        }),
      },
    ]);
  }

  private storeGroupQuietly(group: Group): void {
    try {
      this.storeGroup(group);
    } catch (error) {
      this.logger.error("storing group metadata failed", { group: group.groupId, error });
    }
  }

  /** For tests and the console: the state of a group, or undefined. */
  stateOf(groupId: string): string | undefined {
    return this.groups.get(groupId)?.state.kind;
  }
}
