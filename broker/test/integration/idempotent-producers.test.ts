import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { decodeRecordBatches } from "../../src/protocol/records/record-batch";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { freePort } from "../helpers/broker-process";
import { hasPythonModules, requireClient, run } from "../helpers/processes";
import { ProduceFaultProxy, type ProduceFault } from "../helpers/produce-fault-proxy";

const here = path.dirname(fileURLToPath(import.meta.url));

/** About every 3rd Produce is replayed on the wire, every 11th loses its response with the connection. */
const faults = (index: number): ProduceFault => (index % 11 === 5 ? "sever" : index % 3 === 1 ? "duplicate" : "forward");

/** The values stored in partition 0, in log order. */
function storedValues(node: TestBroker, topic: string): string[] {
  const log = node.broker.logs.get(topic, 0)!;
  const values: string[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { records } = log.read(offset, 1 << 20);
    for (const batch of decodeRecordBatches(records)) {
      for (const record of batch.records) values.push(record.value!.toString());
      offset = batch.baseOffset + batch.lastOffsetDelta + 1;
    }
  }
  return values;
}

function assertExactlyOnce(values: string[], count: number): void {
  const seen = new Map<string, number>();
  for (const value of values) seen.set(value, (seen.get(value) ?? 0) + 1);
  const twice = [...seen].filter(([, n]) => n > 1).map(([value]) => value);
  assert.deepEqual(twice, [], `records stored more than once: ${twice.slice(0, 10).join(", ")}`);
  assert.equal(values.length, count, "every record stored");
  for (let i = 0; i < count; i++) assert.ok(seen.has(`r${i}`), `r${i} is missing`);
}

describe("idempotent producers through a proxy that replays produce frames and drops responses", () => {
  let node: TestBroker;
  let proxy: ProduceFaultProxy;
  let bootstrap: string;

  before(async () => {
    const proxyPort = await freePort();
    node = await startTestBroker({ "advertised.listeners": `PLAINTEXT://127.0.0.1:${proxyPort}` });
    proxy = await ProduceFaultProxy.start({ port: proxyPort, target: { host: "127.0.0.1", port: node.port }, faultFor: faults });
    bootstrap = `127.0.0.1:${proxyPort}`;
  });
  after(async () => {
    await proxy?.close();
    await node?.destroy();
  });

  it("kafkajs (idempotent: true, maxInFlightRequests: 1): no record is stored twice", async () => {
    const topic = uniqueTopic("idem-kjs");
    await node.broker.controller.autoCreateTopic(topic);
    const before = { ...proxy.stats };
    const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    const count = 400;
    try {
      for (let i = 0; i < count; i += 5) {
        await producer.send({ topic, messages: Array.from({ length: 5 }, (_, j) => ({ value: `r${i + j}`, partition: 0 })) });
      }
    } finally {
      await producer.disconnect();
    }
    assert.ok(proxy.stats.duplicated > before.duplicated && proxy.stats.severed > before.severed, JSON.stringify(proxy.stats));
    assertExactlyOnce(storedValues(node, topic), count);
  });

  it(
    "confluent-kafka-python (enable.idempotence=True): no record is stored twice",
    { skip: requireClient(hasPythonModules("confluent_kafka"), "python3-confluent-kafka") },
    async () => {
      const topic = uniqueTopic("idem-ck");
      await node.broker.controller.autoCreateTopic(topic);
      const before = { ...proxy.stats };
      const count = 5000;
      const result = await run("/usr/bin/python3", [path.join(here, "python", "confluent_idempotent_producer.py"), bootstrap, topic, String(count)], {
        timeoutMs: 90_000,
      });
      assert.equal(result.code, 0, `${result.stderr}\n${result.stdout}`);
      const observed = JSON.parse(result.stdout.trim().split("\n").pop()!);
      assert.deepEqual(observed, { delivered: count, errors: [], error_count: 0, unflushed: 0 });
      assert.ok(proxy.stats.duplicated > before.duplicated && proxy.stats.severed > before.severed, JSON.stringify(proxy.stats));
      assertExactlyOnce(storedValues(node, topic), count);
    },
  );
});
