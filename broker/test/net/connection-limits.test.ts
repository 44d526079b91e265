import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import type { ConnectionInfo, DispatchResult } from "../../src/net/connection";
import { REFUSAL_LOG_INTERVAL_MS, SocketServer } from "../../src/net/socket-server";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { createLogger } from "../../src/runtime/logger";
import { ManualScheduler } from "../../src/runtime/scheduler";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { RawClient } from "../helpers/raw-client";
import { realRuntime } from "../helpers/runtime";

/** Kafka's config resource type of a broker (kafkajs's ConfigResourceTypes.BROKER, which ESM cannot import by name). */
const BROKER_RESOURCE = 4;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const apiVersions = (client: RawClient) => client.request(ApiKey.ApiVersions, 3, { clientSoftwareName: "raw", clientSoftwareVersion: "1" });

/** A connection the broker kept: it answers a request. */
async function admitted(port: number, localAddress = "127.0.0.1"): Promise<RawClient> {
  const client = await RawClient.connect(port, "127.0.0.1", localAddress);
  assert.equal((await apiVersions(client)).errorCode, ErrorCode.NONE);
  return client;
}

/** A connection the broker closed at once, before reading anything. */
async function refused(port: number, localAddress = "127.0.0.1"): Promise<void> {
  const client = await RawClient.connect(port, "127.0.0.1", localAddress);
  assert.equal(await client.nextFrame(2000), null, `a connection from ${localAddress} over the limit is closed without an answer`);
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadlineMs) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

describe("max.connections", () => {
  let node: TestBroker;
  before(async () => (node = await startTestBroker({ "max.connections": "3" })));
  after(async () => node?.destroy());

  it("closes connections over the limit at once, counts them, and leaves the open ones working", async () => {
    const open = [await admitted(node.port), await admitted(node.port), await admitted(node.port)];
    await refused(node.port);
    await refused(node.port);
    assert.equal(node.broker.sockets.quotas.refused["max.connections"], 2);
    for (const client of open) assert.equal((await apiVersions(client)).errorCode, ErrorCode.NONE, "connections already open are unaffected");
    open.pop()!.close();
    await until(() => node.broker.sockets.connectionCount === 2, "the closed connection is forgotten");
    open.push(await admitted(node.port));
    for (const client of open) client.close();
  });

  it("takes a new value from AlterConfigs for the next connection", async () => {
    const kafka = new Kafka({ clientId: "limits-test", brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
    await until(() => node.broker.sockets.connectionCount === 0, "the connections of the test before are gone");
    const admin = kafka.admin();
    await admin.connect();
    try {
      // The admin's own connections count: leave room for it and one more.
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: BROKER_RESOURCE, name: "1", configEntries: [{ name: "max.connections", value: "5" }] }] });
      const before = node.broker.sockets.connectionCount;
      const open: RawClient[] = [];
      for (let i = before; i < 5; i++) open.push(await admitted(node.port));
      await refused(node.port);
      for (const client of open) client.close();
    } finally {
      await admin.disconnect();
    }
  });
});

describe("max.connections.per.ip and max.connections.per.ip.overrides", () => {
  let node: TestBroker;
  before(
    async () =>
      (node = await startTestBroker({
        "max.connections.per.ip": "2",
        "max.connections.per.ip.overrides": "127.0.0.3:4,127.0.0.4:0",
      })),
  );
  after(async () => node?.destroy());

  it("limits each address on its own; an override replaces the limit for its address", async () => {
    const fromTwo = [await admitted(node.port, "127.0.0.2"), await admitted(node.port, "127.0.0.2")];
    await refused(node.port, "127.0.0.2");
    const fromThree = [];
    for (let i = 0; i < 4; i++) fromThree.push(await admitted(node.port, "127.0.0.3"));
    await refused(node.port, "127.0.0.3");
    await refused(node.port, "127.0.0.4");
    assert.equal(node.broker.sockets.quotas.refused["max.connections.per.ip"], 3);

    // Another address is untouched by all of this: a real client produces and reads back.
    const kafka = new Kafka({ clientId: "per-ip", brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
    const topic = uniqueTopic("per-ip");
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: "through" }] });
    await producer.disconnect();
    assert.equal((await apiVersions(fromTwo[0])).errorCode, ErrorCode.NONE);
    for (const client of [...fromTwo, ...fromThree]) client.close();
  });

  it("a flood of silent connections from one address stops at its limit and does not starve other clients", async () => {
    // Its own node: many connections, a limit of 1,000 from 127.0.0.2.
    const flooded = await startTestBroker({ "max.connections.per.ip.overrides": "127.0.0.2:1000" });
    const flood: RawClient[] = [];
    try {
      const attempts = 1500;
      for (let i = 0; i < attempts; i += 100)
        flood.push(...(await Promise.all(Array.from({ length: 100 }, () => RawClient.connect(flooded.port, "127.0.0.1", "127.0.0.2")))));
      await until(() => flooded.broker.sockets.quotas.refused["max.connections.per.ip"] === attempts - 1000, "every connection over the limit is refused", 30_000);
      assert.equal(flooded.broker.sockets.quotas.countFor("127.0.0.2"), 1000);

      const kafka = new Kafka({ clientId: "flood", brokers: [flooded.bootstrap], logLevel: logLevel.NOTHING });
      const topic = uniqueTopic("flood");
      const producer = kafka.producer();
      await producer.connect();
      for (let i = 0; i < 20; i++) await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, j) => ({ value: `${i}-${j}` })) });
      await producer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      const [offsets] = await admin.fetchTopicOffsets(topic);
      await admin.disconnect();
      assert.equal(offsets.high, "200", "every record sent while the flood was open is stored");
    } finally {
      for (const client of flood) client.close();
      await flooded.destroy();
    }
  });

  it("resolves a host name in the overrides to its addresses", async () => {
    const named = await startTestBroker({ "max.connections.per.ip.overrides": "localhost:1" });
    try {
      const first = await admitted(named.port, "127.0.0.1");
      await refused(named.port, "127.0.0.1");
      const other = await admitted(named.port, "127.0.0.2");
      first.close();
      other.close();
    } finally {
      await named.destroy();
    }
  });
});

describe("listener.name.<listener>.max.connections and the inter-broker listener", () => {
  let node: TestBroker;
  before(
    async () =>
      (node = await startTestBroker({
        listeners: "PLAINTEXT://127.0.0.1:0,CLIENTS://127.0.0.1:0",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CLIENTS:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.name.clients.max.connections": "2",
        "max.connections": "3",
      })),
  );
  after(async () => node?.destroy());

  it("a listener's own limit refuses its connections only", async () => {
    const clientsPort = node.broker.boundPort("CLIENTS");
    const onClients = [await admitted(clientsPort), await admitted(clientsPort)];
    await refused(clientsPort);
    assert.equal(node.broker.sockets.quotas.refused["listener max.connections"], 1);
    const inter = await admitted(node.port);

    // Three open, max.connections=3: the inter-broker listener still gets in, and the least recently active connection elsewhere makes room.
    await sleep(20);
    await apiVersions(onClients[1]);
    const second = await admitted(node.port);
    assert.equal(await onClients[0].nextFrame(2000), null, "the least recently active connection of the other listener is closed");
    assert.equal((await apiVersions(onClients[1])).errorCode, ErrorCode.NONE);
    await until(() => node.broker.sockets.connectionCount === 3, "three connections remain");
    for (const client of [onClients[1], inter, second]) client.close();
  });
});

describe("refused connections in the log", () => {
  it("one warning per quota per interval, saying how many were refused since the last", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({ level: "warn", write: (line) => lines.push(JSON.parse(line)) });
    const scheduler = new ManualScheduler();
    const dispatcher = {
      dispatch: (_frame: Buffer, _connection: ConnectionInfo): DispatchResult => ({ kind: "no-response" }),
      unexpectedError: (error: unknown) => assert.fail(`unexpected error: ${String(error)}`),
    };
    const quotas = { maxConnections: 1, maxConnectionsPerIp: 100, maxConnectionsPerIpOverrides: new Map(), listenerMaxConnections: new Map(), interBrokerListenerName: null };
    const server = new SocketServer(dispatcher, { frameBytesMax: 1024, queuedRequestsMax: 10, idleMsMax: -1 }, logger, scheduler, { network: realRuntime.network, quotas: () => quotas });
    await server.listen([{ name: "PLAINTEXT", host: "127.0.0.1", port: 0 }]);
    const port = server.boundPorts.get("PLAINTEXT")!;
    try {
      const kept = await RawClient.connect(port);
      await until(() => server.connectionCount === 1, "the first connection is counted");
      for (let i = 0; i < 20; i++) await refused(port);
      const refusals = () => lines.filter((line) => line.msg === "refused a connection over a connection limit");
      assert.equal(refusals().length, 1);
      assert.equal(refusals()[0].refusedSinceLastLog, 1);
      scheduler.advance(REFUSAL_LOG_INTERVAL_MS);
      await refused(port);
      assert.equal(refusals().length, 2);
      assert.equal(refusals()[1].refusedSinceLastLog, 20, "the 19 refusals left out, and this one");
      assert.equal(refusals()[1].refusedTotal, 21);
      kept.close();
    } finally {
      await server.close(0);
    }
  });
});
