import "server-only";
import { z } from "zod";
import { messageSchema, PAYLOAD_PREVIEW_BYTES_MAX, SEARCH_TEXT_MAX, searchFieldSchema, type Message, type Payload } from "@/lib/contracts";
import type { BrokerAddress } from "../kafka/broker-wire";
import { kafkaCall, ServiceError, toServiceError } from "../kafka/errors";
import type { FetchedRecord } from "../kafka/fetch-records";
import { clusterClients, type ClusterClients } from "../kafka/registry";
import { pollPartitions, TailLease, type PollResult } from "../kafka/tail-connections";
import { readTopicState } from "./browse-messages";
import { offsetsOfTopic } from "./list-topics";
import { recordMatcher } from "./search-records";

export const tailInputSchema = z.object({
  partition: z.union([z.literal("all"), z.coerce.number({ invalid_type_error: "a partition is all or a number" }).int().min(0, "a partition is 0 or more")], { errorMap: () => ({ message: "a partition is all or a number from 0" }) }).default("all"),
  /** Keep only records containing this text (case-insensitive), as the message search does. */
  q: z.string().min(1).max(SEARCH_TEXT_MAX, `search text is at most ${SEARCH_TEXT_MAX} characters`).optional(),
  in: searchFieldSchema.default("any"),
});
export type TailInput = z.infer<typeof tailInputSchema>;

/** One coalesced batch of a tail: what arrived since the last one. */
export const tailBatchSchema = z.object({
  messages: z.array(messageSchema),
  /** Records that arrived (before the filter) since the last batch. */
  arrived: z.number().int(),
  /** Matching records not sent because the batch was full (the topic outran what a browser can show). */
  skipped: z.number().int(),
  /** Records arriving per second over the last second, before the filter. */
  ratePerSecond: z.number(),
});
export type TailBatch = z.infer<typeof tailBatchSchema>;

export const tailNoticeSchema = z.object({ message: z.string() });
export type TailNotice = z.infer<typeof tailNoticeSchema>;

/** Why a stream ended: its time limit, an error while following, or refused at the start (too many tails; sent to EventSource, which cannot read a 429's body). */
export const tailEndSchema = z.object({ reason: z.enum(["time-limit", "error", "refused"]), message: z.string() });
export type TailEnd = z.infer<typeof tailEndSchema>;

export interface TailLimits {
  /** Tails open at once in this console process. */
  concurrentMax: number;
  /** How long one tail runs before it ends with a final event. */
  timeMs: number;
  /** How long one Fetch waits on the broker for new records. */
  maxWaitMs: number;
  /** How often arrivals are sent to the browser, coalesced. */
  flushMs: number;
  /** Records sent per batch at most; the browser keeps a few thousand anyway. */
  batchRecordsMax: number;
}

const envInt = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

export const tailLimitsFromEnv = (): TailLimits => ({
  concurrentMax: envInt("SLUICE_TAIL_MAX", 10),
  timeMs: envInt("SLUICE_TAIL_TIME_MS", 15 * 60_000),
  maxWaitMs: 500,
  flushMs: 100,
  batchRecordsMax: 500,
});

/** Too many tails already: the route answers 429. */
export class TailCapError extends Error {
  constructor(readonly max: number) {
    super(`${max} live tails are open on this console already (the most it allows, SLUICE_TAIL_MAX); close one or try again later`);
  }
}

/** A partition whose leader moved is looked up again after 250 ms, then with backoff up to 5 s, for at most a minute. */
const LEADER_RETRY_BASE_MS = 250;
const LEADER_RETRY_MAX_MS = 5_000;
const LEADER_WAIT_MAX_MS = 60_000;

const addressOf = (broker: BrokerAddress) => `${broker.host}:${broker.port}`;

/** Resolves after `ms`, or at once when `signal` aborts. */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

// On globalThis, like the registry, so a hot reload in development does not lose count.
const tailCount = globalThis as unknown as { __sluiceTails?: number };

/** Tails running now in this process. */
export const activeTails = () => tailCount.__sluiceTails ?? 0;

function payload(bytes: Buffer | null): Payload | null {
  if (bytes === null) return null;
  const truncated = bytes.length > PAYLOAD_PREVIEW_BYTES_MAX;
  return { base64: (truncated ? bytes.subarray(0, PAYLOAD_PREVIEW_BYTES_MAX) : bytes).toString("base64"), sizeBytes: bytes.length, truncated };
}

const toMessage = (r: FetchedRecord): Message => ({
  partition: r.partition,
  offset: r.offset,
  timestamp: r.timestamp,
  key: payload(r.key),
  value: payload(r.value),
  headers: r.headers.map((h) => ({ key: h.key, value: payload(h.value) })),
});

export interface TailHandlers {
  /** Where the tail starts: each partition's end when it began. */
  onStart(start: { partitions: Array<{ partition: number; offset: number }> }): void;
  onBatch(batch: TailBatch): void;
  /** What the tail is waiting for (a partition's leader moved or its broker went away); "" once it is following all again. */
  onNotice?(notice: TailNotice): void;
  onEnd(end: TailEnd): void;
}

export interface Tail {
  /** Resolves once the tail has stopped reading and released its connections. */
  done: Promise<void>;
}

/**
 * Follows new records of a topic (all partitions or one) from its current
 * end, filtered as the message search filters, until `signal` aborts or the
 * time limit passes. Throws TailCapError at once when the cap is reached, and
 * the usual ServiceErrors (unknown topic or partition) before onStart.
 * Arrivals are sent in batches every `flushMs`.
 */
export async function startTail(
  topic: string,
  input: TailInput,
  signal: AbortSignal,
  handlers: TailHandlers,
  clients: ClusterClients = clusterClients(),
  limits: TailLimits = tailLimitsFromEnv(),
): Promise<Tail> {
  if (activeTails() >= limits.concurrentMax) throw new TailCapError(limits.concurrentMax);
  tailCount.__sluiceTails = activeTails() + 1;
  let released = false;
  const release = () => {
    if (!released) tailCount.__sluiceTails = activeTails() - 1;
    released = true;
  };
  try {
    const targets = await kafkaCall(() => tailTargets(clients, topic, input.partition));
    if (signal.aborted) {
      release();
      return { done: Promise.resolve() };
    }
    return { done: runTail(clients, topic, input, targets, signal, handlers, limits).finally(release) };
  } catch (error) {
    release();
    throw error;
  }
}

interface TailTarget {
  partition: number;
  leader: BrokerAddress;
  end: number;
}

async function tailTargets(clients: ClusterClients, topic: string, partition: number | "all"): Promise<TailTarget[]> {
  const { state, metadata } = await readTopicState(clients, topic);
  const chosen = metadata.partitions.filter((p) => partition === "all" || p.partitionId === partition);
  if (chosen.length === 0) throw new ServiceError("NOT_FOUND", `topic ${topic} has no partition ${partition} (it has ${metadata.partitions.length}: 0 to ${metadata.partitions.length - 1})`, "partition");
  const offsets = new Map((await offsetsOfTopic(clients, state, topic)).map((o) => [o.partition, o.high]));
  const brokers = new Map(state.brokers.map((b) => [b.nodeId, b]));
  return chosen.map((p) => {
    const leader = brokers.get(p.leader);
    if (!leader) throw new ServiceError("UNAVAILABLE", `partition ${p.partitionId} of ${topic} has no leader`);
    return { partition: p.partitionId, leader, end: offsets.get(p.partitionId) ?? 0 };
  });
}

async function runTail(
  clients: ClusterClients,
  topic: string,
  input: TailInput,
  targets: TailTarget[],
  signal: AbortSignal,
  handlers: TailHandlers,
  limits: TailLimits,
): Promise<void> {
  const lease = new TailLease(clients);
  const matches = input.q === undefined ? () => true : recordMatcher(input.q, input.in);
  const stop = new AbortController();
  const onAbort = () => {
    stop.abort();
    lease.close(); // a Fetch waiting on the broker rejects now, not after its max wait
  };
  signal.addEventListener("abort", onAbort, { once: true });
  const timeLimit = setTimeout(() => {
    handlers.onEnd({ reason: "time-limit", message: `a live tail runs for at most ${Math.round(limits.timeMs / 1000)} s; start it again to go on` });
    onAbort();
  }, limits.timeMs);

  let pending: FetchedRecord[] = [];
  let arrived = 0;
  let skipped = 0;
  // Arrivals per flush over the last second, for the rate.
  const recent: Array<{ at: number; count: number }> = [];
  let rateSent = 0;
  const flush = () => {
    const now = Date.now();
    recent.push({ at: now, count: arrived });
    while (recent.length > 0 && recent[0].at <= now - 1_000) recent.shift();
    const ratePerSecond = recent.reduce((sum, r) => sum + r.count, 0);
    // An empty batch only to say the rate changed (it falls to 0 when the topic goes quiet).
    if (pending.length === 0 && arrived === 0 && skipped === 0 && ratePerSecond === rateSent) return;
    rateSent = ratePerSecond;
    handlers.onBatch({ messages: pending.map(toMessage), arrived, skipped, ratePerSecond });
    pending = [];
    arrived = 0;
    skipped = 0;
  };
  const flusher = setInterval(flush, limits.flushMs);

  handlers.onStart({ partitions: targets.map((t) => ({ partition: t.partition, offset: t.end })).sort((a, b) => a.partition - b.partition) });

  // One long-poll loop per leader, each on the tail's own connection to it. A
  // loop whose broker goes away or stops leading some of its partitions looks
  // their leaders up again and hands them to the loop of their new leader.
  const loops = new Map<string, { leader: BrokerAddress; positions: Map<number, number> }>();
  const running = new Set<Promise<void>>();
  let failure: unknown = null;
  const fail = (error: unknown) => {
    failure ??= error;
    stop.abort();
    lease.close();
  };
  const follow = (leader: BrokerAddress, positions: Map<number, number>) => {
    const key = addressOf(leader);
    const existing = loops.get(key);
    if (existing) {
      for (const [partition, offset] of positions) existing.positions.set(partition, offset);
      return;
    }
    const loop = { leader, positions };
    loops.set(key, loop);
    const task = followLeader(loop).catch(fail).finally(() => {
      loops.delete(key);
      running.delete(task);
    });
    running.add(task);
  };
  /** Finds who leads `partitions` now, retrying while there is no answer; their positions move with them. */
  const relocate = async (positions: Map<number, number>, why: string) => {
    const partitions = [...positions.keys()].sort((a, b) => a - b);
    const since = Date.now();
    for (let attempt = 0; !stop.signal.aborted; attempt++) {
      handlers.onNotice?.({ message: `finding the leader of partition${partitions.length > 1 ? "s" : ""} ${partitions.join(", ")} (${why})` });
      await abortableSleep(Math.min(LEADER_RETRY_BASE_MS * 2 ** attempt, LEADER_RETRY_MAX_MS), stop.signal);
      if (stop.signal.aborted) return;
      try {
        const found = await kafkaCall(() => tailTargets(clients, topic, "all"));
        const leaders = new Map(found.map((t) => [t.partition, t.leader]));
        const lost = partitions.filter((p) => !leaders.has(p));
        if (lost.length > 0) throw new ServiceError("NOT_FOUND", `partition${lost.length > 1 ? "s" : ""} ${lost.join(", ")} of ${topic} no longer exist${lost.length > 1 ? "" : "s"}`);
        for (const partition of partitions) follow(leaders.get(partition)!, new Map([[partition, positions.get(partition)!]]));
        handlers.onNotice?.({ message: "" });
        return;
      } catch (error) {
        if (error instanceof ServiceError && error.kind === "NOT_FOUND") throw error;
        why = error instanceof Error ? error.message : String(error);
        if (Date.now() - since > LEADER_WAIT_MAX_MS)
          throw new Error(`no leader found for partition${partitions.length > 1 ? "s" : ""} ${partitions.join(", ")} within ${LEADER_WAIT_MAX_MS / 1000} s: ${why}`, { cause: error });
      }
    }
  };
  const followLeader = async (loop: { leader: BrokerAddress; positions: Map<number, number> }) => {
    while (!stop.signal.aborted && loop.positions.size > 0) {
      let polled: PollResult;
      try {
        const connection = await lease.connection(loop.leader);
        if (stop.signal.aborted) return;
        polled = await pollPartitions(connection, topic, loop.positions, limits.maxWaitMs);
      } catch (error) {
        if (stop.signal.aborted) return;
        // Only a broker that is unreachable or dropped the connection is looked for elsewhere; anything else ends the tail.
        const mapped = toServiceError(error);
        if (!(mapped instanceof ServiceError && mapped.kind === "UNAVAILABLE") && !/connection closed/i.test(String((error as Error)?.message))) throw error;
        const positions = new Map(loop.positions);
        loop.positions.clear();
        loops.delete(addressOf(loop.leader));
        lease.release(loop.leader);
        await relocate(positions, `${addressOf(loop.leader)}: ${(error as Error)?.message ?? String(error)}`);
        return;
      }
      if (stop.signal.aborted) return;
      for (const [partition, offset] of polled.next) if (loop.positions.has(partition)) loop.positions.set(partition, offset);
      arrived += polled.records.length;
      for (const record of polled.records) {
        if (!matches(record)) continue;
        if (pending.length < limits.batchRecordsMax) pending.push(record);
        else skipped++;
      }
      if (polled.moved.size > 0) {
        const positions = new Map([...polled.moved.keys()].map((partition) => [partition, loop.positions.get(partition)!]));
        for (const partition of polled.moved.keys()) loop.positions.delete(partition);
        // Looked up beside this loop, which goes on with the partitions it still leads.
        const why = [...new Set(polled.moved.values())].join(", ");
        const task = relocate(positions, why).catch(fail).finally(() => running.delete(task));
        running.add(task);
      }
    }
    if (loop.positions.size === 0) lease.release(loop.leader);
  };
  try {
    for (const t of targets) follow(t.leader, new Map([[t.partition, t.end]]));
    while (running.size > 0) await Promise.race(running);
  } finally {
    clearTimeout(timeLimit);
    clearInterval(flusher);
    signal.removeEventListener("abort", onAbort);
    if (failure !== null) {
      flush();
      handlers.onEnd({ reason: "error", message: failure instanceof Error ? failure.message : String(failure) });
    }
    stop.abort();
    lease.close();
  }
}
