/**
 * `npm run bench`: the broker under load from real clients on this machine.
 * Starts one broker node as its own process (own log dir, free port), then
 * measures produce and consume throughput of 100-byte records with
 * librdkafka (kcat, and bench/rdkafka-perf.c when librdkafka-dev and gcc are
 * present) and kafkajs, end-to-end latency at a fixed rate, and the broker's
 * resident memory, plus a kafkajs consumer group's rebalance time, sequential
 * offset commits per second and librdkafka idempotent produce, and 50 kafkajs
 * producers with and without 5,000 idle connections open, and the broker's
 * event-loop delay (p99, max) under produce load and during a compaction. Prints a table and writes the figures to
 * bench-results/<timestamp>.json at the repository root.
 *
 *   npm run bench -- [--quick] [--repeat N] [--records N] [--only a,b] [--cpu-prof] [--keep]
 *
 *   --quick      about a tenth of the records and shorter latency runs (~1 minute)
 *   --repeat N   runs of each throughput case; the table shows medians (default 3, quick 1)
 *   --records N  records per librdkafka produce run (default 5,000,000)
 *   --only a,b   only the cases whose name contains one of these words (produce, consume, latency, kcat, kafkajs, rebalance, commits, idempotent, idle, event ...)
 *   --cpu-prof   writes a V8 CPU profile of the broker to bench-results/ (node --cpu-prof)
 *   --keep       keeps the temp dir (broker logs and output) for a look afterwards
 *   --broker-root <dir>  runs the broker package in <dir> (its src/main.ts) instead of this one, to compare builds
 *   --scale-partitions N[,N]  partitions of the scale case (default 10000), --scale-nofile N its broker's open-file limit
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Kafka } from "kafkajs";
import { BenchBroker, BROKER_ROOT, type EventLoopDelay } from "./broker-node";
import { idleConnectionsCase, openFilesLimit, type IdleConnectionsOutcome } from "./idle-connections";
import { consumePlan, kafkaClient, kafkajsConsume, kafkajsLatency, kafkajsOffsetCommits, kafkajsProduce, kafkajsRebalance } from "./kafkajs-load";
import {
  buildRdkafkaPerf,
  hasCommand,
  kcatConsume,
  kcatProduce,
  perfConsume,
  perfLatency,
  perfProduce,
  writeLinesFile,
} from "./rdkafka";
import { CliArgs } from "./cli-args";
import { eventLoopCase, type EventLoopOutcome } from "./event-loop";
import { scaleCase, scaleLines, type ScaleResult } from "./scale";

const VALUE_BYTES = 100;
const LATENCY_RATE_PER_SECOND = 10_000;
const MB = 1e6;

const TARGETS = {
  produceRecordsPerSecond: 1_000_000,
  consumeRecordsPerSecond: 1_000_000,
  latencyP99Ms: 5,
  eventLoopDelayP99Ms: 20,
  rssBytes: 200 * 1024 * 1024,
};

// --- options ------------------------------------------------------------------

const cli = new CliArgs();
const args = cli.rest;
const flag = (name: string) => cli.flag(name);
const option = (name: string) => cli.option(name);
const quick = flag("--quick");
const cpuProf = flag("--cpu-prof");
const keep = flag("--keep");
const repeat = Number(option("--repeat") ?? (quick ? 1 : 3));
const rdRecords = Number(option("--records") ?? (quick ? 500_000 : 5_000_000));
const only = option("--only")?.split(",").filter(Boolean) ?? [];
const brokerRoot = option("--broker-root");
const scalePartitions = (option("--scale-partitions") ?? "10000").split(",").map(Number);
const scaleOpenFileLimit = option("--scale-nofile");
if (args.length > 0) {
  console.error(`unknown arguments: ${args.join(" ")}\nusage: npm run bench -- [--quick] [--repeat N] [--records N] [--only a,b] [--cpu-prof] [--keep] [--broker-root dir]`);
  process.exit(2);
}
if (!(repeat >= 1 && Number.isInteger(repeat)) || !(rdRecords >= 1000 && Number.isInteger(rdRecords))) {
  console.error("--repeat must be a positive integer and --records at least 1000");
  process.exit(2);
}
const kcatRecords = Math.min(rdRecords, quick ? 500_000 : 2_000_000);
const kafkajsProduceRecords = quick ? 100_000 : 500_000;
const kafkajsConsumeRecords = quick ? 200_000 : 1_000_000;
const latencySeconds = quick ? 5 : 20;
const kafkajsLatencySeconds = quick ? 3 : 10;
const REBALANCE_MEMBERS = 10;
const REBALANCE_PARTITIONS = 10;
/** Rebalances are cheap to repeat: at least 3, so that the figure is a median. */
const rebalanceRepeat = Math.max(repeat, 3);
const commitSeconds = quick ? 3 : 5;
const IDLE_CONNECTIONS = 5000;
const IDLE_CASE_PRODUCERS = 50;
const IDLE_CASE_RECORDS_PER_SEND = 10;
const idleCaseSeconds = quick ? 5 : 15;
const eventLoopProduceRecords = quick ? 100_000 : 300_000;
/** The cleaner takes on up to 256 MiB a pass (CLEANER_BYTES_PER_PASS_MAX). */
const eventLoopCompactedBytes = quick ? 64 * 1024 * 1024 : 256 * 1024 * 1024;

const selected = (name: string) => only.length === 0 || only.some((word) => name.includes(word));

// --- results ----------------------------------------------------------------------

interface ThroughputResult {
  kind: "throughput";
  name: string;
  client: string;
  partitions: number;
  records: number;
  runs: Array<{ seconds: number; recordsPerSecond: number; brokerCpuSeconds: number }>;
  recordsPerSecondMedian: number;
  mbPerSecondMedian: number;
  /** Broker CPU time (user + system) per million records, median over the runs. */
  brokerCpuSecondsPerMillionMedian: number;
}

interface LatencyResult {
  kind: "latency";
  name: string;
  client: string;
  ratePerSecond: number;
  records: number;
  received: number;
  /** Broker CPU time over the whole probe (warm-up included), as a share of one core. */
  brokerCpuShare: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** A consumer-group figure: a rebalance's duration (ms) or a commit rate (commits/s), median over the runs. */
interface GroupResult {
  kind: "group";
  name: string;
  client: string;
  unit: "ms" | "commits/s";
  runs: number[];
  median: number;
}

/** Producers alone, then beside idle connections. */
interface IdleResult extends IdleConnectionsOutcome {
  kind: "idle";
  name: string;
  client: string;
}

/** The broker's event-loop delay in each window, median over the runs. */
interface EventLoopResult {
  kind: "eventLoop";
  name: string;
  client: string;
  runs: EventLoopOutcome[];
  produceP99MsMedian: number;
  produceMaxMsMedian: number;
  compactionP99MsMedian: number;
  compactionMaxMsMedian: number;
}

const results: Array<ThroughputResult | LatencyResult | GroupResult | IdleResult | EventLoopResult> = [];
const scaleResults: ScaleResult[] = [];
const notes: string[] = [];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

async function throughput(
  name: string,
  client: string,
  partitions: number,
  records: number,
  once: (run: number) => Promise<{ seconds: number; records?: number }>,
): Promise<void> {
  if (!selected(name)) return;
  const runs: ThroughputResult["runs"] = [];
  for (let i = 0; i < repeat; i++) {
    const cpuBefore = broker.cpuSeconds();
    const { seconds, records: done = records } = await once(i);
    const brokerCpuSeconds = broker.cpuSeconds() - cpuBefore;
    if (done !== records) throw new Error(`${name}: expected ${records} records, got ${done}`);
    runs.push({ seconds, recordsPerSecond: records / seconds, brokerCpuSeconds });
    console.log(
      `  ${name} run ${i + 1}/${repeat}: ${fmt(records / seconds)} records/s (${seconds.toFixed(2)} s, broker CPU ${brokerCpuSeconds.toFixed(2)} s)`,
    );
  }
  const recordsPerSecondMedian = median(runs.map((r) => r.recordsPerSecond));
  results.push({
    kind: "throughput",
    name,
    client,
    partitions,
    records,
    runs,
    recordsPerSecondMedian,
    mbPerSecondMedian: (recordsPerSecondMedian * VALUE_BYTES) / MB,
    brokerCpuSecondsPerMillionMedian: median(runs.map((r) => (r.brokerCpuSeconds * 1e6) / records)),
  });
}

// --- the run ------------------------------------------------------------------------

const startedAt = new Date();
const loadAverageAtStart = os.loadavg()[0];
const tempDir = mkdtempSync(path.join(os.tmpdir(), "sluice-bench-"));
const resultsDir = path.resolve(BROKER_ROOT, "..", "bench-results");
mkdirSync(resultsDir, { recursive: true });
const stamp = startedAt.toISOString().replace(/[:.]/g, "-");

const perf = buildRdkafkaPerf(tempDir);
const perfBinary = perf.binary;
if (perf.binary === null) notes.push(`rdkafka-perf not built (${perf.reason}); librdkafka figures come from kcat alone`);
const kcat = hasCommand("kcat");
if (!kcat) notes.push("kcat is not installed; its cases are skipped");

const broker = await BenchBroker.start({
  dir: tempDir,
  cpuProfileDir: cpuProf ? resultsDir : undefined,
  brokerRoot: brokerRoot ? path.resolve(brokerRoot) : undefined,
  // No wait for more members before a new group's first rebalance (Kafka's default, 3000 ms, would be most of the rebalance figure).
  overrides: ["group.initial.rebalance.delay.ms=0"],
  eventLoopProbe: true,
});
// Ctrl-C: the broker (in our process group) gets the signal too and shuts down; the temp dir goes with it.
// The signal can come twice (from the terminal and relayed by tsx); the second must not kill us midway.
let interrupted = false;
process.on("SIGINT", () => {
  if (interrupted) return;
  interrupted = true;
  void broker.stop().finally(() => {
    if (!keep) rmSync(tempDir, { recursive: true, force: true });
    process.exit(130);
  });
});
const kafka: Kafka = kafkaClient(broker.bootstrap);
const admin = kafka.admin();
await admin.connect();
let topicCount = 0;
async function createTopic(prefix: string, partitions: number, configEntries?: Array<{ name: string; value: string }>): Promise<string> {
  const topic = `${prefix}-${++topicCount}`;
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1, configEntries }] });
  return topic;
}
async function recordsIn(topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
}

console.log(
  `broker pid ${broker.pid} on ${broker.bootstrap}; ${os.cpus().length} cpus, node ${process.version}; ` +
    `${VALUE_BYTES}-byte values, ${repeat} run(s) per case${quick ? " (quick)" : ""}; dir ${tempDir}`,
);

/** A topic per partition count holding at least `rdRecords` records, for the consume cases. */
const sourceTopics = new Map<number, string>();
let exitCode = 0;
try {
  // Produce: librdkafka.
  for (const partitions of [1, 6]) {
    if (perfBinary) {
      await throughput(`produce ${partitions}p rdkafka-perf`, `rdkafka-perf (librdkafka ${"version" in perf ? perf.version : ""})`, partitions, rdRecords, async () => {
        const topic = await createTopic(`produce-rd-${partitions}p`, partitions);
        const outcome = await perfProduce(perfBinary, broker.bootstrap, topic, partitions === 1 ? 0 : -1, rdRecords, VALUE_BYTES);
        if (!sourceTopics.has(partitions)) sourceTopics.set(partitions, topic);
        return { seconds: outcome.seconds, records: await recordsIn(topic) };
      });
      if (partitions === 1) {
        await throughput(`produce 1p rdkafka-perf idempotent`, `rdkafka-perf (librdkafka ${"version" in perf ? perf.version : ""}), enable.idempotence=true`, 1, rdRecords, async () => {
          const topic = await createTopic("produce-rd-idem-1p", 1);
          const outcome = await perfProduce(perfBinary, broker.bootstrap, topic, 0, rdRecords, VALUE_BYTES, true);
          return { seconds: outcome.seconds, records: await recordsIn(topic) };
        });
      }
    }
    if (kcat && selected(`produce ${partitions}p kcat`)) {
      const linesFile = path.join(tempDir, "lines.txt");
      await writeLinesFile(linesFile, kcatRecords, VALUE_BYTES);
      await throughput(`produce ${partitions}p kcat`, "kcat -P -l (librdkafka)", partitions, kcatRecords, async () => {
        const topic = await createTopic(`produce-kcat-${partitions}p`, partitions);
        const seconds = await kcatProduce(broker.bootstrap, topic, partitions === 1 ? 0 : -1, linesFile);
        return { seconds, records: await recordsIn(topic) };
      });
      rmSync(linesFile, { force: true });
    }
  }

  // Produce: kafkajs.
  for (const partitions of [1, 6]) {
    await throughput(`produce ${partitions}p kafkajs`, "kafkajs", partitions, kafkajsProduceRecords, async () => {
      const topic = await createTopic(`produce-kafkajs-${partitions}p`, partitions);
      const seconds = await kafkajsProduce(kafka, topic, kafkajsProduceRecords, VALUE_BYTES);
      return { seconds, records: await recordsIn(topic) };
    });
  }

  // Consume: from the beginning of a topic a librdkafka producer filled (filled here when the produce cases were skipped).
  const consumeSelected = ["rdkafka-perf", "kcat", "kafkajs"].some((client) => [1, 6].some((p) => selected(`consume ${p}p ${client}`)));
  for (const partitions of [1, 6]) {
    if (!consumeSelected) break;
    let source = sourceTopics.get(partitions);
    if (!source) {
      source = await createTopic(`consume-${partitions}p`, partitions);
      if (perfBinary) await perfProduce(perfBinary, broker.bootstrap, source, partitions === 1 ? 0 : -1, rdRecords, VALUE_BYTES);
      else await kafkajsProduce(kafka, source, Math.min(rdRecords, kafkajsConsumeRecords), VALUE_BYTES);
    }
    const stored = await recordsIn(source);
    const topic = source;
    if (perfBinary) {
      await throughput(`consume ${partitions}p rdkafka-perf`, "rdkafka-perf (librdkafka simple consumer)", partitions, stored, async () => {
        const outcome = await perfConsume(perfBinary, broker.bootstrap, topic, partitions, stored);
        return { seconds: outcome.seconds, records: outcome.records };
      });
    }
    if (kcat) {
      await throughput(`consume ${partitions}p kcat`, "kcat -C -e (librdkafka), values to /dev/null", partitions, stored, async () => ({
        seconds: await kcatConsume(broker.bootstrap, topic, partitions === 1 ? 0 : -1),
      }));
    }
    const stops = await consumePlan(kafka, topic, partitions, kafkajsConsumeRecords);
    const kafkajsRecords = [...stops.values()].reduce((sum, stop) => sum + stop, 0);
    await throughput(`consume ${partitions}p kafkajs`, "kafkajs fetch loop, no group", partitions, kafkajsRecords, async () => {
      const outcome = await kafkajsConsume(kafka, topic, stops);
      return { seconds: outcome.seconds, records: outcome.records };
    });
  }

  // End-to-end latency at a fixed rate.
  if (perfBinary && selected("latency rdkafka-perf")) {
    const topic = await createTopic("latency-rd", 1);
    const cpuBefore = broker.cpuSeconds();
    const started = process.hrtime.bigint();
    const outcome = await perfLatency(perfBinary, broker.bootstrap, topic, LATENCY_RATE_PER_SECOND, latencySeconds, VALUE_BYTES);
    results.push({
      kind: "latency",
      name: "latency rdkafka-perf",
      client: "rdkafka-perf: librdkafka producer (linger.ms=0, acks=1, records due sent each ms) and simple consumer thread; 2 s warm-up left out",
      ratePerSecond: LATENCY_RATE_PER_SECOND,
      brokerCpuShare: (broker.cpuSeconds() - cpuBefore) / (Number(process.hrtime.bigint() - started) / 1e9),
      ...outcome,
    });
  }
  if (selected("latency kafkajs")) {
    const topic = await createTopic("latency-kafkajs", 1);
    const cpuBefore = broker.cpuSeconds();
    const started = process.hrtime.bigint();
    const outcome = await kafkajsLatency(kafka, topic, LATENCY_RATE_PER_SECOND, kafkajsLatencySeconds, VALUE_BYTES);
    results.push({
      kind: "latency",
      name: "latency kafkajs",
      client: "kafkajs: producer (acks=1, a send per ms) and long-polling fetch loop, one process; 2 s warm-up left out",
      ratePerSecond: LATENCY_RATE_PER_SECOND,
      brokerCpuShare: (broker.cpuSeconds() - cpuBefore) / (Number(process.hrtime.bigint() - started) / 1e9),
      ...outcome,
    });
  }
  // Consumer groups: a rebalance of 10 kafkajs consumers, and sequential offset commits.
  if (selected("rebalance kafkajs")) {
    const topic = await createTopic("rebalance", REBALANCE_PARTITIONS);
    const runs: number[] = [];
    for (let i = 0; i < rebalanceRepeat; i++) {
      const ms = await kafkajsRebalance(kafka, topic, REBALANCE_PARTITIONS, REBALANCE_MEMBERS, `bench-rebalance-${i + 1}`);
      runs.push(ms);
      console.log(`  rebalance kafkajs run ${i + 1}/${rebalanceRepeat}: ${ms.toFixed(0)} ms`);
    }
    results.push({
      kind: "group",
      name: "rebalance kafkajs",
      client:
        `kafkajs: ${REBALANCE_MEMBERS} consumers in this process, a new group on a ${REBALANCE_PARTITIONS}-partition topic; from all calling run() ` +
        "until every member's GROUP_JOIN holds its share of a full assignment; heartbeatInterval 100 ms, group.initial.rebalance.delay.ms=0",
      unit: "ms",
      runs,
      median: median(runs),
    });
  }
  if (selected("offset commits kafkajs")) {
    const topic = await createTopic("commits", 1);
    const runs: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const outcome = await kafkajsOffsetCommits(kafka, topic, `bench-commits-${i + 1}`, commitSeconds);
      runs.push(outcome.commits / outcome.seconds);
      console.log(`  offset commits kafkajs run ${i + 1}/${repeat}: ${fmt(outcome.commits / outcome.seconds)} commits/s (${outcome.commits} in ${outcome.seconds.toFixed(2)} s)`);
    }
    results.push({
      kind: "group",
      name: "offset commits kafkajs",
      client: `kafkajs broker.offsetCommit, one partition, sequential round trips (one request in flight), standalone commits (generation -1), ${commitSeconds} s per run`,
      unit: "commits/s",
      runs,
      median: median(runs),
    });
  }
  // Busy producers beside a crowd of idle connections (both the bench's and the broker's descriptors: ulimit -n must allow about 5,200 each).
  /** The idle connections, the producers' and the broker's own descriptors (log segments included), with room to spare. */
  const idleCaseFilesNeeded = IDLE_CONNECTIONS + 1000;
  const filesLimit = Math.min(openFilesLimit("self") ?? Infinity, openFilesLimit(broker.pid) ?? Infinity);
  if (selected("idle connections kafkajs") && filesLimit < idleCaseFilesNeeded)
    notes.push(`idle connections case skipped: the open-file limit is ${filesLimit}, it needs ${idleCaseFilesNeeded} (raise ulimit -n)`);
  else if (selected("idle connections kafkajs")) {
    const topic = await createTopic("idle-connections", 6);
    const outcome = await idleConnectionsCase({
      bootstrap: broker.bootstrap,
      topic,
      producers: IDLE_CASE_PRODUCERS,
      idleConnections: IDLE_CONNECTIONS,
      secondsPerPhase: idleCaseSeconds,
      rounds: repeat,
      recordsPerSend: IDLE_CASE_RECORDS_PER_SEND,
      valueBytes: VALUE_BYTES,
      brokerMemory: () => broker.memory(),
      log: (line) => console.log(line),
    });
    results.push({
      kind: "idle",
      name: "idle connections kafkajs",
      client:
        `${IDLE_CASE_PRODUCERS} kafkajs producers in this process, acks=1, one send of ${IDLE_CASE_RECORDS_PER_SEND} records in flight each, ` +
        `${idleCaseSeconds} s per phase after a 1 s warm-up; then the same with ${IDLE_CONNECTIONS} connections open that send nothing; ` +
        `${repeat} round(s) of both, medians`,
      ...outcome,
    });
  }
  // Event-loop delay: under produce load, and while the cleaner compacts a log.
  if (selected("event loop kafkajs")) {
    const runs: EventLoopOutcome[] = [];
    for (let i = 0; i < repeat; i++) {
      runs.push(
        await eventLoopCase({
          broker,
          kafka,
          admin,
          createTopic,
          produceRecords: eventLoopProduceRecords,
          compactedLogBytes: eventLoopCompactedBytes,
          valueBytes: VALUE_BYTES,
          log: (line) => console.log(line),
        }),
      );
    }
    results.push({
      kind: "eventLoop",
      name: "event loop kafkajs",
      client:
        `broker's monitorEventLoopDelay (5 ms resolution): kafkajs producing ${fmt(eventLoopProduceRecords)} records; then from a compacted topic's ` +
        `cleanup.policy=compact until its cleaner pass over ${fmt(eventLoopCompactedBytes / 1024 / 1024)} MiB (1,000 keys) is done, kafkajs producing throughout`,
      runs,
      produceP99MsMedian: median(runs.map((r) => r.produce.p99Ms)),
      produceMaxMsMedian: median(runs.map((r) => r.produce.maxMs)),
      compactionP99MsMedian: median(runs.map((r) => r.compaction.p99Ms)),
      compactionMaxMsMedian: median(runs.map((r) => r.compaction.maxMs)),
    });
  }
  // Scale: many partitions on a node of their own, written once and restarted.
  if (selected("scale")) {
    for (const partitions of scalePartitions)
      scaleResults.push(
        await scaleCase({
          dir: tempDir,
          partitions,
          openFileLimit: scaleOpenFileLimit ? Number(scaleOpenFileLimit) : undefined,
          brokerRoot: brokerRoot ? path.resolve(brokerRoot) : undefined,
        }),
      );
  }
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await admin.disconnect().catch(() => {});
}

const memoryAtEnd = broker.memory();
const rssSamples = broker.rssSamplesBytes;
const stopped = await broker.stop();
if (stopped !== 0) notes.push(`the broker exited with ${stopped}`);
const memory = {
  rssPeakBytes: memoryAtEnd?.rssPeakBytes ?? NaN,
  rssEndBytes: memoryAtEnd?.rssBytes ?? NaN,
  rssSampledMaxBytes: rssSamples.length ? Math.max(...rssSamples) : NaN,
};

// --- report ----------------------------------------------------------------------------

/** Wide enough for the longest case name ("produce 1p rdkafka-perf idempotent"). */
const NAME_WIDTH = Math.max(28, ...results.map((r) => r.name.length));
const lines: string[] = [];
lines.push("");
lines.push(
  `${"case".padEnd(NAME_WIDTH)} ${"records".padStart(11)} ${"records/s".padStart(11)} ${"MB/s".padStart(7)} ${"broker CPU s/M".padStart(14)}  runs (records/s)`,
);
for (const r of results) {
  if (r.kind !== "throughput") continue;
  lines.push(
    `${r.name.padEnd(NAME_WIDTH)} ${fmt(r.records).padStart(11)} ${fmt(r.recordsPerSecondMedian).padStart(11)} ${fmt(r.mbPerSecondMedian, 1).padStart(7)} ${r.brokerCpuSecondsPerMillionMedian.toFixed(2).padStart(14)}  ${r.runs.map((run) => fmt(run.recordsPerSecond)).join(" / ")}`,
  );
}
lines.push("");
lines.push(
  `${"latency at 10,000 records/s".padEnd(NAME_WIDTH)} ${"received".padStart(11)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"max ms".padStart(8)} ${"broker CPU".padStart(11)}`,
);
for (const r of results) {
  if (r.kind !== "latency") continue;
  lines.push(`${r.name.padEnd(NAME_WIDTH)} ${fmt(r.received).padStart(11)} ${r.p50Ms.toFixed(2).padStart(8)} ${r.p99Ms.toFixed(2).padStart(8)} ${r.maxMs.toFixed(2).padStart(8)} ${`${(r.brokerCpuShare * 100).toFixed(0)}%`.padStart(11)}`);
}
if (results.some((r) => r.kind === "group")) {
  lines.push("");
  lines.push(`${"consumer groups".padEnd(NAME_WIDTH)} ${"median".padStart(11)} ${"unit".padEnd(10)} runs`);
  for (const r of results) {
    if (r.kind !== "group") continue;
    lines.push(`${r.name.padEnd(NAME_WIDTH)} ${fmt(r.median).padStart(11)} ${r.unit.padEnd(10)} ${r.runs.map((run) => fmt(run)).join(" / ")}`);
  }
  lines.push("rebalance: 10 kafkajs consumers, 10 partitions, from run() to every member assigned (group.initial.rebalance.delay.ms=0, heartbeatInterval 100 ms)");
  lines.push("offset commits: sequential OffsetCommit round trips (one in flight), one partition");
}
for (const r of results) {
  if (r.kind !== "idle") continue;
  lines.push("");
  lines.push(`${`${r.producers} producers, idle connections`.padEnd(NAME_WIDTH)} ${"records/s".padStart(11)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"max ms".padStart(8)} ${"broker RSS".padStart(11)}`);
  for (const phase of [r.without, r.with])
    lines.push(
      `${fmt(phase.idleConnections).padEnd(NAME_WIDTH)} ${fmt(phase.recordsPerSecond).padStart(11)} ${phase.p50Ms.toFixed(2).padStart(8)} ${phase.p99Ms.toFixed(2).padStart(8)} ${phase.maxMs.toFixed(2).padStart(8)} ${`${fmt(phase.rssBytes / 1024 / 1024, 1)} MiB`.padStart(11)}`,
    );
  lines.push(
    `idle connections: ${r.rounds.length} round(s), medians; opened in ${r.rounds.map((round) => round.connectSeconds.toFixed(2)).join(" / ")} s; broker RSS ${fmt(r.rssBytesPerIdleConnection / 1024, 1)} KiB per idle connection; ` +
      `p99 is of one send (${r.recordsPerSend} records of ${r.valueBytes} bytes, acks=1)`,
  );
}
for (const r of results) {
  if (r.kind !== "eventLoop") continue;
  lines.push("");
  lines.push(`${"broker event-loop delay".padEnd(NAME_WIDTH)} ${"p99 ms".padStart(8)} ${"max ms".padStart(8)}  runs (p99 / max ms)`);
  const window = (label: string, p99Ms: number, maxMs: number, pick: (run: EventLoopOutcome) => EventLoopDelay) =>
    lines.push(
      `${label.padEnd(NAME_WIDTH)} ${p99Ms.toFixed(2).padStart(8)} ${maxMs.toFixed(2).padStart(8)}  ${r.runs.map((run) => `${pick(run).p99Ms.toFixed(1)}/${pick(run).maxMs.toFixed(1)}`).join("  ")}`,
    );
  window("produce load", r.produceP99MsMedian, r.produceMaxMsMedian, (run) => run.produce);
  window("compaction + produce load", r.compactionP99MsMedian, r.compactionMaxMsMedian, (run) => run.compaction);
  lines.push(`event loop: ${r.client}; medians of ${r.runs.length} run(s)${r.runs.every((run) => run.compaction.cleaned) ? "" : "; NOTE: a cleaner pass did not finish in time"}`);
}
lines.push(...scaleLines(scaleResults));
lines.push("");
lines.push("broker CPU s/M: the broker process's CPU time (user + system) per million records; broker CPU: its share of one core");
lines.push("");
const mib = (bytes: number) => `${fmt(bytes / 1024 / 1024, 1)} MiB`;
lines.push(`broker RSS: peak (VmHWM) ${mib(memory.rssPeakBytes)}, at the end ${mib(memory.rssEndBytes)}`);
lines.push("");
lines.push("targets (2 cores, clients on the same box):");
/** The targets are for the plain (non-idempotent) librdkafka cases. */
const librdkafkaCases = (prefix: string) =>
  results.filter((r): r is ThroughputResult => r.kind === "throughput" && r.name.startsWith(prefix) && !r.name.endsWith("kafkajs") && !r.name.endsWith("idempotent"));
/** The best librdkafka client's median, and its best single run (the least disturbed by other work on the box). */
const best = (prefix: string) => Math.max(0, ...librdkafkaCases(prefix).map((r) => r.recordsPerSecondMedian));
const bestRun = (prefix: string) => Math.max(0, ...librdkafkaCases(prefix).flatMap((r) => r.runs.map((run) => run.recordsPerSecond)));
const p99 = results.find((r): r is LatencyResult => r.kind === "latency" && r.name === "latency rdkafka-perf")?.p99Ms ?? NaN;
const verdict = (ok: boolean) => (ok ? "met" : "SHORT");
for (const [prefix, target] of [
  ["produce 1p", TARGETS.produceRecordsPerSecond],
  ["consume 1p", TARGETS.consumeRecordsPerSecond],
] as const) {
  if (librdkafkaCases(prefix).length === 0) continue;
  lines.push(
    `  ${prefix} librdkafka >= ${fmt(target)} records/s: median ${fmt(best(prefix))} ${verdict(best(prefix) >= target)} (best run ${fmt(bestRun(prefix))})`,
  );
}
if (!Number.isNaN(p99)) lines.push(`  latency p99 < 5 ms at 10,000 records/s: ${p99.toFixed(2)} ms ${verdict(p99 < TARGETS.latencyP99Ms)}`);
const eventLoop = results.find((r): r is EventLoopResult => r.kind === "eventLoop");
if (eventLoop) {
  const worst = Math.max(eventLoop.produceP99MsMedian, eventLoop.compactionP99MsMedian);
  lines.push(`  event-loop delay p99 < ${TARGETS.eventLoopDelayP99Ms} ms (produce load, compaction): ${worst.toFixed(2)} ms ${verdict(worst < TARGETS.eventLoopDelayP99Ms)}`);
}
lines.push(`  broker RSS peak < 200 MiB: ${mib(memory.rssPeakBytes)} ${verdict(memory.rssPeakBytes < TARGETS.rssBytes)}`);
const loadAverageAtEnd = os.loadavg()[0];
lines.push(
  `load average (1 min) ${loadAverageAtStart.toFixed(1)} at the start, ${loadAverageAtEnd.toFixed(1)} at the end, on ${os.cpus().length} cpus: ` +
    "other work on the box lowers every figure",
);
for (const note of notes) lines.push(`note: ${note}`);
console.log(lines.join("\n"));

const resultsFile = path.join(resultsDir, `${stamp}.json`);
writeFileSync(
  resultsFile,
  JSON.stringify(
    {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        loadAverage1mAtStart: loadAverageAtStart,
        loadAverage1mAtEnd: loadAverageAtEnd,
      },
      options: { brokerRoot: brokerRoot ?? null, quick, repeat, rdRecords, kcatRecords, kafkajsProduceRecords, kafkajsConsumeRecords, latencySeconds, kafkajsLatencySeconds, rebalanceRepeat, commitSeconds, only, valueBytes: VALUE_BYTES },
      targets: TARGETS,
      results,
      scale: scaleResults,
      memory,
      notes,
    },
    null,
    2,
  ) + "\n",
);
console.log(`results: ${path.relative(process.cwd(), resultsFile) || resultsFile}`);
if (keep) console.log(`kept ${tempDir}`);
else rmSync(tempDir, { recursive: true, force: true });
process.exit(exitCode);
