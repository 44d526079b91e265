import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { Kafka, logLevel, type Admin, type Producer } from "kafkajs";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { committedOffsets, startChildMember, waitFor, type ChildMember } from "../helpers/groups";
import { hasCommand, hasPythonModules, requireClient, run } from "../helpers/processes";

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = "/usr/bin/python3";
const GROUP_OVERRIDES = { "group.initial.rebalance.delay.ms": "0", "group.min.session.timeout.ms": "1000", "offsets.topic.num.partitions": "5" };

async function produce(producer: Producer, topic: string, prefix: string, count: number, partitions: number): Promise<string[]> {
  const values = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await producer.send({ topic, messages: values.map((value, i) => ({ value, partition: i % partitions })) });
  return values;
}

function assertExactlyOnce(members: ChildMember[], expected: string[]): void {
  const all = members.flatMap((member) => member.committed);
  const counts = new Map<string, number>();
  for (const value of all) counts.set(value, (counts.get(value) ?? 0) + 1);
  assert.deepEqual([...counts].filter(([, count]) => count > 1).map(([value]) => value), [], "records committed twice");
  assert.deepEqual(expected.filter((value) => !counts.has(value)), [], "records never committed");
}

describe("consumer groups with other clients", () => {
  let node: TestBroker;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;

  before(async () => {
    node = await startTestBroker(GROUP_OVERRIDES);
    kafka = new Kafka({ clientId: "sluice-groups-clients", brokers: [node.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5 } });
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

  it("kcat -G consumes as a group member and commits what it read", { skip: requireClient(hasCommand("kcat"), "kcat") }, async () => {
    const topic = uniqueTopic("kcatg");
    const groupId = `${topic}-group`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    const first = await produce(producer, topic, "k1", 30, 3);
    const kcat = () =>
      run("kcat", ["-b", node.bootstrap, "-G", groupId, "-X", "auto.offset.reset=earliest", "-e", "-f", "%s\n", "-X", "auto.commit.interval.ms=100", topic], { timeoutMs: 60_000 });
    const one = await kcat();
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(one.stdout.trim().split("\n").sort(), [...first].sort());
    const offsets = await committedOffsets(kafka, groupId, topic);
    assert.deepEqual([0, 1, 2].map((p) => offsets.get(p)), [10, 10, 10]);

    const second = await produce(producer, topic, "k2", 6, 3);
    const two = await kcat();
    assert.equal(two.code, 0, two.stderr);
    assert.deepEqual(two.stdout.trim().split("\n").sort(), [...second].sort());
  });

  it(
    "confluent-kafka-python members share six partitions and survive joins, leaves and a crash without losing or repeating committed work",
    { skip: requireClient(hasPythonModules("confluent_kafka"), "python3-confluent-kafka") },
    async () => {
      const topic = uniqueTopic("ckg");
      const groupId = `${topic}-group`;
      await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });
      const script = path.join(here, "python", "confluent_group_member.py");
      const members: ChildMember[] = [];
      const start = (name: string) => {
        const member = startChildMember(PYTHON, [script, node.bootstrap, groupId, topic], topic, name);
        members.push(member);
        return member;
      };
      const expected: string[] = [];
      const total = () => members.reduce((sum, m) => sum + m.committed.length, 0);
      const caughtUp = (what: string) => waitFor(() => total() >= expected.length, what, 60_000);
      try {
        const [a, b, c] = [start("a"), start("b"), start("c")];
        await waitFor(() => [a, b, c].every((m) => m.assigned.length === 2), "three members with two partitions each", 60_000);
        expected.push(...(await produce(producer, topic, "p1", 300, 6)));
        await caughtUp("phase 1 consumed by three members");
        assert.deepEqual([a, b, c].flatMap((m) => m.assigned).sort(), [0, 1, 2, 3, 4, 5]);

        await c.stop(); // crash: no LeaveGroup, the session timeout removes it
        await waitFor(() => a.assigned.length === 3 && b.assigned.length === 3, "a and b taking over the crashed member's partitions", 60_000);
        expected.push(...(await produce(producer, topic, "p2", 120, 6)));
        await caughtUp("phase 2 consumed after the crash");

        const d = start("d");
        await waitFor(() => d.assigned.length === 2 && a.assigned.length === 2 && b.assigned.length === 2, "d joining", 60_000);
        expected.push(...(await produce(producer, topic, "p3", 120, 6)));
        await caughtUp("phase 3 consumed after a join");

        await a.leave();
        await waitFor(() => b.assigned.length === 3 && d.assigned.length === 3, "b and d after a left", 60_000);
        expected.push(...(await produce(producer, topic, "p4", 120, 6)));
        await caughtUp("phase 4 consumed after a leave");

        assertExactlyOnce(members, expected);
        const offsets = await committedOffsets(kafka, groupId, topic);
        for (let partition = 0; partition < 6; partition++) assert.equal(offsets.get(partition), 110);
      } finally {
        for (const member of members) await member.stop();
      }
    },
  );
});

describe("static membership with confluent-kafka-python", { skip: requireClient(hasPythonModules("confluent_kafka"), "python3-confluent-kafka") }, () => {
  it("a static member restarted within its session timeout gets its partitions back without a rebalance", async () => {
    const node = await startTestBroker(GROUP_OVERRIDES);
    const kafka = new Kafka({ clientId: "sluice-static", brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer();
    const topic = uniqueTopic("static");
    const groupId = `${topic}-group`;
    const script = path.join(here, "python", "confluent_group_member.py");
    const members: ChildMember[] = [];
    const start = (instance: string) => {
      const member = startChildMember(PYTHON, [script, node.bootstrap, groupId, topic, instance], topic, instance);
      members.push(member);
      return member;
    };
    try {
      await admin.connect();
      await producer.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
      const leader = start("static-a");
      await waitFor(() => leader.assigned.length === 4, "the first member owning everything", 60_000);
      const follower = start("static-b");
      await waitFor(() => leader.assigned.length === 2 && follower.assigned.length === 2, "two static members", 60_000);
      const expected = await produce(producer, topic, "s1", 40, 4);
      await waitFor(() => leader.committed.length + follower.committed.length >= 40, "phase 1 consumed", 60_000);
      const before = await admin.describeGroups([groupId]);
      const generationMembers = before.groups[0].members.map((m) => m.memberId).sort();
      const leaderJoins = leader.joins();

      await follower.stop(); // SIGKILL: a static member sends no LeaveGroup anyway
      const restarted = start("static-b");
      await waitFor(() => restarted.assigned.length === 2, "the restarted member's assignment", 60_000);
      assert.deepEqual(restarted.assigned, follower.assigned, "the same partitions as before");
      expected.push(...(await produce(producer, topic, "s2", 40, 4)));
      await waitFor(() => members.reduce((sum, m) => sum + m.committed.length, 0) >= expected.length, "phase 2 consumed", 60_000);
      assertExactlyOnce(members, expected);
      const after = await admin.describeGroups([groupId]);
      assert.equal(after.groups[0].state, "Stable");
      assert.equal(after.groups[0].members.length, 2);
      assert.notDeepEqual(after.groups[0].members.map((m) => m.memberId).sort(), generationMembers, "the restarted member has a new member id");
      assert.equal(leader.joins(), leaderJoins, "the other member saw no rebalance");
    } finally {
      for (const member of members) await member.stop();
      await producer.disconnect();
      await admin.disconnect();
      await node.destroy();
    }
  });
});

describe("consumer groups with kafka-python", { skip: requireClient(hasPythonModules("kafka"), "python3-kafka") }, () => {
  it("two members share a topic and commit; a restarted member resumes at the committed offsets", async () => {
    const node = await startTestBroker(GROUP_OVERRIDES);
    try {
      const result = await run(PYTHON, [path.join(here, "python", "kafka_python_group.py"), node.bootstrap, uniqueTopic("kpyg")], { timeoutMs: 120_000 });
      assert.equal(result.code, 0, `${result.stderr}\n${result.stdout}`);
      assert.deepEqual(JSON.parse(result.stdout.trim().split("\n").pop()!), {
        first_consumed: 100,
        first_distinct: 100,
        both_members_got_partitions: true,
        committed: { "0": 50, "1": 50 },
        listed: true,
        resumed: true,
      });
    } finally {
      await node.destroy();
    }
  });
});

describe("group.initial.rebalance.delay.ms", () => {
  it("holds the first generation of a new group back for the delay, so members arriving together share one rebalance", async () => {
    const node = await startTestBroker({ ...GROUP_OVERRIDES, "group.initial.rebalance.delay.ms": "1500" });
    const kafka = new Kafka({ clientId: "sluice-delay", brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
    const topic = uniqueTopic("gdelay");
    const groupId = `${topic}-group`;
    const admin = kafka.admin();
    const consumers = [kafka.consumer({ groupId, sessionTimeout: 3000, heartbeatInterval: 300, maxWaitTimeInMs: 200 }), kafka.consumer({ groupId, sessionTimeout: 3000, heartbeatInterval: 300, maxWaitTimeInMs: 200 })];
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
      const joins: Array<{ at: number; partitions: number[] }> = [];
      for (const consumer of consumers) {
        consumer.on(consumer.events.GROUP_JOIN, (event) => joins.push({ at: Date.now() - startedAt, partitions: event.payload.memberAssignment[topic] ?? [] }));
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
      }
      // kafkajs's run() resolves after the first join: start both members together.
      const startedAt = Date.now();
      await Promise.all(consumers.map((consumer) => consumer.run({ eachMessage: async () => {} })));
      await waitFor(() => joins.length >= 2, "both members joined", 20_000);
      assert.ok(joins[0].at >= 1400, `the first join completed after ${joins[0].at} ms, before the delay`);
      assert.equal(joins.length, 2, "a single generation");
      assert.deepEqual(joins.map((j) => j.partitions.length).sort(), [1, 1], "one rebalance gave each member a partition");
      const described = await admin.describeGroups([groupId]);
      assert.equal(described.groups[0].members.length, 2);
    } finally {
      for (const consumer of consumers) await consumer.disconnect();
      await admin.disconnect();
      await node.destroy();
    }
  });
});
