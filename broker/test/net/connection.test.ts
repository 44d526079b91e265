import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { encodeRecordBatch } from "../../src/protocol/records/record-batch";
import { Reader } from "../../src/protocol/reader";
import { readApiVersionsResponse, readResponseHeader } from "../../src/protocol/generated";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { encodeRequest, RawClient } from "../helpers/raw-client";

const FRAME_BYTES_MAX = 64 * 1024;

describe("connections: framing, ordering and bad input", () => {
  let node: TestBroker;
  before(async () => (node = await startTestBroker({ "socket.request.max.bytes": String(FRAME_BYTES_MAX) })));
  after(async () => node?.destroy());

  const apiVersions = (client: RawClient) =>
    client.request(ApiKey.ApiVersions, 3, { clientSoftwareName: "raw", clientSoftwareVersion: "1" });

  it("a frame over socket.request.max.bytes closes that connection and no other", async () => {
    const bystander = await RawClient.connect(node.port);
    const offender = await RawClient.connect(node.port);
    offender.sendRaw(Buffer.alloc(16), FRAME_BYTES_MAX + 1);
    assert.equal(await offender.nextFrame(), null, "the oversized connection is closed");
    const response = await apiVersions(bystander);
    assert.equal(response.errorCode, ErrorCode.NONE);
    bystander.close();
  });

  it("a negative frame size closes the connection", async () => {
    const client = await RawClient.connect(node.port);
    client.sendRaw(Buffer.alloc(0), -5);
    assert.equal(await client.nextFrame(), null);
  });

  it("an unknown api key closes the connection", async () => {
    const client = await RawClient.connect(node.port);
    const frame = Buffer.alloc(10);
    frame.writeInt16BE(999, 0);
    frame.writeInt16BE(0, 2);
    frame.writeInt32BE(7, 4);
    frame.writeInt16BE(-1, 8);
    client.sendRaw(frame);
    assert.equal(await client.nextFrame(), null);
  });

  it("an unsupported version of an api other than ApiVersions closes the connection", async () => {
    const client = await RawClient.connect(node.port);
    client.sendRaw(encodeRequest(ApiKey.Produce, 11, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [] }, 1).fill(0x7f, 2, 3));
    assert.equal(await client.nextFrame(), null);
  });

  it("a body that does not parse closes the connection; the node keeps serving", async () => {
    const client = await RawClient.connect(node.port);
    const valid = encodeRequest(ApiKey.Metadata, 9, { topics: [{ topicId: Buffer.alloc(16), name: "x" }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }, 1);
    client.sendRaw(valid.subarray(0, valid.length - 6));
    assert.equal(await client.nextFrame(), null);
    const other = await RawClient.connect(node.port);
    assert.equal((await apiVersions(other)).errorCode, ErrorCode.NONE);
    other.close();
  });

  it("Metadata v10-11 naming a topic by id answers INVALID_REQUEST, as Kafka does (ids are served from v12)", async () => {
    const client = await RawClient.connect(node.port);
    for (const version of [10, 11]) {
      const response = await client.request(ApiKey.Metadata, version, {
        topics: [{ topicId: Buffer.alloc(16, 1), name: null }],
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      });
      assert.deepEqual(
        response.topics.map((t: { name: string; errorCode: number }) => [t.name, t.errorCode]),
        [["", ErrorCode.INVALID_REQUEST]],
      );
    }
    client.close();
  });

  it("ApiVersions of an unknown version answers a v0 body with UNSUPPORTED_VERSION and the supported list", async () => {
    const client = await RawClient.connect(node.port);
    const frame = encodeRequest(ApiKey.ApiVersions, 3, { clientSoftwareName: "future", clientSoftwareVersion: "9" }, 42);
    frame.writeInt16BE(99, 2); // claim version 99
    client.sendRaw(frame);
    const response = await client.nextFrame();
    assert.ok(response);
    const reader = new Reader(response);
    assert.equal(readResponseHeader(reader, 0).correlationId, 42);
    const body = readApiVersionsResponse(reader, 0);
    assert.equal(body.errorCode, ErrorCode.UNSUPPORTED_VERSION);
    const produce = body.apiKeys.find((k) => k.apiKey === ApiKey.Produce);
    assert.deepEqual([produce?.minVersion, produce?.maxVersion], [0, 11]);
    client.close();
  });

  it("Produce v2 with an old (magic 1) message set answers UNSUPPORTED_FOR_MESSAGE_FORMAT and keeps the connection", async () => {
    const topic = uniqueTopic("magic1");
    await node.broker.controller.createTopic({ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} }, { validateOnly: false });
    // offset 8, size 4, then a magic-1 message: crc 4, magic 1, attributes 1, timestamp 8, key -1, value "v"
    const message = Buffer.alloc(4 + 1 + 1 + 8 + 4 + 4 + 1);
    message.writeInt8(1, 4);
    message.writeInt32BE(-1, 14);
    message.writeInt32BE(1, 18);
    message.write("v", 22);
    const messageSet = Buffer.concat([Buffer.alloc(8), Buffer.alloc(4), message]);
    messageSet.writeInt32BE(message.length, 8);
    const client = await RawClient.connect(node.port);
    const response = await client.request(ApiKey.Produce, 2, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: messageSet }] }],
    });
    assert.equal(response.responses[0].partitionResponses[0].errorCode, ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    assert.equal((await apiVersions(client)).errorCode, ErrorCode.NONE, "the connection still serves requests");
    assert.equal(node.broker.produceFetch.partitionLog(topic, 0).logEndOffset, 0, "nothing was written");
    client.close();
  });

  it("ApiVersions advertises exactly the handlers' versions", async () => {
    const client = await RawClient.connect(node.port);
    const response = await apiVersions(client);
    const keys = response.apiKeys.map((k: { apiKey: number }) => k.apiKey);
    for (const key of [ApiKey.Produce, ApiKey.Fetch, ApiKey.ListOffsets, ApiKey.Metadata, ApiKey.ApiVersions, ApiKey.CreateTopics])
      assert.ok(keys.includes(key), `api key ${key} advertised`);
    assert.ok(!keys.includes(ApiKey.AddPartitionsToTxn), "transactional APIs are not advertised");
    client.close();
  });

  it("pipelined requests are answered in request order", async () => {
    const client = await RawClient.connect(node.port);
    const sent: Array<{ id: number; key: number; version: number }> = [];
    for (let i = 0; i < 40; i++) {
      if (i % 2 === 0) sent.push({ id: client.send(ApiKey.ApiVersions, 3, { clientSoftwareName: "raw", clientSoftwareVersion: "1" }), key: ApiKey.ApiVersions, version: 3 });
      else sent.push({ id: client.send(ApiKey.Metadata, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }), key: ApiKey.Metadata, version: 12 });
    }
    for (const { id, key, version } of sent) await client.readResponse(key, version, id);
    client.close();
  });

  it("produce with acks=0 gets no response, and the record is still written", async () => {
    const topic = uniqueTopic("acks0");
    const client = await RawClient.connect(node.port);
    await client.request(ApiKey.CreateTopics, 5, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
    const records = encodeRecordBatch({ now: Date.now(), records: [{ value: Buffer.from("fire and forget") }] });
    client.send(ApiKey.Produce, 9, { transactionalId: null, acks: 0, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
    const listId = client.send(ApiKey.ListOffsets, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }], timeoutMs: 0 });
    const listed = await client.readResponse(ApiKey.ListOffsets, 7, listId);
    assert.equal(listed.topics[0].partitions[0].offset, 1n, "the next response is ListOffsets'; the record landed");
    client.close();
  });

  it("a produce with a corrupted batch CRC answers CORRUPT_MESSAGE and writes nothing", async () => {
    const topic = uniqueTopic("crc");
    const client = await RawClient.connect(node.port);
    await client.request(ApiKey.CreateTopics, 5, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
    const records = encodeRecordBatch({ now: Date.now(), records: [{ value: Buffer.from("payload") }] });
    records[records.length - 1] ^= 0xff;
    const response = await client.request(ApiKey.Produce, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
    assert.equal(response.responses[0].partitionResponses[0].errorCode, ErrorCode.CORRUPT_MESSAGE);
    const listed = await client.request(ApiKey.ListOffsets, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }], timeoutMs: 0 });
    assert.equal(listed.topics[0].partitions[0].offset, 0n);
    client.close();
  });

  it("produce to an unknown topic answers UNKNOWN_TOPIC_OR_PARTITION", async () => {
    const client = await RawClient.connect(node.port);
    const records = encodeRecordBatch({ now: Date.now(), records: [{ value: Buffer.from("x") }] });
    const response = await client.request(ApiKey.Produce, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: uniqueTopic("nope"), partitionData: [{ index: 0, records }] }] });
    assert.equal(response.responses[0].partitionResponses[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    client.close();
  });
});

describe("fetch long poll", () => {
  let node: TestBroker;
  before(async () => (node = await startTestBroker()));
  after(async () => node?.destroy());

  const fetchRequest = (topic: string, offset: bigint, maxWaitMs: number) => ({
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, topicId: Buffer.alloc(16), partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20, replicaDirectoryId: Buffer.alloc(16) }] }],
    forgottenTopicsData: [], rackId: "",
  });

  it("waits for data up to max wait, then answers empty", async () => {
    const topic = uniqueTopic("poll-empty");
    const client = await RawClient.connect(node.port);
    await client.request(ApiKey.CreateTopics, 5, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
    const started = Date.now();
    const response = await client.request(ApiKey.Fetch, 11, fetchRequest(topic, 0n, 300));
    assert.ok(Date.now() - started >= 250, "the fetch was held for about max wait");
    assert.equal(response.responses[0].partitions[0].records.length, 0);
    client.close();
  });

  it("answers as soon as a record is produced", async () => {
    const topic = uniqueTopic("poll-wake");
    const admin = await RawClient.connect(node.port);
    await admin.request(ApiKey.CreateTopics, 5, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
    const consumer = await RawClient.connect(node.port);
    const pending = consumer.request(ApiKey.Fetch, 11, fetchRequest(topic, 0n, 10_000));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const records = encodeRecordBatch({ now: Date.now(), records: [{ value: Buffer.from("wake up") }] });
    await admin.request(ApiKey.Produce, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
    const response = await pending;
    const partition = response.responses[0].partitions[0];
    assert.equal(partition.highWatermark, 1n);
    assert.ok(partition.records.length > 0);
    admin.close();
    consumer.close();
  });
});
