import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { readPartitions } from "../helpers/kafkajs";
import { RawClient } from "../helpers/raw-client";

/** The smallest fetch.max.bytes Kafka allows. */
const FETCH_BYTES_MAX = 1024;
const PARTITIONS = 100;
const INT32_MAX = 2 ** 31 - 1;
const VALUE_BYTES = 300;

type FetchedPartition = { partitionIndex: number; errorCode: number; records: Buffer | null };

/** Fetch v11 from offset 0 of each entry of `partitions` (a partition may be named more than once). */
async function fetchAll(client: RawClient, topic: string, partitions: number[], maxBytes: number, partitionMaxBytes: number): Promise<FetchedPartition[]> {
  const response = await client.request(ApiKey.Fetch, 11, {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 0, minBytes: 1, maxBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, topicId: Buffer.alloc(16), partitions: partitions.map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes, replicaDirectoryId: Buffer.alloc(16) })) }],
    forgottenTopicsData: [], rackId: "",
  });
  return response.responses[0].partitions;
}

const bytesOf = (partitions: FetchedPartition[]) => partitions.reduce((sum, p) => sum + (p.records?.length ?? 0), 0);
const withRecords = (partitions: FetchedPartition[]) => partitions.filter((p) => (p.records?.length ?? 0) > 0);

describe("Fetch size limits", () => {
  let node: TestBroker;
  let kafka: Kafka;
  const topic = uniqueTopic("fetch-caps");
  /** Partition 0 also holds a batch far larger than fetch.max.bytes, after its first. */
  const LARGE_VALUE_BYTES = 100_000;

  before(async () => {
    node = await startTestBroker({ "fetch.max.bytes": String(FETCH_BYTES_MAX) });
    kafka = new Kafka({ clientId: "fetch-caps", brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
    await admin.disconnect();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    // One batch of one record in each partition.
    await producer.sendBatch({
      topicMessages: [{ topic, messages: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: Buffer.alloc(VALUE_BYTES, "v") })) }],
    });
    await producer.send({ topic, messages: [{ partition: 0, value: Buffer.alloc(LARGE_VALUE_BYTES, "L") }] });
    await producer.disconnect();
  });
  after(async () => node?.destroy());

  it("a request naming 10,000 partitions with max bytes of 2 GiB gets no more than the broker's fetch.max.bytes", async () => {
    const client = await RawClient.connect(node.port);
    const named = Array.from({ length: 10_000 }, (_, i) => i % PARTITIONS);
    const partitions = await fetchAll(client, topic, named, INT32_MAX, INT32_MAX);
    assert.equal(partitions.length, 10_000);
    assert.ok(partitions.every((p) => p.errorCode === ErrorCode.NONE));
    const batchBytes = partitions[0].records!.length;
    assert.ok(batchBytes > 0 && batchBytes < FETCH_BYTES_MAX / 2, `one batch is ${batchBytes} bytes`);
    assert.ok(bytesOf(partitions) <= FETCH_BYTES_MAX, `${bytesOf(partitions)} record bytes returned`);
    assert.equal(withRecords(partitions).length, Math.floor(FETCH_BYTES_MAX / batchBytes), "as many whole batches as fit, no more");
    client.close();
  });

  it("each partition's max bytes holds too; only the first partition with data returns a batch larger than its cap", async () => {
    const client = await RawClient.connect(node.port);
    const partitions = await fetchAll(client, topic, Array.from({ length: PARTITIONS }, (_, i) => i), INT32_MAX, 1);
    assert.deepEqual(withRecords(partitions).map((p) => p.partitionIndex), [0]);
    assert.ok(partitions[0].records!.length < FETCH_BYTES_MAX, "one batch, not the batches after it");
    client.close();
  });

  it("a batch larger than fetch.max.bytes still reaches a kafkajs consumer, which reads every partition to its end", async () => {
    const highs = Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, high: partition === 0 ? 2 : 1 }));
    const values = await readPartitions(kafka, topic, highs);
    assert.deepEqual(
      values.get(0)!.map((value) => value.length),
      [VALUE_BYTES, LARGE_VALUE_BYTES],
    );
    for (let partition = 1; partition < PARTITIONS; partition++) assert.equal(values.get(partition)!.length, 1);
  });
});
