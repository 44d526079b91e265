import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Kafka, logLevel, type Admin } from "kafkajs";
import { startTestBroker, type TestBroker } from "../../../broker/test/helpers/broker";
import { browseInputSchema, type GroupSummary } from "@/lib/contracts";
import { detectFormat } from "@/lib/payload";
import { ClusterClients, useCluster } from "@/server/kafka/registry";
import { browseMessages } from "@/server/services/browse-messages";
import { listConsumerGroups } from "@/server/services/list-groups";
import { DEMO_GROUPS, DEMO_TOPICS, decodeSensorReading, startDemo, type Demo, type DemoOptions } from "@/scripts/demo/workload";

// Faster than the defaults so the test is short, with the same shape: orders arrive
// every 100 ms and demo-billing takes 250 ms for each, so it falls behind.
const OPTIONS: DemoOptions = { seedRecords: 300, tickMs: 100, billingDelayMs: 250, seed: 7 };
const WAIT_MS_MAX = 20_000;

const bytes = (base64: string) => Buffer.from(base64, "base64");
const oldest = (topic: string, count = 100) =>
  browseMessages(topic, browseInputSchema.parse({ start: "oldest", order: "oldest-first", count }));

async function eventually<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + WAIT_MS_MAX;
  let value = await probe();
  while (!done(value)) {
    if (Date.now() > deadline) assert.fail(`${what} within ${WAIT_MS_MAX} ms; last seen: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
    value = await probe();
  }
  return value;
}

async function groups(): Promise<{ audit: GroupSummary | undefined; billing: GroupSummary | undefined }> {
  const list = await listConsumerGroups();
  assert.ok(list.supported);
  const find = (id: string) => list.groups.find((g) => g.groupId === id);
  return { audit: find(DEMO_GROUPS.audit), billing: find(DEMO_GROUPS.billing) };
}

async function highWatermarks(admin: Admin): Promise<Record<string, number>> {
  const entries = await Promise.all(
    Object.values(DEMO_TOPICS).map(async (t) => [t.name, (await admin.fetchTopicOffsets(t.name)).reduce((sum, o) => sum + Number(o.high), 0)] as const),
  );
  return Object.fromEntries(entries);
}

describe("demo workload (npm run demo) against a real broker", () => {
  let node: TestBroker;
  let clients: ClusterClients;
  let kafka: Kafka;
  let admin: Admin;
  let demo: Demo;

  before(async () => {
    // Kafka's 3 s initial rebalance delay would only slow the groups' first join.
    node = await startTestBroker({ "group.initial.rebalance.delay.ms": "0" });
    clients = useCluster({ id: "default", brokers: [node.bootstrap], clientId: "sluice-demo-test", ssl: undefined, sasl: undefined });
    kafka = new Kafka({ clientId: "sluice-demo-test", brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    demo = await startDemo(kafka, OPTIONS);
  });
  after(async () => {
    await demo?.stop();
    await admin?.disconnect();
    await clients?.reset();
    await node?.destroy();
  });

  it("creates the three topics with their partitions and seeds each with 300 records", async () => {
    assert.deepEqual(
      demo.topics.map((t) => [t.topic, t.partitions, t.created, t.seeded]),
      [
        [DEMO_TOPICS.orders.name, 3, true, 300],
        [DEMO_TOPICS.logs.name, 2, true, 300],
        [DEMO_TOPICS.sensors.name, 2, true, 300],
      ],
    );
    const metadata = await admin.fetchTopicMetadata({ topics: Object.values(DEMO_TOPICS).map((t) => t.name) });
    assert.deepEqual(
      metadata.topics.map((t) => [t.name, t.partitions.length]).sort(),
      Object.values(DEMO_TOPICS).map((t) => [t.name, t.partitions]).sort(),
    );
    const orders = await admin.fetchTopicOffsets(DEMO_TOPICS.orders.name);
    assert.ok(orders.every((p) => Number(p.high) > 0), `keyed orders reach every partition: ${JSON.stringify(orders)}`);
  });

  it("demo.orders holds JSON keyed by customer, with headers; seeded records span the last half hour", async () => {
    const page = await oldest(DEMO_TOPICS.orders.name);
    assert.equal(page.messages.length, 100);
    for (const m of page.messages) {
      const value = bytes(m.value!.base64);
      assert.equal(detectFormat(value), "json");
      const order = JSON.parse(value.toString("utf8"));
      assert.match(order.orderId, /^ord-[0-9a-f]{8}$/);
      assert.equal(bytes(m.key!.base64).toString("utf8"), order.customerId);
      assert.ok(order.items.length >= 1 && order.total > 0);
      const headers = Object.fromEntries(m.headers.map((h) => [h.key, h.value === null ? null : bytes(h.value.base64).toString("utf8")]));
      assert.equal(headers["content-type"], "application/json");
      assert.equal(headers["event-type"], `order.${order.status}`);
    }
    const ageMs = Date.now() - Math.min(...page.messages.map((m) => m.timestamp));
    assert.ok(ageMs > 20 * 60_000 && ageMs <= 31 * 60_000, `oldest order is ${ageMs} ms old`);
  });

  it("demo.logs holds plain text lines without keys", async () => {
    const page = await oldest(DEMO_TOPICS.logs.name);
    assert.equal(page.messages.length, 100);
    for (const m of page.messages) {
      assert.equal(m.key, null);
      const value = bytes(m.value!.base64);
      assert.equal(detectFormat(value), "text");
      assert.match(new TextDecoder("utf-8", { fatal: true }).decode(value), /^\d{4}-\d\d-\d\dT\S+Z (INFO |WARN |ERROR) \w+: /);
    }
  });

  it("demo.sensor-readings holds packed binary values that are not UTF-8", async () => {
    const page = await oldest(DEMO_TOPICS.sensors.name);
    assert.equal(page.messages.length, 100);
    for (const m of page.messages) {
      const value = bytes(m.value!.base64);
      assert.throws(() => new TextDecoder("utf-8", { fatal: true }).decode(value), TypeError);
      assert.equal(detectFormat(value), "hex");
      const reading = decodeSensorReading(value);
      assert.equal(bytes(m.key!.base64).toString("utf8"), `sensor-${String(reading.sensorId).padStart(2, "0")}`);
      assert.equal(reading.timestampMs, m.timestamp);
      assert.ok(reading.temperatureC > 0 && reading.temperatureC < 40, `temperature ${reading.temperatureC}`);
    }
  });

  it("the producer keeps writing to every demo topic", async () => {
    const first = await highWatermarks(admin);
    await new Promise((r) => setTimeout(r, 1_000));
    const second = await highWatermarks(admin);
    for (const t of Object.values(DEMO_TOPICS)) assert.ok(second[t.name] > first[t.name], `${t.name}: ${first[t.name]} then ${second[t.name]}`);
    assert.ok(demo.produced() > 0);
  });

  it("demo-audit keeps up with all three topics; demo-billing commits offsets on every partition but its lag grows", async (t) => {
    const billingCommits = async () =>
      (await admin.fetchOffsets({ groupId: DEMO_GROUPS.billing, topics: [DEMO_TOPICS.orders.name] }))[0].partitions.filter((p) => Number(p.offset) > 0).length;
    const { audit, billing } = await eventually(
      "demo-audit catches up and demo-billing commits on every partition",
      async () => ({ ...(await groups()), billingPartitions: await billingCommits() }),
      ({ audit, billing, billingPartitions }) =>
        audit?.state === "Stable" && audit.lag !== null && audit.lag <= 50 && billing?.state === "Stable" && billingPartitions === DEMO_TOPICS.orders.partitions,
    );
    assert.deepEqual(audit!.topics.map((t) => t.topic), Object.values(DEMO_TOPICS).map((t) => t.name).sort());
    assert.deepEqual(billing!.topics.map((t) => t.topic), [DEMO_TOPICS.orders.name]);
    assert.equal(audit!.members, 1);
    assert.equal(billing!.members, 1);

    // 300 seeded orders, more every 100 ms, and demo-billing has handled a few.
    const lagBefore = billing!.lag!;
    assert.ok(lagBefore > 200, `demo-billing lag ${lagBefore}`);
    await new Promise((r) => setTimeout(r, 3_000));
    const later = await groups();
    assert.ok(later.billing!.lag! > lagBefore, `demo-billing lag ${lagBefore} then ${later.billing!.lag}`);
    assert.ok(later.audit!.lag! <= 50, `demo-audit lag ${later.audit!.lag}`);
    const processed = demo.processed();
    assert.ok(processed.billing > 0 && processed.audit > processed.billing, JSON.stringify(processed));
    t.diagnostic(`demo-billing lag ${lagBefore} -> ${later.billing!.lag} in 3 s; demo-audit lag ${later.audit!.lag}; ${demo.produced()} live records so far`);
  });

  it("stop(): both groups are Empty with their commits kept, and nothing more is written", async () => {
    await demo.stop();
    const stopped = await groups();
    assert.equal(stopped.audit!.state, "Empty");
    assert.equal(stopped.billing!.state, "Empty");
    assert.equal(stopped.audit!.members, 0);
    assert.equal(stopped.billing!.members, 0);
    assert.ok(stopped.billing!.lag! > 0);
    const first = await highWatermarks(admin);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await highWatermarks(admin), first);
  });

  it("a second run keeps the topics and their records instead of seeding again", async () => {
    const before = await highWatermarks(admin);
    demo = await startDemo(kafka, OPTIONS);
    try {
      assert.deepEqual(
        demo.topics.map((t) => [t.topic, t.created, t.seeded, t.records]),
        Object.values(DEMO_TOPICS).map((t) => [t.name, false, 0, before[t.name]]),
      );
    } finally {
      await demo.stop();
    }
  });
});
