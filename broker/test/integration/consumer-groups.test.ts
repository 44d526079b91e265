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

  it("groups: a consumer restarted after a commit resumes at the committed offset", async () => {
    const topic = uniqueTopic("gresume");
    const groupId = `${topic}-group`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const first = await produce(producer, topic, "first", 50, 1);
    const a = await startTrackedConsumer(kafka, groupId, topic, "a");
    await waitFor(() => a.committed.length >= first.length, "the first 50 records committed");
    await a.stop();
    const second = await produce(producer, topic, "second", 50, 1);
    // Lag as a console computes it: end offset minus committed offset.
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const [end] = await admin.fetchTopicOffsets(topic);
    assert.equal(Number(end.high) - Number(committed.partitions[0].offset), second.length);
    const b = await startTrackedConsumer(kafka, groupId, topic, "b");
    try {
      await waitFor(() => b.committed.length >= second.length, "the next 50 records committed");
      assert.deepEqual(b.committed, second);
      assert.deepEqual(a.committed, first);
      const [caughtUp] = await admin.fetchOffsets({ groupId, topics: [topic] });
      assert.equal(Number(caughtUp.partitions[0].offset), 100, "no lag once the group consumed everything");
    } finally {
      await b.stop();
    }
  });

  it("admin: lag is end offset minus committed offset, per partition", async () => {
    const topic = uniqueTopic("glag");
    const groupId = `${topic}-group`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    await produce(producer, topic, "x", 90, 3); // 30 per partition
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: "30" }, { partition: 1, offset: "10" }, { partition: 2, offset: "0" }] });
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    const lag = new Map(
      committed.partitions.map((p) => [p.partition, Number(ends.find((e) => e.partition === p.partition)!.high) - Number(p.offset)]),
    );
    assert.deepEqual([...lag].sort((x, y) => x[0] - y[0]), [[0, 0], [1, 20], [2, 30]]);
  });

  it("admin: listGroups, describeGroups, resetOffsets and deleteGroups (NON_EMPTY_GROUP while members remain)", async () => {
    const topic = uniqueTopic("gadmin");
    const groupId = `${topic}-group`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const values = await produce(producer, topic, "y", 20, 2);
    const member = await startTrackedConsumer(kafka, groupId, topic, "m");
    try {
      await waitFor(() => member.committed.length >= values.length, "20 records committed");
      const { groups } = await admin.listGroups();
      assert.deepEqual(groups.find((g) => g.groupId === groupId), { groupId, protocolType: "consumer" });
      const described = await admin.describeGroups([groupId]);
      assert.equal(described.groups[0].state, "Stable");
      assert.equal(described.groups[0].protocolType, "consumer");
      assert.equal(described.groups[0].members.length, 1);
      assert.equal(described.groups[0].members[0].clientId, "sluice-groups");
      await assert.rejects(admin.deleteGroups([groupId]), (error: any) => {
        assert.equal(error.groups?.[0]?.error?.type, "NON_EMPTY_GROUP");
        return true;
      });
    } finally {
      await member.stop();
    }
    const empty = await admin.describeGroups([groupId]);
    assert.equal(empty.groups[0].state, "Empty");
    assert.equal(empty.groups[0].members.length, 0);

    await admin.resetOffsets({ groupId, topic, earliest: true });
    // kafkajs commits its "earliest" marker (-2); resolveOffsets turns it into the log start.
    const [reset] = await admin.fetchOffsets({ groupId, topics: [topic], resolveOffsets: true });
    assert.deepEqual(reset.partitions.map((p) => Number(p.offset)).sort(), [0, 0]);

    const deleted = await admin.deleteGroups([groupId]);
    assert.equal(deleted[0].errorCode, 0);
    const { groups: after } = await admin.listGroups();
    assert.equal(after.find((g) => g.groupId === groupId), undefined);
    const [gone] = await admin.fetchOffsets({ groupId, topics: [topic] });
    assert.deepEqual(gone.partitions.map((p) => Number(p.offset)), [-1, -1]);
  });
});

describe("committed offsets across a broker restart", () => {
  it("groups: a broker restart on the same log dir keeps every group's offsets and forgets deleted groups", async () => {
    let node = await startTestBroker(GROUP_OVERRIDES);
    const topic = uniqueTopic("grestart");
    const connect = () => new Kafka({ clientId: "sluice-restart", brokers: [node.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5 } });
    let kafka = connect();
    let admin = kafka.admin();
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
      const producer = kafka.producer();
      await producer.connect();
      await produce(producer, topic, "z", 40, 2);
      await producer.disconnect();
      const consumed = await startTrackedConsumer(kafka, `${topic}-consumed`, topic, "c");
      await waitFor(() => consumed.committed.length >= 40, "40 records committed");
      await consumed.stop();
      const offsetsByGroup: Record<string, number[]> = { [`${topic}-consumed`]: [20, 20] };
      for (let g = 0; g < 5; g++) {
        const groupId = `${topic}-set-${g}`;
        await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: String(g) }, { partition: 1, offset: String(2 * g) }] });
        offsetsByGroup[groupId] = [g, 2 * g];
      }
      await admin.setOffsets({ groupId: `${topic}-deleted`, topic, partitions: [{ partition: 0, offset: "7" }] });
      await admin.deleteGroups([`${topic}-deleted`]);
      await admin.disconnect();
      // A record the coordinator did not write is skipped on load, not fatal.
      const stray = kafka.producer();
      await stray.connect();
      await stray.send({ topic: "__consumer_offsets", messages: [{ key: "not a key", value: "not a value", partition: 0 }] });
      await stray.disconnect();

      await node.stop();
      node = await startTestBroker(GROUP_OVERRIDES, node.logDir);
      kafka = connect();
      admin = kafka.admin();
      await admin.connect();
      for (const [groupId, expected] of Object.entries(offsetsByGroup)) {
        const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
        assert.deepEqual(entry.partitions.sort((x, y) => x.partition - y.partition).map((p) => Number(p.offset)), expected, groupId);
      }
      const { groups } = await admin.listGroups();
      assert.ok(groups.some((g) => g.groupId === `${topic}-consumed`));
      assert.ok(!groups.some((g) => g.groupId === `${topic}-deleted`));

      // A consumer of the restored group starts where the last one committed.
      const producer2 = kafka.producer();
      await producer2.connect();
      const more = await produce(producer2, topic, "after", 10, 2);
      await producer2.disconnect();
      const resumed = await startTrackedConsumer(kafka, `${topic}-consumed`, topic, "r");
      await waitFor(() => resumed.committed.length >= more.length, "the 10 new records committed");
      await resumed.stop();
      assert.deepEqual([...resumed.committed].sort(), [...more].sort());
    } finally {
      await admin.disconnect().catch(() => {});
      await node.destroy();
    }
  });
});
