/**
 * The broker's event-loop delay (perf_hooks.monitorEventLoopDelay, read
 * through bench/event-loop-probe.ts) in two windows: while kafkajs producers
 * keep it busy, and while the log cleaner compacts a large-ish log under the
 * same produce load. Long synchronous work on the loop (a cleaner pass, an
 * fsync) shows up as the max and, once it is frequent, the p99.
 */
import { readFileSync } from "node:fs";
import type { Admin, Kafka } from "kafkajs";
import type { BenchBroker, EventLoopDelay } from "./broker-node";
import { kafkajsProduce } from "./kafkajs-load";

export interface EventLoopOutcome {
  produce: EventLoopDelay & { seconds: number };
  compaction: EventLoopDelay & { seconds: number; logBytes: number; cleaned: boolean; pass: CleanerPass | null };
}

export interface EventLoopCaseOptions {
  broker: BenchBroker;
  kafka: Kafka;
  admin: Admin;
  createTopic(prefix: string, partitions: number, configEntries?: Array<{ name: string; value: string }>): Promise<string>;
  produceRecords: number;
  /** Bytes of keyed records written to the compacted topic before the cleaner is let at it. */
  compactedLogBytes: number;
  valueBytes: number;
  log(line: string): void;
}

/** Few keys, overwritten again and again: nearly every batch loses records, so the pass rewrites the whole log. */
const COMPACTED_KEYS = 1000;

/** What the broker's "cleaned a compacted log" line says of the pass. */
export interface CleanerPass {
  segmentsRewritten: number;
  bytesBefore: number;
  bytesAfter: number;
}
const COMPACTED_VALUE_BYTES = 1000;
const COMPACTED_SEGMENT_BYTES = 32 * 1024 * 1024;
const FILL_SEND_RECORDS = 500;
/** The broker's cleaner wakes every 15 s (LOG_CLEANER_BACKOFF_MS); a pass over 256 MiB takes a while on 2 shared cores. */
const CLEANER_WAIT_MS = 120_000;

export async function eventLoopCase(options: EventLoopCaseOptions): Promise<EventLoopOutcome> {
  const { broker, kafka, admin } = options;

  // Window 1: produce load alone.
  const produceTopic = await options.createTopic("event-loop-produce", 1);
  await broker.eventLoopDelay();
  const produceSeconds = await kafkajsProduce(kafka, produceTopic, options.produceRecords, options.valueBytes);
  const produce = { ...(await broker.eventLoopDelay()), seconds: produceSeconds };
  options.log(`  event loop, produce load: p99 ${produce.p99Ms.toFixed(2)} ms, max ${produce.maxMs.toFixed(2)} ms over ${produceSeconds.toFixed(1)} s`);

  // Window 2: a log filled under cleanup.policy=delete, turned compact, cleaned while producers keep going.
  const segmentConfig = { name: "segment.bytes", value: String(COMPACTED_SEGMENT_BYTES) };
  const compactedTopic = await options.createTopic("event-loop-compacted", 1, [segmentConfig]);
  const logBytes = await fillKeyed(kafka, compactedTopic, options.compactedLogBytes);
  const cleanedBefore = cleanedLines(broker, compactedTopic).length;
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: 2 /* TOPIC */,
        name: compactedTopic,
        configEntries: [segmentConfig, { name: "cleanup.policy", value: "compact" }, { name: "min.cleanable.dirty.ratio", value: "0.01" }],
      },
    ],
  });
  const loadTopic = await options.createTopic("event-loop-load", 1);
  await broker.eventLoopDelay();
  const started = performance.now();
  let cleaned = false;
  let producing = true;
  const load = (async () => {
    while (producing) await kafkajsProduce(kafka, loadTopic, Math.min(options.produceRecords, 50_000), options.valueBytes);
  })();
  try {
    while (performance.now() - started < CLEANER_WAIT_MS) {
      if (cleanedLines(broker, compactedTopic).length > cleanedBefore) {
        cleaned = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    producing = false;
    await load;
  }
  const seconds = (performance.now() - started) / 1000;
  const pass = cleaned ? (cleanedLines(broker, compactedTopic)[cleanedBefore] ?? null) : null;
  const compaction = { ...(await broker.eventLoopDelay()), seconds, logBytes, cleaned, pass };
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  const passSummary = pass ? `; the pass rewrote ${pass.segmentsRewritten} segments, ${mib(pass.bytesBefore)} -> ${mib(pass.bytesAfter)} MiB` : " (the cleaner did not finish in time)";
  options.log(
    `  event loop, compaction of ${mib(logBytes)} MiB of values under produce load: p99 ${compaction.p99Ms.toFixed(2)} ms, ` +
      `max ${compaction.maxMs.toFixed(2)} ms over ${seconds.toFixed(1)} s${passSummary}`,
  );
  return { produce, compaction };
}

/** Writes about `bytes` of keyed records (COMPACTED_KEYS keys, round and round); returns the bytes of values written. */
async function fillKeyed(kafka: Kafka, topic: string, bytes: number): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const value = Buffer.alloc(COMPACTED_VALUE_BYTES, "c");
  let written = 0;
  let key = 0;
  try {
    while (written < bytes) {
      const messages = Array.from({ length: FILL_SEND_RECORDS }, () => ({ key: `key-${key++ % COMPACTED_KEYS}`, value }));
      await producer.send({ topic, acks: 1, messages });
      written += FILL_SEND_RECORDS * COMPACTED_VALUE_BYTES;
    }
  } finally {
    await producer.disconnect();
  }
  return written;
}

/** The "cleaned a compacted log" lines the broker has written for the topic's partition 0, oldest first. */
function cleanedLines(broker: BenchBroker, topic: string): CleanerPass[] {
  return readFileSync(broker.outputFile, "utf8")
    .split("\n")
    .filter((line) => line.includes('"cleaned a compacted log"') && line.includes(`${topic}-0`))
    .map((line) => {
      const fields = JSON.parse(line) as Record<string, unknown>;
      return { segmentsRewritten: Number(fields.segmentsRewritten), bytesBefore: Number(fields.bytesBefore), bytesAfter: Number(fields.bytesAfter) };
    });
}
