import type { ValidatedBatch } from "../protocol/records/record-batch";
import type { FileSystem } from "../runtime/fs";
import type { StorageLogger } from "../storage/log-segment";
import type { PartitionLog } from "../storage/partition-log";
import { PRODUCER_ID_EXPIRATION_MS, type SequenceCheck } from "./producer-state";
import { ProducerStateManager } from "./producer-state-manager";

const APPEND: SequenceCheck = { kind: "append" };

/**
 * The producer state of every partition log on this node, loaded when the
 * broker starts (or when a log is first produced to) and snapshotted at a
 * clean shutdown. The produce path calls check() and appended() around an
 * append, with no await between them.
 */
export class ProducerStates {
  private readonly byPartition = new Map<string, ProducerStateManager>();

  constructor(private readonly deps: { fs: FileSystem; logger: StorageLogger; expirationMs?: number }) {}

  /** The partition's state, loaded from its snapshot and log on first use. */
  forLog(log: PartitionLog): ProducerStateManager {
    const key = keyOf(log);
    let manager = this.byPartition.get(key);
    if (!manager || manager.log !== log) {
      manager = ProducerStateManager.load(log, this.deps);
      this.byPartition.set(key, manager);
    }
    return manager;
  }

  /** Before an append: nothing to do unless a batch carries a producer id (the common case costs one comparison). */
  check(log: PartitionLog, batches: readonly ValidatedBatch[]): SequenceCheck {
    if (!hasProducer(batches)) return APPEND;
    return this.forLog(log).check(batches);
  }

  /** After an append of `batches` at `baseOffset`. */
  appended(log: PartitionLog, batches: readonly ValidatedBatch[], baseOffset: number, nowMs: number): void {
    if (!hasProducer(batches)) return;
    this.forLog(log).appended(batches, baseOffset, nowMs);
  }

  topicDeleted(topic: string): void {
    for (const [key, manager] of [...this.byPartition]) if (manager.log.topic === topic) this.byPartition.delete(key);
  }

  /** A clean shutdown: every partition's state goes to `<log end>.snapshot`, so the next start replays nothing. */
  snapshotAll(nowMs: number): void {
    for (const [key, manager] of this.byPartition) {
      try {
        manager.expire(nowMs, this.deps.expirationMs ?? PRODUCER_ID_EXPIRATION_MS);
        manager.snapshot();
      } catch (error) {
        this.deps.logger("writing a producer state snapshot failed", { dir: manager.log.dir, error: error instanceof Error ? error.message : String(error) });
      }
      this.byPartition.delete(key);
    }
  }
}

function hasProducer(batches: readonly ValidatedBatch[]): boolean {
  for (const batch of batches) if (batch.producerId >= 0) return true;
  return false;
}

function keyOf(log: PartitionLog): string {
  return `${log.topic}\u0000${log.partition}`;
}
