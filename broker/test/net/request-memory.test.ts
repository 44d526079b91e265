import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { RawClient } from "../helpers/raw-client";

const MIB = 1024 * 1024;
/** The most a socket read hands over at once (Node reads 64 KiB at a time). */
const SOCKET_READ_BYTES_MAX = 64 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadlineMs) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

describe("queued.max.request.bytes", () => {
  let node: TestBroker;
  before(async () => (node = await startTestBroker({ "socket.request.max.bytes": String(MIB), "queued.max.request.bytes": String(MIB) })));
  after(async () => node?.destroy());
  const pool = () => node.broker.sockets.requestMemory;

  it("reading pauses while the pool is full; a frame already begun is read to its end; its release wakes the others", async () => {
    // Two frames as large as allowed, each begun with 600,000 bytes of its body: the bytes received fill the pool.
    const begunBytes = 600_000;
    const begun = Buffer.alloc(begunBytes);
    begun.writeInt16BE(999, 0); // an api key no one serves: once whole, the frame closes its connection
    const first = await RawClient.connect(node.port);
    const second = await RawClient.connect(node.port);
    first.sendRaw(begun, MIB);
    second.sendRaw(begun, MIB);
    await until(() => pool().heldBytes === 2 * begunBytes, "the begun frames hold the bytes received, not their declared sizes");
    assert.ok(pool().exhausted);

    const small = await RawClient.connect(node.port);
    const correlationId = small.send(ApiKey.ApiVersions, 3, { clientSoftwareName: "raw", clientSoftwareVersion: "1" });
    await until(() => pool().waiting === 1, "the small request waits for room, unread");
    await sleep(100);
    assert.equal(pool().waiting, 1, "and stays unread while the pool is full");

    // The rest of the first frame is still read, though the pool is full.
    first.sendBytes(Buffer.alloc(MIB - begunBytes));
    assert.equal(await first.nextFrame(), null);
    const response = await small.readResponse(ApiKey.ApiVersions, 3, correlationId);
    assert.equal(response.errorCode, ErrorCode.NONE, "the waiting request is read and answered once the room is back");
    assert.equal(pool().heldBytes, begunBytes, "the second frame still holds what it received");
    small.close();
    second.close();
    await until(() => pool().heldBytes === 0, "every byte is back in the pool, a half-received frame's on close");
  });

  it("many producers sending large batches at once slow down within the bound, and every record is stored", async () => {
    const topic = uniqueTopic("memory");
    const producers = 10;
    const sendsEach = 6;
    const recordsPerSend = 4;
    const value = Buffer.alloc(200_000, "m");
    const kafka = new Kafka({ clientId: "memory-test", brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const connected = await Promise.all(
      Array.from({ length: producers }, async () => {
        const producer = kafka.producer({ allowAutoTopicCreation: false });
        await producer.connect();
        return producer;
      }),
    );
    // Whether the producers' own requests ever fill the pool depends on how fast they send against how fast the node
    // answers (on a busy machine they may not); two begun frames fill it first, so that the sends meet a full pool.
    const begun = Buffer.alloc(600_000);
    const fillers = [await RawClient.connect(node.port), await RawClient.connect(node.port)];
    for (const filler of fillers) filler.sendRaw(begun, MIB);
    await until(() => pool().exhausted, "the begun frames fill the pool");
    const waitsBefore = pool().waits;
    const sent = Promise.all(
      connected.map(async (producer) => {
        // Every send at once on one connection: kafkajs pipelines them.
        await Promise.all(
          Array.from({ length: sendsEach }, () => producer.send({ topic, acks: 1, messages: Array.from({ length: recordsPerSend }, () => ({ value })) })),
        );
        await producer.disconnect();
      }),
    );
    await until(() => pool().waiting > 0, "a producer's request waits for room, unread");
    for (const filler of fillers) filler.close();
    await sent;
    const [offsets] = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    assert.equal(Number(offsets.high), producers * sendsEach * recordsPerSend, "every record acknowledged is stored");
    assert.ok(pool().waits > waitsBefore, "reading paused for memory at least once");
    // Bytes are charged as they arrive, not when a size prefix declares them, so a frame begins while any room is left
    // and is read to its end: when the pool fills, each producer may be in the middle of a request. The bound is passed
    // by at most the socket read that crossed it and the rest of one request per connection.
    const requestBytesMax = recordsPerSend * value.length + 1024; // its records, and headers well under 1 KiB
    const peakBytesMax = MIB + SOCKET_READ_BYTES_MAX + producers * requestBytesMax;
    assert.ok(pool().heldBytesPeak <= peakBytesMax, `peak ${pool().heldBytesPeak} bytes held, at most ${peakBytesMax} expected`);
    await until(() => pool().heldBytes === 0, "every byte is back in the pool");
  });
});

describe("size prefixes without their requests", () => {
  let node: TestBroker;
  // connections.max.idle.ms stays at its default (10 minutes): nothing closes the prefixes during the test.
  before(async () => (node = await startTestBroker({ "socket.request.max.bytes": String(MIB), "queued.max.request.bytes": String(MIB) })));
  after(async () => node?.destroy());

  it("pin only the bytes sent: with the pool declared ten times over, a kafkajs producer and consumer still work", { timeout: 60_000 }, async () => {
    const pool = node.broker.sockets.requestMemory;
    const hostile: RawClient[] = [];
    let sentBodyBytes = 0;
    for (let i = 0; i < 10; i++) {
      const client = await RawClient.connect(node.port);
      // The size prefix of a frame of nearly socket.request.max.bytes, and 0 to 90 bytes of its body.
      client.sendRaw(Buffer.alloc(i * 10), MIB - i);
      sentBodyBytes += i * 10;
      hostile.push(client);
    }
    await until(() => node.broker.sockets.connectionCount === 10 && pool.heldBytes === sentBodyBytes, "the begun frames hold what was sent of them");
    assert.ok(!pool.exhausted);

    const topic = uniqueTopic("prefixes");
    const kafka = new Kafka({ clientId: "prefixes", brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const values = Array.from({ length: 20 }, (_, i) => `value-${i}-${"p".repeat(10_000)}`);
    await producer.send({ topic, messages: values.map((value) => ({ value })) });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const consumed: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void consumed.push(message.value!.toString()) });
    await until(() => consumed.length === values.length, "every record is consumed", 30_000);
    await consumer.disconnect();
    assert.deepEqual(consumed, values);

    assert.ok(hostile.every((client) => !client.closed), "the prefixes' connections are still open, holding what they sent");
    await until(() => pool.heldBytes === sentBodyBytes, "only the prefixes' bytes are left in the pool");
    for (const client of hostile) client.close();
    await until(() => pool.heldBytes === 0, "every byte is back in the pool");
  });
});

describe("a half-sent frame", () => {
  const IDLE_MS_MAX = 300;
  let node: TestBroker;
  before(async () => (node = await startTestBroker({ "connections.max.idle.ms": String(IDLE_MS_MAX) })));
  after(async () => node?.destroy());

  it("is not a request in flight: the idle timeout closes its connection and its bytes return to the pool", async () => {
    const pool = node.broker.sockets.requestMemory;
    const client = await RawClient.connect(node.port);
    client.sendRaw(Buffer.alloc(100), 10_000);
    await until(() => pool.heldBytes === 100, "the begun frame holds the bytes received");
    const startedMs = Date.now();
    assert.equal(await client.nextFrame(20 * IDLE_MS_MAX), null, "closed without an answer");
    assert.ok(Date.now() - startedMs >= IDLE_MS_MAX * 0.5, "by the idle timeout, not at once");
    await until(() => pool.heldBytes === 0, "its bytes are back in the pool");
  });
});

describe("a client that stops reading its responses", () => {
  const IDLE_MS_MAX = 300;
  let node: TestBroker;
  before(async () => (node = await startTestBroker({ "connections.max.idle.ms": String(IDLE_MS_MAX) })));
  after(async () => node?.destroy());

  it("is closed by the idle timeout once its responses stop leaving, though its requests are still being handled", async () => {
    const topic = uniqueTopic("unread");
    const kafka = new Kafka({ clientId: "unread", brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 10 }, () => ({ value: Buffer.alloc(100_000, "u") })) });
    await producer.disconnect();
    await until(() => node.broker.sockets.connectionCount === 0, "the producer's connections are gone");

    const client = await RawClient.connect(node.port);
    client.stopReading();
    // 100 fetches of 1 MB each: far more than the socket buffers hold, so the node's writes back up.
    for (let i = 0; i < 100; i++)
      client.send(ApiKey.Fetch, 11, {
        clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 0, minBytes: 1, maxBytes: MIB, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic, topicId: Buffer.alloc(16), partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: MIB, replicaDirectoryId: Buffer.alloc(16) }] }],
        forgottenTopicsData: [], rackId: "",
      });
    await until(() => node.broker.sockets.connectionCount === 1, "the connection is counted");
    await until(() => node.broker.sockets.connectionCount === 0, "the connection is closed", 40 * IDLE_MS_MAX);
    await until(() => node.broker.sockets.requestMemory.heldBytes === 0, "its requests' bytes are back in the pool");
    client.close();
  });
});
