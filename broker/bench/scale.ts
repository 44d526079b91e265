/**
 * The scale case of `npm run bench`: one node with many partitions (100 per
 * topic), one record written to each, then a graceful restart. Reports the
 * time to create them, to write them, the broker's RSS and open descriptors,
 * the shutdown time and the restart time until the node answers Metadata.
 * Each run gets a broker process of its own (a restart needs one), on the
 * machine's open-file limit unless `openFileLimit` asks for another.
 */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { BenchBroker } from "./broker-node";
import { kafkaClient } from "./kafkajs-load";

const PARTITIONS_PER_TOPIC = 100;
/** Topics per CreateTopics request: 1,000 partitions, well inside a request timeout. */
const TOPICS_PER_REQUEST = 10;
/** Topics per produce request: 2,000 one-record batches. */
const TOPICS_PER_SEND = 20;
/** Restarting or stopping 50,000 partitions may take longer than the default waits. */
const START_TIMEOUT_MS = 300_000;
const STOP_TIMEOUT_MS = 300_000;

let runCount = 0;

export const SCALE_TARGETS = { rssBytes: 1024 * 1024 * 1024, restartSeconds: 5, targetPartitions: 10_000 };

export interface ScaleResult {
  partitions: number;
  topics: number;
  /** The broker's RLIMIT_NOFILE: the machine's unless the run asked for another. */
  openFileLimit: number | "default";
  createSeconds: number;
  writeOneRecordEachSeconds: number;
  /** After creating and writing: VmRSS and descriptors of the broker process. */
  rssBytesAfterWrite: number;
  descriptorsAfterWrite: number;
  shutdownSeconds: number;
  /** From spawning the process until a Metadata request for every topic is answered. */
  restartSeconds: number;
  rssBytesAfterRestart: number;
  descriptorsAfterRestart: number;
  /** Records the restarted node reports in all partitions (ListOffsets): one per partition when nothing was lost. */
  recordsAfterRestart: number;
  /** The broker's startup warning about the open-file limit, if it gave one. */
  limitWarning: string | null;
}

export async function scaleCase(options: { dir: string; partitions: number; openFileLimit?: number; brokerRoot?: string }): Promise<ScaleResult> {
  // A fresh log dir for every run, even of the same size.
  const dir = path.join(options.dir, `scale-${options.partitions}-${++runCount}`);
  mkdirSync(dir, { recursive: true });
  const topicCount = Math.ceil(options.partitions / PARTITIONS_PER_TOPIC);
  const topics = Array.from({ length: topicCount }, (_, i) => `scale-${String(i).padStart(4, "0")}`);
  const brokerOptions = { dir, brokerRoot: options.brokerRoot, openFileLimit: options.openFileLimit, startTimeoutMs: START_TIMEOUT_MS };
  let broker = await BenchBroker.start(brokerOptions);
  try {
    let kafka = kafkaClient(broker.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    const createStarted = performance.now();
    for (let i = 0; i < topics.length; i += TOPICS_PER_REQUEST) {
      await admin.createTopics({
        timeout: 60_000,
        topics: topics.slice(i, i + TOPICS_PER_REQUEST).map((topic) => ({ topic, numPartitions: PARTITIONS_PER_TOPIC, replicationFactor: 1 })),
      });
    }
    const createSeconds = (performance.now() - createStarted) / 1000;
    await admin.disconnect();
    console.log(`  scale ${options.partitions}: created ${topicCount} topics in ${createSeconds.toFixed(2)} s`);

    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const writeStarted = performance.now();
    for (let i = 0; i < topics.length; i += TOPICS_PER_SEND) {
      await producer.sendBatch({
        acks: -1,
        timeout: 60_000,
        topicMessages: topics.slice(i, i + TOPICS_PER_SEND).map((topic) => ({
          topic,
          messages: Array.from({ length: PARTITIONS_PER_TOPIC }, (_, partition) => ({ partition, value: `${topic}/${partition}` })),
        })),
      });
    }
    const writeOneRecordEachSeconds = (performance.now() - writeStarted) / 1000;
    await producer.disconnect();
    const rssBytesAfterWrite = broker.memory()?.rssBytes ?? NaN;
    const descriptorsAfterWrite = broker.openDescriptors();
    console.log(`  scale ${options.partitions}: wrote one record to each partition in ${writeOneRecordEachSeconds.toFixed(2)} s`);

    const shutdownStarted = performance.now();
    const stopped = await broker.stop(STOP_TIMEOUT_MS);
    const shutdownSeconds = (performance.now() - shutdownStarted) / 1000;
    if (stopped !== 0) throw new Error(`the broker exited with ${stopped} on SIGTERM`);

    const restartStarted = performance.now();
    broker = await BenchBroker.start(brokerOptions);
    kafka = kafkaClient(broker.bootstrap);
    const reader = kafka.admin();
    await reader.connect();
    await reader.fetchTopicMetadata({ topics });
    const restartSeconds = (performance.now() - restartStarted) / 1000;
    const rssBytesAfterRestart = broker.memory()?.rssBytes ?? NaN;
    const descriptorsAfterRestart = broker.openDescriptors();
    let recordsAfterRestart = 0;
    for (const topic of topics) recordsAfterRestart += (await reader.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    await reader.disconnect();
    console.log(`  scale ${options.partitions}: restarted in ${restartSeconds.toFixed(2)} s, ${recordsAfterRestart} records`);
    return {
      partitions: topicCount * PARTITIONS_PER_TOPIC,
      topics: topicCount,
      openFileLimit: options.openFileLimit ?? "default",
      createSeconds,
      writeOneRecordEachSeconds,
      rssBytesAfterWrite,
      descriptorsAfterWrite,
      shutdownSeconds,
      restartSeconds,
      rssBytesAfterRestart,
      descriptorsAfterRestart,
      recordsAfterRestart,
      limitWarning: readFileSync(broker.outputFile, "utf8").match(/"msg":"(the open-file limit is low[^"]*)"/)?.[1] ?? null,
    };
  } finally {
    await broker.stop(STOP_TIMEOUT_MS);
  }
}

/** The table rows and target verdicts for the report. */
export function scaleLines(results: readonly ScaleResult[]): string[] {
  if (results.length === 0) return [];
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
  const lines = [
    "",
    `${"scale (100 partitions a topic)".padEnd(31)} ${"create s".padStart(9)} ${"write s".padStart(8)} ${"RSS".padStart(9)} ${"fds".padStart(6)} ${"stop s".padStart(7)} ${"restart s".padStart(10)} ${"RSS".padStart(9)} ${"fds".padStart(6)} ${"records".padStart(8)}`,
  ];
  for (const r of results) {
    const name = `${r.partitions.toLocaleString("en-US")} partitions, nofile ${r.openFileLimit}`;
    lines.push(
      `${name.padEnd(31)} ${r.createSeconds.toFixed(2).padStart(9)} ${r.writeOneRecordEachSeconds.toFixed(2).padStart(8)} ${mib(r.rssBytesAfterWrite).padStart(9)} ${String(r.descriptorsAfterWrite).padStart(6)} ${r.shutdownSeconds.toFixed(2).padStart(7)} ${r.restartSeconds.toFixed(2).padStart(10)} ${mib(r.rssBytesAfterRestart).padStart(9)} ${String(r.descriptorsAfterRestart).padStart(6)} ${String(r.recordsAfterRestart).padStart(8)}`,
    );
    if (r.limitWarning) lines.push(`  broker: ${r.limitWarning.slice(0, 160)}...`);
  }
  lines.push("RSS and fds after writing one record to each partition, then after the restart; restart: spawn to Metadata answered");
  for (const r of results.filter((result) => result.partitions === SCALE_TARGETS.targetPartitions)) {
    const verdict = (ok: boolean) => (ok ? "met" : "SHORT");
    lines.push(`  scale ${r.partitions}: RSS < 1 GiB ${verdict(Math.max(r.rssBytesAfterWrite, r.rssBytesAfterRestart) < SCALE_TARGETS.rssBytes)}, restart < ${SCALE_TARGETS.restartSeconds} s ${verdict(r.restartSeconds < SCALE_TARGETS.restartSeconds)}, every record kept ${verdict(r.recordsAfterRestart === r.partitions)}`);
  }
  return lines;
}
