import type { DescribeQuorumResponsePartitionData } from "../protocol/generated";
import type { FileSystem } from "../runtime/fs";
import type { Logger } from "../runtime/logger";
import type { Network } from "../runtime/network";
import type { RandomBytes } from "../runtime/random";
import type { Scheduler } from "../runtime/scheduler";
import { FileRaftLog } from "./file-raft-log";
import type { Envelope, RaftMessage } from "./messages";
import { FileQuorumStateStore } from "./quorum-state-store";
import { PeerClient } from "./peer-client";
import { RaftChannel, type PeerAddress } from "./raft-channel";
import { RaftDriver } from "./raft-driver";
import { RaftMetadataLog, type RecordCodec } from "./raft-metadata-log";
import { RaftNode, type RaftConfig } from "./raft-node";
import { requestSender, type RaftRequest } from "./raft-wire";

/**
 * What the request handlers see of the quorum: they hand it the Raft
 * requests that arrive on the wire and send back what it answers.
 */
export interface QuorumEndpoint {
  readonly clusterId: string;
  /** Whether this node leads the quorum now, and so is the active controller. */
  readonly isActiveController: boolean;
  /** The answer to a Raft request, or null when the node gives none (the connection then gets an error answer). */
  answer(request: RaftRequest): RaftMessage | null;
  /** DescribeQuorum's partition data as this node sees the quorum (complete on the leader only). */
  describe(): DescribeQuorumResponsePartitionData;
  /**
   * Sends a request to the active controller (the quorum's leader) over its
   * controller listener and resolves with its response; null when this node
   * is the active controller or knows of none.
   */
  forwardToActiveController(apiKey: number, version: number, body: unknown, timeoutMs: number): Promise<unknown> | null;
}

export interface MetadataQuorumOptions<R> {
  readonly nodeId: number;
  readonly clusterId: string;
  /** The voters with their controller listeners; a node not among them is an observer. */
  readonly voters: readonly PeerAddress[];
  /** The metadata log's directory (quorum-state and the log live there). */
  readonly dir: string;
  readonly codec: RecordCodec<R>;
  readonly raft: Partial<RaftConfig>;
  readonly fs: FileSystem;
  readonly network: Network;
  readonly scheduler: Scheduler;
  readonly random: RandomBytes;
  readonly logger: Logger;
}

/**
 * One node's membership of the metadata quorum (KRaft): the Raft node over
 * its log on disk and its quorum-state file, driven on the node's scheduler,
 * its outbound channel to the other voters, and the metadata log the
 * controller proposes to and the loader follows.
 */
export class MetadataQuorum<R> implements QuorumEndpoint {
  readonly clusterId: string;
  readonly metadataLog: RaftMetadataLog<R>;
  readonly node: RaftNode;
  private readonly driver: RaftDriver;
  private readonly channel: RaftChannel;
  private readonly log: FileRaftLog;
  private readonly scheduler: Scheduler;
  private inboundSeq = 0;
  private stopped = false;
  private readonly voters: readonly PeerAddress[];
  private readonly network: Network;
  private readonly forwardClients = new Map<number, PeerClient>();

  constructor(options: MetadataQuorumOptions<R>) {
    const { logger } = options;
    this.clusterId = options.clusterId;
    this.scheduler = options.scheduler;
    this.voters = options.voters;
    this.network = options.network;
    const voterIds = options.voters.map((voter) => voter.id);
    this.log = FileRaftLog.open(options.fs, options.dir, (fields) => logger.warn("truncating a torn tail of the quorum's log", fields));
    this.metadataLog = new RaftMetadataLog(options.codec, options.scheduler.clock, { notLeaderError: "NOT_CONTROLLER" });
    this.node = new RaftNode({
      nodeId: options.nodeId,
      voters: voterIds,
      log: this.log,
      store: FileQuorumStateStore.inDirectory(options.fs, options.dir, voterIds),
      random: options.random,
      config: options.raft,
      listener: {
        ...this.metadataLog.raftListener,
        onLeaderChange: (leader) => {
          this.metadataLog.raftListener.onLeaderChange?.(leader);
          logger.info("quorum leader", { leaderId: leader.leaderId, epoch: leader.epoch });
        },
      },
    });
    this.metadataLog.attach(this.node);
    this.channel = new RaftChannel({
      selfId: options.nodeId,
      clusterId: options.clusterId,
      peers: options.voters,
      network: options.network,
      scheduler: options.scheduler,
      logger,
      deliver: (envelope) => this.driver.receive(envelope),
    });
    this.driver = new RaftDriver(this.node, options.scheduler, (envelope) => this.channel.send(envelope), (error, envelope) =>
      logger.error("raft message refused", { kind: envelope?.message.kind, from: envelope?.from, error }),
    );
  }

  get isActiveController(): boolean {
    return !this.stopped && this.node.role === "leader";
  }

  /** Takes up the role quorum-state implies and starts ticking. */
  start(): void {
    this.driver.start();
  }

  answer(request: RaftRequest): RaftMessage | null {
    if (this.stopped) return null;
    // The node's correlation ids are its own; a request from the wire gets one of ours, negative so that it never meets them.
    const envelope: Envelope = { from: requestSender(request), to: this.node.nodeId, correlationId: -++this.inboundSeq, message: request };
    return this.driver.request(envelope)?.message ?? null;
  }

  describe(): DescribeQuorumResponsePartitionData {
    return this.node.describeQuorum(this.scheduler.clock.nowMs());
  }

  forwardToActiveController(apiKey: number, version: number, body: unknown, timeoutMs: number): Promise<unknown> | null {
    if (this.stopped) return null;
    const leaderId = this.node.leaderId;
    const leader = this.voters.find((voter) => voter.id === leaderId);
    if (!leader || leaderId === this.node.nodeId || this.node.role === "resigned") return null;
    let client = this.forwardClients.get(leaderId);
    if (!client) {
      client = new PeerClient(leader, `forwarder-${this.node.nodeId}`, this.network, this.scheduler);
      this.forwardClients.set(leaderId, client);
    }
    return client.request(apiKey, version, body, timeoutMs);
  }

  /** Controlled shutdown of the quorum: a leader resigns (its EndQuorumEpoch goes out), then the node stops. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.driver.resign();
    this.driver.stop();
    this.channel.close();
    for (const client of this.forwardClients.values()) client.close();
    this.log.close();
  }
}
