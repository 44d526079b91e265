import type { MetadataDelta } from "../delta";
import type { MetadataPublisher } from "../loader";

/** What this publisher drives (GroupCoordinator has it). */
export interface GroupsOfTopics {
  /** Drops the committed offsets of a deleted topic's partitions. */
  topicDeleted(topic: string): void;
}

/** Tells the group coordinator of deleted topics, so their committed offsets go too. */
export class GroupsPublisher implements MetadataPublisher {
  readonly name = "groups";

  constructor(private readonly groups: GroupsOfTopics) {}

  onMetadataUpdate(delta: MetadataDelta): void {
    for (const topic of delta.deletedTopics) this.groups.topicDeleted(topic.name);
  }
}
