import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Kafka, logLevel, type Consumer, type Producer } from "kafkajs";
import { startTestBroker, uniqueTopic, type TestBroker } from "../../../broker/test/helpers/broker";
import { applyOffsetsInputSchema, resetOffsetsInputSchema } from "@/lib/contracts";
import type { GroupStatus } from "@/lib/lag-history";
import type { LagStatus } from "@/lib/lag-status";
import { ClusterClients, useCluster } from "@/server/kafka/registry";
import type { GroupOffsetsSeries, LagHistoryReader, LagHistorySource } from "@/server/lag-status/history-source";
import { committedOffsets } from "@/server/services/group-offsets";
import { groupStatus } from "@/server/services/group-lag-history";
import { offsetsOfTopics } from "@/server/services/list-topics";
import { applyOffsetReset, previewOffsetReset } from "@/server/services/reset-group-offsets";

/**
 * Each status reached by a real kafkajs consumer behaving that way, against a
 * real broker: the group's offsets are sampled as the sampler does (OffsetFetch,
 * ListOffsets) every SAMPLE_MS, and the group's status judged from them as the
 * group page's status route does.
 */
const SAMPLE_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Samples one group's committed and end offsets on an interval, and answers the reads status judging makes. */
class GroupSampler implements LagHistoryReader {
  private readonly byPartition = new Map<string, GroupOffsetsSeries>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly clients: ClusterClients,
    private readonly groupId: string,
    private readonly topic: string,
  ) {}

  async sampleOnce(): Promise<void> {
    const admin = await this.clients.getAdmin();
    const [committed, ends] = await Promise.all([committedOffsets(admin, this.groupId), offsetsOfTopics(this.clients, [this.topic])]);
    const atMs = Date.now();
    for (const c of committed) {
      const end = ends.get(c.topic)?.find((o) => o.partition === c.partition);
      const key = `${c.topic}/${c.partition}`;
      const series = this.byPartition.get(key) ?? { topic: c.topic, partition: c.partition, points: [] };
      series.points.push({ atMs, committed: c.offset, logStart: end?.low ?? null, logEnd: end?.high ?? null });
      this.byPartition.set(key, series);
    }
  }

  start(): void {
    const tick = async () => {
      await this.sampleOnce().catch(() => undefined);
      if (this.timer) this.timer = setTimeout(tick, SAMPLE_MS);
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  window(groupId: string, n: number): GroupOffsetsSeries[] {
    if (groupId !== this.groupId) return [];
    return [...this.byPartition.values()].map((s) => ({ ...s, points: s.points.slice(-n) }));
  }

  groupSeries(): GroupOffsetsSeries[] {
    throw new Error("not read by status judging");
  }
  topicSeries(): never {
    throw new Error("not read by status judging");
  }
  latestByGroup(): never {
    throw new Error("not read by status judging");
  }
  health(): never {
    throw new Error("not read by status judging");
  }
}

describe("lag status reached by real consumers (kafkajs against a real broker)", () => {
  let node: TestBroker;
  let clients: ClusterClients;
  let kafka: Kafka;
  let producer: Producer;
  const cleanups: Array<() => Promise<unknown> | unknown> = [];

  before(async () => {
    node = await startTestBroker({ "group.initial.rebalance.delay.ms": "0", "group.min.session.timeout.ms": "1000" });
    clients = useCluster({ id: "default", brokers: [node.bootstrap], clientId: "sluice-status-test", ssl: undefined, sasl: undefined });
    kafka = new Kafka({ clientId: "status-test", brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
    producer = kafka.producer();
    await producer.connect();
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await producer?.disconnect();
    await clients?.reset();
    await node?.destroy();
  });

  async function topicWith(records: number): Promise<string> {
    const topic = uniqueTopic("status");
    const admin = await clients.getAdmin();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    if (records) await producer.send({ topic, messages: Array.from({ length: records }, (_, i) => ({ value: `r${i}` })) });
    return topic;
  }

  /** Produces `perTick` records every 100 ms until stopped. */
  function keepProducing(topic: string, perTick: number): () => Promise<void> {
    let running = true;
    const loop = (async () => {
      while (running) {
        await producer.send({ topic, messages: Array.from({ length: perTick }, (_, i) => ({ value: `live${i}` })) });
        await sleep(100);
      }
    })();
    const stop = async () => {
      running = false;
      await loop;
    };
    cleanups.push(stop);
    return stop;
  }

  function sampling(groupId: string, topic: string): LagHistorySource {
    const sampler = new GroupSampler(clients, groupId, topic);
    sampler.start();
    cleanups.push(() => sampler.stop());
    return { reader: sampler, sampleIntervalMs: SAMPLE_MS };
  }

  /** Judges the group until it reaches `wanted` (and returns that judgement) or the time runs out. */
  async function statusReaches(groupId: string, source: LagHistorySource, wanted: LagStatus, timeoutMs = 30_000): Promise<GroupStatus> {
    const deadline = Date.now() + timeoutMs;
    let last: GroupStatus | null = null;
    while (Date.now() < deadline) {
      last = await groupStatus(groupId, clients, source);
      // Judged, not merely "nothing sampled yet" (which is OK too).
      if (last.status === wanted && last.partitions.length > 0 && last.complete) return last;
      await sleep(SAMPLE_MS);
    }
    assert.fail(`status never became ${wanted}; last: ${JSON.stringify(last)}`);
  }

  async function consumer(groupId: string, topic: string, eachMessage: (c: Consumer, partition: number, offset: number) => Promise<void>): Promise<Consumer> {
    const c = kafka.consumer({ groupId, heartbeatInterval: 200, sessionTimeout: 6_000, maxWaitTimeInMs: 100 });
    cleanups.push(() => c.disconnect());
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({ autoCommit: false, eachMessage: ({ partition, message }) => eachMessage(c, partition, Number(message.offset)) });
    return c;
  }

  it("OK for a consumer that keeps up", async () => {
    const topic = await topicWith(10);
    const groupId = uniqueTopic("g-ok");
    await consumer(groupId, topic, (c, partition, offset) => c.commitOffsets([{ topic, partition, offset: String(offset + 1) }]));
    keepProducing(topic, 1);
    const source = sampling(groupId, topic);
    await statusReaches(groupId, source, "OK");
    await sleep(10 * SAMPLE_MS); // a whole window of a consumer keeping up
    const later = await groupStatus(groupId, clients, source);
    assert.equal(later.status, "OK", later.reason);
    assert.deepEqual(later.partitions.map((p) => [p.partition, p.status]), [[0, "OK"]]);
  });

  it("WARNING for a consumer that commits but falls further behind", async () => {
    const topic = await topicWith(0);
    const groupId = uniqueTopic("g-slow");
    // About 10 records/s consumed against about 200/s produced.
    await consumer(groupId, topic, async (c, partition, offset) => {
      await sleep(100);
      await c.commitOffsets([{ topic, partition, offset: String(offset + 1) }]);
    });
    keepProducing(topic, 20);
    const status = await statusReaches(groupId, sampling(groupId, topic), "WARNING");
    assert.match(status.reason, new RegExp(`^${topic}/0: the consumer commits \\(offset \\d+ → \\d+\\) but its lag grew from \\d+ to \\d+`));
    assert.ok(status.complete);
  });

  it("STALLED for a live member that commits the same offset while records arrive", async () => {
    const topic = await topicWith(5);
    const groupId = uniqueTopic("g-stalled");
    // Reads every record but always commits offset 1: stuck on a poison record, say.
    await consumer(groupId, topic, (c, partition) => c.commitOffsets([{ topic, partition, offset: "1" }]));
    keepProducing(topic, 2);
    const status = await statusReaches(groupId, sampling(groupId, topic), "STALLED");
    assert.match(status.reason, /the committed offset has stayed at 1 for \d+ s .* while a member of the group holds the partition/);
    assert.equal(status.partitions[0].status, "STALLED");
  });

  it("STOPPED for a consumer frozen with kill -STOP, once Kafka drops it from the group", async () => {
    const topic = await topicWith(5);
    const groupId = uniqueTopic("g-stopped");
    const here = path.dirname(fileURLToPath(import.meta.url));
    const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", path.join(here, "consumer-child.ts"), node.bootstrap, topic, groupId], { stdio: ["ignore", "pipe", "inherit"] });
    cleanups.push(() => {
      child.kill("SIGCONT");
      child.kill("SIGKILL");
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("joined") && resolve());
      child.once("exit", (code) => reject(new Error(`the consumer exited with ${code}`)));
    });
    const committedAll = async () => (await committedOffsets(await clients.getAdmin(), groupId))[0]?.offset === 5;
    while (!(await committedAll())) await sleep(100);

    child.kill("SIGSTOP");
    keepProducing(topic, 2);
    const status = await statusReaches(groupId, sampling(groupId, topic), "STOPPED", 45_000);
    assert.match(status.reason, /the committed offset has stayed at 5 for \d+ s .*no member of the group consumes the partition/);
  });

  it("REWIND after an offset reset backwards through the console's reset service", async () => {
    const topic = await topicWith(20);
    const groupId = uniqueTopic("g-rewind");
    const admin = await clients.getAdmin();
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: "15" }] });
    const source = sampling(groupId, topic);
    await sleep(3 * SAMPLE_MS);
    const preview = await previewOffsetReset(groupId, resetOffsetsInputSchema.parse({ strategy: "earliest" }));
    await applyOffsetReset(groupId, applyOffsetsInputSchema.parse({ offsets: preview.changes.map((c) => ({ topic: c.topic, partition: c.partition, offset: c.target })) }));
    const status = await statusReaches(groupId, source, "REWIND", 10_000);
    assert.match(status.reason, /the committed offset moved back from 15 to 0/);
  });
});
