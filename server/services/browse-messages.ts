import "server-only";
import {
  browseResultSchema,
  messageSchema,
  PAYLOAD_PREVIEW_BYTES_MAX,
  type BrowseInput,
  type BrowseResult,
  type Message,
  type Payload,
} from "@/lib/contracts";
import { parseCursor, formatCursor } from "@/lib/cursor";
import type { BrokerAddress } from "../kafka/broker-wire";
import { kafkaCall, kafkaType, ServiceError } from "../kafka/errors";
import { offsetsForTimestamp, readPartitionRange, type FetchedRecord, type ReadBudget } from "../kafka/fetch-records";
import { clusterClients, type ClusterClients } from "../kafka/registry";
import { readClusterState, type ClusterState } from "./cluster-state";
import { offsetsOfTopic } from "./list-topics";
import { recordMatcher, scanBudget, scanPartition, SEARCH_LIMITS, type SearchLimits } from "./search-records";

/** A browse stops after this long or this many fetched bytes, returning what it found. */
export const BROWSE_TIME_MS_MAX = 5_000;
export const BROWSE_FETCH_BYTES_MAX = 32 * 1024 * 1024;

function payload(bytes: Buffer | null, full: boolean): Payload | null {
  if (bytes === null) return null;
  const truncated = !full && bytes.length > PAYLOAD_PREVIEW_BYTES_MAX;
  return { base64: (truncated ? bytes.subarray(0, PAYLOAD_PREVIEW_BYTES_MAX) : bytes).toString("base64"), sizeBytes: bytes.length, truncated };
}

function toMessage(r: FetchedRecord, full: boolean): Message {
  return messageSchema.parse({
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: payload(r.key, full),
    value: payload(r.value, full),
    // The bytes, not their UTF-8 decoding: header values need not be text.
    headers: r.headers.map((h) => ({ key: h.key, value: payload(h.value, true) })),
  });
}

interface Target {
  partition: number;
  leader: BrokerAddress;
  low: number;
  high: number;
}

export const noSuchTopic = (topic: string) => new ServiceError("NOT_FOUND", `there is no topic ${topic} in the cluster (deleted, or never created)`);

/** Fresh metadata of one topic and the brokers; an unknown topic is NOT_FOUND in words a user can act on. */
export async function readTopicState(clients: ClusterClients, topic: string): Promise<{ state: ClusterState; metadata: ClusterState["topics"][number] }> {
  const state = await readClusterState(clients, [topic]).catch((error) => {
    throw kafkaType(error) === "UNKNOWN_TOPIC_OR_PARTITION" ? noSuchTopic(topic) : error;
  });
  const metadata = state.topics.find((t) => t.name === topic);
  if (!metadata) throw noSuchTopic(topic);
  return { state, metadata };
}

async function targets(clients: ClusterClients, topic: string, partition: number | "all"): Promise<Target[]> {
  const { state, metadata } = await readTopicState(clients, topic);
  const offsets = new Map((await offsetsOfTopic(clients, state, topic)).map((o) => [o.partition, o]));
  const brokers = new Map(state.brokers.map((b) => [b.nodeId, b]));
  const chosen = metadata.partitions.filter((p) => partition === "all" || p.partitionId === partition);
  if (chosen.length === 0) throw new ServiceError("NOT_FOUND", `topic ${topic} has no partition ${partition} (it has ${metadata.partitions.length}: 0 to ${metadata.partitions.length - 1})`, "partition");
  return chosen
    .sort((a, b) => a.partitionId - b.partitionId)
    .map((p) => {
      const leader = brokers.get(p.leader);
      if (!leader) throw new ServiceError("UNAVAILABLE", `partition ${p.partitionId} of ${topic} has no leader`);
      const o = offsets.get(p.partitionId) ?? { low: 0, high: 0 };
      return { partition: p.partitionId, leader, low: o.low, high: o.high };
    });
}

const clamp = (value: number, low: number, high: number) => Math.min(Math.max(value, low), high);

/** Page order: by offset within one partition, by timestamp across several. */
function compareRecords(single: boolean, newestFirst: boolean) {
  return (a: FetchedRecord, b: FetchedRecord) => {
    const order = single ? a.offset - b.offset : a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset;
    return newestFirst ? -order : order;
  };
}

/**
 * A page of records: from one partition or all, starting at the oldest, the
 * newest, an offset or a timestamp (or a cursor from the previous page),
 * newest-first or oldest-first. Bounded in records, bytes and time. With a
 * search text, only matching records, scanning until `count` match or the
 * search budget (`searchLimits`) runs out.
 */
export async function browseMessages(topic: string, input: BrowseInput, clients = clusterClients(), searchLimits: SearchLimits = SEARCH_LIMITS): Promise<BrowseResult> {
  return kafkaCall(async () => {
    const parts = await targets(clients, topic, input.partition);
    const cursor = input.cursor ? parseCursor(input.cursor) : null;
    let timestampOffsets: Map<number, number> | null = null;
    // No record at or after the timestamp: Kafka answers -1, meaning "the end".
    if (!cursor && input.start === "timestamp") timestampOffsets = await offsetsForTimestamp(clients, topic, parts.map((t) => ({ partition: t.partition, leader: t.leader })), input.timestamp!);
    const newestFirst = input.order === "newest-first";
    const count = input.count;

    // Each partition contributes a window [from, to); newest-first reads the window ending at its position.
    const windows = parts.map((t) => {
      let position: number;
      if (cursor) position = cursor.get(t.partition) ?? (newestFirst ? t.high : t.low);
      else if (input.start === "oldest") position = newestFirst ? t.low + count : t.low;
      else if (input.start === "newest") position = newestFirst ? t.high : t.high - count;
      else if (input.start === "offset") position = newestFirst ? input.offset! + 1 : input.offset!;
      else {
        const at = timestampOffsets!.get(t.partition) ?? -1;
        position = at < 0 ? t.high : newestFirst ? at + 1 : at;
      }
      position = clamp(position, t.low, t.high);
      return newestFirst ? { target: t, position, from: Math.max(t.low, position - count), to: position } : { target: t, position, from: position, to: Math.min(t.high, position + count) };
    });
    const hasMore = (next: Map<number, number>) =>
      windows.some((w) => (newestFirst ? next.get(w.target.partition)! > w.target.low : next.get(w.target.partition)! < w.target.high));

    if (input.q !== undefined) {
      const budget = scanBudget(searchLimits);
      const matcher = recordMatcher(input.q, input.in);
      const scans = await Promise.all(windows.map((w) => scanPartition(clients, topic, w.target, w.position, newestFirst, count, matcher, budget)));
      const page = scans
        .flatMap((s) => s.matches)
        .sort(compareRecords(parts.length === 1, newestFirst))
        .slice(0, count);
      const shown = new Set(page);
      // A partition goes on after its matches that made the page, in its scan order; matches left off are found again next page.
      const next = new Map<number, number>();
      windows.forEach((w, i) => {
        const { matches, stop } = scans[i];
        let kept = 0;
        while (kept < matches.length && shown.has(matches[kept])) kept++;
        const last = matches[kept - 1];
        next.set(w.target.partition, kept === matches.length ? stop : kept === 0 ? w.position : newestFirst ? last.offset : last.offset + 1);
      });
      return browseResultSchema.parse({
        messages: page.map((r) => toMessage(r, false)),
        nextCursor: hasMore(next) ? formatCursor(next) : null,
        budgetExhausted: budget.exhausted,
        scanned: scans.reduce((sum, s) => sum + s.scanned, 0),
      });
    }

    const budget: ReadBudget = { deadlineMs: Date.now() + BROWSE_TIME_MS_MAX, bytesLeft: BROWSE_FETCH_BYTES_MAX, exhausted: false };
    const read = await Promise.all(
      windows.map((w) => (w.from < w.to ? readPartitionRange(clients, w.target.leader, topic, w.target.partition, w.from, w.to, count, budget) : [])),
    );
    const all = read.flat();
    const page = all.sort(compareRecords(parts.length === 1, newestFirst)).slice(0, count);

    // Where each partition continues: past the records shown, or where it was when none of its records made the page.
    const next = new Map<number, number>();
    for (const w of windows) next.set(w.target.partition, w.position);
    for (const m of page) {
      const current = next.get(m.partition)!;
      next.set(m.partition, newestFirst ? Math.min(current, m.offset) : Math.max(current, m.offset + 1));
    }
    return browseResultSchema.parse({
      messages: page.map((r) => toMessage(r, false)),
      nextCursor: hasMore(next) ? formatCursor(next) : null,
      budgetExhausted: budget.exhausted,
      scanned: all.length,
    });
  });
}

/** One record with its whole key and value ("load all"). */
export async function getRecord(topic: string, partition: number, offset: number, clients = clusterClients()): Promise<Message> {
  return kafkaCall(async () => {
    const [target] = await targets(clients, topic, partition);
    if (offset < target.low || offset >= target.high)
      throw new ServiceError("NOT_FOUND", `offset ${offset} is outside partition ${partition} (${target.low} to ${target.high - 1})`, "offset");
    const budget: ReadBudget = { deadlineMs: Date.now() + BROWSE_TIME_MS_MAX, bytesLeft: BROWSE_FETCH_BYTES_MAX, exhausted: false };
    const [record] = await readPartitionRange(clients, target.leader, topic, partition, offset, offset + 1, 1, budget);
    if (!record) throw new ServiceError("NOT_FOUND", `no record at offset ${offset} of partition ${partition} (compacted or aborted)`, "offset");
    return toMessage(record, true);
  });
}
