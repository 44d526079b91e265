import { KafkaError } from "../protocol/errors";

/** Kafka keeps the last five batches of each producer, the most a producer has in flight per partition. */
export const BATCHES_RETAINED_PER_PRODUCER = 5;
const INT32_MAX = 0x7fffffff;
/** Kafka's producer.id.expiration.ms default: a producer idle this long on a partition is forgotten there. */
export const PRODUCER_ID_EXPIRATION_MS = 86_400_000;
/** The epoch (and sequence) a batch carries when it has no producer. */
export const NO_PRODUCER_EPOCH = -1;

/** One batch a producer wrote, as deduplication needs it. */
export interface ProducerBatch {
  firstSequence: number;
  lastSequence: number;
  firstOffset: number;
  lastOffset: number;
  /** The batch's max timestamp (for expiration). */
  timestampMs: number;
}

/** What one producer id has written to one partition. */
export interface ProducerEntry {
  producerId: number;
  epoch: number;
  /** The most recent batches, oldest first; at most BATCHES_RETAINED_PER_PRODUCER. */
  batches: ProducerBatch[];
  /** When the producer last wrote here (the broker's clock at append, or the batch timestamp on rebuild). */
  lastWriteMs: number;
}

/** The producer fields of one batch header, plus where it lies in the log once appended. */
export interface ProducerBatchHeader {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
}

export type SequenceCheck =
  /** A new batch: append it, then call record(). */
  | { kind: "append" }
  /** A retry of a batch already in the log: answer with its offsets, write nothing. */
  | { kind: "duplicate"; firstOffset: number; lastOffset: number };

/** The sequence of the last record of a batch; sequences wrap from Int32.MAX to 0. */
export function lastSequenceOf(baseSequence: number, lastOffsetDelta: number): number {
  if (baseSequence > INT32_MAX - lastOffsetDelta) return lastOffsetDelta - (INT32_MAX - baseSequence) - 1;
  return baseSequence + lastOffsetDelta;
}

function inSequence(lastSequence: number, nextSequence: number): boolean {
  return nextSequence === lastSequence + 1 || (nextSequence === 0 && lastSequence === INT32_MAX);
}

/**
 * The idempotent producers of one partition: for each producer id, its
 * current epoch and its last few batches. The produce path asks check()
 * before appending a batch that carries a producer id and calls record()
 * after the append; both run without yielding in between, so two requests
 * of one producer cannot both pass the same check.
 *
 * The rules are Kafka's (ProducerAppendInfo):
 * - an epoch older than the producer's current one is fenced: INVALID_PRODUCER_EPOCH;
 * - a batch matching one of the last five (same epoch, same first and last
 *   sequence) is a retry: it is answered with the offsets it got the first time;
 * - a newer epoch must start at sequence 0;
 * - within an epoch, a batch must follow the last one's sequence exactly
 *   (wrapping at Int32.MAX), else OUT_OF_ORDER_SEQUENCE_NUMBER;
 * - a producer this partition has no record of is accepted at any sequence
 *   (Kafka since 2.5, KIP-360: the broker no longer answers UNKNOWN_PRODUCER_ID,
 *   since its state may have expired while the producer was idle).
 */
export class ProducerTable {
  private readonly producers = new Map<number, ProducerEntry>();

  get size(): number {
    return this.producers.size;
  }

  entry(producerId: number): ProducerEntry | undefined {
    return this.producers.get(producerId);
  }

  entries(): IterableIterator<ProducerEntry> {
    return this.producers.values();
  }

  check(batch: ProducerBatchHeader): SequenceCheck {
    const { producerId, producerEpoch, baseSequence } = batch;
    if (producerId < 0) return { kind: "append" };
    if (producerEpoch < 0) throw new KafkaError("INVALID_RECORD", `producer ${producerId} sent epoch ${producerEpoch}`);
    if (baseSequence < 0) throw new KafkaError("INVALID_RECORD", `producer ${producerId} sent base sequence ${baseSequence}`);
    const entry = this.producers.get(producerId);
    if (!entry) return { kind: "append" };
    if (producerEpoch < entry.epoch) {
      throw new KafkaError(
        "INVALID_PRODUCER_EPOCH",
        `producer ${producerId} epoch ${producerEpoch} is older than the current epoch ${entry.epoch}: it was fenced`,
      );
    }
    const lastSequence = lastSequenceOf(baseSequence, batch.lastOffsetDelta);
    if (producerEpoch === entry.epoch) {
      for (const written of entry.batches) {
        if (written.firstSequence === baseSequence && written.lastSequence === lastSequence)
          return { kind: "duplicate", firstOffset: written.firstOffset, lastOffset: written.lastOffset };
      }
      const last = entry.batches[entry.batches.length - 1];
      if (last && !inSequence(last.lastSequence, baseSequence)) {
        throw new KafkaError(
          "OUT_OF_ORDER_SEQUENCE_NUMBER",
          `producer ${producerId} epoch ${producerEpoch}: sequence ${baseSequence} does not follow ${last.lastSequence}`,
        );
      }
      return { kind: "append" };
    }
    if (baseSequence !== 0) {
      throw new KafkaError(
        "OUT_OF_ORDER_SEQUENCE_NUMBER",
        `producer ${producerId}: the new epoch ${producerEpoch} must start at sequence 0, not ${baseSequence}`,
      );
    }
    return { kind: "append" };
  }

  /** Records a batch now in the log at [firstOffset, firstOffset + lastOffsetDelta]. Also replays the log on load. */
  record(batch: ProducerBatchHeader, firstOffset: number, timestampMs: number, nowMs: number): void {
    if (batch.producerId < 0) return;
    let entry = this.producers.get(batch.producerId);
    if (!entry) {
      entry = { producerId: batch.producerId, epoch: batch.producerEpoch, batches: [], lastWriteMs: nowMs };
      this.producers.set(batch.producerId, entry);
    }
    if (batch.producerEpoch !== entry.epoch) {
      // check() lets only newer epochs through; a replay follows whatever the log holds (logs written before these checks).
      entry.epoch = batch.producerEpoch;
      entry.batches = [];
    }
    entry.batches.push({
      firstSequence: batch.baseSequence,
      lastSequence: lastSequenceOf(batch.baseSequence, batch.lastOffsetDelta),
      firstOffset,
      lastOffset: firstOffset + batch.lastOffsetDelta,
      timestampMs,
    });
    if (entry.batches.length > BATCHES_RETAINED_PER_PRODUCER) entry.batches.shift();
    entry.lastWriteMs = Math.max(entry.lastWriteMs, nowMs);
  }

  /** Puts back an entry read from a snapshot. */
  restore(entry: ProducerEntry): void {
    if (entry.batches.length > BATCHES_RETAINED_PER_PRODUCER) throw new Error(`producer ${entry.producerId}: ${entry.batches.length} batches in a snapshot`);
    this.producers.set(entry.producerId, { ...entry, batches: entry.batches.map((batch) => ({ ...batch })) });
  }

  /**
   * Forgets producers idle for longer than `idleMsMax` (Kafka's
   * producer.id.expiration.ms): their state would otherwise grow without
   * bound. A producer that comes back is accepted at any sequence.
   */
  expire(nowMs: number, idleMsMax: number): number {
    let removed = 0;
    for (const [producerId, entry] of this.producers) {
      if (nowMs - entry.lastWriteMs > idleMsMax) {
        this.producers.delete(producerId);
        removed++;
      }
    }
    return removed;
  }

  clear(): void {
    this.producers.clear();
  }
}
