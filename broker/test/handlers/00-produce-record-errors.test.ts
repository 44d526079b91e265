import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { CompressionType } from "../../src/protocol/records/batch-header";
import { encodeRecordBatch, type RecordInput } from "../../src/protocol/records/record-batch";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { hasCommand, hasPythonModules, requireClient, run } from "../helpers/processes";
import { RawClient } from "../helpers/raw-client";

const HOUR_MS = 3_600_000;

describe("produce: per-record errors (KIP-467)", () => {
  let node: TestBroker;
  let client: RawClient;
  const compacted = uniqueTopic("keyless");
  const bounded = uniqueTopic("timestamps");
  const older = uniqueTopic("difference");

  before(async () => {
    node = await startTestBroker();
    client = await RawClient.connect(node.port);
    const create = (name: string, configs: Record<string, string>) =>
      node.broker.controller.createTopic({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs }, { validateOnly: false });
    await create(compacted, { "cleanup.policy": "compact" });
    await create(bounded, { "message.timestamp.before.max.ms": String(HOUR_MS), "message.timestamp.after.max.ms": String(HOUR_MS) });
    await create(older, { "message.timestamp.difference.max.ms": String(HOUR_MS) });
  });
  after(async () => {
    client?.close();
    await node?.destroy();
  });

  const produce = async (version: number, topic: string, records: RecordInput[], compression: number = CompressionType.NONE) => {
    const response = await client.request(ApiKey.Produce, version, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: encodeRecordBatch({ now: Date.now(), records, compression }) }] }],
    });
    return response.responses[0].partitionResponses[0];
  };
  const logEnd = (topic: string) => node.broker.produceFetch.partitionLog(topic, 0).logEndOffset;

  it("lists every keyless record of a batch for a compacted topic, in v8-v11, and stores none of the batch", async () => {
    for (const version of [8, 9, 10, 11]) {
      const answer = await produce(version, compacted, [
        { key: "a", value: "1" },
        { key: null, value: "2" },
        { key: "c", value: "3" },
        { key: null, value: "4" },
        { key: null, value: "5" },
      ]);
      assert.equal(answer.errorCode, ErrorCode.INVALID_RECORD, `v${version}`);
      assert.deepEqual(
        answer.recordErrors.map((error: { batchIndex: number }) => error.batchIndex),
        [1, 3, 4],
        `v${version}`,
      );
      for (const error of answer.recordErrors) assert.match(error.batchIndexErrorMessage, /Compacted topic cannot accept message without key/);
      assert.match(answer.errorMessage, /3 of 5 records/);
    }
    assert.equal(logEnd(compacted), 0);
  });

  it("finds the keyless records inside a compressed batch too", async () => {
    const answer = await produce(9, compacted, [{ key: null, value: "1" }, { key: "b", value: "2" }, { key: null, value: "3" }], CompressionType.GZIP);
    assert.equal(answer.errorCode, ErrorCode.INVALID_RECORD);
    assert.deepEqual(
      answer.recordErrors.map((error: { batchIndex: number }) => error.batchIndex),
      [0, 2],
    );
  });

  it("before v8 the error stays, without the list the version cannot carry", async () => {
    const answer = await produce(7, compacted, [{ key: "a", value: "1" }, { key: null, value: "2" }]);
    assert.equal(answer.errorCode, ErrorCode.INVALID_RECORD);
    assert.deepEqual(answer.recordErrors, []);
  });

  it("lists every record whose timestamp lies outside message.timestamp.before.max.ms / after.max.ms as INVALID_TIMESTAMP", async () => {
    const now = Date.now();
    const answer = await produce(11, bounded, [
      { value: "now", timestamp: now },
      { value: "two hours ago", timestamp: now - 2 * HOUR_MS },
      { value: "in two hours", timestamp: now + 2 * HOUR_MS },
      { value: "half an hour ago", timestamp: now - HOUR_MS / 2 },
    ]);
    assert.equal(answer.errorCode, ErrorCode.INVALID_TIMESTAMP);
    assert.deepEqual(
      answer.recordErrors.map((error: { batchIndex: number }) => error.batchIndex),
      [1, 2],
    );
    assert.match(answer.recordErrors[0].batchIndexErrorMessage, new RegExp(`Timestamp ${now - 2 * HOUR_MS} .*out of range`));
    assert.equal(logEnd(bounded), 0);
    const inRange = await produce(11, bounded, [{ value: "now", timestamp: now }, { value: "half an hour ago", timestamp: now - HOUR_MS / 2 }]);
    assert.equal(inRange.errorCode, ErrorCode.NONE);
    assert.equal(logEnd(bounded), 2);
  });

  it("honours the older message.timestamp.difference.max.ms where before/after.max.ms are left unset", async () => {
    const now = Date.now();
    const answer = await produce(11, older, [{ value: "now", timestamp: now }, { value: "in two hours", timestamp: now + 2 * HOUR_MS }]);
    assert.equal(answer.errorCode, ErrorCode.INVALID_TIMESTAMP);
    assert.deepEqual(
      answer.recordErrors.map((error: { batchIndex: number }) => error.batchIndex),
      [1],
    );
  });

  it("kafkajs is refused with INVALID_RECORD for a keyless record and INVALID_TIMESTAMP for a stale one", async () => {
    const kafka = new Kafka({ clientId: "record-errors", brokers: [node.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const producer = kafka.producer();
    await producer.connect();
    try {
      const typeOf = async (send: Promise<unknown>) => {
        const error = await send.then(() => null, (caught: { type?: string; cause?: { type?: string } }) => caught);
        return error?.type ?? error?.cause?.type ?? "no error";
      };
      assert.equal(await typeOf(producer.send({ topic: compacted, messages: [{ key: "k", value: "1" }, { value: "no key" }] })), "INVALID_RECORD");
      const stale = String(Date.now() - 2 * HOUR_MS);
      assert.equal(await typeOf(producer.send({ topic: bounded, messages: [{ value: "stale", timestamp: stale }] })), "INVALID_TIMESTAMP");
      assert.equal(await typeOf(producer.send({ topic: compacted, messages: [{ key: "k", value: "1" }] })), "no error");
    } finally {
      await producer.disconnect();
    }
  });

  it("kcat (librdkafka): a batch mixing keyed and keyless records fails with INVALID_RECORD and nothing of it is stored", { skip: requireClient(hasCommand("kcat"), "kcat") }, async () => {
    const topic = uniqueTopic("kcat-keyless");
    await node.broker.controller.createTopic({ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: { "cleanup.policy": "compact" } }, { validateOnly: false });
    // -K: splits key from value; a line without the delimiter is a record without a key.
    const kcat = (input: string) => run("kcat", ["-b", node.bootstrap, "-t", topic, "-p", "0", "-P", "-K:", "-X", "linger.ms=1000"], { input, timeoutMs: 30_000 });
    const mixed = await kcat("k1:v1\nno-key-2\nk3:v3\nno-key-4\n");
    // The librdkafka here (2.0) speaks Produce v7, which has no record_errors, so every record of the batch reports the error.
    const failures = mixed.stderr.split("\n").filter((line) => line.includes("Delivery failed"));
    assert.equal(failures.length, 4, mixed.stderr);
    for (const line of failures) assert.match(line, /Broker failed to validate record/);
    assert.equal(logEnd(topic), 0);
    const keyed = await kcat("k1:v1\nk3:v3\n");
    assert.equal(keyed.stderr.includes("Delivery failed"), false, keyed.stderr);
    assert.equal(logEnd(topic), 2);
  });

  it("confluent-kafka (librdkafka): a record timestamped two hours ago fails the batch with INVALID_TIMESTAMP", { skip: requireClient(hasPythonModules("confluent_kafka"), "python3-confluent-kafka") }, async () => {
    // The three records must share one batch: a linger long enough that a process descheduled
    // between produce() calls on a loaded machine still batches them (at 100 ms the first once went alone).
    const script = [
      "import json, sys, time",
      "from confluent_kafka import Producer",
      "p = Producer({'bootstrap.servers': sys.argv[1], 'linger.ms': 1000, 'message.timeout.ms': 20000})",
      "results = []",
      "now = int(time.time() * 1000)",
      "for i, ts in enumerate([now, now - 2 * 3600000, now]):",
      "    p.produce(sys.argv[2], value=b'v%d' % i, partition=0, timestamp=ts, on_delivery=lambda err, msg: results.append(err.name() if err else 'OK'))",
      "p.flush(30)",
      "print(json.dumps(results))",
    ].join("\n");
    const result = await run("/usr/bin/python3", ["-c", script, node.bootstrap, bounded], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    const before = logEnd(bounded);
    assert.deepEqual(JSON.parse(result.stdout.trim().split("\n").pop()!), ["INVALID_TIMESTAMP", "INVALID_TIMESTAMP", "INVALID_TIMESTAMP"]);
    assert.equal(logEnd(bounded), before);
  });
});
