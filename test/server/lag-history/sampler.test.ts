import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Kafka, logLevel, type Producer } from "kafkajs";
import { ApiKey } from "@sluice/protocol/messages/api-messages";
import { startTestBroker, uniqueTopic, type TestBroker } from "../../../broker/test/helpers/broker";
import { ClusterClients, useCluster } from "@/server/kafka/registry";
import { useLagHistoryStore } from "@/server/lag-history";
import { renderMetrics } from "@/server/lag-history/metrics";
import { LagSampler } from "@/server/lag-history/sampler";
import { LagHistoryStore } from "@/server/lag-history/store";
import { describeGroup } from "@/server/services/describe-group";
import { purgeTopic } from "@/server/services/purge-topic";
import { apiKeysAsked } from "../helpers/wire-spy";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("lag sampler against a real broker", () => {
  let node: TestBroker;
  let clients: ClusterClients;
  let producer: Producer;
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-lag-sampler-"));
  const file = path.join(dir, "lag-history.sqlite");
  let store: LagHistoryStore;

  before(async () => {
    node = await startTestBroker();
    clients = useCluster({ id: "default", brokers: [node.bootstrap], clientId: "sluice-sampler-test", ssl: undefined, sasl: undefined });
    producer = new Kafka({ clientId: "sampler-test", brokers: [node.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    store = LagHistoryStore.open(file);
    useLagHistoryStore(store);
  });
  after(async () => {
    await producer?.disconnect();
    await clients?.reset();
    await node?.destroy();
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function topicWith(records: number, partitions = 1): Promise<string> {
    const topic = uniqueTopic("sampled");
    const admin = await clients.getAdmin();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    for (let p = 0; p < partitions; p++) await producer.send({ topic, messages: Array.from({ length: records }, (_, i) => ({ partition: p, value: `r${i}` })) });
    return topic;
  }

  async function commit(groupId: string, topic: string, partitions: Array<{ partition: number; offset: number }>) {
    const admin = await clients.getAdmin();
    await admin.setOffsets({ groupId, topic, partitions: partitions.map((p) => ({ partition: p.partition, offset: String(p.offset) })) });
  }

  it("one cycle stores every group's committed offsets and every partition's log offsets, with one batched OffsetFetch and FindCoordinator for all groups", async () => {
    const topic = await topicWith(10, 3);
    const groups = [uniqueTopic("g-a"), uniqueTopic("g-b"), uniqueTopic("g-c")];
    for (const [i, groupId] of groups.entries()) await commit(groupId, topic, [0, 1, 2].map((partition) => ({ partition, offset: i + partition })));
    const sampler = new LagSampler(clients, store, { intervalMs: 60_000 });
    const { result, asked } = await apiKeysAsked(() => sampler.tick());
    assert.equal(result, "ok");
    const count = (key: number) => asked.filter((k) => k === key).length;
    assert.deepEqual(
      [count(ApiKey.OffsetFetch), count(ApiKey.FindCoordinator), count(ApiKey.ListGroups), count(ApiKey.Metadata), count(ApiKey.ListOffsets)],
      [1, 1, 1, 1, 2],
      `requests asked: ${asked.join(",")}`,
    );
    const cycle = store.cluster().recentCycles(1)[0];
    assert.equal(cycle.requests, asked.length, "the cycle counts the requests it sent");

    const latest = store.cluster().latestByGroup();
    for (const [i, groupId] of groups.entries()) {
      const group = latest.find((g) => g.groupId === groupId);
      assert.ok(group, `${groupId} is in the latest samples`);
      assert.deepEqual(
        group.partitions.map((p) => [p.topic, p.partition, p.committed, p.logStart, p.logEnd, p.lag]),
        [0, 1, 2].map((partition) => [topic, partition, i + partition, 0, 10, 10 - i - partition]),
      );
    }
    const series = store.cluster().topicSeries(topic, { fromMs: 0, toMs: Date.now() });
    assert.deepEqual(
      series.map((s) => [s.partition, s.points.at(-1)?.logEnd]),
      [
        [0, 10],
        [1, 10],
        [2, 10],
      ],
    );
  });

  it("records which member holds each partition (one batched DescribeGroups), and /metrics labels the partition with its member_host, consumer_id and client_id", async () => {
    const topic = await topicWith(10, 2);
    const groupId = uniqueTopic("g-members");
    const consumer = new Kafka({ clientId: "members-test-client", brokers: [node.bootstrap], logLevel: logLevel.NOTHING }).consumer({ groupId });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      let consumed = 0;
      await consumer.run({ autoCommitInterval: 50, eachMessage: async () => void consumed++ });
      for (let i = 0; i < 100 && consumed < 20; i++) await sleep(100);
      await consumer.commitOffsets([0, 1].map((partition) => ({ topic, partition, offset: "8" })));
      const sampler = new LagSampler(clients, store, { intervalMs: 60_000 });
      const { result, asked } = await apiKeysAsked(() => sampler.tick());
      assert.equal(result, "ok");
      assert.equal(asked.filter((k) => k === ApiKey.DescribeGroups).length, 1, `requests asked: ${asked.join(",")}`);
      const admin = await clients.getAdmin();
      const [described] = (await admin.describeGroups([groupId])).groups;
      assert.equal(described.members.length, 1);
      const [member] = described.members;

      const group = store.cluster().latestByGroup().find((g) => g.groupId === groupId);
      assert.deepEqual(
        group?.partitions.map((p) => [p.partition, p.member]),
        [0, 1].map((partition) => [partition, { memberId: member.memberId, clientId: "members-test-client", host: member.clientHost }]),
      );
      const text = renderMetrics({ history: store.cluster(), clusterName: "default", nowMs: Date.now(), sampler: null, historyBytes: 0 });
      const line = text.split("\n").find((l) => l.startsWith("kafka_consumergroup_group_lag{") && l.includes(`group="${groupId}"`) && l.includes('partition="0"'));
      assert.ok(line, "a lag series for partition 0");
      assert.ok(line.includes(`member_host="${member.clientHost}",consumer_id="${member.memberId}",client_id="members-test-client"`), line);
    } finally {
      await consumer.disconnect();
    }
  });

  it("keeps the samples across a console restart and estimates time lag from them where the committed record is gone", async () => {
    const topic = await topicWith(10);
    const groupId = uniqueTopic("g-restart");
    await commit(groupId, topic, [{ partition: 0, offset: 10 }]);
    const sampler = new LagSampler(clients, store, { intervalMs: 60_000 });
    assert.equal(await sampler.tick(), "ok"); // end 10
    await sleep(200);
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `s${i}` })) });
    await commit(groupId, topic, [{ partition: 0, offset: 15 }]);
    assert.equal(await sampler.tick(), "ok"); // end 20, committed 15
    await sampler.stop();

    // The console restarts: the store is closed and opened again from its file.
    store.close();
    store = LagHistoryStore.open(file);
    useLagHistoryStore(store);
    const [series] = store.cluster().groupSeries(groupId, { fromMs: 0, toMs: Date.now() });
    assert.deepEqual(
      series.points.map((p) => [p.committed, p.logEnd]),
      [
        [10, 10],
        [15, 20],
      ],
    );
    const [before, after] = series.points.map((p) => p.atMs);

    // Purged: the record at 15 is gone, so no exact read; the stored ends place 15 between the two readings.
    await purgeTopic(topic);
    const readAt = Date.now();
    const group = await describeGroup(groupId);
    const row = group.partitions[0];
    assert.equal(row.timeLagEstimated, true);
    assert.ok(row.timeLagMs !== null, "estimated from the stored samples");
    assert.ok(row.timeLagMs >= readAt - after && row.timeLagMs <= Date.now() - before, `time lag ${row.timeLagMs} lies between the readings at ${before} and ${after}`);
  });

  it("skips a tick while the previous cycle still runs", async () => {
    const sampler = new LagSampler(clients, store, { intervalMs: 60_000 });
    const first = sampler.tick();
    assert.equal(await sampler.tick(), "skipped");
    assert.equal(await first, "ok");
    const [newest, skipped] = store.cluster().recentCycles(2);
    assert.equal(newest.outcome, "ok");
    assert.deepEqual([skipped.outcome, skipped.error], ["skipped", "the previous cycle is still running"]);
  });

  it("records cycles against an unreachable cluster as failed, skips the next ticks, and resumes when the broker is back", async () => {
    const sampler = new LagSampler(clients, store, { intervalMs: 60_000 });
    assert.equal(await sampler.tick(), "ok");
    const port = node.port;
    await node.stop();
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) outcomes.push(await sampler.tick());
    // Failure 1 skips one tick, failure 2 skips two.
    assert.deepEqual(outcomes, ["failed", "skipped", "failed", "skipped"]);
    const failed = store.cluster().recentCycles(10).filter((c) => c.outcome === "failed");
    assert.ok(failed.length >= 2 && failed.every((c) => c.error && c.error.length > 0), "failures are recorded with their error");

    node = await startTestBroker({ listeners: `PLAINTEXT://127.0.0.1:${port}` }, node.logDir);
    let outcome = "";
    for (let i = 0; i < 12 && outcome !== "ok"; i++) {
      outcome = await sampler.tick();
      if (outcome === "failed") await sleep(200);
    }
    assert.equal(outcome, "ok", "sampling resumes once the broker is back");
    assert.equal(store.cluster().health().lastSuccess?.id, store.cluster().recentCycles(1)[0].id);
    assert.ok(sampler.cycles.failed >= 2 && sampler.cycles.skipped >= 2 && sampler.cycles.ok >= 2);
  });

  it("applies retention after each cycle: beyond full resolution one cycle per step is kept", async () => {
    const topic = await topicWith(5);
    const groupId = uniqueTopic("g-retained");
    await commit(groupId, topic, [{ partition: 0, offset: 1 }]);
    const hourMs = 3_600_000;
    // Everything older than 1 ms is "old"; one cycle per hour is kept of it.
    const sampler = new LagSampler(clients, store, { intervalMs: 60_000, retention: { fullResolutionMs: 1, downsampledStepMs: hourMs, retentionMs: 7 * 24 * hourMs, bytesMax: 1024 ** 3 } });
    const okCycles = () => store.cluster().recentCycles(10_000).filter((c) => c.outcome === "ok");
    const unbounded = new LagSampler(clients, store, { intervalMs: 60_000 });
    for (let i = 0; i < 3; i++) assert.equal(await unbounded.tick(), "ok");
    const before = okCycles().length;
    for (let i = 0; i < 4; i++) {
      assert.equal(await sampler.tick(), "ok");
      await sleep(20);
    }
    const kept = okCycles();
    const steps = new Set(kept.map((c) => Math.floor(c.atMs / hourMs)));
    // The newest cycle is thinned out only by the next pass: at most one per hour, and that one.
    assert.ok(kept.length <= steps.size + 1, `${kept.length} ok cycles kept over ${steps.size} hour(s)`);
    assert.ok(kept.length < before, `${before + 4} cycles were taken, ${kept.length} kept`);
    assert.ok(store.cluster().groupSeries(groupId, { fromMs: 0, toMs: Date.now() }).every((s) => s.points.length <= 2));
  });
});
