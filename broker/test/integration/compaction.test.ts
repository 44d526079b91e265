import assert from "node:assert/strict";
import path from "node:path";
import { after, describe, it } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { decodeRecordBatches } from "../../src/protocol/records/record-batch";
import type { FileSystem } from "../../src/runtime/fs";
import { cleanLog } from "../../src/storage/log-cleaner";
import { PartitionLog } from "../../src/storage/partition-log";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { readPartitions } from "../helpers/kafkajs";
import { realRuntime } from "../helpers/runtime";

const KEYS = 40;
const ROUNDS = 30;
const TOMBSTONED = new Set(["key-3", "key-17", "key-29"]);
const DELETE_RETENTION_MS = 1500;
/** Past the default segment.ms (7 days): maybeRoll then seals the active segment. */
const ROLL_AFTER_MS = 8 * 24 * 3_600_000;

/** Writes ROUNDS overwrites of KEYS keys (record i at offset i), then tombstones, then one last live record. */
async function writeOverwrites(kafka: Kafka, topic: string): Promise<Map<string, { offset: number; value: string }>> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const latest = new Map<string, { offset: number; value: string }>();
  let offset = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const messages = Array.from({ length: KEYS }, (_, k) => ({ key: `key-${k}`, value: `key-${k}=round-${round}`.padEnd(60, "."), partition: 0 }));
    await producer.send({ topic, acks: -1, messages });
    for (const message of messages) latest.set(message.key, { offset: offset++, value: message.value });
  }
  await producer.send({ topic, acks: -1, messages: [...TOMBSTONED].map((key) => ({ key, value: null, partition: 0 })) });
  for (const key of TOMBSTONED) {
    latest.delete(key);
    offset++;
  }
  await producer.send({ topic, acks: -1, messages: [{ key: "last", value: "last=1", partition: 0 }] });
  latest.set("last", { offset, value: "last=1" });
  await producer.disconnect();
  return latest;
}

/** offset -> [key, value] of every record in the partition log, read from disk in-process. */
function stored(node: TestBroker, topic: string): Map<number, [string, string | null]> {
  const log = node.broker.logs.get(topic, 0)!;
  const out = new Map<number, [string, string | null]>();
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { records } = log.read(offset, 1 << 20);
    if (records.length === 0) break;
    for (const batch of decodeRecordBatches(records)) {
      for (const record of batch.records) out.set(batch.baseOffset + record.offsetDelta, [record.key!.toString(), record.value?.toString() ?? null]);
      offset = batch.baseOffset + batch.lastOffsetDelta + 1;
    }
  }
  return out;
}

/** Seals the active segment so the cleaner may take everything, and runs one cleaner pass. */
function sealAndClean(node: TestBroker, topic: string): void {
  const log = node.broker.logs.get(topic, 0)!;
  log.maybeRoll(Date.now() + ROLL_AFTER_MS);
  node.broker.logs.runCleaner();
}

async function readBack(node: TestBroker, topic: string): Promise<string[]> {
  const kafka = new Kafka({ brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
  const high = node.broker.produceFetch.partition(topic, 0).highWatermark;
  return (await readPartitions(kafka, topic, [{ partition: 0, high }])).get(0)!;
}

describe("log compaction on a broker node", () => {
  const nodes: TestBroker[] = [];
  after(async () => {
    for (const node of nodes) await node.destroy();
  });

  async function compactedTopic(node: TestBroker, kafka: Kafka): Promise<string> {
    const topic = uniqueTopic("compacted");
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 1,
          configEntries: [
            { name: "cleanup.policy", value: "compact" },
            { name: "segment.bytes", value: "8192" },
            { name: "min.cleanable.dirty.ratio", value: "0.01" },
            { name: "delete.retention.ms", value: String(DELETE_RETENTION_MS) },
          ],
        },
      ],
    });
    await admin.disconnect();
    return topic;
  }

  it("a keyed topic with many overwrites shrinks to one record per key; latest values and their offsets survive; tombstones go after delete.retention.ms", async () => {
    const node = await startTestBroker();
    nodes.push(node);
    const kafka = new Kafka({ brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
    const topic = await compactedTopic(node, kafka);
    const latest = await writeOverwrites(kafka, topic);
    const sizeBefore = node.broker.logs.get(topic, 0)!.sizeBytes;

    sealAndClean(node, topic);
    const afterFirst = stored(node, topic);
    const tombstones = [...afterFirst.values()].filter(([, value]) => value === null).map(([key]) => key);
    assert.deepEqual(tombstones.sort(), [...TOMBSTONED].sort(), "tombstones stay for delete.retention.ms");
    for (const [key, { offset, value }] of latest) assert.deepEqual(afterFirst.get(offset), [key, value], `${key} at ${offset}`);
    assert.equal(afterFirst.size, latest.size + TOMBSTONED.size);
    assert.ok(node.broker.logs.get(topic, 0)!.sizeBytes < sizeBefore / 5, `${node.broker.logs.get(topic, 0)!.sizeBytes} of ${sizeBefore} bytes left`);

    await new Promise((resolve) => setTimeout(resolve, DELETE_RETENTION_MS + 100));
    sealAndClean(node, topic);
    const afterSecond = stored(node, topic);
    assert.equal(afterSecond.size, latest.size, "tombstones are gone");
    for (const [key, { offset, value }] of latest) assert.deepEqual(afterSecond.get(offset), [key, value]);

    const values = await readBack(node, topic);
    assert.deepEqual(values.sort(), [...latest.values()].map(({ value }) => value).sort(), "kafkajs reads exactly the latest value of each key");
  });

  it("a record without a key is refused on a compacted topic (INVALID_RECORD), as Kafka does", async () => {
    const node = await startTestBroker();
    nodes.push(node);
    const kafka = new Kafka({ brokers: [node.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const topic = await compactedTopic(node, kafka);
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    try {
      await assert.rejects(producer.send({ topic, acks: -1, messages: [{ value: "no key", partition: 0 }] }), (error: Error & { type?: string }) =>
        /INVALID_RECORD/.test(`${error.type} ${error.message} ${JSON.stringify(error)}`),
      );
      await producer.send({ topic, acks: -1, messages: [{ key: "k", value: "keyed", partition: 0 }] });
    } finally {
      await producer.disconnect();
    }
    assert.deepEqual([...stored(node, topic).values()], [["k", "keyed"]]);
  });

  it("a restart, and a crash in the middle of swapping a cleaned segment in, lose nothing", async () => {
    const first = await startTestBroker();
    const kafka = new Kafka({ brokers: [first.bootstrap], logLevel: logLevel.NOTHING });
    const topic = await compactedTopic(first, kafka);
    const latest = await writeOverwrites(kafka, topic);
    first.broker.logs.get(topic, 0)!.maybeRoll(Date.now() + ROLL_AFTER_MS);
    const before = stored(first, topic);
    await first.stop();

    // Clean on the stopped broker's files with a disk that fails right after the old segment's .log is deleted:
    // the complete .swap file is then the only copy of that segment.
    let failed = false;
    const failing: FileSystem = {
      ...realRuntime.fs,
      unlinkSync(file) {
        if (!failed && file.endsWith(".index")) {
          failed = true;
          throw Object.assign(new Error(`EIO: injected, unlink '${file}'`), { code: "EIO", syscall: "unlink" });
        }
        realRuntime.fs.unlinkSync(file);
      },
    };
    const dir = path.join(first.logDir, `${topic}-0`);
    const log = PartitionLog.open(dir, first.broker.produceFetch.logConfigFor(topic), { ...realRuntime, fs: failing });
    assert.throws(() => cleanLog(log, Date.now(), { fs: failing, logger: () => {} }), /injected/);
    log.close();
    assert.ok(realRuntime.fs.readdirSync(dir).some((name) => name.endsWith(".log.swap")), "the crash left a swap file");

    const second = await startTestBroker({}, first.logDir);
    nodes.push(second);
    const recovered = stored(second, topic);
    for (const [offset, record] of recovered) assert.deepEqual(record, before.get(offset), `offset ${offset}`);
    for (const [key, { offset, value }] of latest) assert.deepEqual(recovered.get(offset), [key, value], `${key} at ${offset}`);
    assert.ok(!realRuntime.fs.readdirSync(dir).some((name) => name.endsWith(".swap") || name.endsWith(".cleaned")));

    await new Promise((resolve) => setTimeout(resolve, DELETE_RETENTION_MS + 100));
    sealAndClean(second, topic);
    const values = await readBack(second, topic);
    assert.deepEqual(values.sort(), [...latest.values()].map(({ value }) => value).sort());
  });
});
