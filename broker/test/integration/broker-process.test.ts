import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { freePort, spawnBroker } from "../helpers/broker-process";
import { uniqueTopic } from "../helpers/broker";
import { readPartitions } from "../helpers/kafkajs";

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "sluice-process-"));
}

describe("the broker process", () => {
  it("refuses to start on an unknown property and names it", async () => {
    const broker = await spawnBroker(["--override", "log.retention.hourz=5"], { waitForListening: false });
    assert.equal(await broker.exited, 2);
    assert.match(broker.output(), /log\.retention\.hourz/);
  });

  it("refuses to start on an invalid value and names the property", async () => {
    const broker = await spawnBroker(["--override", "num.partitions=many"], { waitForListening: false });
    assert.equal(await broker.exited, 2);
    assert.match(broker.output(), /num\.partitions/);
  });

  it("refuses to start on a connections.max.idle.ms that is not a number of milliseconds", async () => {
    const broker = await spawnBroker(["--override", "connections.max.idle.ms=10m"], { waitForListening: false });
    assert.equal(await broker.exited, 2);
    assert.match(broker.output(), /Invalid value 10m for configuration connections\.max\.idle\.ms/);
  });

  it("shuts down gracefully on SIGTERM", async () => {
    const dir = tempDir();
    const port = await freePort();
    const broker = await spawnBroker(["--override", `listeners=PLAINTEXT://127.0.0.1:${port}`, "--override", `log.dirs=${dir}`]);
    broker.child.kill("SIGTERM");
    assert.equal(await broker.exited, 0);
    assert.match(broker.output(), /"msg":"shut down"/);
    rmSync(dir, { recursive: true, force: true });
  });

  it("after kill -9 mid-stream, every acknowledged record is readable on restart", async () => {
    const dir = tempDir();
    const port = await freePort();
    const args = ["--override", `listeners=PLAINTEXT://127.0.0.1:${port}`, "--override", `log.dirs=${dir}`];
    const topic = uniqueTopic("kill9");
    let broker = await spawnBroker(args);
    const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await admin.disconnect();

    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    const acknowledged: string[] = [];
    let batch = 0;
    const producing = (async () => {
      for (;;) {
        const values = Array.from({ length: 20 }, (_, i) => `b${batch}-r${i}`);
        try {
          await producer.send({ topic, acks: 1, messages: values.map((value, i) => ({ value, partition: i % 2 })) });
        } catch {
          return; // the broker is gone
        }
        acknowledged.push(...values);
        batch++;
      }
    })();
    while (acknowledged.length < 2000) await new Promise((resolve) => setTimeout(resolve, 10));
    broker.child.kill("SIGKILL");
    await broker.exited;
    await producing;
    await producer.disconnect().catch(() => {});

    broker = await spawnBroker(args);
    const restarted = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
    const offsets = await (async () => {
      const a = restarted.admin();
      await a.connect();
      const o = await a.fetchTopicOffsets(topic);
      await a.disconnect();
      return o;
    })();
    const stored = new Set([...(await readPartitions(restarted, topic, offsets)).values()].flat());
    const lost = acknowledged.filter((value) => !stored.has(value));
    assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged records lost`);
    broker.child.kill("SIGTERM");
    await broker.exited;
    rmSync(dir, { recursive: true, force: true });
  });
});
