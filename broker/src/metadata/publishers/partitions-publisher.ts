import type { Logger } from "../../runtime/logger";
import type { LogConfig } from "../../storage/partition-log";
import type { MetadataDelta } from "../delta";
import type { MetadataImage } from "../image";
import type { LoadManifest, MetadataPublisher } from "../loader";

/** What this publisher drives: the per-topic state of the produce and fetch path (ProduceFetchPath has these methods). */
export interface HostedPartitions {
  logConfigFor(topic: string): LogConfig;
  topicDeleted(topic: string): void;
  topicConfigChanged(topic: string): void;
  brokerConfigChanged(): void;
  leadershipChanged(topic: string): void;
}

/** ...and the logs on disk (LogManager has these). */
export interface PartitionLogs {
  createMissing(partitions: ReadonlyArray<{ topic: string; partition: number; config: LogConfig }>): unknown;
  all(): ReadonlyArray<{ readonly topic: string; readonly partition: number }>;
}

/**
 * Makes this node's partitions follow the metadata: a log for each new
 * partition it is a replica of (the only place a log is made), no logs for a deleted topic, open logs reconfigured
 * when their topic's configs or this broker's defaults change. On the first
 * (snapshot) update it also deletes logs the metadata no longer has: a delete
 * the node committed but crashed before carrying out.
 */
export class PartitionsPublisher implements MetadataPublisher {
  readonly name = "partitions";

  constructor(
    private readonly nodeId: number,
    private readonly partitions: HostedPartitions,
    private readonly logs: PartitionLogs,
    private readonly logger: Logger,
    /**
     * Whether the first update's image is the whole committed metadata, so
     * that a log it does not name is stray. A node of a quorum starts with an
     * empty image and learns the committed log from the leader afterwards: it
     * must not take its own logs for strays.
     */
    private readonly firstImageIsComplete = true,
  ) {}

  onMetadataUpdate(delta: MetadataDelta, image: MetadataImage, manifest: LoadManifest): void {
    if (manifest.kind === "snapshot" && this.firstImageIsComplete) this.removeStrayLogs(image);
    // Deletes first: a topic removed and made again under the same name in one delta starts with empty logs.
    for (const topic of delta.deletedTopics) this.partitions.topicDeleted(topic.name);
    if (manifest.kind === "batch") {
      if (delta.brokerConfigsChanged.includes(String(this.nodeId))) this.partitions.brokerConfigChanged();
      for (const topic of delta.topicsWithChangedConfigs) this.partitions.topicConfigChanged(topic.name);
      // Existing partitions whose leader, epoch or ISR moved; new ones start from the image when their log opens.
      const moved = new Set(delta.partitionChanges.filter((change) => !change.created).map((change) => change.topic.name));
      for (const topic of moved) this.partitions.leadershipChanged(topic);
    }
    this.createReplicaLogs(delta);
  }

  /**
   * Makes the logs of the partitions this node is a replica of when the
   * metadata names it, as Kafka does; no request makes one. A failure is
   * logged and the partition stays without a log here (produce answers
   * NOT_LEADER_OR_FOLLOWER) until the next start-up, whose snapshot update
   * makes the logs still missing.
   */
  private createReplicaLogs(delta: MetadataDelta): void {
    const wanted = delta.partitionChanges
      .filter(({ state }) => state.replicas.includes(this.nodeId))
      .map(({ topic, state }) => ({ topic: topic.name, partition: state.partition, config: this.partitions.logConfigFor(topic.name) }));
    if (wanted.length === 0) return;
    try {
      this.logs.createMissing(wanted);
    } catch (error) {
      this.logger.error("creating partition logs failed; they are made at the next start-up", { partitions: wanted.length, error });
    }
  }

  /** Partition directories of topics the metadata no longer has (a delete interrupted by a crash). */
  private removeStrayLogs(image: MetadataImage): void {
    const stray = new Set<string>();
    for (const log of this.logs.all()) {
      const topic = image.topic(log.topic);
      if (!topic || log.partition >= topic.partitions.length) stray.add(log.topic);
    }
    for (const topic of stray) {
      this.logger.warn("deleting logs of a topic missing from the metadata", { topic });
      this.partitions.topicDeleted(topic);
    }
  }
}
