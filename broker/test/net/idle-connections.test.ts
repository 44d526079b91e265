import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import type { ConnectionInfo, DispatchResult } from "../../src/net/connection";
import { idleSweepIntervalMs, IDLE_SWEEP_INTERVAL_MS_MAX, SocketServer } from "../../src/net/socket-server";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { silentLogger } from "../../src/runtime/logger";
import { ManualScheduler } from "../../src/runtime/scheduler";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { RawClient } from "../helpers/raw-client";
import { saslOverrides, saslPort } from "../helpers/sasl";
import { realRuntime } from "../helpers/runtime";

/** Small enough for quick tests; every timing assertion below leaves a wide margin around it. */
const IDLE_MS_MAX = 300;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const apiVersions = (client: RawClient) => client.request(ApiKey.ApiVersions, 3, { clientSoftwareName: "raw", clientSoftwareVersion: "1" });

/** Resolves once `socket` is closed, or rejects after `timeoutMs`. */
function closedWithin(client: RawClient, timeoutMs: number): Promise<void> {
  return client.nextFrame(timeoutMs).then((frame) => assert.equal(frame, null, "no response was expected, only the close"));
}

describe("idle sweep interval", () => {
  it("is a tenth of connections.max.idle.ms, at least 10 ms and at most 10 s; negative means no sweep", () => {
    assert.equal(idleSweepIntervalMs(300), 30);
    assert.equal(idleSweepIntervalMs(600_000), IDLE_SWEEP_INTERVAL_MS_MAX);
    assert.equal(idleSweepIntervalMs(0), 10);
    assert.equal(idleSweepIntervalMs(-1), null);
  });
});

describe("idle connections under a manual scheduler", () => {
  const IDLE_MS = 1000;
  const SWEEP_MS = idleSweepIntervalMs(IDLE_MS)!;
  let scheduler: ManualScheduler;
  let server: SocketServer;
  let port: number;
  /** The stub dispatcher answers each request when the test resolves it. */
  let pending: Array<(result: DispatchResult) => void>;

  before(async () => {
    scheduler = new ManualScheduler();
    pending = [];
    const dispatcher = {
      dispatch: (_frame: Buffer, _connection: ConnectionInfo) => new Promise<DispatchResult>((resolve) => pending.push(resolve)),
      unexpectedError: (error: unknown) => assert.fail(`unexpected error: ${String(error)}`),
    };
    server = new SocketServer(dispatcher, { frameBytesMax: 1024, queuedRequestsMax: 10, idleMsMax: IDLE_MS }, silentLogger, scheduler, { network: realRuntime.network });
    await server.listen([{ name: "PLAINTEXT", host: "127.0.0.1", port: 0 }]);
    port = server.boundPorts.get("PLAINTEXT")!;
  });
  after(async () => server?.close(0));

  async function connectedClient(): Promise<RawClient> {
    const before = server.connectionCount;
    const client = await RawClient.connect(port);
    while (server.connectionCount === before) await sleep(5);
    return client;
  }

  it("a silent connection stays open up to connections.max.idle.ms and is closed by the next sweep after it", async () => {
    const client = await connectedClient();
    scheduler.advance(IDLE_MS - SWEEP_MS);
    assert.equal(server.connectionCount, 1);
    scheduler.advance(2 * SWEEP_MS);
    assert.equal(server.connectionCount, 0);
    await closedWithin(client, 5000);
  });

  it("a request being handled keeps its connection open however long it takes; idleness counts from its response", async () => {
    const client = await connectedClient();
    client.sendRaw(Buffer.from("request"));
    while (pending.length === 0) await sleep(5);
    scheduler.advance(10 * IDLE_MS);
    assert.equal(server.connectionCount, 1, "a long poll is not idle");
    pending.shift()!({ kind: "respond", chunks: [Buffer.from("answer")] });
    assert.equal((await client.nextFrame())?.toString(), "answer");
    scheduler.advance(IDLE_MS - SWEEP_MS);
    assert.equal(server.connectionCount, 1);
    scheduler.advance(2 * SWEEP_MS);
    assert.equal(server.connectionCount, 0);
    await closedWithin(client, 5000);
  });
});

describe("connections.max.idle.ms on a broker node", () => {
  let node: TestBroker;
  before(async () => (node = await startTestBroker({ "connections.max.idle.ms": String(IDLE_MS_MAX), ...saslOverrides("PLAIN") })));
  after(async () => node?.destroy());

  it("a client that connects and sends nothing is closed after about the idle limit", async () => {
    const client = await RawClient.connect(node.port);
    const startedMs = Date.now();
    await closedWithin(client, 10 * IDLE_MS_MAX);
    assert.ok(Date.now() - startedMs >= IDLE_MS_MAX * 0.8, "not before the idle limit");
  });

  it("an unauthenticated client on a SASL_PLAINTEXT listener is closed the same way", async () => {
    const client = await RawClient.connect(saslPort(node));
    assert.equal((await apiVersions(client)).errorCode, ErrorCode.NONE);
    await closedWithin(client, 10 * IDLE_MS_MAX);
  });

  it("a client sending ApiVersions more often than the idle limit stays open", async () => {
    const client = await RawClient.connect(node.port);
    for (let sent = 0; sent < 8; sent++) {
      assert.equal((await apiVersions(client)).errorCode, ErrorCode.NONE);
      await sleep(IDLE_MS_MAX / 3);
    }
    assert.equal(client.closed, false);
    client.close();
  });

  it("a long-poll Fetch held past the idle limit is answered, on a connection still open", async () => {
    const topic = uniqueTopic("idle-poll");
    const client = await RawClient.connect(node.port);
    await client.request(ApiKey.CreateTopics, 5, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
    const maxWaitMs = 5 * IDLE_MS_MAX;
    const startedMs = Date.now();
    const response = await client.request(ApiKey.Fetch, 11, {
      clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, topicId: Buffer.alloc(16), partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20, replicaDirectoryId: Buffer.alloc(16) }] }],
      forgottenTopicsData: [], rackId: "",
    });
    assert.ok(Date.now() - startedMs >= maxWaitMs - 100, "the fetch waited its max wait, past the idle limit");
    assert.equal(response.responses[0].partitions[0].errorCode, ErrorCode.NONE);
    assert.equal((await apiVersions(client)).errorCode, ErrorCode.NONE, "and the connection still serves");
    client.close();
  });

  it("kafkajs reconnects after the broker closes its idle connection", async () => {
    let socketsClosed = 0;
    const kafka = new Kafka({
      clientId: "idle-test",
      brokers: [node.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 3 },
      socketFactory: ({ host, port, onConnect }) => {
        const socket = net.connect({ host, port }, onConnect);
        socket.on("close", () => socketsClosed++);
        return socket;
      },
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topic = uniqueTopic("idle-kafkajs");
      assert.equal(await admin.createTopics({ topics: [{ topic }] }), true);
      const closedBefore = socketsClosed;
      await sleep(4 * IDLE_MS_MAX);
      assert.ok(socketsClosed > closedBefore, "the broker closed the idle connection");
      assert.ok((await admin.listTopics()).includes(topic));
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      assert.equal(metadata.topics[0].partitions.length, 1);
    } finally {
      await admin.disconnect();
    }
  });
});
