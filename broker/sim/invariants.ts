import type { Trace } from "./trace";

/** A broken invariant: the run stops and prints its seed. */
export class InvariantViolation extends Error {}

type Where = string; // "partition:offset"

/**
 * What the clients were promised, and the checks that the node kept each
 * promise, made as the run goes:
 * - an offset, once read, always holds the same record (never reused with
 *   other data), across crashes when every append is fsynced (durable runs);
 * - a record acknowledged (acks 1 or -1) is at the offset it was given, and
 *   still there after any crash in durable runs;
 * - an idempotent producer's record is never written twice, whatever it retried;
 * - a group's completed generations never go back, nor do its committed offsets.
 * Runs without log.flush.interval.messages=1 promise nothing across a crash
 * (Kafka's page-cache durability), so there a crash clears what was seen.
 */
export class Invariants {
  private readonly observed = new Map<number, Map<number, string>>();
  private readonly acked = new Map<number, Map<number, string>>();
  /** The order in which each promise was made (partition:offset to its number), so that a check covers only promises older than it. */
  private readonly ackOrder = new Map<string, number>();
  /** Where each record of an idempotent producer was read. */
  private readonly idempotentAt = new Map<string, Where>();
  private readonly idempotentValues = new Set<string>();
  private readonly generation = new Map<string, number>();
  private readonly committed = new Map<string, bigint>();
  /** Topics whose creation or deletion was acknowledged and not since touched. */
  readonly expectedTopics = new Map<string, "present" | "absent">();
  /**
   * Crashes so far: an answer sent before a crash can arrive after it, so each
   * observation carries the epoch its request was sent in, and in runs that
   * promise nothing across a crash, an observation from an earlier epoch is ignored.
   */
  epoch = 0;
  ackedRecords = 0;
  recordsRead = 0;
  checks = 0;

  constructor(
    readonly durable: boolean,
    private readonly trace: Trace,
  ) {}

  private stale(epoch: number): boolean {
    return !this.durable && epoch !== this.epoch;
  }

  fail(message: string): never {
    this.trace.add("invariant", "violated", message);
    throw new InvariantViolation(message);
  }

  markIdempotent(value: string): void {
    this.idempotentValues.add(value);
  }

  /** A record read at `offset` of `partition`. */
  read(partition: number, offset: number, value: string, epoch: number): void {
    if (this.stale(epoch)) return;
    this.checks++;
    this.recordsRead++;
    const seen = mapOf(this.observed, partition);
    const before = seen.get(offset);
    if (before !== undefined && before !== value)
      this.fail(`offset ${offset} of partition ${partition} reused: held "${before}", now holds "${value}"`);
    seen.set(offset, value);
    const promised = this.acked.get(partition)?.get(offset);
    if (promised !== undefined && promised !== value)
      this.fail(`acknowledged record "${promised}" at ${partition}:${offset} replaced by "${value}"`);
    if (this.idempotentValues.has(value)) {
      const where = `${partition}:${offset}`;
      const first = this.idempotentAt.get(value);
      if (first !== undefined && first !== where) this.fail(`idempotent record "${value}" written twice: at ${first} and ${where}`);
      this.idempotentAt.set(value, where);
    }
  }

  /** The node acknowledged `values` at `baseOffset` onwards. */
  ack(partition: number, baseOffset: number, values: readonly string[], epoch: number): void {
    if (this.stale(epoch)) return;
    const promised = mapOf(this.acked, partition);
    const seen = this.observed.get(partition);
    values.forEach((value, index) => {
      this.checks++;
      const offset = baseOffset + index;
      const already = promised.get(offset);
      if (already !== undefined && already !== value)
        this.fail(`offset ${offset} of partition ${partition} acknowledged twice: for "${already}" and for "${value}"`);
      const read = seen?.get(offset);
      if (read !== undefined && read !== value) this.fail(`acknowledged "${value}" at ${partition}:${offset}, where "${read}" was read`);
      promised.set(offset, value);
      this.ackOrder.set(`${partition}:${offset}`, this.ackedRecords++);
    });
  }

  /**
   * After reading partitions end to end (from `logStartOffset` to `highWatermark`):
   * every record acknowledged before the read began (the first `ackedBefore`)
   * is below the high watermark, and was read.
   */
  checkComplete(partition: number, logStartOffset: number, highWatermark: number, readNow: ReadonlyMap<number, string>, ackedBefore: number): void {
    for (const [offset, value] of this.acked.get(partition) ?? []) {
      if ((this.ackOrder.get(`${partition}:${offset}`) ?? 0) >= ackedBefore) continue;
      this.checks++;
      if (offset < logStartOffset) continue;
      if (offset >= highWatermark) this.fail(`acknowledged record "${value}" at ${partition}:${offset} lost: the log now ends at ${highWatermark}`);
      if (readNow.get(offset) !== value) this.fail(`acknowledged record "${value}" at ${partition}:${offset} not read back (read "${readNow.get(offset)}")`);
    }
  }

  /**
   * A JoinGroup or SyncGroup answered with `generation`. Kafka keeps a
   * generation in memory until its SyncGroup stores it, so a generation
   * handed out by a JoinGroup whose rebalance never completed may be handed
   * out again after a crash; a completed one (SyncGroup succeeded) never goes back.
   */
  generationSeen(group: string, generation: number, epoch: number, completed: boolean, completedBefore: number): void {
    if (this.stale(epoch)) return;
    this.checks++;
    if (generation < completedBefore)
      this.fail(`group ${group} went back from generation ${completedBefore}, which a SyncGroup completed before this request was sent, to ${generation}`);
    if (completed && generation > (this.generation.get(group) ?? -1)) this.generation.set(group, generation);
  }

  /** The latest generation a SyncGroup completed (answers to requests sent later must not be older). */
  completedGeneration(group: string): number {
    return this.generation.get(group) ?? -1;
  }

  /** The committed offset acknowledged last for a group's partition. */
  committedOffset(group: string, partition: number): bigint {
    return this.committed.get(`${group}:${partition}`) ?? -1n;
  }

  commitAcked(group: string, partition: number, offset: bigint, epoch: number): void {
    if (this.stale(epoch)) return;
    const key = `${group}:${partition}`;
    if (offset > (this.committed.get(key) ?? -1n)) this.committed.set(key, offset);
  }

  /** OffsetFetch answered `offset` to a request sent when `ackedBefore` had been acknowledged. */
  committedRead(group: string, partition: number, offset: bigint, ackedBefore: bigint, epoch: number): void {
    if (this.stale(epoch)) return;
    this.checks++;
    if (offset < ackedBefore) this.fail(`group ${group} partition ${partition}: committed offset ${ackedBefore} was acknowledged, later read back as ${offset}`);
  }

  /** The node crashed: without per-message fsync nothing read or acknowledged is promised any more. */
  crashed(): void {
    this.epoch++;
    if (this.durable) return;
    this.observed.clear();
    this.acked.clear();
    this.ackOrder.clear();
    this.idempotentAt.clear();
    this.generation.clear();
    this.committed.clear();
    this.expectedTopics.clear();
  }
}

function mapOf<K, V>(maps: Map<number, Map<K, V>>, key: number): Map<K, V> {
  let map = maps.get(key);
  if (!map) maps.set(key, (map = new Map()));
  return map;
}
