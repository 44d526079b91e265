import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import { ALL_HANDLERS } from "../../broker/src/handlers";
import { ApiKey } from "../../broker/src/protocol/generated/api-messages";
import { startTestBroker, uniqueTopic, type TestBroker } from "../../broker/test/helpers/broker";
import { waitFor } from "../../broker/test/helpers/groups";
import type { MetadataQuorum } from "@/lib/contracts";
import { useCluster, type ClusterClients } from "@/server/kafka/registry";
import { describeQuorum } from "@/server/services/describe-quorum";
import { startBrokerQuorum, type BrokerQuorum } from "./helpers/broker-quorum";

const clientsFor = (brokers: string[], id: string) => useCluster({ id, brokers, clientId: `sluice-quorum-test-${id}`, ssl: undefined, sasl: undefined });

type Supported = Extract<MetadataQuorum, { supported: true }>;

describe("describeQuorum against three broker processes in one KRaft quorum", { timeout: 120_000 }, () => {
  let quorum: BrokerQuorum;
  let clients: ClusterClients;
  before(async () => {
    quorum = await startBrokerQuorum(3);
    clients = clientsFor(quorum.bootstrap, "default");
  });
  after(async () => {
    await clients?.reset();
    await quorum?.destroy();
  });

  it("names one leader among three voters, with its epoch, high watermark and every voter's lag behind the leader", async () => {
    let answer: Supported | null = null;
    await waitFor(async () => {
      const got = await describeQuorum(clients).catch(() => null);
      answer = got?.supported && got.leaderId > 0 && got.voters.every((v) => v.logEndOffset !== null) ? got : null;
      return answer !== null;
    }, "a quorum leader that knows every voter's log end", 60_000);
    const q = answer! as Supported;
    assert.deepEqual(q.voters.map((v) => v.nodeId), [1, 2, 3]);
    assert.deepEqual(q.observers, [], "every node is a voter");
    assert.ok(q.voters.some((v) => v.nodeId === q.leaderId), `leader ${q.leaderId} is one of the voters`);
    assert.ok(q.leaderEpoch >= 1, `epoch ${q.leaderEpoch}`);
    assert.equal(q.version, 2);
    const leader = q.voters.find((v) => v.nodeId === q.leaderId)!;
    assert.equal(leader.lag, 0);
    assert.equal(leader.caughtUp, true);
    assert.ok(q.highWatermark >= 0 && q.highWatermark <= leader.logEndOffset!, `high watermark ${q.highWatermark} within the leader's log end ${leader.logEndOffset}`);
    for (const v of q.voters) {
      assert.ok(v.lag !== null && v.lag >= 0, `voter ${v.nodeId} lag ${v.lag}`);
      assert.equal(v.lag, Math.max(0, leader.logEndOffset! - v.logEndOffset!), `voter ${v.nodeId}: the leader's log end minus its own`);
    }
    // The followers fetch from the leader, so the leader knows when they last did (v1+ carries it).
    for (const v of q.voters.filter((v) => v.nodeId !== q.leaderId)) assert.ok(v.lastFetchMs !== null && v.lastFetchMs > 0, `voter ${v.nodeId} last fetch ${v.lastFetchMs}`);
  });

  it("answers the same leader and epoch whichever node it is sent to (the followers forward it to the leader)", async () => {
    const answers: Array<[number, number]> = [];
    for (const [i, address] of quorum.bootstrap.entries()) {
      const only = clientsFor([address], `node-${i + 1}`);
      try {
        const q = await describeQuorum(only);
        assert.ok(q.supported);
        assert.equal(q.askedBroker, address, "the bootstrap server is the one asked");
        answers.push([q.leaderId, q.leaderEpoch]);
      } finally {
        await only.reset();
      }
    }
    // Two of the three nodes asked are followers: they answer with the leader's view.
    assert.equal(new Set(answers.map((a) => a.join("/"))).size, 1, JSON.stringify(answers));
  });

  it("a stopped follower falls behind: its lag grows as the leader appends, and is back to 0 once it is resumed", async () => {
    const before = await describeQuorum(clients);
    assert.ok(before.supported);
    const follower = quorum.nodes.find((n) => n.id !== before.leaderId)!;
    const live = quorum.nodes.filter((n) => n !== follower).map((n) => `127.0.0.1:${n.port}`);
    const others = clientsFor(live, "without-the-stopped-follower");
    const admin = new Kafka({ brokers: live, logLevel: logLevel.NOTHING }).admin();
    follower.process.child.kill("SIGSTOP");
    try {
      await admin.connect();
      // Each topic is metadata records appended by the leader, which the stopped follower cannot fetch.
      await admin.createTopics({ topics: [{ topic: uniqueTopic("quorum-lag") }, { topic: uniqueTopic("quorum-lag") }] });
      await waitFor(async () => {
        const q = await describeQuorum(others).catch(() => null);
        return q?.supported === true && (q.voters.find((v) => v.nodeId === follower.id)?.lag ?? 0) > 0;
      }, `voter ${follower.id} to lag behind the leader`);
    } finally {
      follower.process.child.kill("SIGCONT");
      await admin.disconnect();
    }
    await waitFor(async () => {
      const q = await describeQuorum(others).catch(() => null);
      return q?.supported === true && q.voters.find((v) => v.nodeId === follower.id)?.lag === 0;
    }, `voter ${follower.id} to catch up again`);
    await others.reset();
  });
});

describe("describeQuorum against one default broker, and brokers without DescribeQuorum", () => {
  const started: TestBroker[] = [];
  const opened: ClusterClients[] = [];
  const cluster = async (id: string, handlers?: typeof ALL_HANDLERS) => {
    const node = await startTestBroker({}, undefined, handlers ? { handlers } : {});
    started.push(node);
    const clients = clientsFor([node.bootstrap], id);
    opened.push(clients);
    return clients;
  };
  after(async () => {
    for (const c of opened) await c.reset();
    for (const node of started) await node.destroy();
  });

  it("a single node is a quorum of one: itself the leader and only voter, caught up", async () => {
    const q = await describeQuorum(await cluster("single"));
    assert.ok(q.supported);
    assert.deepEqual(
      { leaderId: q.leaderId, voters: q.voters.map((v) => [v.nodeId, v.lag, v.caughtUp]), observers: q.observers },
      { leaderId: 1, voters: [[1, 0, true]], observers: [] },
    );
    assert.ok(q.highWatermark >= 0);
  });

  it("a cluster whose ApiVersions lacks DescribeQuorum (ZooKeeper-mode Kafka) is answered as not a KRaft cluster, not as an error", async () => {
    const q = await describeQuorum(await cluster("zookeeper-like", ALL_HANDLERS.filter((h) => h.apiKey !== ApiKey.DescribeQuorum)));
    assert.equal(q.supported, false);
    assert.match(q.reason, /not a KRaft cluster/);
  });

  it("a broker serving DescribeQuorum v0 only is asked v0, which carries no fetch times: they are unknown (null)", async () => {
    const handlers = ALL_HANDLERS.map((h) => (h.apiKey === ApiKey.DescribeQuorum ? { ...h, maxVersion: 0 } : h));
    const q = await describeQuorum(await cluster("v0-only", handlers));
    assert.ok(q.supported);
    assert.equal(q.version, 0);
    assert.deepEqual(q.voters.map((v) => [v.nodeId, v.lag, v.lastFetchMs, v.lastCaughtUpMs, v.caughtUp]), [[1, 0, null, null, true]]);
  });
});
