import type { MetadataDelta, ProducerIdBlock } from "../delta";
import type { MetadataImage } from "../image";
import type { LoadManifest, MetadataPublisher } from "../loader";

/** What this publisher drives (ProducerIdManager has it). */
export interface ProducerIdBlockTaker {
  blockAssigned(block: ProducerIdBlock): void;
}

/**
 * Hands this node the producer-id blocks committed for it. Blocks committed
 * before start-up are not handed over: ids of them may have been given out
 * before a crash, so the rest of such a block is skipped, as in Kafka.
 */
export class ProducerIdsPublisher implements MetadataPublisher {
  readonly name = "producer-ids";

  constructor(
    private readonly nodeId: number,
    private readonly producerIds: ProducerIdBlockTaker,
  ) {}

  onMetadataUpdate(delta: MetadataDelta, _image: MetadataImage, manifest: LoadManifest): void {
    if (manifest.kind !== "batch") return;
    for (const block of delta.producerIdBlocks) if (block.nodeId === this.nodeId) this.producerIds.blockAssigned(block);
  }
}
