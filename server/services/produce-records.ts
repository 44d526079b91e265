import "server-only";
import { Partitioners, type PartitionMetadata } from "kafkajs";
import { produceResultSchema, type ProduceInput, type ProduceResult } from "@/lib/contracts";
import { inputBytes } from "@/lib/payload";
import type { RecordInput } from "@sluice/protocol/records/record-batch";
import { ErrorCode } from "@sluice/protocol/errors";
import { errorFromCode, kafkaCall, ServiceError } from "../kafka/errors";
import { produceBatches, type PartitionAnswer } from "../kafka/produce-batches";
import { clusterClients, type ClusterClients } from "../kafka/registry";
import { noSuchTopic, readTopicState } from "./browse-messages";
import { describeTopicConfigs } from "./describe-configs";

/** Rounds of metadata refresh and resend for partitions whose leader moved, the later ones after a pause for the election. */
const PRODUCE_ATTEMPTS_MAX = 3;
const PRODUCE_RETRY_PAUSE_MS = 250;

/** Leadership moved or is moving: the same records may be sent again once the metadata is fresh. */
const RETRIABLE = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.NOT_ENOUGH_REPLICAS,
]);

// Kafka's default partitioner (murmur2 of the key, round-robin without one), as kafkajs and the Java client place keys.
const choosePartition = Partitioners.DefaultPartitioner();

/** The record the input describes, as the exact bytes to send. */
function recordOf(input: ProduceInput): RecordInput {
  const bytes = (text: string | null, format: ProduceInput["valueFormat"]) => (text === null ? null : Buffer.from(inputBytes(text, format)));
  return {
    key: bytes(input.key, input.keyFormat),
    value: bytes(input.value, input.valueFormat),
    headers: input.headers.map((h) => ({ key: h.key, value: bytes(h.value, h.valueFormat) })),
  };
}

/** Why a batch was too large, with the limit that refused it and where that limit is set. */
async function tooLarge(clients: ClusterClients, topic: string, answer: PartitionAnswer): Promise<ServiceError> {
  const entry = await describeTopicConfigs(topic, clients).then(
    (list) => list.configs.find((c) => c.name === "max.message.bytes") ?? null,
    () => null,
  );
  const copies = answer.recordCount > 1 ? ` (${answer.recordCount} copies in one batch; fewer copies at a time may fit)` : "";
  const size = `The record batch is ${answer.batchBytes.toLocaleString("en-US")} bytes${copies}`;
  if (!entry?.value) return new ServiceError("INVALID_INPUT", `${size}, over the largest batch the topic accepts: max.message.bytes on the topic, or the broker's message.max.bytes when the topic sets none.`);
  const limit = `${Number(entry.value).toLocaleString("en-US")} bytes`;
  const where =
    entry.source === "DYNAMIC_TOPIC_CONFIG" || entry.source === "TOPIC_CONFIG"
      ? "set on this topic as max.message.bytes (its Configuration tab)"
      : "the broker's message.max.bytes, which the topic inherits as it sets no max.message.bytes of its own";
  return new ServiceError("INVALID_INPUT", `${size}, over the topic's limit of ${limit}: ${where}.`);
}

/**
 * Writes `count` copies of one record (acks=all): key, value and headers as
 * the exact bytes given, headers in order and repeats kept. The partition is
 * the one chosen, or the default partitioner's pick for each copy. Returns
 * every record's partition and offset, in the order sent.
 */
export async function produceRecords(topic: string, input: ProduceInput, clients = clusterClients()): Promise<ProduceResult> {
  return kafkaCall(async () => {
    const record = recordOf(input);
    // Metadata first, and fresh on every produce: an unknown topic is a clear 404, never an auto-created topic.
    let { state, metadata } = await readTopicState(clients, topic);
    const partitionCount = metadata.partitions.length;
    if (input.partition !== null && input.partition >= partitionCount)
      throw new ServiceError("INVALID_INPUT", `topic ${topic} has ${partitionCount} partitions (0 to ${partitionCount - 1})`, "partition");

    const placed = Array.from({ length: input.count }, () =>
      input.partition ?? choosePartition({ topic, partitionMetadata: metadata.partitions as PartitionMetadata[], message: { key: record.key, value: record.value } }),
    );
    const pending = new Map<number, number>();
    for (const p of placed) pending.set(p, (pending.get(p) ?? 0) + 1);
    const written = new Map<number, number>();

    for (let attempt = 1; pending.size > 0; attempt++) {
      if (attempt > 1) {
        await new Promise((resolve) => setTimeout(resolve, PRODUCE_RETRY_PAUSE_MS * (attempt - 1)));
        ({ state, metadata } = await readTopicState(clients, topic));
      }
      const byLeader = new Map<number, number[]>();
      for (const partition of pending.keys()) {
        const leader = metadata.partitions.find((p) => p.partitionId === partition)?.leader ?? -1;
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
      }
      const answers = (
        await Promise.all(
          [...byLeader].map(async ([nodeId, partitions]) => {
            const leader = state.brokers.find((b) => b.nodeId === nodeId);
            if (!leader) return partitions.map((partition): PartitionAnswer => ({ partition, errorCode: ErrorCode.LEADER_NOT_AVAILABLE, baseOffset: -1, recordCount: pending.get(partition)!, batchBytes: 0, errorMessage: null }));
            return produceBatches(clients, leader, topic, partitions.map((partition) => ({ partition, records: Array.from({ length: pending.get(partition)! }, () => record) })));
          }),
        )
      ).flat();

      for (const a of answers.filter((a) => a.errorCode === 0)) {
        written.set(a.partition, a.baseOffset);
        pending.delete(a.partition);
      }
      const failed = answers.find((a) => a.errorCode !== 0 && !(RETRIABLE.has(a.errorCode) && attempt < PRODUCE_ATTEMPTS_MAX));
      if (!failed) continue;
      let error: ServiceError;
      if (failed.errorCode === ErrorCode.MESSAGE_TOO_LARGE || failed.errorCode === ErrorCode.RECORD_LIST_TOO_LARGE) error = await tooLarge(clients, topic, failed);
      else if (failed.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) error = noSuchTopic(topic);
      else error = errorFromCode(failed.errorCode, `writing to ${topic}/${failed.partition}`, failed.errorMessage);
      // Partitions answer one by one: say which copies are in Kafka already, so a retry does not double them unknowingly.
      if (written.size === 0) throw error;
      const done = [...written.keys()].map((p) => `${placed.filter((x) => x === p).length} in partition ${p}`).join(", ");
      throw new ServiceError(error.kind, `${error.message} Written before the failure: ${done}.`, error.field);
    }

    // Copies in one partition were one batch: consecutive offsets from its base, in the order they were placed.
    const next = new Map(written);
    return produceResultSchema.parse({
      records: placed.map((partition) => {
        const offset = next.get(partition)!;
        next.set(partition, offset + 1);
        return { partition, offset };
      }),
    });
  });
}
