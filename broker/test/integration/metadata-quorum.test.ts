import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import type { DescribeQuorumResponse, MetadataResponse } from "../../src/protocol/generated";
import { freePort, spawnBroker, type BrokerProcess } from "../helpers/broker-process";
import { uniqueTopic } from "../helpers/broker";
import { waitFor } from "../helpers/groups";
import { brokerCommand, formatQuorumNode, quorumNodeProperties } from "../helpers/quorum-node";
import { RawClient } from "../helpers/raw-client";


interface NodeSetup {
  id: number;
  port: number;
  controllerPort: number;
  metricsPort: number;
  properties: string;
  process: BrokerProcess | null;
}

/** One request on a fresh connection; null when the node does not answer (it is down). */
async function rawRequest<T>(port: number, apiKey: number, version: number, body: unknown): Promise<T | null> {
  let client: RawClient;
  try {
    client = await RawClient.connect(port);
  } catch {
    return null;
  }
  try {
    return await client.request<T>(apiKey, version, body);
  } catch {
    return null;
  } finally {
    client.close();
  }
}

const describeQuorum = (port: number) =>
  rawRequest<DescribeQuorumResponse>(port, ApiKey.DescribeQuorum, 2, { topics: [{ topicName: "__cluster_metadata", partitions: [{ partitionIndex: 0 }] }] });

const brokerIds = async (port: number): Promise<number[] | null> => {
  const response = await rawRequest<MetadataResponse>(port, ApiKey.Metadata, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  return response ? response.brokers.map((broker) => broker.nodeId).sort((a, b) => a - b) : null;
};

const topicNames = async (port: number): Promise<string[] | null> => {
  const response = await rawRequest<MetadataResponse>(port, ApiKey.Metadata, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  return response ? response.topics.map((topic) => topic.name ?? "").sort() : null;
};

/** The leader and epoch a majority of the running nodes agree on, as DescribeQuorum answers them. */
async function agreedLeader(nodes: NodeSetup[]): Promise<{ leaderId: number; epoch: number; data: DescribeQuorumResponse["topics"][number]["partitions"][number] } | null> {
  for (const node of nodes) {
    if (!node.process) continue;
    const response = await describeQuorum(node.port);
    const data = response?.topics[0]?.partitions[0];
    if (data && data.errorCode === ErrorCode.NONE) return { leaderId: data.leaderId, epoch: data.leaderEpoch, data };
  }
  return null;
}

describe("the metadata quorum: three broker processes", { timeout: 180_000 }, () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "sluice-quorum-"));
  const nodes: NodeSetup[] = [];
  after(async () => {
    for (const node of nodes) node.process?.child.kill("SIGKILL");
    await Promise.all(nodes.map((node) => node.process?.exited));
    rmSync(root, { recursive: true, force: true });
  });

  it("elect one leader, replicate topics to every node, forward admin requests to the leader, fail over on kill -9 and catch a restarted node up", async () => {
    for (const id of [1, 2, 3]) nodes.push({ id, port: await freePort(), controllerPort: await freePort(), metricsPort: await freePort(), properties: path.join(root, `node-${id}.properties`), process: null });
    const voters = nodes.map((node) => `${node.id}@127.0.0.1:${node.controllerPort}`).join(",");
    const clusterId = (await brokerCommand(["format-storage", "random-uuid"])).stdout.trim();
    for (const node of nodes) {
      const properties = quorumNodeProperties(node, voters, path.join(root, `data-${node.id}`), [`metrics.listener=127.0.0.1:${node.metricsPort}`]);
      const formatted = await formatQuorumNode(node.properties, properties, clusterId);
      assert.equal(formatted.code, 0, formatted.stderr);
    }
    const start = async (node: NodeSetup) => {
      node.process = await spawnBroker([node.properties]);
    };
    await Promise.all(nodes.map(start));

    // One leader, named by the leader itself, with all three voters fetching from it.
    let first: Awaited<ReturnType<typeof agreedLeader>> = null;
    await waitFor(async () => {
      first = await agreedLeader(nodes);
      return first !== null && first.data.currentVoters.every((voter) => voter.logEndOffset >= 0n);
    }, "a leader that all three voters fetch from");
    const leader1 = first!;
    assert.deepEqual(leader1.data.currentVoters.map((voter) => voter.replicaId).sort(), [1, 2, 3]);
    assert.ok(leader1.epoch >= 1);
    // Any node answers DescribeQuorum with the leader's view (it forwards the request to the leader); over its own
    // controller listener a non-leader answers NOT_LEADER_OR_FOLLOWER, naming the same leader and epoch.
    for (const node of nodes) {
      const data = (await describeQuorum(node.port))!.topics[0].partitions[0];
      assert.deepEqual([data.errorCode, data.leaderId, data.leaderEpoch, data.currentVoters.length], [ErrorCode.NONE, leader1.leaderId, leader1.epoch, 3], `node ${node.id}`);
      const own = (await describeQuorum(node.controllerPort))!.topics[0].partitions[0];
      assert.deepEqual([own.leaderId, own.leaderEpoch], [leader1.leaderId, leader1.epoch], `node ${node.id}`);
      assert.equal(own.errorCode, node.id === leader1.leaderId ? ErrorCode.NONE : ErrorCode.NOT_LEADER_OR_FOLLOWER);
    }
    const quorumNodes = (await describeQuorum(nodes[0].port))!.nodes;
    assert.deepEqual(
      quorumNodes.map((node) => [node.nodeId, node.listeners[0].port]),
      nodes.map((node) => [node.id, node.controllerPort]),
    );

    // Each node's /metrics reports its own part in the quorum: one active controller, the leader's id and epoch everywhere.
    const scrape = async (node: NodeSetup, state = node.id === leader1.leaderId ? "leader" : "follower") => {
      const text = await (await fetch(`http://127.0.0.1:${node.metricsPort}/metrics`)).text();
      const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1]);
      return {
        active: value("kafka_controller_kafkacontroller_activecontrollercount"),
        leader: value("kafka_server_raftmetrics_current_leader"),
        epoch: value("kafka_server_raftmetrics_current_epoch"),
        state: value(`kafka_server_raftmetrics_current_state{current_state="${state}"}`),
      };
    };
    for (const node of nodes) {
      assert.deepEqual(await scrape(node), { active: node.id === leader1.leaderId ? 1 : 0, leader: leader1.leaderId, epoch: leader1.epoch, state: 1 }, `node ${node.id}'s metrics`);
    }

    // Every broker registers with the active controller and, once caught up, is unfenced: every node lists all three.
    for (const node of nodes) await waitFor(async () => JSON.stringify(await brokerIds(node.port)) === "[1,2,3]", `node ${node.id} to list brokers 1, 2 and 3`);

    // A topic created through kafkajs against the leader reaches every node's Metadata.
    const leaderNode = nodes.find((node) => node.id === leader1.leaderId)!;
    const firstTopic = uniqueTopic("quorum-a");
    const admin = new Kafka({ brokers: [`127.0.0.1:${leaderNode.port}`], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    assert.equal(await admin.createTopics({ topics: [{ topic: firstTopic, numPartitions: 2 }] }), true);
    await admin.disconnect();
    for (const node of nodes) await waitFor(async () => (await topicNames(node.port))?.includes(firstTopic) ?? false, `${firstTopic} in node ${node.id}'s metadata`);

    // A broker-only node is an observer: it fetches the log from the voters without voting, and forwards admin requests too.
    const observer: NodeSetup = { id: 4, port: await freePort(), controllerPort: 0, metricsPort: await freePort(), properties: path.join(root, "node-4.properties"), process: null };
    const observerProperties = [
      "node.id=4",
      "process.roles=broker",
      `listeners=PLAINTEXT://127.0.0.1:${observer.port}`,
      `metrics.listener=127.0.0.1:${observer.metricsPort}`,
      "controller.listener.names=CONTROLLER",
      `controller.quorum.voters=${voters}`,
      `log.dirs=${path.join(root, "data-4")}`,
      "broker.heartbeat.interval.ms=300",
    ].join("\n");
    assert.equal((await formatQuorumNode(observer.properties, observerProperties, clusterId)).code, 0);
    nodes.push(observer);
    await start(observer);
    await waitFor(async () => (await topicNames(observer.port))?.includes(firstTopic) ?? false, `${firstTopic} in the observer's metadata`);
    await waitFor(async () => (await agreedLeader(nodes))?.data.observers.some((replica) => replica.replicaId === 4) ?? false, "the leader to list the observer");
    const observed = await scrape(observer, "observer");
    assert.deepEqual([observed.leader, observed.epoch, observed.state], [leader1.leaderId, leader1.epoch, 1], "the observer's metrics");
    const observedTopic = uniqueTopic("quorum-observer");
    const observerAdmin = new Kafka({ brokers: [`127.0.0.1:${observer.port}`], logLevel: logLevel.NOTHING }).admin();
    await observerAdmin.connect();
    assert.equal(await observerAdmin.createTopics({ topics: [{ topic: observedTopic, numPartitions: 1 }] }), true);
    await observerAdmin.disconnect();
    await waitFor(async () => (await topicNames(leaderNode.port))?.includes(observedTopic) ?? false, `${observedTopic} on the leader`);
    const voterNodes = nodes.filter((node) => node.id !== 4);

    // Admin requests to another node are forwarded to the active controller, so kafkajs may pick any node.
    const follower = nodes.find((node) => node.id !== leader1.leaderId)!;
    const forwardedTopic = uniqueTopic("quorum-forwarded");
    const followerAdmin = new Kafka({ brokers: [`127.0.0.1:${follower.port}`], logLevel: logLevel.NOTHING }).admin();
    await followerAdmin.connect();
    assert.equal(await followerAdmin.createTopics({ topics: [{ topic: forwardedTopic, numPartitions: 1 }] }), true);
    await followerAdmin.disconnect();
    for (const node of nodes) await waitFor(async () => (await topicNames(node.port))?.includes(forwardedTopic) ?? false, `${forwardedTopic} in node ${node.id}'s metadata`);
    // Its partitions are spread over the brokers; kafkajs, bootstrapped from one node, produces to each leader and reads back.
    const spreadTopic = uniqueTopic("quorum-spread");
    const kafka = new Kafka({ brokers: [`127.0.0.1:${follower.port}`], logLevel: logLevel.NOTHING });
    const spreadAdmin = kafka.admin();
    await spreadAdmin.connect();
    assert.equal(await spreadAdmin.createTopics({ topics: [{ topic: spreadTopic, numPartitions: 4 }] }), true);
    const layout = await spreadAdmin.fetchTopicMetadata({ topics: [spreadTopic] });
    const partitionLeaders = new Set(layout.topics[0].partitions.map((partition) => partition.leader));
    assert.ok(partitionLeaders.size > 1, `partitions led by ${[...partitionLeaders].join(", ")}`);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: spreadTopic, messages: [0, 1, 2, 3].map((partition) => ({ partition, value: `to ${partition}` })) });
    await producer.disconnect();
    const offsets = await spreadAdmin.fetchTopicOffsets(spreadTopic);
    assert.deepEqual(offsets.map(({ partition, high }) => [partition, high]).sort(), [0, 1, 2, 3].map((partition) => [partition, "1"]));
    await spreadAdmin.disconnect();
    // An idempotent producer (its producer-id block comes from the active controller) and a consumer group (the
    // offsets topic is created by the active controller, its coordinators spread over the nodes), through a follower.
    const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await idempotent.connect();
    await idempotent.send({ topic: spreadTopic, messages: [0, 1, 2, 3].map((partition) => ({ partition, value: `idempotent ${partition}` })) });
    await idempotent.disconnect();
    const consumer = kafka.consumer({ groupId: `${spreadTopic}-group` });
    await consumer.connect();
    await consumer.subscribe({ topic: spreadTopic, fromBeginning: true });
    const consumed: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void consumed.push(message.value!.toString()) });
    await waitFor(() => consumed.length === 8, "the group to consume all eight records", 60_000);
    await consumer.disconnect();
    assert.deepEqual(consumed.sort(), [0, 1, 2, 3].flatMap((partition) => [`idempotent ${partition}`, `to ${partition}`]).sort());
    // What arrives over a controller listener was forwarded already: a non-leader answers it NOT_CONTROLLER.
    const refused = await rawRequest<any>(follower.controllerPort, ApiKey.CreateTopics, 7, {
      topics: [{ name: uniqueTopic("quorum-refused"), numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.equal(refused.topics[0].errorCode, ErrorCode.NOT_CONTROLLER);

    // kill -9 the leader: the other two elect a new one in a higher epoch, which takes a second topic.
    leaderNode.process!.child.kill("SIGKILL");
    await leaderNode.process!.exited;
    leaderNode.process = null;
    let second: Awaited<ReturnType<typeof agreedLeader>> = null;
    await waitFor(async () => {
      second = await agreedLeader(voterNodes);
      return second !== null && second.leaderId !== leader1.leaderId;
    }, "a new leader after the kill");
    const leader2 = second!;
    assert.ok(leader2.epoch > leader1.epoch, `epoch ${leader2.epoch} after ${leader1.epoch}`);
    // The killed broker's session expires: the active controller fences it, and no node lists it any more.
    const survivors = nodes.filter((node) => node.process && node.id !== 4);
    for (const node of survivors)
      await waitFor(async () => !((await brokerIds(node.port)) ?? [leaderNode.id]).includes(leaderNode.id), `node ${node.id} to stop listing the killed broker`);
    // Its partitions have no other in-sync replica: they are left without a leader (LEADER_NOT_AVAILABLE), not given away.
    const spreadOnKilled = layout.topics[0].partitions.filter((partition) => partition.leader === leaderNode.id).map((partition) => partition.partitionId);
    const leaderOf = async (port: number, partition: number) => {
      const response = await rawRequest<MetadataResponse>(port, ApiKey.Metadata, 12, { topics: [{ topicId: Buffer.alloc(16), name: spreadTopic }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
      const state = response?.topics[0]?.partitions.find((entry) => entry.partitionIndex === partition);
      return state ? [state.errorCode, state.leaderId] : null;
    };
    for (const partition of spreadOnKilled)
      await waitFor(async () => JSON.stringify(await leaderOf(survivors[0].port, partition)) === JSON.stringify([ErrorCode.LEADER_NOT_AVAILABLE, -1]), `partition ${partition} without a leader`);
    const newLeaderNode = nodes.find((node) => node.id === leader2.leaderId)!;
    const secondTopic = uniqueTopic("quorum-b");
    // A raw CreateTopics: kafkajs refuses to work with a cluster while any partition has no leader (its Metadata parse
    // throws LEADER_NOT_AVAILABLE for the whole response), as it does against Kafka with an offline partition.
    const created = await rawRequest<any>(newLeaderNode.port, ApiKey.CreateTopics, 7, {
      topics: [{ name: secondTopic, numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] }],
      timeoutMs: 10_000,
      validateOnly: false,
    });
    assert.equal(created.topics[0].errorCode, ErrorCode.NONE, created.topics[0].errorMessage);
    for (const node of nodes.filter((node) => node.process))
      await waitFor(async () => (await topicNames(node.port))?.includes(secondTopic) ?? false, `${secondTopic} in node ${node.id}'s metadata`);

    // The killed node comes back from its own disk, follows the new leader and catches up on both topics.
    await start(leaderNode);
    await waitFor(async () => {
      const names = await topicNames(leaderNode.port);
      return names !== null && names.includes(firstTopic) && names.includes(secondTopic);
    }, "the restarted node to catch up");
    // It registers again and is unfenced once caught up: listed by every node once more, leading its partitions again.
    for (const node of nodes) await waitFor(async () => (await brokerIds(node.port))?.includes(leaderNode.id) ?? false, `node ${node.id} to list the restarted broker`);
    for (const partition of spreadOnKilled)
      await waitFor(async () => JSON.stringify(await leaderOf(leaderNode.port, partition)) === JSON.stringify([ErrorCode.NONE, leaderNode.id]), `partition ${partition} led by the restarted broker`);
    const rejoined = (await describeQuorum(leaderNode.controllerPort))!.topics[0].partitions[0];
    assert.equal(rejoined.leaderId, leader2.leaderId);
    assert.equal(rejoined.leaderEpoch, leader2.epoch);
    await waitFor(async () => {
      const data = (await agreedLeader(nodes))?.data;
      const end = data?.currentVoters.find((voter) => voter.replicaId === leaderNode.id)?.logEndOffset ?? -1n;
      return data !== undefined && end === BigInt(data.highWatermark);
    }, "the leader to see the restarted voter at its high watermark");

    // Controlled shutdown of the leader (SIGTERM): it is fenced, resigns, exits 0, and the others elect a new leader.
    const stopping = newLeaderNode;
    stopping.process!.child.kill("SIGTERM");
    assert.equal(await stopping.process!.exited, 0);
    assert.match(stopping.process!.output(), /"msg":"shut down"/);
    stopping.process = null;
    const remaining = nodes.filter((node) => node.process && node.id !== 4);
    let third: Awaited<ReturnType<typeof agreedLeader>> = null;
    await waitFor(async () => {
      third = await agreedLeader(remaining);
      return third !== null && third.leaderId !== stopping.id;
    }, "a new leader after the controlled shutdown");
    assert.ok(third!.epoch > leader2.epoch);
    for (const node of remaining)
      await waitFor(async () => !((await brokerIds(node.port)) ?? [stopping.id]).includes(stopping.id), `node ${node.id} to stop listing the stopped broker`);
  });
});
