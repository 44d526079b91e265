import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Kafka, logLevel, type Consumer, type Producer } from "kafkajs";
import { ALL_HANDLERS } from "../../src/handlers";
import type { ApiHandler } from "../../src/handlers/handler";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { freePort, spawnBroker } from "../helpers/broker-process";
import { capturingLogger, startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { RawClient } from "../helpers/raw-client";
import { SASL_USERS, saslBootstrap, saslOverrides, saslPort } from "../helpers/sasl";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const apiVersions = (client: RawClient) => client.request(ApiKey.ApiVersions, 3, { clientSoftwareName: "raw", clientSoftwareVersion: "1" });

/** Connects, writes `bytes` and resolves once the broker has closed the socket. */
function sendAndAwaitClose(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" }, () => socket.write(bytes));
    const timer = setTimeout(() => reject(new Error("the broker kept the connection open")), 5000);
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe("a frame whose size is 0", () => {
  it("closes that connection with a logged reason; the node serves others and counts no error", async () => {
    const { logger, lines } = capturingLogger();
    const node = await startTestBroker({}, undefined, { logger });
    try {
      const bystander = await RawClient.connect(node.port);
      await sendAndAwaitClose(node.port, Buffer.alloc(4));
      // The same with a valid request behind it in the same write: nothing after the bad frame is served.
      await sendAndAwaitClose(node.port, Buffer.concat([Buffer.alloc(4), Buffer.from("0000000a00120000000000010000", "hex")]));
      const closes = lines.filter((line) => line.msg === "closing connection");
      assert.equal(closes.length, 2);
      assert.match(closes[0].reason, /frame of 0 bytes is shorter than a header/);
      assert.equal((await apiVersions(bystander)).errorCode, ErrorCode.NONE, "the other connection still works");
      assert.equal(node.broker.unexpectedErrors.total, 0, "bad input is not a bug");
      bystander.close();
    } finally {
      await node.destroy();
    }
  });

  it("leaves a broker process running and serving", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-zero-frame-"));
    const port = await freePort();
    const broker = await spawnBroker(["--override", `listeners=PLAINTEXT://127.0.0.1:${port}`, "--override", `log.dirs=${dir}`]);
    try {
      await sendAndAwaitClose(port, Buffer.alloc(4));
      const client = await RawClient.connect(port);
      assert.equal((await apiVersions(client)).errorCode, ErrorCode.NONE);
      client.close();
      assert.equal(broker.child.exitCode, null, "the process is still running");
      assert.match(broker.output(), /"msg":"closing connection".*"reason":"request frame of 0 bytes is shorter than a header"/);
    } finally {
      broker.child.kill("SIGTERM");
      await broker.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a scheduled task that throws", () => {
  it("is logged and counted by the node, which goes on serving", async () => {
    const { logger, lines } = capturingLogger();
    const node = await startTestBroker({}, undefined, { logger });
    try {
      // The scheduler the group coordinator and the idle sweep use, on real timers.
      node.broker.scheduler.schedule(1, () => {
        throw new Error("injected: a timer task that throws");
      });
      while (node.broker.unexpectedErrors.count("timer") === 0) await sleep(5);
      const logged = lines.find((line) => line.msg === "scheduled task failed");
      assert.match(logged?.error.stack, /injected: a timer task that throws/);
      const client = await RawClient.connect(node.port);
      assert.equal((await apiVersions(client)).errorCode, ErrorCode.NONE);
      client.close();
    } finally {
      await node.destroy();
    }
  });
});

/** A served API whose handler is replaced by `handle`, with the real one's versions. */
function faulty(apiKey: number, handle: ApiHandler["handle"]): ApiHandler {
  const real = ALL_HANDLERS.find((handler) => handler.apiKey === apiKey)!;
  return { ...real, handle };
}

describe("an unexpected error closes one connection while other clients produce and consume", () => {
  let node: TestBroker;
  let lines: Array<Record<string, any>>;
  let failNonces = false;
  let kafka: Kafka;
  let producer: Producer;
  let consumer: Consumer;
  const topic = uniqueTopic("contained");
  const consumed: string[] = [];
  const acknowledged: string[] = [];
  let producing: Promise<void> | null = null;
  let stopProducing = false;

  before(async () => {
    const captured = capturingLogger();
    lines = captured.lines;
    const faults = new Map<number, ApiHandler>([
      [ApiKey.ListGroups, faulty(ApiKey.ListGroups, () => {
        throw new Error("injected: a handler that throws");
      })],
      [ApiKey.DescribeCluster, faulty(ApiKey.DescribeCluster, async () => {
        await sleep(1);
        throw new Error("injected: a handler that rejects");
      })],
      // Lacks every field of a DescribeLogDirs response, so encoding it fails.
      [ApiKey.DescribeLogDirs, faulty(ApiKey.DescribeLogDirs, () => ({ throttleTimeMs: 0 }))],
    ]);
    node = await startTestBroker({ ...saslOverrides(), "group.initial.rebalance.delay.ms": "0" }, undefined, {
      logger: captured.logger,
      handlers: ALL_HANDLERS.map((handler) => faults.get(handler.apiKey) ?? handler),
      random: (size) => {
        if (failNonces) throw new Error("injected: no randomness for a SCRAM nonce");
        return randomBytes(size);
      },
    });
    kafka = new Kafka({ brokers: [node.bootstrap], clientId: "contained-traffic", logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await admin.disconnect();
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    consumer = kafka.consumer({ groupId: `${topic}-group`, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void consumed.push(message.value!.toString()) });
    // Traffic that runs through every fault below.
    producing = (async () => {
      for (let i = 0; !stopProducing; i++) {
        await producer.send({ topic, messages: [{ key: String(i % 7), value: `record-${i}` }] });
        acknowledged.push(`record-${i}`);
        await sleep(10);
      }
    })();
  });

  after(async () => {
    stopProducing = true;
    await producing?.catch(() => {});
    await consumer?.disconnect();
    await producer?.disconnect();
    await node?.destroy();
  });

  /** The error line logged for the one request that failed, after asserting its connection closed and one error was counted. */
  async function expectContained(client: RawClient, counted: number): Promise<Record<string, any>> {
    assert.equal(await client.nextFrame(), null, "the connection is closed");
    assert.equal(node.broker.unexpectedErrors.total, counted);
    const errors = lines.filter((line) => line.msg === "unexpected error; closing the connection");
    assert.equal(errors.length, counted);
    return errors[errors.length - 1];
  }

  it("a handler that throws", async () => {
    const client = await RawClient.connect(node.port);
    client.send(ApiKey.ListGroups, 4, { statesFilter: [] }, "thrower");
    const logged = await expectContained(client, 1);
    assert.deepEqual([logged.apiKey, logged.api, logged.apiVersion, logged.clientId], [ApiKey.ListGroups, "ListGroups", 4, "thrower"]);
    assert.match(logged.error.stack, /injected: a handler that throws\n\s+at /);
  });

  it("a handler whose promise rejects", async () => {
    const client = await RawClient.connect(node.port);
    client.send(ApiKey.DescribeCluster, 0, { includeClusterAuthorizedOperations: false }, "rejecter");
    const logged = await expectContained(client, 2);
    assert.deepEqual([logged.apiKey, logged.apiVersion, logged.clientId], [ApiKey.DescribeCluster, 0, "rejecter"]);
    assert.match(logged.error.stack, /injected: a handler that rejects/);
  });

  it("a response that fails to encode", async () => {
    const client = await RawClient.connect(node.port);
    client.send(ApiKey.DescribeLogDirs, 1, { topics: null }, "bad-response");
    const logged = await expectContained(client, 3);
    assert.deepEqual([logged.apiKey, logged.apiVersion, logged.clientId], [ApiKey.DescribeLogDirs, 1, "bad-response"]);
    assert.equal(typeof logged.error.stack, "string");
  });

  it("an error inside a SASL step, in a SaslAuthenticate request and in a bare v0 token", async () => {
    failNonces = true;
    try {
      const clientFirst = Buffer.from("n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL");
      const kafkaFraming = await RawClient.connect(saslPort(node));
      assert.equal((await kafkaFraming.request(ApiKey.SaslHandshake, 1, { mechanism: "SCRAM-SHA-256" })).errorCode, ErrorCode.NONE);
      kafkaFraming.send(ApiKey.SaslAuthenticate, 2, { authBytes: clientFirst }, "sasl-client");
      const logged = await expectContained(kafkaFraming, 4);
      assert.deepEqual([logged.apiKey, logged.apiVersion, logged.clientId], [ApiKey.SaslAuthenticate, 2, "sasl-client"]);
      assert.match(logged.error.stack, /injected: no randomness/);

      const bare = await RawClient.connect(saslPort(node));
      assert.equal((await bare.request(ApiKey.SaslHandshake, 0, { mechanism: "SCRAM-SHA-512" })).errorCode, ErrorCode.NONE);
      bare.sendRaw(clientFirst);
      const loggedBare = await expectContained(bare, 5);
      assert.equal(loggedBare.mechanism, "SCRAM-SHA-512");
      assert.match(loggedBare.error.stack, /injected: no randomness/);

      // PLAIN needs no nonce: a client on the same SASL listener still authenticates and is served.
      const plain = new Kafka({
        brokers: [saslBootstrap(node)],
        logLevel: logLevel.NOTHING,
        sasl: { mechanism: "plain", username: "alice", password: SASL_USERS.alice },
      }).admin();
      await plain.connect();
      assert.ok((await plain.listTopics()).includes(topic));
      await plain.disconnect();
    } finally {
      failNonces = false;
    }
  });

  it("meanwhile every acknowledged record was consumed, and producing and consuming go on", async () => {
    const before = acknowledged.length;
    while (acknowledged.length < before + 20) await sleep(20);
    stopProducing = true;
    await producing;
    const deadline = Date.now() + 15_000;
    while (new Set(consumed).size < acknowledged.length && Date.now() < deadline) await sleep(50);
    assert.deepEqual([...new Set(consumed)].sort(), [...acknowledged].sort());
    assert.ok(acknowledged.length >= 20);
    assert.equal(node.broker.unexpectedErrors.total, 5, "nothing else failed");
  });
});
