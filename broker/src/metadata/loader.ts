import type { Logger } from "../runtime/logger";
import { MetadataDelta } from "./delta";
import type { MetadataImage } from "./image";
import type { CommittedBatch, MetadataLog } from "./metadata-log";

/** How a publisher came to hear of a delta. */
export type LoadManifest =
  /** The whole image as a delta from the empty one: the first call on a publisher, at start-up or when installed. */
  | { readonly kind: "snapshot" }
  /** One batch the log committed after the publisher was installed. */
  | { readonly kind: "batch"; readonly baseOffset: number; readonly lastOffset: number };

/**
 * A part of the node that acts on metadata changes (Kafka's MetadataPublisher):
 * partitions, groups, producer ids, configs. It is told each delta after the
 * loader swapped in the new image, and acts on the delta alone, so that the
 * node that proposed a change and a node that only replays it behave alike.
 */
export interface MetadataPublisher {
  readonly name: string;
  onMetadataUpdate(delta: MetadataDelta, image: MetadataImage, manifest: LoadManifest): void;
}

/**
 * The one way metadata takes effect on a node (Kafka's MetadataLoader): it
 * replays the committed log at start-up, then applies each committed batch
 * as it arrives: it computes the delta, swaps the image, and calls the
 * publishers in the order they were installed. Every node runs one,
 * including the node whose controller proposed the records.
 */
export class MetadataLoader {
  private current: MetadataImage;
  private readonly publishers: MetadataPublisher[] = [];

  constructor(
    empty: MetadataImage,
    private readonly logger: Logger,
    /** Told of a publisher that threw: the image has moved on, and so do the other publishers. */
    private readonly publisherFailed: (publisher: string, error: unknown) => void = () => {},
  ) {
    this.current = empty;
  }

  /** The latest committed image. Hold the reference for a consistent view; read this again for a newer one. */
  get image(): MetadataImage {
    return this.current;
  }

  /**
   * Replays everything the log holds as one delta, then follows it: from
   * here on each committed batch is applied as it commits. Called once,
   * before any publisher is installed.
   */
  follow(log: MetadataLog): void {
    if (this.publishers.length > 0) throw new Error("replay the metadata log before installing publishers");
    this.current = replayedImage(log, this.current);
    this.logger.info("metadata loaded", { lastOffset: this.current.lastAppliedOffset, topics: this.current.topicsById.size });
    log.onCommit((batch) => this.applyCommitted(batch));
  }

  /** Adds a publisher at the end of the order and tells it the whole current image. */
  install(publisher: MetadataPublisher): void {
    this.publishers.push(publisher);
    const { delta, image } = MetadataDelta.describing(this.current);
    this.publish(publisher, delta, image, { kind: "snapshot" });
  }

  /** Applies one committed batch: a new image, then every publisher in order. */
  applyCommitted(batch: CommittedBatch): void {
    if (batch.records.length === 0) return;
    const delta = new MetadataDelta(this.current);
    batch.records.forEach((record, index) => delta.replay(record, batch.baseOffset + index));
    const image = delta.apply();
    this.current = image;
    const manifest: LoadManifest = { kind: "batch", baseOffset: batch.baseOffset, lastOffset: image.lastAppliedOffset };
    for (const publisher of this.publishers) this.publish(publisher, delta, image, manifest);
  }

  private publish(publisher: MetadataPublisher, delta: MetadataDelta, image: MetadataImage, manifest: LoadManifest): void {
    try {
      publisher.onMetadataUpdate(delta, image, manifest);
    } catch (error) {
      // The records are committed whatever one publisher does with them; the others still hear of them.
      this.logger.error("metadata publisher failed", { publisher: publisher.name, lastOffset: image.lastAppliedOffset, error });
      this.publisherFailed(publisher.name, error);
    }
  }
}

/**
 * The image a fresh loader builds from everything `log` has committed, with
 * no publishers: for checking that a node's live image equals a replay of
 * its log (the invariant the simulator checks as it runs).
 */
export function replayedImage(log: MetadataLog, empty: MetadataImage): MetadataImage {
  const delta = new MetadataDelta(empty);
  for (const batch of log.committedBatches()) batch.records.forEach((record, index) => delta.replay(record, batch.baseOffset + index));
  return delta.apply();
}
