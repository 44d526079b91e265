import { KafkaError } from "../protocol/errors";
import type { MetadataStore } from "../metadata/metadata-store";

/** Ids taken from the metadata log at a time (Kafka's block size). */
export const PRODUCER_ID_BLOCK_SIZE = 1000;
/** Producer epochs are int16; at the last one the producer gets a new id instead of a bump. */
const PRODUCER_EPOCH_MAX = 0x7fff;
/** Producers whose latest epoch is remembered for fencing; the oldest are forgotten past this. */
const TRACKED_PRODUCERS_MAX = 100_000;

export type InitProducerIdResult =
  | { ok: true; producerId: number; producerEpoch: number }
  | { ok: false; error: "fenced"; message: string };

/**
 * Hands out producer ids for InitProducerId. Ids come in blocks recorded in
 * the metadata log (a ProducerIdsRecord raising nextProducerId) before any
 * id of the block is used, so ids never repeat across restarts: the unused
 * rest of a block is skipped, as in Kafka.
 *
 * A producer that passes its current id and epoch (KIP-360, after a
 * timeout or an UNKNOWN_PRODUCER_ID) keeps its id with the epoch bumped, so
 * that its older epoch is fenced on every partition. Kafka answers an
 * idempotent (non-transactional) producer with a fresh id instead; both are
 * valid to clients. The latest epoch per id is remembered in memory only:
 * after a restart a stale epoch is bumped too, and the partitions still fence
 * it by their own state.
 */
export class ProducerIdManager {
  private nextId = 0;
  private blockEnd = 0;
  private readonly latestEpochs = new Map<number, number>();

  constructor(
    private readonly store: MetadataStore,
    private readonly nodeId: number,
  ) {}

  initProducerId(current: { producerId: number; producerEpoch: number }): InitProducerIdResult {
    const { producerId, producerEpoch } = current;
    if (producerId < 0 && producerEpoch < 0) return this.fresh();
    if (producerId < 0 || producerEpoch < 0)
      throw new KafkaError("INVALID_REQUEST", `producerId ${producerId} and producerEpoch ${producerEpoch} must both be set or both be -1`);
    if (producerId >= this.store.image.nextProducerId) return this.fresh();
    const latest = this.latestEpochs.get(producerId);
    if (latest !== undefined && producerEpoch < latest)
      return { ok: false, error: "fenced", message: `producer ${producerId} epoch ${producerEpoch} is older than its latest epoch ${latest}` };
    if (producerEpoch >= PRODUCER_EPOCH_MAX - 1) return this.fresh();
    return this.issued(producerId, producerEpoch + 1);
  }

  private fresh(): InitProducerIdResult {
    if (this.nextId >= this.blockEnd) {
      const start = this.store.image.nextProducerId;
      const end = start + PRODUCER_ID_BLOCK_SIZE;
      // Durable before any id of the block leaves the broker.
      this.store.commit([{ type: "ProducerIdsRecord", nodeId: this.nodeId, nextProducerId: end }]);
      this.nextId = start;
      this.blockEnd = end;
    }
    return this.issued(this.nextId++, 0);
  }

  private issued(producerId: number, producerEpoch: number): InitProducerIdResult {
    this.latestEpochs.delete(producerId);
    this.latestEpochs.set(producerId, producerEpoch);
    if (this.latestEpochs.size > TRACKED_PRODUCERS_MAX) this.latestEpochs.delete(this.latestEpochs.keys().next().value!);
    return { ok: true, producerId, producerEpoch };
  }
}
