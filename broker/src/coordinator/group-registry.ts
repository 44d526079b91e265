import { ErrorCode } from "../protocol/errors";
import { Group } from "./group";
import type { OffsetsLog } from "./offsets-log";

/** What the coordinator needs of the offsets log (tests pass an in-memory one). */
export type CoordinatorLog = Pick<OffsetsLog, "partitionFor" | "isLocal" | "append" | "localPartitions" | "replay">;

export interface CoordinatorConfig {
  groupInitialRebalanceDelayMs: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  offsetsRetentionMs: number;
}

/** A limit on groups one coordinator holds, so a client cannot grow its memory without bound. */
export const GROUPS_MAX = 100_000;

/**
 * The groups this coordinator holds, and which __consumer_offsets partitions
 * it serves: a group is served only while its partition is loaded here. The
 * membership, offset store and admin modules share this one registry.
 */
export class GroupRegistry {
  private readonly groups = new Map<string, Group>();
  private readonly loadedPartitions = new Set<number>();
  /** Set by shutdown: nothing is served any more. */
  stopped = false;

  constructor(private readonly log: CoordinatorLog) {}

  /** An error for requests about a group this node cannot serve; null when it can. */
  servingError(groupId: string): number | null {
    if (this.stopped) return ErrorCode.NOT_COORDINATOR;
    if (!groupId) return ErrorCode.INVALID_GROUP_ID;
    if (!this.log.isLocal(groupId) || !this.loadedPartitions.has(this.log.partitionFor(groupId))) return ErrorCode.NOT_COORDINATOR;
    return null;
  }

  get(groupId: string): Group | undefined {
    return this.groups.get(groupId);
  }

  values(): IterableIterator<Group> {
    return this.groups.values();
  }

  /** A new, empty group on its offsets partition; undefined when the coordinator holds GROUPS_MAX already. */
  create(groupId: string, nowMs: number): Group | undefined {
    if (this.groups.size >= GROUPS_MAX) return undefined;
    const group = new Group(groupId, this.log.partitionFor(groupId), nowMs);
    this.groups.set(groupId, group);
    return group;
  }

  add(group: Group): void {
    this.groups.set(group.groupId, group);
  }

  delete(groupId: string): void {
    this.groups.delete(groupId);
  }

  isLoaded(partition: number): boolean {
    return this.loadedPartitions.has(partition);
  }

  loadedPartitionList(): number[] {
    return [...this.loadedPartitions];
  }

  markLoaded(partition: number): void {
    this.loadedPartitions.add(partition);
  }

  /** Stops serving a partition and hands back the groups that lived on it, now forgotten. */
  unload(partition: number): Group[] {
    this.loadedPartitions.delete(partition);
    const unloaded = [...this.groups.values()].filter((group) => group.partition === partition);
    for (const group of unloaded) this.groups.delete(group.groupId);
    return unloaded;
  }
}
