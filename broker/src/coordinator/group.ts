import type { Cancel } from "../runtime/scheduler";

/** What a JoinGroup waits for; the handler turns it into the response of its version. */
export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Filled for the leader only. */
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface MemberProtocol {
  name: string;
  metadata: Buffer;
}

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
  assignment: Buffer;
  /** Set while a JoinGroup waits for the rebalance to complete. */
  awaitingJoin: ((result: JoinResult) => void) | null;
  /** Set while a SyncGroup waits for the leader's assignment. */
  awaitingSync: ((result: SyncResult) => void) | null;
  cancelHeartbeat: Cancel | null;
}

/**
 * Kafka's classic group states. PreparingRebalance carries the pending join
 * deadline: the initial delay (group.initial.rebalance.delay.ms) of a group
 * that was empty, which new arrivals extend up to the rebalance timeout, or
 * the plain rebalance timeout.
 */
export type GroupState =
  | { kind: "Empty" }
  | {
      kind: "PreparingRebalance";
      cancelJoinTimer: Cancel;
      /** Non-null while the initial delay runs: the join completes only at its end. */
      initialDelay: { delayMs: number; remainingMs: number; newMemberAdded: boolean } | null;
    }
  | { kind: "CompletingRebalance" }
  | { kind: "Stable" }
  | { kind: "Dead" };

export type GroupStateName = GroupState["kind"];

export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
  expireTimestampMs: number;
}

/** `topic\0partition`: one committed offset slot. */
export function offsetKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export function splitOffsetKey(key: string): { topic: string; partition: number } {
  const at = key.lastIndexOf("\u0000");
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

/** One consumer group: members, generation and committed offsets. The GroupCoordinator is its only writer. */
export class Group {
  state: GroupState = { kind: "Empty" };
  generationId = 0;
  /** null until the first member joins, "" for groups that only commit offsets (simple consumers, admin tools). */
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet, with their expiry. */
  readonly pendingMembers = new Map<string, Cancel>();
  /** group.instance.id -> member id of static members. */
  readonly staticMembers = new Map<string, string>();
  readonly offsets = new Map<string, CommittedOffset>();
  /** When the group last changed state (Kafka's currentStateTimestamp): the base of offset expiry once Empty. */
  stateChangedMs: number;

  constructor(
    readonly groupId: string,
    readonly partition: number,
    nowMs: number,
  ) {
    this.stateChangedMs = nowMs;
  }

  is(kind: GroupStateName): boolean {
    return this.state.kind === kind;
  }

  transition(next: GroupState, nowMs: number): void {
    const allowed: Record<GroupStateName, readonly GroupStateName[]> = {
      Empty: ["PreparingRebalance"],
      PreparingRebalance: ["CompletingRebalance", "Empty"],
      CompletingRebalance: ["Stable", "PreparingRebalance"],
      Stable: ["PreparingRebalance"],
      Dead: [],
    };
    const from = this.state.kind;
    // Any live state may die (group deleted, offsets expired, coordinator unloaded); the rest follows Kafka's graph.
    if (next.kind === "Dead" ? from === "Dead" : !allowed[from].includes(next.kind))
      throw new Error(`group ${this.groupId}: illegal transition ${from} -> ${next.kind}`);
    this.state = next;
    this.stateChangedMs = nowMs;
  }

  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const member of this.members.values()) max = Math.max(max, member.rebalanceTimeoutMs);
    return max;
  }

  /** Every known member has a JoinGroup waiting and nobody holds a pending member id. */
  get allMembersJoined(): boolean {
    let joined = 0;
    for (const member of this.members.values()) if (member.awaitingJoin) joined++;
    return joined === this.members.size && this.pendingMembers.size === 0;
  }

  addMember(member: Member): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    if (this.leaderId === null) this.leaderId = member.memberId;
  }

  removeMember(memberId: string): Member | undefined {
    const member = this.members.get(memberId);
    if (!member) return undefined;
    member.cancelHeartbeat?.();
    member.cancelHeartbeat = null;
    this.members.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId)
      this.staticMembers.delete(member.groupInstanceId);
    if (this.leaderId === memberId) this.leaderId = this.pickLeader();
    return member;
  }

  /** A new leader after the old one left: a member that already rejoined, else any. */
  private pickLeader(): string | null {
    for (const member of this.members.values()) if (member.awaitingJoin) return member.memberId;
    return this.members.keys().next().value ?? null;
  }

  /** The group accepts a member only with the same protocol type and a protocol every member supports. */
  supportsProtocols(protocolType: string, protocols: readonly MemberProtocol[]): boolean {
    if (this.members.size === 0) return protocolType.length > 0 && protocols.length > 0;
    if (this.protocolType !== protocolType) return false;
    const candidates = this.candidateProtocols();
    return protocols.some((protocol) => candidates.has(protocol.name));
  }

  private candidateProtocols(): Set<string> {
    let candidates: string[] | null = null;
    for (const member of this.members.values()) {
      const names = new Set<string>(member.protocols.map((protocol) => protocol.name));
      candidates = candidates === null ? [...names] : candidates.filter((name: string) => names.has(name));
    }
    return new Set<string>(candidates ?? []);
  }

  /** Kafka's vote: each member votes for the first of its protocols all members support; most votes wins. */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const member of this.members.values()) {
      const choice = member.protocols.find((protocol) => candidates.has(protocol.name));
      if (choice) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best: string | null = null;
    for (const [name, count] of votes) if (best === null || count > votes.get(best)!) best = name;
    if (best === null) throw new Error(`group ${this.groupId}: no protocol shared by all members`);
    return best;
  }

  /** The member's metadata for the group's current protocol. */
  metadataOf(member: Member): Buffer {
    return member.protocols.find((protocol) => protocol.name === this.protocolName)?.metadata ?? Buffer.alloc(0);
  }

  /** Whether a rejoining member asks for exactly what it had. */
  static sameProtocols(member: Member, protocols: readonly MemberProtocol[]): boolean {
    return (
      member.protocols.length === protocols.length &&
      member.protocols.every((protocol, i) => protocol.name === protocols[i].name && protocol.metadata.equals(protocols[i].metadata))
    );
  }
}
