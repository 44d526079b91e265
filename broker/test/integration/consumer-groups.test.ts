import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Kafka, logLevel, type Admin, type Producer } from "kafkajs";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { committedOffsets, startChildConsumer, startTrackedConsumer, waitFor, type TrackedMember } from "../helpers/groups";

const GROUP_OVERRIDES = {
  "group.initial.rebalance.delay.ms": "0",
  "group.min.session.timeout.ms": "1000",
  "offsets.topic.num.partitions": "5",
};

async function produce(producer: Producer, topic: string, prefix: string, count: number, partitions: number): Promise<string[]> {
  const values = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await producer.send({ topic, messages: values.map((value, i) => ({ value, partition: i % partitions })) });
  return values;
}

function assertExactlyOnce(members: TrackedMember[], expected: string[]): void {
  const all = members.flatMap((member) => member.committed);
  const counts = new Map<string, number>();
  for (const value of all) counts.set(value, (counts.get(value) ?? 0) + 1);
  const repeated = [...counts].filter(([, count]) => count > 1).map(([value]) => value);
  assert.deepEqual(repeated, [], "records committed twice");
  const missing = expected.filter((value) => !counts.has(value));
  assert.deepEqual(missing, [], "records never committed");
  assert.equal(all.length, expected.length);
}

describe("consumer groups with kafkajs", () => {
  let node: TestBroker;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;

  before(async () => {
    node = await startTestBroker(GROUP_OVERRIDES);
    kafka = new Kafka({ clientId: "sluice-groups", brokers: [node.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5 } });
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer();
    await producer.connect();
  });

  after(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await node?.destroy();
  });

  it("groups: three consumers on six partitions read every record exactly once between them", async () => {
    const topic = uniqueTopic("g3");
    const groupId = `${topic}-group`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });
    const expected = await produce(producer, topic, "r", 600, 6);
    const members: TrackedMember[] = [];
    for (const name of ["a", "b", "c"]) members.push(await startTrackedConsumer(kafka, groupId, topic, name));
    try {
      await waitFor(() => members.reduce((sum, m) => sum + m.committed.length, 0) >= expected.length, "600 committed records");
      await waitFor(() => members.every((m) => m.assigned.length === 2), "two partitions each");
      assertExactlyOnce(members, expected);
      const assigned = members.flatMap((m) => m.assigned).sort((a, b) => a - b);
      assert.deepEqual(assigned, [0, 1, 2, 3, 4, 5]);
      const offsets = await committedOffsets(kafka, groupId, topic);
      for (let partition = 0; partition < 6; partition++) assert.equal(offsets.get(partition), 100);
    } finally {
      for (const member of members) await member.stop();
    }
  });

  it("groups: members joining, leaving and dying (session timeout) rebalance without losing or repeating committed work", async () => {
    const topic = uniqueTopic("gchurn");
    const groupId = `${topic}-group`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });
    const expected: string[] = [];
    const members: TrackedMember[] = [];
    const total = () => members.reduce((sum, m) => sum + m.committed.length, 0);
    const caughtUp = (what: string) => waitFor(() => total() >= expected.length, what);

    const a = await startTrackedConsumer(kafka, groupId, topic, "a");
    members.push(a);
    expected.push(...(await produce(producer, topic, "p1", 120, 6)));
    await caughtUp("phase 1 consumed by one member");

    const b = await startTrackedConsumer(kafka, groupId, topic, "b");
    members.push(b);
    await waitFor(() => a.assigned.length === 3 && b.assigned.length === 3, "a and b sharing six partitions");
    expected.push(...(await produce(producer, topic, "p2", 120, 6)));
    await caughtUp("phase 2 consumed by two members");

    const c = startChildConsumer(node.bootstrap, groupId, topic, "c");
    members.push(c);
    try {
      await waitFor(() => c.assigned.length === 2 && a.assigned.length === 2 && b.assigned.length === 2, "three members with two partitions each");
      expected.push(...(await produce(producer, topic, "p3", 120, 6)));
      await caughtUp("phase 3 consumed by three members");
      assert.ok(c.committed.length > 0, "the child member did some of the work");

      // Dies without LeaveGroup: the session timeout removes it and its partitions move on.
      await c.stop();
      expected.push(...(await produce(producer, topic, "p4", 120, 6)));
      await caughtUp("phase 4 consumed after the child died");
      assert.equal(a.assigned.length + b.assigned.length, 6);

      // Leaves gracefully: b takes everything.
      await a.stop();
      await waitFor(() => b.assigned.length === 6, "b owning all six partitions");
      expected.push(...(await produce(producer, topic, "p5", 120, 6)));
      await caughtUp("phase 5 consumed by the last member");
      assertExactlyOnce(members, expected);
      const offsets = await committedOffsets(kafka, groupId, topic);
      for (let partition = 0; partition < 6; partition++) assert.equal(offsets.get(partition), 100);
    } finally {
      await c.stop();
      await a.stop();
      await b.stop();
    }
  });
});
