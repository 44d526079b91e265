import { KafkaError } from "../protocol/errors";
import type { ProducerIdBlock } from "../metadata/delta";
import type { MetadataImage } from "../metadata/image";
/** Producer epochs are int16; at the last one the producer gets a new id instead of a bump. */
const PRODUCER_EPOCH_MAX = 0x7fff;
/** Producers whose latest epoch is remembered for fencing; the oldest are forgotten past this. */
const TRACKED_PRODUCERS_MAX = 100_000;

export type InitProducerIdResult =
  | { ok: true; producerId: number; producerEpoch: number }
  | { ok: false; error: "fenced"; message: string };

/**
 * Hands out producer ids for InitProducerId. Ids come in blocks: the
 * controller proposes a ProducerIdsRecord raising nextProducerId, and once
 * it commits the loader hands this node its block (`blockAssigned`), so no
 * id is used before its block is durable and ids never repeat across
 * restarts: the unused rest of a block is skipped, as in Kafka.
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
  /** The block asked for and not yet committed; callers that find the block used up wait on it together. */
  private blockRequest: Promise<void> | null = null;
  private readonly latestEpochs = new Map<number, number>();

  constructor(
    /** Asks the controller for this node's next block; resolves once it is committed (and assigned here). */
    private readonly requestBlock: () => Promise<void>,
    /** The latest committed image: which ids any node may have handed out. */
    private readonly image: () => MetadataImage,
  ) {}

  /** A block committed for this node (from the producer-ids publisher); its ids are used from now on. */
  blockAssigned(block: ProducerIdBlock): void {
    this.nextId = block.firstProducerId;
    this.blockEnd = block.nextProducerId;
  }

  async initProducerId(current: { producerId: number; producerEpoch: number }): Promise<InitProducerIdResult> {
    const { producerId, producerEpoch } = current;
    if (producerId < 0 && producerEpoch < 0) return this.fresh();
    if (producerId < 0 || producerEpoch < 0)
      throw new KafkaError("INVALID_REQUEST", `producerId ${producerId} and producerEpoch ${producerEpoch} must both be set or both be -1`);
    if (producerId >= this.image().nextProducerId) return this.fresh();
    const latest = this.latestEpochs.get(producerId);
    if (latest !== undefined && producerEpoch < latest)
      return { ok: false, error: "fenced", message: `producer ${producerId} epoch ${producerEpoch} is older than its latest epoch ${latest}` };
    if (producerEpoch >= PRODUCER_EPOCH_MAX - 1) return this.fresh();
    return this.issued(producerId, producerEpoch + 1);
  }

  private async fresh(): Promise<InitProducerIdResult> {
    while (this.nextId >= this.blockEnd) {
      const blockEndBefore = this.blockEnd;
      this.blockRequest ??= this.requestBlock().finally(() => (this.blockRequest = null));
      await this.blockRequest;
      // Others waiting on the same block may have used it up already (then ask again), but no block at all is a bug.
      if (this.blockEnd === blockEndBefore) throw new Error("a committed producer-id block never reached this node");
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
