import { ErrorCode } from "../protocol/errors";
import type { Logger } from "../runtime/logger";
import type { RandomBytes } from "../runtime/random";
import type { Scheduler } from "../runtime/scheduler";
import { Group, type GroupState, type JoinResult, type Member, type MemberProtocol, type SyncResult } from "./group";
import type { CoordinatorConfig, GroupRegistry } from "./group-registry";
import type { CommitRequest, OffsetStore } from "./offset-store";

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

const EMPTY = Buffer.alloc(0);

/** Kafka's member id: the client id, a dash and a random (version 4) UUID, here drawn from the given source. */
export function newMemberId(clientId: string, random: RandomBytes): string {
  const bytes = Buffer.from(random(16)); // a copy: the version and variant bits are set on it
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${clientId}-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function joinError(errorCode: number, memberId: string): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: "", memberId, members: [] };
}

function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

/**
 * Kafka's classic group membership: JoinGroup, SyncGroup, Heartbeat and
 * LeaveGroup, the rebalances they drive and the session timeouts that end
 * members who stop heartbeating. Everything is synchronous from check to
 * write; JoinGroup/SyncGroup return promises that a later event (the last
 * member joining, the leader's assignment, a timeout) resolves.
 */
export class GroupMembership {
  constructor(
    private readonly registry: GroupRegistry,
    private readonly offsets: OffsetStore,
    private readonly scheduler: Scheduler,
    private readonly config: () => CoordinatorConfig,
    private readonly logger: Logger,
    /** Where member ids come from. */
    private readonly random: RandomBytes,
  ) {}

  private get nowMs(): number {
    return this.scheduler.clock.nowMs();
  }

  join(request: JoinRequest): Promise<JoinResult> {
    const error = this.registry.servingError(request.groupId);
    if (error !== null) return Promise.resolve(joinError(error, request.memberId));
    const { groupMinSessionTimeoutMs, groupMaxSessionTimeoutMs } = this.config();
    if (request.sessionTimeoutMs < groupMinSessionTimeoutMs || request.sessionTimeoutMs > groupMaxSessionTimeoutMs)
      return Promise.resolve(joinError(ErrorCode.INVALID_SESSION_TIMEOUT, request.memberId));

    let group = this.registry.get(request.groupId);
    if (!group) {
      if (request.memberId !== "") return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, request.memberId));
      group = this.registry.create(request.groupId, this.nowMs);
      if (!group) return Promise.resolve(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, request.memberId));
    }
    if (group.is("Dead")) return Promise.resolve(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, request.memberId));
    if (!group.supportsProtocols(request.protocolType, request.protocols))
      return Promise.resolve(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, request.memberId));
    const target = group;
    return new Promise((resolve) =>
      request.memberId === "" ? this.joinUnknownMember(target, request, resolve) : this.joinKnownMember(target, request, resolve),
    );
  }

  private joinUnknownMember(group: Group, request: JoinRequest, resolve: (result: JoinResult) => void): void {
    const memberId = newMemberId(request.clientId, this.random);
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
      const answer = this.joinResultFor(group, member);
      // Answered once the new member id is committed, so that a restart knows the id the member was told.
      void this.offsets.storeGroup(group).then((errorCode) => resolve(errorCode === null ? answer : joinError(errorCode, member.memberId)));
      return;
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
    // As Kafka's tryCompleteElseWatch: a group whose last member just left is Empty before the next request sees it.
    this.tryCompleteJoin(group);
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
      this.offsets.storeGroupQuietly(group);
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
    const error = this.registry.servingError(request.groupId);
    if (error !== null) return Promise.resolve(syncError(error));
    const group = this.registry.get(request.groupId);
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
    const generation = group.generationId;
    void this.offsets.storeGroup(group).then((errorCode) => {
      // A rebalance (or an unload) that came while the write was in flight has answered the members already.
      if (!group.is("CompletingRebalance") || group.generationId !== generation) return;
      if (errorCode !== null) {
        this.logger.error("storing group assignment failed", { group: group.groupId, errorCode });
        this.resetAssignments(group, errorCode);
        this.prepareRebalance(group);
        return;
      }
      group.transition({ kind: "Stable" }, this.nowMs);
      for (const member of group.members.values()) {
        const resolve = member.awaitingSync;
        member.awaitingSync = null;
        resolve?.(this.syncResultFor(group, member));
      }
    });
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
    const error = this.registry.servingError(request.groupId);
    if (error !== null) return error;
    const group = this.registry.get(request.groupId);
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
    const error = this.registry.servingError(groupId);
    if (error !== null) return { errorCode: error, members: [] };
    const group = this.registry.get(groupId);
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

  scheduleHeartbeat(group: Group, member: Member): void {
    member.cancelHeartbeat?.();
    if (this.registry.stopped) return;
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

  /** Kafka's rules for who may commit (a commit counts as a heartbeat): admin/simple commits only to empty groups, members only in their generation. */
  commitError(group: Group, request: CommitRequest): number | null {
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

  /** Starts the session timers of a group just loaded from the log. */
  resumeSessions(group: Group): void {
    for (const member of group.members.values()) this.scheduleHeartbeat(group, member);
  }

  /**
   * Stops every timer of a group this node no longer serves and answers its
   * waiting JoinGroup and SyncGroup requests with `errorCode`; the group is
   * Dead to anything still holding it.
   */
  abandon(group: Group, errorCode: number): void {
    if (group.state.kind === "PreparingRebalance") group.state.cancelJoinTimer();
    for (const cancel of group.pendingMembers.values()) cancel();
    group.pendingMembers.clear();
    for (const member of group.members.values()) {
      member.cancelHeartbeat?.();
      member.cancelHeartbeat = null;
      const join = member.awaitingJoin;
      const sync = member.awaitingSync;
      member.awaitingJoin = null;
      member.awaitingSync = null;
      join?.(joinError(errorCode, member.memberId));
      sync?.(syncError(errorCode));
    }
    if (!group.is("Dead")) group.transition({ kind: "Dead" }, this.nowMs);
  }
}
