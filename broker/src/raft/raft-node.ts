import { ErrorCode } from "../protocol/errors";
import type { DescribeQuorumResponsePartitionData, FetchResponsePartitionData, FetchSnapshotResponsePartitionSnapshot } from "../protocol/generated";
import { decodeRecordBatches, encodeRecordBatch } from "../protocol/records/record-batch";
import type { RandomBytes } from "../runtime/random";
import { batchEndOffset, type LogBatch, type RaftLog, type Snapshot } from "./log";
import {
  beginQuorumEpochRequest,
  beginQuorumEpochResponse,
  emptyFetchPartition,
  endQuorumEpochRequest,
  endQuorumEpochResponse,
  fetchRequest,
  fetchResponse,
  fetchSnapshotRequest,
  fetchSnapshotResponse,
  NO_DIRECTORY_ID,
  voteRequest,
  voteResponse,
  type Envelope,
  type RaftMessage,
} from "./messages";
import type { ElectionState, QuorumStateStore } from "./quorum-state-store";

/**
 * One node of a Raft quorum over Kafka's RPCs (KRaft, KIP-595, with the
 * pre-vote of KIP-996 and the snapshots of KIP-630), as a pure state
 * machine: `handle` and `tick` take the time and return the messages to
 * send; the log, the quorum-state file and randomness are passed in. No
 * timers, no sockets: whoever drives it decides when time passes and how
 * messages travel, which is what makes the simulator deterministic.
 */

export type RaftRole = "unattached" | "prospective" | "candidate" | "leader" | "follower" | "resigned";

export interface RaftConfig {
  /** Kafka's controller.quorum.election.timeout.ms: the base of the randomized election timeout. */
  electionTimeoutMs: number;
  /** Kafka's controller.quorum.fetch.timeout.ms: a follower that hears nothing from its leader this long starts an election. */
  fetchTimeoutMs: number;
  /** A request that gets no answer this long is sent again. */
  requestTimeoutMs: number;
  /** Pause between fetches that brought nothing new (our stand-in for a long poll). */
  fetchBackoffMs: number;
  /** Batches per fetch response. */
  maxBatchesPerFetch: number;
  /** Bytes per FetchSnapshot chunk. */
  snapshotChunkBytes: number;
}

export const DEFAULT_RAFT_CONFIG: RaftConfig = {
  electionTimeoutMs: 1000,
  fetchTimeoutMs: 2000,
  requestTimeoutMs: 500,
  fetchBackoffMs: 50,
  maxBatchesPerFetch: 16,
  snapshotChunkBytes: 64 * 1024,
};

export interface LeaderAndEpoch {
  readonly leaderId: number;
  readonly epoch: number;
}

export interface RaftListener {
  /** Committed batches, in log order, each once per node incarnation (control batches are left out). */
  onCommit?(batches: readonly LogBatch[]): void;
  /** The node loaded a snapshot fetched from the leader; batches after it follow through onCommit. */
  onSnapshotLoaded?(snapshot: Snapshot): void;
  onLeaderChange?(leader: LeaderAndEpoch): void;
  /** This node stopped leading (it resigned); its epoch and leader stay until another leader is elected. */
  onResigned?(epoch: number): void;
}

export class NotLeaderError extends Error {
  override readonly name = "NotLeaderError";
  readonly code = ErrorCode.NOT_LEADER_OR_FOLLOWER;
  constructor(readonly leader: LeaderAndEpoch) {
    super(`not the leader (leader ${leader.leaderId} in epoch ${leader.epoch})`);
  }
}

interface ReplicaProgress {
  /** -1 until the replica has fetched in this epoch from a position the leader validated. */
  endOffset: number;
  lastFetchMs: number;
  lastCaughtUpMs: number;
}

interface PendingRequest {
  correlationId: number;
  sentMs: number;
}

interface SnapshotDownload {
  endOffset: number;
  epoch: number;
  chunks: Buffer[];
  position: number;
}

const NO_LEADER = -1;

export class RaftNode {
  readonly nodeId: number;
  readonly voters: readonly number[];
  private readonly config: RaftConfig;
  private readonly log: RaftLog;
  private readonly store: QuorumStateStore;
  private readonly random: RandomBytes;
  private readonly listener: RaftListener;

  private roleValue: RaftRole = "unattached";
  private epochValue = 0;
  private votedId = -1;
  private leaderIdValue = NO_LEADER;
  private correlationSeq = 0;
  /** When the current election (or pre-vote round) gives up; also when an unattached voter starts one. */
  private electionDeadlineMs = 0;
  /** Votes granted in the current pre-vote round (prospective) or election (candidate). */
  private granted = new Set<number>();
  private rejected = new Set<number>();
  private voteRequests = new Map<number, PendingRequest>();
  // Follower and observer state.
  private lastLeaderContactMs = 0;
  private inFlightFetch: PendingRequest | null = null;
  private nextFetchMs = 0;
  private download: SnapshotDownload | null = null;
  private observerTarget = 0;
  // Leader state.
  private progress = new Map<number, ReplicaProgress>();
  private epochStartOffset = 0;
  private beginEpochAcked = new Set<number>();
  private nextBeginEpochMs = 0;
  private resignedPreferred: number[] = [];
  /** Everything below this has been handed to onCommit (or arrived in a snapshot). */
  private notifiedOffset = 0;
  private started = false;
  private announced: LeaderAndEpoch | null = null;

  constructor(options: { nodeId: number; voters: readonly number[]; log: RaftLog; store: QuorumStateStore; random: RandomBytes; config?: Partial<RaftConfig>; listener?: RaftListener }) {
    this.nodeId = options.nodeId;
    this.voters = [...options.voters];
    this.config = { ...DEFAULT_RAFT_CONFIG, ...options.config };
    this.log = options.log;
    this.store = options.store;
    this.random = options.random;
    this.listener = options.listener ?? {};
  }

  get role(): RaftRole {
    return this.roleValue;
  }
  get epoch(): number {
    return this.epochValue;
  }
  get leaderId(): number {
    return this.leaderIdValue;
  }
  /** Offset the next record appended to this node's log takes. */
  get logEndOffset(): number {
    return this.log.endOffset;
  }
  get highWatermark(): number {
    return this.log.highWatermark;
  }
  get isVoter(): boolean {
    return this.voters.includes(this.nodeId);
  }
  get votedFor(): number {
    return this.votedId;
  }

  /** Reads the persisted election state and takes up the role it implies (never leader: a restarted leader is resigned). */
  start(now: number): Envelope[] {
    if (this.started) throw new Error("a RaftNode starts once");
    this.started = true;
    const state = this.store.read();
    this.epochValue = state.epoch;
    this.votedId = state.votedId;
    this.leaderIdValue = state.leaderId;
    this.notifiedOffset = this.log.startOffset;
    const snapshot = this.log.latestSnapshot();
    if (snapshot) this.listener.onSnapshotLoaded?.(snapshot);
    if (state.leaderId === this.nodeId) {
      // We led this epoch before the crash; we may not lead it again, and we must not vote in it either.
      this.roleValue = "resigned";
      this.resignedPreferred = [];
      this.electionDeadlineMs = now + this.randomElectionTimeout();
    } else if (state.leaderId !== NO_LEADER) {
      this.becomeFollowerRole(state.leaderId, now);
    } else {
      this.roleValue = "unattached";
      this.electionDeadlineMs = now + this.randomElectionTimeout();
    }
    this.announceLeader();
    return this.tick(now);
  }

  // ---------------------------------------------------------------------
  // Time

  tick(now: number): Envelope[] {
    const out: Envelope[] = [];
    switch (this.roleValue) {
      case "unattached":
        if (this.isVoter && now >= this.electionDeadlineMs) this.becomeProspective(now, out);
        else if (!this.isVoter) this.maybeFetch(now, out);
        break;
      case "prospective":
      case "candidate":
        if (now >= this.electionDeadlineMs) this.becomeProspective(now, out);
        else {
          this.resendVoteRequests(now, out);
          // A prospective that knows a leader keeps fetching from it: if the leader answers, it was only us who were cut off.
          if (this.roleValue === "prospective" && this.leaderIdValue !== NO_LEADER && this.leaderIdValue !== this.nodeId) this.maybeFetch(now, out);
        }
        break;
      case "resigned":
        if (now >= this.electionDeadlineMs) this.becomeProspective(now, out);
        else if (now >= this.nextBeginEpochMs) {
          this.nextBeginEpochMs = now + this.config.requestTimeoutMs;
          this.sendEndQuorumEpoch(out);
        }
        break;
      case "follower":
        if (this.isVoter && now - this.lastLeaderContactMs >= this.config.fetchTimeoutMs) this.becomeProspective(now, out);
        else if (!this.isVoter && now - this.lastLeaderContactMs >= this.config.fetchTimeoutMs) this.forgetLeader(now);
        else this.maybeFetch(now, out);
        break;
      case "leader":
        this.leaderTick(now, out);
        break;
    }
    return out;
  }

  private randomElectionTimeout(): number {
    const jitter = this.random(4).readUInt32BE(0) / 0x100000000;
    return this.config.electionTimeoutMs + Math.floor(jitter * this.config.electionTimeoutMs);
  }

  // ---------------------------------------------------------------------
  // Transitions. Every one that changes the epoch, the vote or the leader
  // writes quorum-state first, so that no answer given depends on state a
  // crash could lose.

  private persist(state: ElectionState): void {
    this.store.write(state);
    this.epochValue = state.epoch;
    this.votedId = state.votedId;
    this.leaderIdValue = state.leaderId;
    this.announceLeader();
  }

  private resetRoleState(): void {
    this.granted = new Set();
    this.rejected = new Set();
    this.voteRequests = new Map();
    this.inFlightFetch = null;
    this.download = null;
    this.progress = new Map();
    this.beginEpochAcked = new Set();
  }

  /** A message showed a higher epoch, or named the leader of ours: take it up, as follower when the leader is known. */
  private observeEpoch(epoch: number, leaderId: number, now: number): void {
    if (epoch < this.epochValue) return;
    if (epoch === this.epochValue) {
      if (leaderId === NO_LEADER || leaderId === this.nodeId) return;
      if (this.leaderIdValue !== NO_LEADER && this.leaderIdValue !== leaderId) {
        throw new Error(`node ${this.nodeId}: two leaders in epoch ${epoch}: ${this.leaderIdValue} and ${leaderId}`);
      }
      if (this.roleValue === "follower") return;
      // Our vote in this epoch stays recorded: we may have given it before learning of the leader.
      this.resetRoleState();
      this.persist({ epoch, votedId: this.votedId, leaderId });
      this.becomeFollowerRole(leaderId, now);
      return;
    }
    this.resetRoleState();
    this.persist({ epoch, votedId: -1, leaderId });
    if (leaderId === NO_LEADER) {
      this.roleValue = "unattached";
      this.electionDeadlineMs = now + this.randomElectionTimeout();
    } else {
      this.becomeFollowerRole(leaderId, now);
    }
  }

  private becomeFollowerRole(leaderId: number, now: number): void {
    this.roleValue = leaderId === this.nodeId ? "resigned" : "follower";
    this.lastLeaderContactMs = now;
    this.inFlightFetch = null;
    this.nextFetchMs = now;
  }

  private forgetLeader(now: number): void {
    // An observer that lost its leader asks the voters again; its epoch and the file stay as they are.
    this.roleValue = "unattached";
    this.leaderIdValue = NO_LEADER;
    this.inFlightFetch = null;
    this.nextFetchMs = now;
    this.announceLeader();
  }

  /** Tells the listener when the (leader, epoch) pair it last heard of changes. */
  private announceLeader(): void {
    if (this.announced && this.announced.leaderId === this.leaderIdValue && this.announced.epoch === this.epochValue) return;
    this.announced = { leaderId: this.leaderIdValue, epoch: this.epochValue };
    this.listener.onLeaderChange?.(this.announced);
  }

  /**
   * Pre-vote (KIP-996): ask the voters whether they would vote for us in the
   * next epoch, without changing anyone's epoch. A node cut off from the
   * quorum keeps asking and never bumps the epoch, so it cannot depose a
   * healthy leader when it comes back.
   */
  private becomeProspective(now: number, out: Envelope[]): void {
    if (!this.isVoter) return;
    this.resetRoleState();
    this.roleValue = "prospective";
    this.electionDeadlineMs = now + this.randomElectionTimeout();
    this.granted.add(this.nodeId);
    if (this.hasMajority(this.granted)) {
      this.becomeCandidate(now, out);
      return;
    }
    this.resendVoteRequests(now, out);
  }

  private becomeCandidate(now: number, out: Envelope[]): void {
    this.resetRoleState();
    this.persist({ epoch: this.epochValue + 1, votedId: this.nodeId, leaderId: NO_LEADER });
    this.roleValue = "candidate";
    this.electionDeadlineMs = now + this.randomElectionTimeout();
    this.granted.add(this.nodeId);
    if (this.hasMajority(this.granted)) {
      this.becomeLeader(now, out);
      return;
    }
    this.resendVoteRequests(now, out);
  }

  private becomeLeader(now: number, out: Envelope[]): void {
    this.resetRoleState();
    this.persist({ epoch: this.epochValue, votedId: this.votedId, leaderId: this.nodeId });
    this.roleValue = "leader";
    for (const voter of this.voters) this.progress.set(voter, { endOffset: -1, lastFetchMs: now, lastCaughtUpMs: -1 });
    // The marker batch of the new epoch: entries of earlier epochs commit only under one of ours (Raft's rule).
    this.epochStartOffset = this.log.endOffset;
    this.log.append({ baseOffset: this.log.endOffset, epoch: this.epochValue, control: true, records: [Buffer.from(`leader ${this.nodeId}`)] });
    this.progress.set(this.nodeId, { endOffset: this.log.endOffset, lastFetchMs: now, lastCaughtUpMs: now });
    this.nextBeginEpochMs = now;
    // A quorum of one commits its marker (and the log before it) at once: no fetch would ever come to advance it.
    this.advanceHighWatermark(now);
    this.notifyCommitted();
    this.leaderTick(now, out);
  }

  /** Gives up leadership (controlled shutdown, or a leader that lost its quorum): the voters are told to elect another. */
  resign(now: number): Envelope[] {
    const out: Envelope[] = [];
    if (this.roleValue !== "leader") return out;
    this.resignedPreferred = this.voters
      .filter((voter) => voter !== this.nodeId)
      .sort((a, b) => (this.progress.get(b)?.endOffset ?? -1) - (this.progress.get(a)?.endOffset ?? -1));
    this.resetRoleState();
    this.roleValue = "resigned";
    this.electionDeadlineMs = now + this.randomElectionTimeout();
    this.nextBeginEpochMs = now + this.config.requestTimeoutMs;
    this.sendEndQuorumEpoch(out);
    this.listener.onResigned?.(this.epochValue);
    return out;
  }

  private hasMajority(votes: ReadonlySet<number>): boolean {
    let count = 0;
    for (const voter of this.voters) if (votes.has(voter)) count++;
    return count * 2 > this.voters.length;
  }

  private send(out: Envelope[], to: number, message: RaftMessage): number {
    const correlationId = ++this.correlationSeq;
    out.push({ from: this.nodeId, to, correlationId, message });
    return correlationId;
  }

  private reply(out: Envelope[], request: Envelope, message: RaftMessage): void {
    out.push({ from: this.nodeId, to: request.from, correlationId: request.correlationId, message });
  }

  private resendVoteRequests(now: number, out: Envelope[]): void {
    const preVote = this.roleValue === "prospective";
    for (const voter of this.voters) {
      if (voter === this.nodeId || this.granted.has(voter) || this.rejected.has(voter)) continue;
      const pending = this.voteRequests.get(voter);
      if (pending && now - pending.sentMs < this.config.requestTimeoutMs) continue;
      const body = voteRequest({
        candidateId: this.nodeId,
        voterId: voter,
        candidateEpoch: preVote ? this.epochValue + 1 : this.epochValue,
        lastOffsetEpoch: this.log.lastEpoch,
        lastOffset: this.log.endOffset,
      });
      const correlationId = this.send(out, voter, { kind: "VoteRequest", preVote, body });
      this.voteRequests.set(voter, { correlationId, sentMs: now });
    }
  }

  private sendEndQuorumEpoch(out: Envelope[]): void {
    // Resent on every tick while resigned; the voters' answers are not needed for anything.
    if (this.leaderIdValue !== this.nodeId) return;
    for (const voter of this.voters) {
      if (voter === this.nodeId || this.beginEpochAcked.has(voter)) continue;
      const body = endQuorumEpochRequest({ leaderId: this.nodeId, leaderEpoch: this.epochValue, preferredSuccessors: this.resignedPreferred });
      this.send(out, voter, { kind: "EndQuorumEpochRequest", body });
    }
  }

  // ---------------------------------------------------------------------
  // Messages

  handle(envelope: Envelope, now: number): Envelope[] {
    if (!this.started) throw new Error("a RaftNode handles messages only after start()");
    const out: Envelope[] = [];
    const message = envelope.message;
    switch (message.kind) {
      case "VoteRequest":
        this.handleVoteRequest(envelope, message.preVote, now, out);
        break;
      case "VoteResponse":
        this.handleVoteResponse(envelope, message.preVote, now, out);
        break;
      case "BeginQuorumEpochRequest":
        this.handleBeginQuorumEpoch(envelope, now, out);
        break;
      case "BeginQuorumEpochResponse": {
        const partition = message.body.topics[0]?.partitions[0];
        if (!partition) break;
        this.observeEpoch(partition.leaderEpoch, partition.leaderId, now);
        if (this.roleValue === "leader" && partition.leaderEpoch === this.epochValue) this.beginEpochAcked.add(envelope.from);
        break;
      }
      case "EndQuorumEpochRequest":
        this.handleEndQuorumEpoch(envelope, now, out);
        break;
      case "EndQuorumEpochResponse": {
        const partition = message.body.topics[0]?.partitions[0];
        if (partition) this.observeEpoch(partition.leaderEpoch, partition.leaderId, now);
        if (this.roleValue === "resigned") this.beginEpochAcked.add(envelope.from);
        break;
      }
      case "FetchRequest":
        this.handleFetchRequest(envelope, now, out);
        break;
      case "FetchResponse":
        this.handleFetchResponse(envelope, now, out);
        break;
      case "FetchSnapshotRequest":
        this.handleFetchSnapshotRequest(envelope, out);
        break;
      case "FetchSnapshotResponse":
        this.handleFetchSnapshotResponse(envelope, now, out);
        break;
    }
    this.notifyCommitted();
    return out;
  }

  /** Whether a candidate's log ends at least where ours does (Raft's up-to-date rule, by epoch then offset). */
  private candidateLogIsUpToDate(lastOffsetEpoch: number, lastOffset: number): boolean {
    if (lastOffsetEpoch !== this.log.lastEpoch) return lastOffsetEpoch > this.log.lastEpoch;
    return lastOffset >= this.log.endOffset;
  }

  private handleVoteRequest(envelope: Envelope, preVote: boolean, now: number, out: Envelope[]): void {
    const request = envelope.message.kind === "VoteRequest" ? envelope.message.body : null;
    const partition = request?.topics[0]?.partitions[0];
    if (!partition) return;
    const candidateId = partition.candidateId;
    const candidateEpoch = partition.candidateEpoch;
    const answer = (errorCode: number, voteGranted: boolean) =>
      this.reply(out, envelope, { kind: "VoteResponse", preVote, body: voteResponse({ errorCode, leaderId: this.leaderIdValue, leaderEpoch: this.epochValue, voteGranted }) });
    if (!this.voters.includes(candidateId) || !this.isVoter) {
      answer(ErrorCode.INCONSISTENT_VOTER_SET, false);
      return;
    }
    const logOk = this.candidateLogIsUpToDate(partition.lastOffsetEpoch, Number(partition.lastOffset));
    if (preVote) {
      // A pre-vote changes nothing here. Refuse it while our leader is alive
      // (we heard from it within the fetch timeout), so that a node that was
      // cut off cannot start an election against a working quorum.
      const leaderAlive = (this.roleValue === "follower" && now - this.lastLeaderContactMs < this.config.fetchTimeoutMs) || this.roleValue === "leader";
      let grant = logOk && !leaderAlive && candidateEpoch >= this.epochValue;
      if (candidateEpoch === this.epochValue && this.votedId !== -1 && this.votedId !== candidateId) grant = false;
      answer(candidateEpoch < this.epochValue ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.NONE, grant);
      return;
    }
    if (candidateEpoch < this.epochValue) {
      answer(ErrorCode.FENCED_LEADER_EPOCH, false);
      return;
    }
    if (candidateEpoch > this.epochValue) this.observeEpoch(candidateEpoch, NO_LEADER, now);
    const canVote = this.roleValue === "unattached" || this.roleValue === "prospective";
    const grant = canVote && logOk && (this.votedId === -1 || this.votedId === candidateId);
    if (grant && this.votedId !== candidateId) {
      this.persist({ epoch: this.epochValue, votedId: candidateId, leaderId: NO_LEADER });
      this.roleValue = "unattached";
      this.resetRoleState();
    }
    if (grant) this.electionDeadlineMs = now + this.randomElectionTimeout();
    answer(ErrorCode.NONE, grant);
  }

  private handleVoteResponse(envelope: Envelope, preVote: boolean, now: number, out: Envelope[]): void {
    const response = envelope.message.kind === "VoteResponse" ? envelope.message.body : null;
    const partition = response?.topics[0]?.partitions[0];
    if (!partition) return;
    if (partition.leaderEpoch > this.epochValue) {
      this.observeEpoch(partition.leaderEpoch, partition.leaderId, now);
      return;
    }
    const pending = this.voteRequests.get(envelope.from);
    if (!pending || pending.correlationId !== envelope.correlationId) return;
    const expectedRole = preVote ? "prospective" : "candidate";
    if (this.roleValue !== expectedRole) return;
    if (!preVote && partition.leaderEpoch !== this.epochValue) return;
    if (partition.voteGranted) this.granted.add(envelope.from);
    else this.rejected.add(envelope.from);
    if (this.hasMajority(this.granted)) {
      if (preVote) this.becomeCandidate(now, out);
      else this.becomeLeader(now, out);
    }
  }

  private handleBeginQuorumEpoch(envelope: Envelope, now: number, out: Envelope[]): void {
    const request = envelope.message.kind === "BeginQuorumEpochRequest" ? envelope.message.body : null;
    const partition = request?.topics[0]?.partitions[0];
    if (!partition) return;
    if (!this.voters.includes(partition.leaderId)) {
      this.reply(out, envelope, { kind: "BeginQuorumEpochResponse", body: beginQuorumEpochResponse({ errorCode: ErrorCode.INCONSISTENT_VOTER_SET, leaderId: this.leaderIdValue, leaderEpoch: this.epochValue }) });
      return;
    }
    if (partition.leaderEpoch >= this.epochValue) this.observeEpoch(partition.leaderEpoch, partition.leaderId, now);
    const errorCode = partition.leaderEpoch < this.epochValue ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.NONE;
    if (errorCode === ErrorCode.NONE && this.roleValue === "follower") this.lastLeaderContactMs = now;
    this.reply(out, envelope, { kind: "BeginQuorumEpochResponse", body: beginQuorumEpochResponse({ errorCode, leaderId: this.leaderIdValue, leaderEpoch: this.epochValue }) });
  }

  private handleEndQuorumEpoch(envelope: Envelope, now: number, out: Envelope[]): void {
    const request = envelope.message.kind === "EndQuorumEpochRequest" ? envelope.message.body : null;
    const partition = request?.topics[0]?.partitions[0];
    if (!partition) return;
    if (partition.leaderEpoch >= this.epochValue) this.observeEpoch(partition.leaderEpoch, partition.leaderId, now);
    if (partition.leaderEpoch === this.epochValue && this.roleValue === "follower" && this.leaderIdValue === partition.leaderId) {
      // The leader is stepping down: the best-placed successor starts at once, the others a little later.
      const rank = partition.preferredSuccessors.indexOf(this.nodeId);
      this.lastLeaderContactMs = now - this.config.fetchTimeoutMs + (rank <= 0 ? 0 : rank * this.config.fetchBackoffMs * 4);
    }
    this.reply(out, envelope, { kind: "EndQuorumEpochResponse", body: endQuorumEpochResponse({ errorCode: ErrorCode.NONE, leaderId: this.leaderIdValue, leaderEpoch: this.epochValue }) });
  }

  // ---------------------------------------------------------------------
  // Replication: the leader side

  private leaderTick(now: number, out: Envelope[]): void {
    // Check quorum: a leader that no majority has fetched from lately resigns, so that a partitioned leader does not linger.
    const recent = new Set<number>([this.nodeId]);
    for (const [voter, state] of this.progress) if (now - state.lastFetchMs < this.config.fetchTimeoutMs * 1.5) recent.add(voter);
    if (!this.hasMajority(recent)) {
      out.push(...this.resign(now));
      return;
    }
    if (now >= this.nextBeginEpochMs) {
      this.nextBeginEpochMs = now + this.config.requestTimeoutMs;
      for (const voter of this.voters) {
        if (voter === this.nodeId || this.beginEpochAcked.has(voter)) continue;
        this.send(out, voter, { kind: "BeginQuorumEpochRequest", body: beginQuorumEpochRequest({ voterId: voter, leaderId: this.nodeId, leaderEpoch: this.epochValue }) });
      }
    }
  }

  /** Appends records as a batch of the leader's epoch; they commit once a majority of voters has them. */
  append(records: readonly Buffer[], now: number): { baseOffset: number; lastOffset: number; epoch: number } {
    if (this.roleValue !== "leader") throw new NotLeaderError({ leaderId: this.leaderIdValue, epoch: this.epochValue });
    if (records.length === 0) throw new Error("append of no records");
    const baseOffset = this.log.endOffset;
    this.log.append({ baseOffset, epoch: this.epochValue, control: false, records: [...records] });
    const own = this.progress.get(this.nodeId);
    if (own) own.endOffset = this.log.endOffset;
    this.advanceHighWatermark(now);
    this.notifyCommitted();
    return { baseOffset, lastOffset: this.log.endOffset - 1, epoch: this.epochValue };
  }

  /** The offset a majority of voters have reached; it becomes the high watermark once it covers a batch of our own epoch. */
  private advanceHighWatermark(now: number): void {
    const ends = this.voters.map((voter) => this.progress.get(voter)?.endOffset ?? -1).sort((a, b) => b - a);
    const majorityEnd = ends[Math.floor(this.voters.length / 2)];
    if (majorityEnd > this.epochStartOffset && majorityEnd > this.log.highWatermark) {
      this.log.setHighWatermark(majorityEnd);
      for (const state of this.progress.values()) if (state.endOffset >= majorityEnd) state.lastCaughtUpMs = now;
    }
  }

  private handleFetchRequest(envelope: Envelope, now: number, out: Envelope[]): void {
    const request = envelope.message.kind === "FetchRequest" ? envelope.message.body : null;
    const partition = request?.topics[0]?.partitions[0];
    if (!request || !partition) return;
    const replicaId = request.replicaState.replicaId;
    const respond = (data: FetchResponsePartitionData) => this.reply(out, envelope, { kind: "FetchResponse", body: fetchResponse(data) });
    const base = { leaderId: this.leaderIdValue, leaderEpoch: this.epochValue, highWatermark: this.log.highWatermark, logStartOffset: this.log.startOffset };
    if (partition.currentLeaderEpoch > this.epochValue) {
      // The fetcher knows a newer epoch than we do; we learn the leader from elsewhere.
      this.observeEpoch(partition.currentLeaderEpoch, NO_LEADER, now);
      respond(emptyFetchPartition({ ...base, leaderId: this.leaderIdValue, leaderEpoch: this.epochValue, errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH }));
      return;
    }
    if (this.roleValue !== "leader") {
      respond(emptyFetchPartition({ ...base, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER }));
      return;
    }
    if (partition.currentLeaderEpoch < this.epochValue) {
      respond(emptyFetchPartition({ ...base, errorCode: ErrorCode.FENCED_LEADER_EPOCH }));
      return;
    }
    const fetchOffset = Number(partition.fetchOffset);
    const lastFetchedEpoch = partition.lastFetchedEpoch;
    const answer = emptyFetchPartition({ ...base, errorCode: ErrorCode.NONE });
    const snapshot = this.log.latestSnapshot();
    if (fetchOffset < 0) {
      respond(emptyFetchPartition({ ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE }));
      return;
    }
    const position = this.validateFetchPosition(fetchOffset, lastFetchedEpoch);
    if (position.kind === "snapshot" && snapshot) {
      answer.snapshotId = { endOffset: BigInt(snapshot.endOffset), epoch: snapshot.epoch };
      respond(answer);
      return;
    }
    if (position.kind === "diverging") {
      answer.divergingEpoch = { epoch: position.epoch, endOffset: BigInt(position.offset) };
      respond(answer);
      return;
    }
    // A position inside a batch, or past our end, is no replica's: refuse it before it touches any state.
    let batches: LogBatch[];
    try {
      if (fetchOffset > this.log.endOffset) throw new Error("past the log end");
      batches = this.log.read(fetchOffset, this.config.maxBatchesPerFetch);
    } catch {
      respond(emptyFetchPartition({ ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE }));
      return;
    }
    // The replica's log matches ours up to fetchOffset: that is how far it has the log.
    let state = this.progress.get(replicaId);
    if (!state) {
      state = { endOffset: -1, lastFetchMs: now, lastCaughtUpMs: -1 };
      this.progress.set(replicaId, state);
    }
    state.endOffset = fetchOffset;
    state.lastFetchMs = now;
    if (fetchOffset >= this.log.highWatermark) state.lastCaughtUpMs = now;
    this.beginEpochAcked.add(replicaId);
    if (this.voters.includes(replicaId)) this.advanceHighWatermark(now);
    answer.highWatermark = BigInt(this.log.highWatermark);
    answer.lastStableOffset = answer.highWatermark;
    if (batches.length > 0) answer.records = Buffer.concat(batches.map(encodeBatch));
    respond(answer);
  }

  private validateFetchPosition(fetchOffset: number, lastFetchedEpoch: number): { kind: "ok" } | { kind: "snapshot" } | { kind: "diverging"; epoch: number; offset: number } {
    if (fetchOffset < this.log.startOffset) return { kind: "snapshot" };
    if (fetchOffset === 0) return { kind: "ok" };
    if (fetchOffset > this.log.endOffset && lastFetchedEpoch === this.epochValue) {
      // Cannot happen for a replica of this epoch; treat it as divergence at our end.
      return { kind: "diverging", epoch: this.epochValue, offset: this.log.endOffset };
    }
    const end = this.log.endOffsetForEpoch(lastFetchedEpoch);
    if (!end) return this.log.latestSnapshot() ? { kind: "snapshot" } : { kind: "diverging", epoch: -1, offset: 0 };
    if (end.epoch === lastFetchedEpoch && fetchOffset <= end.offset) return { kind: "ok" };
    return { kind: "diverging", epoch: end.epoch, offset: end.offset };
  }

  private handleFetchSnapshotRequest(envelope: Envelope, out: Envelope[]): void {
    const request = envelope.message.kind === "FetchSnapshotRequest" ? envelope.message.body : null;
    const partition = request?.topics[0]?.partitions[0];
    if (!request || !partition) return;
    const answer: FetchSnapshotResponsePartitionSnapshot = {
      index: partition.partition,
      errorCode: ErrorCode.NONE,
      snapshotId: partition.snapshotId,
      currentLeader: { leaderId: this.leaderIdValue, leaderEpoch: this.epochValue },
      size: 0n,
      position: partition.position,
      unalignedRecords: null,
    };
    const snapshot = this.log.latestSnapshot();
    if (this.roleValue !== "leader") answer.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    else if (partition.currentLeaderEpoch !== this.epochValue) answer.errorCode = partition.currentLeaderEpoch < this.epochValue ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
    else if (!snapshot || snapshot.endOffset !== Number(partition.snapshotId.endOffset) || snapshot.epoch !== partition.snapshotId.epoch) answer.errorCode = ErrorCode.SNAPSHOT_NOT_FOUND;
    else if (partition.position < 0n || partition.position > BigInt(snapshot.data.length)) answer.errorCode = ErrorCode.POSITION_OUT_OF_RANGE;
    else {
      const from = Number(partition.position);
      const chunk = Math.max(1, Math.min(request.maxBytes, this.config.snapshotChunkBytes));
      answer.size = BigInt(snapshot.data.length);
      answer.unalignedRecords = snapshot.data.subarray(from, from + chunk);
    }
    this.reply(out, envelope, { kind: "FetchSnapshotResponse", body: fetchSnapshotResponse(answer) });
  }

  // ---------------------------------------------------------------------
  // Replication: the follower (and observer) side

  private fetchTarget(): number {
    if (this.leaderIdValue !== NO_LEADER && this.leaderIdValue !== this.nodeId) return this.leaderIdValue;
    // An observer that knows no leader asks the voters in turn; any of them names the leader.
    const others = this.voters.filter((voter) => voter !== this.nodeId);
    this.observerTarget = (this.observerTarget + 1) % others.length;
    return others[this.observerTarget];
  }

  private maybeFetch(now: number, out: Envelope[]): void {
    if (this.inFlightFetch && now - this.inFlightFetch.sentMs < this.config.requestTimeoutMs) return;
    if (!this.inFlightFetch && now < this.nextFetchMs) return;
    const target = this.fetchTarget();
    if (target === undefined) return;
    let correlationId: number;
    if (this.download) {
      correlationId = this.send(out, target, {
        kind: "FetchSnapshotRequest",
        body: fetchSnapshotRequest({ replicaId: this.nodeId, currentLeaderEpoch: this.epochValue, endOffset: this.download.endOffset, epoch: this.download.epoch, position: this.download.position, maxBytes: this.config.snapshotChunkBytes }),
      });
    } else {
      correlationId = this.send(out, target, {
        kind: "FetchRequest",
        body: fetchRequest({ replicaId: this.nodeId, currentLeaderEpoch: this.epochValue, fetchOffset: this.log.endOffset, lastFetchedEpoch: this.log.lastEpoch, maxWaitMs: 0 }),
      });
    }
    this.inFlightFetch = { correlationId, sentMs: now };
  }

  private takeFetchAnswer(envelope: Envelope): boolean {
    if (!this.inFlightFetch || this.inFlightFetch.correlationId !== envelope.correlationId) return false;
    this.inFlightFetch = null;
    return true;
  }

  private handleFetchResponse(envelope: Envelope, now: number, out: Envelope[]): void {
    const response = envelope.message.kind === "FetchResponse" ? envelope.message.body : null;
    const partition = response?.responses[0]?.partitions[0];
    if (!partition || !this.takeFetchAnswer(envelope)) return;
    const leader = partition.currentLeader;
    if (partition.errorCode !== ErrorCode.NONE) {
      if (leader.leaderEpoch > this.epochValue || (leader.leaderEpoch === this.epochValue && leader.leaderId !== NO_LEADER && this.leaderIdValue === NO_LEADER)) {
        this.observeEpoch(leader.leaderEpoch, leader.leaderId, now);
      }
      this.nextFetchMs = now + this.config.fetchBackoffMs;
      return;
    }
    if (leader.leaderId === envelope.from && leader.leaderEpoch >= this.epochValue) this.observeEpoch(leader.leaderEpoch, leader.leaderId, now);
    if (this.roleValue !== "follower") return;
    if (leader.leaderEpoch !== this.epochValue || envelope.from !== this.leaderIdValue) return;
    this.lastLeaderContactMs = now;
    let progressed = false;
    if (partition.snapshotId.endOffset >= 0n) {
      this.download = { endOffset: Number(partition.snapshotId.endOffset), epoch: partition.snapshotId.epoch, chunks: [], position: 0 };
      progressed = true;
    } else if (partition.divergingEpoch.endOffset >= 0n) {
      const own = this.log.endOffsetForEpoch(partition.divergingEpoch.epoch);
      const truncateTo = Math.min(Number(partition.divergingEpoch.endOffset), own ? own.offset : this.log.startOffset);
      // Never below the high watermark: what is committed is in every later leader's log (truncateTo refuses otherwise).
      this.log.truncateTo(Math.max(truncateTo, this.log.startOffset));
      progressed = true;
    } else if (partition.records && partition.records.length > 0) {
      for (const batch of decodeRecordBatches(partition.records)) {
        if (batch.baseOffset !== this.log.endOffset) break;
        this.log.append(decodeBatch(batch));
        progressed = true;
      }
    }
    // Only a fetch the leader validated makes our log a prefix of its own; after a truncation the
    // next fetch checks again (our cut may still be above the real divergence), so no high watermark yet.
    const validated = partition.snapshotId.endOffset < 0n && partition.divergingEpoch.endOffset < 0n;
    const highWatermark = Math.min(Number(partition.highWatermark), this.log.endOffset);
    if (validated && highWatermark > this.log.highWatermark) this.log.setHighWatermark(highWatermark);
    this.nextFetchMs = progressed ? now : now + this.config.fetchBackoffMs;
    this.maybeFetch(now, out);
  }

  private handleFetchSnapshotResponse(envelope: Envelope, now: number, out: Envelope[]): void {
    const response = envelope.message.kind === "FetchSnapshotResponse" ? envelope.message.body : null;
    const partition = response?.topics[0]?.partitions[0];
    if (!partition || !this.takeFetchAnswer(envelope)) return;
    const download = this.download;
    if (partition.errorCode !== ErrorCode.NONE || !download) {
      if (partition.currentLeader.leaderEpoch > this.epochValue) this.observeEpoch(partition.currentLeader.leaderEpoch, partition.currentLeader.leaderId, now);
      // The leader may have taken a newer snapshot: start over from a plain fetch.
      this.download = null;
      this.nextFetchMs = now + this.config.fetchBackoffMs;
      return;
    }
    if (Number(partition.snapshotId.endOffset) !== download.endOffset || partition.snapshotId.epoch !== download.epoch) return;
    if (Number(partition.position) !== download.position || !partition.unalignedRecords) return;
    this.lastLeaderContactMs = now;
    download.chunks.push(Buffer.from(partition.unalignedRecords));
    download.position += partition.unalignedRecords.length;
    if (download.position >= Number(partition.size)) {
      const snapshot: Snapshot = { endOffset: download.endOffset, epoch: download.epoch, data: Buffer.concat(download.chunks) };
      this.download = null;
      this.log.installSnapshot(snapshot);
      this.notifiedOffset = snapshot.endOffset;
      this.listener.onSnapshotLoaded?.(snapshot);
    }
    this.nextFetchMs = now;
    this.maybeFetch(now, out);
  }

  // ---------------------------------------------------------------------
  // Commits and snapshots

  private notifyCommitted(): void {
    const highWatermark = this.log.highWatermark;
    while (this.notifiedOffset < highWatermark) {
      const batches = this.log.read(this.notifiedOffset, 64).filter((batch) => batch.baseOffset < highWatermark);
      if (batches.length === 0) break;
      const last = batches[batches.length - 1];
      this.notifiedOffset = batchEndOffset(last);
      const application = batches.filter((batch) => !batch.control);
      if (application.length > 0) this.listener.onCommit?.(application);
    }
  }

  /**
   * Takes a snapshot of the application's state as of `endOffset` (a batch
   * end at or below the high watermark) and drops the batches it covers; a
   * replica that falls behind it is sent the snapshot instead.
   */
  snapshot(endOffset: number, data: Buffer): void {
    if (endOffset > this.notifiedOffset) throw new Error(`snapshot at ${endOffset} beyond what was committed and applied (${this.notifiedOffset})`);
    const before = this.log.read(this.log.startOffset, Number.MAX_SAFE_INTEGER).find((batch) => batchEndOffset(batch) === endOffset);
    if (!before) throw new Error(`no batch ends at ${endOffset}`);
    this.log.createSnapshot({ endOffset, epoch: before.epoch, data });
  }

  /** DescribeQuorum's partition data, as the leader sees the quorum (the console's view of the quorum). */
  describeQuorum(now: number): DescribeQuorumResponsePartitionData {
    const replica = (replicaId: number) => {
      const state = this.progress.get(replicaId);
      return {
        replicaId,
        replicaDirectoryId: NO_DIRECTORY_ID,
        logEndOffset: BigInt(replicaId === this.nodeId ? this.log.endOffset : state?.endOffset ?? -1),
        lastFetchTimestamp: BigInt(replicaId === this.nodeId ? now : state?.lastFetchMs ?? -1),
        lastCaughtUpTimestamp: BigInt(replicaId === this.nodeId ? now : state?.lastCaughtUpMs ?? -1),
      };
    };
    const isLeader = this.roleValue === "leader";
    return {
      partitionIndex: 0,
      errorCode: isLeader ? ErrorCode.NONE : ErrorCode.NOT_LEADER_OR_FOLLOWER,
      errorMessage: isLeader ? null : "this node is not the quorum leader",
      leaderId: this.leaderIdValue,
      leaderEpoch: this.epochValue,
      highWatermark: BigInt(this.log.highWatermark),
      currentVoters: isLeader ? this.voters.map(replica) : [],
      observers: isLeader ? [...this.progress.keys()].filter((id) => !this.voters.includes(id)).sort((a, b) => a - b).map(replica) : [],
    };
  }
}

/** Control bit of a record batch's attributes. */
const CONTROL_ATTRIBUTE = 0x20;

function encodeBatch(batch: LogBatch): Buffer {
  return encodeRecordBatch({
    baseOffset: batch.baseOffset,
    partitionLeaderEpoch: batch.epoch,
    isControl: batch.control,
    baseTimestamp: 0,
    records: batch.records.map((value) => ({ value })),
  });
}

function decodeBatch(batch: ReturnType<typeof decodeRecordBatches>[number]): LogBatch {
  return {
    baseOffset: batch.baseOffset,
    epoch: batch.partitionLeaderEpoch,
    control: (batch.attributes & CONTROL_ATTRIBUTE) !== 0,
    records: batch.records.map((record) => record.value ?? Buffer.alloc(0)),
  };
}
