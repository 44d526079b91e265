import assert from "node:assert/strict";
import { InMemoryRaftLog, batchEndOffset, type LogBatch, type Snapshot } from "../../src/raft/log";
import type { Envelope } from "../../src/raft/messages";
import { FileQuorumStateStore } from "../../src/raft/quorum-state-store";
import { RaftNode, type RaftConfig, type RaftListener } from "../../src/raft/raft-node";
import { FaultyFileSystem, seededRandom } from "../helpers/faulty-fs";

/**
 * A deterministic in-memory cluster of Raft nodes: virtual time, one seeded
 * random source for everything (jitter, message fate, faults), a network
 * that drops, delays, duplicates and reorders messages and can be cut into
 * partitions, and nodes that crash and restart from their quorum-state file
 * (on a FaultyFileSystem that loses what was not fsynced) and their log.
 * The Raft invariants are checked after every delivered message and tick.
 */

export interface NetworkFaults {
  dropRate: number;
  duplicateRate: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export const CALM_NETWORK: NetworkFaults = { dropRate: 0, duplicateRate: 0, minDelayMs: 1, maxDelayMs: 5 };

interface InFlight {
  deliverAtMs: number;
  seq: number;
  envelope: Envelope;
}

export interface SimNode {
  readonly id: number;
  readonly log: InMemoryRaftLog;
  readonly fs: FaultyFileSystem;
  raft: RaftNode | null;
  /** What the application applied, from snapshots and onCommit, in order: one string per batch. */
  applied: { endOffset: number; batches: string[] };
  incarnation: number;
  /** The highest high watermark this incarnation reported. */
  lastHighWatermark: number;
}

export function describeBatch(batch: LogBatch): string {
  return `${batch.baseOffset}@${batch.epoch}:${batch.records.map((record) => record.toString("utf8")).join(",")}`;
}

const TICK_MS = 10;

export class SimCluster {
  readonly random: () => number;
  readonly nodes = new Map<number, SimNode>();
  now = 0;
  private inFlight: InFlight[] = [];
  private seq = 0;
  /** Pairs "a>b" that cannot talk. */
  private blocked = new Set<string>();
  faults: NetworkFaults = CALM_NETWORK;
  /** The leader of each epoch any node ever took up leadership in. */
  readonly leaders = new Map<number, number>();
  /** Every committed batch any node has seen, by base offset: what "committed" means cluster-wide. */
  readonly committed = new Map<number, string>();
  /** The highest committed offset end seen anywhere. */
  committedEnd = 0;
  delivered = 0;
  /** Snapshots nodes fetched from a leader (not those read back at start). */
  snapshotsFetched = 0;
  /** A running hash of every delivery (time, ends, kind, correlation id): equal for two runs of one seed. */
  traceHash = 0x811c9dc5;
  private nextAppendId = 0;

  constructor(
    readonly seed: number,
    readonly voters: readonly number[],
    readonly observers: readonly number[] = [],
    private readonly config: Partial<RaftConfig> = {},
    /** A listener of the test's own for a node (a RaftMetadataLog's), called after the cluster's checks; `made` sees each new incarnation. */
    private readonly extra?: (id: number) => { listener: RaftListener; made(raft: RaftNode): void },
  ) {
    this.random = seededRandom(seed);
    for (const id of [...voters, ...observers]) {
      this.nodes.set(id, {
        id,
        log: new InMemoryRaftLog(),
        fs: new FaultyFileSystem({ seed: seed * 31 + id }),
        raft: null,
        applied: { endOffset: 0, batches: [] },
        incarnation: 0,
        lastHighWatermark: 0,
      });
      this.start(id);
    }
  }

  private randomBytes = (size: number): Buffer => {
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = Math.floor(this.random() * 256);
    return bytes;
  };

  node(id: number): SimNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  raft(id: number): RaftNode {
    const raft = this.node(id).raft;
    if (!raft) throw new Error(`node ${id} is down`);
    return raft;
  }

  start(id: number): void {
    const sim = this.node(id);
    assert.equal(sim.raft, null, `node ${id} is already running`);
    sim.incarnation++;
    sim.lastHighWatermark = 0;
    sim.applied = { endOffset: sim.log.startOffset, batches: [] };
    sim.log.forgetHighWatermark();
    const extra = this.extra?.(id);
    const raft = new RaftNode({
      nodeId: id,
      voters: this.voters,
      log: sim.log,
      store: FileQuorumStateStore.inDirectory(sim.fs, "/metadata", this.voters),
      random: this.randomBytes,
      config: this.config,
      listener: {
        onCommit: (batches) => {
          this.applied(sim, batches);
          extra?.listener.onCommit?.(batches);
        },
        onSnapshotLoaded: (snapshot) => this.snapshotLoaded(sim, snapshot),
        onLeaderChange: (leader) => extra?.listener.onLeaderChange?.(leader),
        onResigned: (epoch) => extra?.listener.onResigned?.(epoch),
      },
    });
    extra?.made(raft);
    const started = raft.start(this.now);
    sim.raft = raft;
    this.send(started);
  }

  /** The node loses power: its process state goes, and its disk keeps only what was fsynced. */
  crash(id: number): void {
    const sim = this.node(id);
    sim.raft = null;
    sim.fs.crash({ tornBytes: true });
    this.inFlight = this.inFlight.filter((message) => message.envelope.to !== id);
  }

  running(): SimNode[] {
    return [...this.nodes.values()].filter((node) => node.raft !== null);
  }

  leader(): RaftNode | null {
    let best: RaftNode | null = null;
    for (const node of this.running()) {
      const raft = node.raft as RaftNode;
      if (raft.role === "leader" && (!best || raft.epoch > best.epoch)) best = raft;
    }
    return best;
  }

  /** One line per node: role, epoch, vote, leader, log end and high watermark (for failure messages). */
  describe(): string {
    return [...this.nodes.values()]
      .map((n) => (n.raft ? `${n.id}:${n.raft.role}/e${n.raft.epoch}/v${n.raft.votedFor}/l${n.raft.leaderId}/end${n.log.endOffset}/hw${n.raft.highWatermark}` : `${n.id}:down`))
      .join(" ");
  }

  isolate(id: number): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.blocked.add(`${id}>${other}`);
      this.blocked.add(`${other}>${id}`);
    }
  }

  /** Cuts the cluster in two: no message crosses between `side` and the rest. */
  partition(side: readonly number[]): void {
    for (const a of side) for (const b of this.nodes.keys()) if (!side.includes(b)) {
      this.blocked.add(`${a}>${b}`);
      this.blocked.add(`${b}>${a}`);
    }
  }

  heal(): void {
    this.blocked.clear();
  }

  /** Appends one batch at the current leader (if any), with records naming it uniquely. */
  appendAtLeader(records = 1 + Math.floor(this.random() * 3)): boolean {
    const leader = this.leader();
    if (!leader) return false;
    const id = this.nextAppendId++;
    const values = Array.from({ length: records }, (_, i) => Buffer.from(`v${id}.${i}`));
    leader.append(values, this.now);
    this.check();
    return true;
  }

  send(envelopes: readonly Envelope[]): void {
    for (const envelope of envelopes) {
      if (this.blocked.has(`${envelope.from}>${envelope.to}`)) continue;
      if (this.random() < this.faults.dropRate) continue;
      const copies = this.random() < this.faults.duplicateRate ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        const delay = this.faults.minDelayMs + Math.floor(this.random() * (this.faults.maxDelayMs - this.faults.minDelayMs + 1));
        this.inFlight.push({ deliverAtMs: this.now + delay, seq: this.seq++, envelope });
      }
    }
  }

  /** Advances virtual time by `ms`, delivering messages when due and ticking every node every 10 ms. */
  run(ms: number, everyTick?: () => void): void {
    const end = this.now + ms;
    while (this.now < end) {
      const stepEnd = Math.min(end, this.now + TICK_MS);
      for (;;) {
        let nextIndex = -1;
        for (let i = 0; i < this.inFlight.length; i++) {
          const message = this.inFlight[i];
          if (message.deliverAtMs > stepEnd) continue;
          if (nextIndex < 0 || message.deliverAtMs < this.inFlight[nextIndex].deliverAtMs || (message.deliverAtMs === this.inFlight[nextIndex].deliverAtMs && message.seq < this.inFlight[nextIndex].seq)) nextIndex = i;
        }
        if (nextIndex < 0) break;
        const [message] = this.inFlight.splice(nextIndex, 1);
        this.now = Math.max(this.now, message.deliverAtMs);
        const target = this.nodes.get(message.envelope.to)?.raft;
        if (!target) continue;
        this.delivered++;
        const e = message.envelope;
        for (const part of [this.now, e.from, e.to, e.correlationId, e.message.kind.length]) this.traceHash = Math.imul(this.traceHash ^ part, 0x01000193) >>> 0;
        this.send(target.handle(message.envelope, this.now));
        this.check();
      }
      this.now = stepEnd;
      for (const node of this.running()) this.send((node.raft as RaftNode).tick(this.now));
      this.check();
      everyTick?.();
    }
  }

  // -----------------------------------------------------------------------
  // Invariants

  private applied(sim: SimNode, batches: readonly LogBatch[]): void {
    for (const batch of batches) {
      assert.ok(batch.baseOffset >= sim.applied.endOffset, `node ${sim.id} applied offset ${batch.baseOffset} twice`);
      sim.applied.batches.push(describeBatch(batch));
      sim.applied.endOffset = batchEndOffset(batch);
    }
  }

  private snapshotLoaded(sim: SimNode, snapshot: Snapshot): void {
    if (sim.raft !== null) this.snapshotsFetched++;
    // The test snapshots hold the application's list of batch descriptions.
    sim.applied = { endOffset: snapshot.endOffset, batches: JSON.parse(snapshot.data.toString("utf8")) as string[] };
  }

  /** Snapshots node `id`'s applied state (everything it applied) and lets its log drop what the snapshot covers. */
  snapshot(id: number): void {
    const sim = this.node(id);
    const raft = this.raft(id);
    if (sim.applied.endOffset <= sim.log.startOffset) return;
    const batches = sim.log.read(sim.log.startOffset, Number.MAX_SAFE_INTEGER);
    // The snapshot must end where a batch ends, at or below what was applied (control batches included).
    let end = sim.log.startOffset;
    for (const batch of batches) if (batchEndOffset(batch) <= Math.min(sim.applied.endOffset, sim.log.highWatermark)) end = batchEndOffset(batch);
    if (end <= sim.log.startOffset) return;
    const keep = sim.applied.batches.filter((description) => Number(description.split("@")[0]) < end);
    raft.snapshot(end, Buffer.from(JSON.stringify(keep)));
  }

  check(): void {
    for (const sim of this.running()) {
      const raft = sim.raft as RaftNode;
      // At most one leader per epoch.
      if (raft.role === "leader") {
        const known = this.leaders.get(raft.epoch);
        if (known === undefined) {
          this.leaders.set(raft.epoch, raft.nodeId);
          this.checkLeaderCompleteness(sim);
        } else assert.equal(known, raft.nodeId, `seed ${this.seed}: two leaders in epoch ${raft.epoch}: ${known} and ${raft.nodeId}`);
      }
      // The high watermark never goes back.
      const highWatermark = raft.highWatermark;
      assert.ok(highWatermark >= sim.lastHighWatermark, `seed ${this.seed}: node ${sim.id}'s high watermark went back from ${sim.lastHighWatermark} to ${highWatermark}`);
      // What a node holds below its high watermark is committed: it must agree with every other node's committed log.
      if (highWatermark > sim.lastHighWatermark) {
        for (const batch of sim.log.read(Math.max(sim.lastHighWatermark, sim.log.startOffset), Number.MAX_SAFE_INTEGER)) {
          if (batch.baseOffset >= highWatermark) break;
          this.recordCommitted(sim.id, batch);
        }
        sim.lastHighWatermark = highWatermark;
      }
      // What the application applied is the committed sequence, in order.
      for (let i = Math.max(0, sim.applied.batches.length - 2); i < sim.applied.batches.length; i++) {
        const description = sim.applied.batches[i];
        const offset = Number(description.split("@")[0]);
        const committed = this.committed.get(offset);
        if (committed !== undefined) assert.equal(description, committed, `seed ${this.seed}: node ${sim.id} applied ${description} where ${committed} was committed`);
      }
    }
  }

  private recordCommitted(nodeId: number, batch: LogBatch): void {
    const description = describeBatch(batch);
    const known = this.committed.get(batch.baseOffset);
    if (known === undefined) this.committed.set(batch.baseOffset, description);
    else assert.equal(description, known, `seed ${this.seed}: node ${nodeId} committed ${description} at ${batch.baseOffset} where ${known} was committed`);
    this.committedEnd = Math.max(this.committedEnd, batchEndOffset(batch));
  }

  /** A new leader holds every batch ever committed (what it has not snapshotted is in its log, unchanged). */
  private checkLeaderCompleteness(sim: SimNode): void {
    assert.ok(sim.log.endOffset >= this.committedEnd, `seed ${this.seed}: leader ${sim.id} of epoch ${sim.raft?.epoch} ends at ${sim.log.endOffset}, below the committed ${this.committedEnd}`);
    for (const batch of sim.log.read(sim.log.startOffset, Number.MAX_SAFE_INTEGER)) {
      if (batch.baseOffset >= this.committedEnd) break;
      const known = this.committed.get(batch.baseOffset);
      assert.equal(describeBatch(batch), known, `seed ${this.seed}: leader ${sim.id} holds ${describeBatch(batch)} at ${batch.baseOffset} where ${known} was committed`);
    }
  }

  /** Every running voter's whole committed log (snapshot + batches) equals the cluster's committed sequence. */
  checkAppliedPrefixes(): void {
    for (const sim of this.running()) {
      const expected: string[] = [];
      for (const [offset, description] of [...this.committed.entries()].sort((a, b) => a[0] - b[0])) {
        if (offset < sim.applied.endOffset && !description.includes(":leader ")) expected.push(description);
      }
      assert.deepEqual(sim.applied.batches, expected, `seed ${this.seed}: node ${sim.id}'s applied batches are not the committed prefix`);
    }
  }
}
