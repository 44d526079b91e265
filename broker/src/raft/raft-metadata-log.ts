import { KafkaError, type ErrorCodeName } from "../protocol/errors";
import type { Clock } from "../runtime/clock";
import { batchEndOffset, type LogBatch } from "./log";
import type { LeaderAndEpoch, RaftListener, RaftNode } from "./raft-node";

/** How the application's records become the bytes of a log record and back. */
export interface RecordCodec<R> {
  encode(record: R): Buffer;
  decode(bytes: Buffer): R;
}

/** Records committed together, with the offset of the first (the shape of metadata/metadata-log.ts's CommittedBatch). */
export interface CommittedRecords<R> {
  readonly baseOffset: number;
  readonly records: readonly R[];
}

interface PendingProposal {
  lastOffset: number;
  epoch: number;
  resolve(offset: number): void;
  reject(error: Error): void;
}

/**
 * The metadata log over the Raft quorum, in the shape of the broker's
 * `MetadataLog` (propose, onCommit, committedBatches), so that the
 * controller and the loader take it in place of the one-node log.
 * Generic over the record type: raft knows nothing of metadata records;
 * the broker passes the metadata record codec.
 *
 * `propose` resolves once the high watermark passes the appended batch;
 * it rejects with NOT_LEADER_OR_FOLLOWER when this node is not the leader,
 * or when it resigns or loses leadership first (the batch may still commit under the
 * next leader: the loader applies it then, as every node does).
 */
export class RaftMetadataLog<R> {
  private node: RaftNode | null = null;
  private readonly listeners: Array<(batch: CommittedRecords<R>) => void> = [];
  private readonly committed: CommittedRecords<R>[] = [];
  private pending: PendingProposal[] = [];

  private readonly notLeaderError: ErrorCodeName;

  constructor(
    private readonly codec: RecordCodec<R>,
    private readonly clock: Clock,
    /** The error a proposal off the leader fails with (the broker's controller answers NOT_CONTROLLER). */
    options: { notLeaderError?: ErrorCodeName } = {},
  ) {
    this.notLeaderError = options.notLeaderError ?? "NOT_LEADER_OR_FOLLOWER";
  }

  /** The listener to give the RaftNode when it is made; `attach` then hands the node back. */
  readonly raftListener: RaftListener = {
    onCommit: (batches) => this.committedFromRaft(batches),
    onLeaderChange: (leader) => this.leaderChanged(leader),
    onResigned: (epoch) => this.leaderChanged({ leaderId: -1, epoch }),
  };

  attach(node: RaftNode): void {
    this.node = node;
  }

  /** Offset the next appended record takes: `propose` appends there before it returns. */
  get endOffset(): number {
    return this.node?.logEndOffset ?? 0;
  }

  propose(records: readonly R[]): Promise<number> {
    const node = this.node;
    if (!node) return Promise.reject(new Error("the metadata log is not attached to a raft node"));
    if (records.length === 0) return Promise.reject(new Error("a proposal holds at least one record"));
    let appended: { lastOffset: number; epoch: number };
    try {
      appended = node.append(records.map((record) => this.codec.encode(record)), this.clock.nowMs());
    } catch (error) {
      return Promise.reject(new KafkaError(this.notLeaderError, (error as Error).message));
    }
    if (node.highWatermark > appended.lastOffset) return Promise.resolve(appended.lastOffset);
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ lastOffset: appended.lastOffset, epoch: appended.epoch, resolve, reject });
    });
  }

  onCommit(listener: (batch: CommittedRecords<R>) => void): void {
    this.listeners.push(listener);
  }

  committedBatches(): Iterable<CommittedRecords<R>> {
    return this.committed;
  }

  private committedFromRaft(batches: readonly LogBatch[]): void {
    let end = -1;
    for (const batch of batches) {
      const decoded: CommittedRecords<R> = { baseOffset: batch.baseOffset, records: batch.records.map((bytes) => this.codec.decode(bytes)) };
      this.committed.push(decoded);
      for (const listener of this.listeners) listener(decoded);
      end = batchEndOffset(batch);
    }
    // Listeners have been told before any proposal resolves, as MetadataLog promises.
    const still: PendingProposal[] = [];
    for (const proposal of this.pending) {
      if (proposal.lastOffset < end) proposal.resolve(proposal.lastOffset);
      else still.push(proposal);
    }
    this.pending = still;
  }

  private leaderChanged(leader: LeaderAndEpoch): void {
    const nodeId = this.node?.nodeId;
    const still: PendingProposal[] = [];
    for (const proposal of this.pending) {
      if (leader.leaderId === nodeId && leader.epoch === proposal.epoch) still.push(proposal);
      else proposal.reject(new KafkaError(this.notLeaderError, `leadership moved to ${leader.leaderId} in epoch ${leader.epoch} before offset ${proposal.lastOffset} committed`));
    }
    this.pending = still;
  }
}
