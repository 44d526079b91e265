import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { encodeRecordBatch } from "../../src/protocol/records/record-batch";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { RawClient } from "../helpers/raw-client";
import { readAll } from "../storage/log-fixtures";

const PRODUCE_VERSION = 9;

async function produce(client: RawClient, topic: string, batch: { producerId: bigint; epoch: number; sequence: number; values: string[] }) {
  const records = encodeRecordBatch({
    now: Date.now(),
    producerId: Number(batch.producerId),
    producerEpoch: batch.epoch,
    baseSequence: batch.sequence,
    records: batch.values.map((value) => ({ value })),
  });
  const response = await client.request(ApiKey.Produce, PRODUCE_VERSION, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  const partition = response.responses[0].partitionResponses[0];
  return { errorCode: partition.errorCode as number, baseOffset: Number(partition.baseOffset) };
}

async function newProducer(client: RawClient): Promise<bigint> {
  const response = await client.request(ApiKey.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
  assert.equal(response.errorCode, ErrorCode.NONE);
  return response.producerId;
}

function storedValues(node: TestBroker, topic: string): string[] {
  const log = node.broker.logs.get(topic, 0)!;
  return readAll(log).map((batch) => `${batch.baseOffset}-${batch.lastOffset}`);
}

describe("produce: idempotent producers", () => {
  const nodes: TestBroker[] = [];
  after(async () => {
    for (const node of nodes) await node.destroy();
  });

  it("a retried batch is answered with its original offset and written once; gaps and fenced epochs are refused", async () => {
    const node = await startTestBroker();
    nodes.push(node);
    const topic = uniqueTopic("idem");
    await node.broker.controller.autoCreateTopic(topic);
    const client = await RawClient.connect(node.port);
    const producerId = await newProducer(client);
    assert.deepEqual(await produce(client, topic, { producerId, epoch: 0, sequence: 0, values: ["a", "b"] }), { errorCode: 0, baseOffset: 0 });
    assert.deepEqual(await produce(client, topic, { producerId, epoch: 0, sequence: 2, values: ["c"] }), { errorCode: 0, baseOffset: 2 });
    assert.deepEqual(await produce(client, topic, { producerId, epoch: 0, sequence: 0, values: ["a", "b"] }), { errorCode: 0, baseOffset: 0 });
    assert.deepEqual(await produce(client, topic, { producerId, epoch: 0, sequence: 2, values: ["c"] }), { errorCode: 0, baseOffset: 2 });
    assert.equal((await produce(client, topic, { producerId, epoch: 0, sequence: 5, values: ["x"] })).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.deepEqual(await produce(client, topic, { producerId, epoch: 1, sequence: 0, values: ["d"] }), { errorCode: 0, baseOffset: 3 });
    assert.equal((await produce(client, topic, { producerId, epoch: 0, sequence: 3, values: ["y"] })).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
    assert.deepEqual(storedValues(node, topic), ["0-1", "2-2", "3-3"]);
    client.close();
  });

  it("deduplication survives a clean restart (snapshot at the log end)", async () => {
    const first = await startTestBroker();
    const topic = uniqueTopic("idem");
    await first.broker.controller.autoCreateTopic(topic);
    let client = await RawClient.connect(first.port);
    const producerId = await newProducer(client);
    for (let sequence = 0; sequence < 5; sequence++) await produce(client, topic, { producerId, epoch: 0, sequence, values: [`v${sequence}`] });
    client.close();
    await first.stop();
    const second = await startTestBroker({}, first.logDir);
    nodes.push(second);
    client = await RawClient.connect(second.port);
    assert.deepEqual(await produce(client, topic, { producerId, epoch: 0, sequence: 4, values: ["v4"] }), { errorCode: 0, baseOffset: 4 });
    assert.equal((await produce(client, topic, { producerId, epoch: 0, sequence: 7, values: ["v7"] })).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.deepEqual(await produce(client, topic, { producerId, epoch: 0, sequence: 5, values: ["v5"] }), { errorCode: 0, baseOffset: 5 });
    assert.equal(storedValues(second, topic).length, 6);
    client.close();
  });
});
