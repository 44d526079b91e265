import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { openFileLimitFor } from "../../src/storage/open-file-limit";
import { freePort, spawnBroker, type BrokerProcess } from "../helpers/broker-process";
import { startTestBroker, uniqueTopic } from "../helpers/broker";
import { readPartitions } from "../helpers/kafkajs";
import { hasCommand } from "../helpers/processes";

const onLinux = process.platform === "linux";
const canLimit = onLinux && hasCommand("prlimit");

/** Segment files (`.log`) of partition logs that process `pid` holds open under `logDir`, as its /proc/<pid>/fd lists them. */
function openSegmentFiles(pid: number, logDir: string): number {
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (target.startsWith(logDir + path.sep) && target.endsWith(".log") && !target.includes("__cluster_metadata")) count++;
  }
  return count;
}

/** The number a broker logged for `field` in its first line that has it. */
function loggedNumber(broker: BrokerProcess, field: string): number {
  const match = new RegExp(`"${field}":(\\d+)`).exec(broker.output());
  assert.ok(match, `the broker logged ${field}`);
  return Number(match[1]);
}

async function stopProcess(broker: BrokerProcess): Promise<void> {
  broker.child.kill("SIGTERM");
  assert.equal(await broker.exited, 0, broker.output().slice(-2000));
}

describe("partitions at scale", () => {
  it("a topic's partition logs are on disk as soon as CreateTopics answers, before any produce", async () => {
    const node = await startTestBroker();
    const kafka = new Kafka({ brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const topic = uniqueTopic("made-at-creation");
      await admin.createTopics({ topics: [{ topic, numPartitions: 5 }] });
      for (let partition = 0; partition < 5; partition++) {
        const dir = path.join(node.logDir, `${topic}-${partition}`);
        assert.ok(existsSync(path.join(dir, "00000000000000000000.log")), `${dir} holds its first segment`);
      }
      await admin.createPartitions({ topicPartitions: [{ topic, count: 7 }] });
      assert.ok(existsSync(path.join(node.logDir, `${topic}-6`, "00000000000000000000.log")), "a partition added later gets its log too");
    } finally {
      await admin.disconnect();
      await node.destroy();
    }
  });

  it(
    "under an open-file limit of 256, a node creates, writes and restarts with 600 partitions, holding a bounded number of segment files",
    { skip: !canLimit && "needs Linux and prlimit", timeout: 240_000 },
    async () => {
      const OPEN_FILE_LIMIT = 256;
      const TOPICS = 6;
      const PARTITIONS_PER_TOPIC = 100;
      const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-scale-"));
      const port = await freePort();
      const args = ["--override", `listeners=PLAINTEXT://127.0.0.1:${port}`, "--override", `log.dirs=${dir}`];
      const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
      const topics = Array.from({ length: TOPICS }, (_, i) => uniqueTopic(`wide${i}`));
      let broker = await spawnBroker(args, { openFileLimit: OPEN_FILE_LIMIT });
      try {
        const openSegmentFilesMax = loggedNumber(broker, "openSegmentFilesMax");
        assert.ok(openSegmentFilesMax < OPEN_FILE_LIMIT, `the pool (${openSegmentFilesMax}) leaves room under the limit`);
        const admin = kafka.admin();
        await admin.connect();
        // Three descriptors a partition would need 1,800: seven times the limit.
        await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS_PER_TOPIC })) });
        const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
        await producer.connect();
        await producer.sendBatch({
          acks: -1,
          topicMessages: topics.map((topic) => ({
            topic,
            messages: Array.from({ length: PARTITIONS_PER_TOPIC }, (_, partition) => ({ partition, value: `${topic}/${partition}` })),
          })),
        });
        await producer.disconnect();
        await admin.disconnect();
        assert.ok(
          openSegmentFiles(broker.child.pid!, dir) <= openSegmentFilesMax,
          `at most ${openSegmentFilesMax} segment files open after writing ${TOPICS * PARTITIONS_PER_TOPIC} partitions`,
        );
        await stopProcess(broker);

        // The restart under the same limit: the node starts, says what to raise the limit to, and serves every record.
        broker = await spawnBroker(args, { openFileLimit: OPEN_FILE_LIMIT });
        assert.match(broker.output(), /"level":"warn","msg":"the open-file limit is low for the partitions on disk: raise it to at least/);
        assert.equal(loggedNumber(broker, "raiseTo"), openFileLimitFor(TOPICS * PARTITIONS_PER_TOPIC));
        const reader = kafka.admin();
        await reader.connect();
        for (const topic of topics) {
          const highs = (await reader.fetchTopicOffsets(topic)).map(({ partition, high }) => ({ partition, high }));
          assert.ok(highs.every(({ high }) => high === "1"), `${topic}: one record in every partition`);
          const values = await readPartitions(kafka, topic, highs);
          for (let partition = 0; partition < PARTITIONS_PER_TOPIC; partition++) assert.deepEqual(values.get(partition), [`${topic}/${partition}`]);
        }
        await reader.disconnect();
        assert.ok(openSegmentFiles(broker.child.pid!, dir) <= openSegmentFilesMax, "still bounded after reading every partition");
        await stopProcess(broker);
      } finally {
        if (broker.child.exitCode === null) broker.child.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it(
    "when connections take every descriptor, a produce that needs a file gets a retriable KAFKA_STORAGE_ERROR and a loud line, and succeeds once they go",
    { skip: !canLimit && "needs Linux and prlimit", timeout: 120_000 },
    async () => {
      const OPEN_FILE_LIMIT = 128;
      const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-emfile-"));
      const port = await freePort();
      // The limit comes down once the node runs: this is about descriptors running out under a running node.
      const broker = await spawnBroker(["--override", `listeners=PLAINTEXT://127.0.0.1:${port}`, "--override", `log.dirs=${dir}`], {
        openFileLimitOnceStarted: OPEN_FILE_LIMIT,
      });
      const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
      const topic = uniqueTopic("starved");
      const flood: net.Socket[] = [];
      try {
        const admin = kafka.admin();
        await admin.connect();
        await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
        await admin.disconnect();
        // Connected before the flood (kafkajs reuses this connection to the leader, the same address).
        const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
        await producer.connect();

        // Idle connections until the broker has no descriptor left (it then closes new ones at once).
        for (let i = 0; i < OPEN_FILE_LIMIT * 2; i++) {
          const socket = net.connect(port, "127.0.0.1");
          socket.on("error", () => {});
          flood.push(socket);
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
        // The first append must open the partition's segment file, and the pool holds none to give back.
        const failure = await producer.send({ topic, messages: [{ partition: 0, value: "starved" }] }).then(
          () => null,
          (error: unknown) => error,
        );
        // With retries 0 kafkajs wraps the broker's answer; the answer itself is what a retrying client acts on.
        const answer = (failure as { cause?: { type?: string; retriable?: boolean } } | null)?.cause;
        assert.equal(answer?.type, "KAFKA_STORAGE_ERROR", String(failure));
        assert.equal(answer?.retriable, true);
        assert.match(broker.output(), /"level":"error","msg":"the open-file limit is exhausted/);
        assert.equal(broker.child.exitCode, null, "the broker is still running");

        for (const socket of flood) socket.destroy();
        await new Promise((resolve) => setTimeout(resolve, 500));
        await producer.send({ topic, messages: [{ partition: 0, value: "fed" }] });
        await producer.disconnect();
        const values = await readPartitions(kafka, topic, [{ partition: 0, high: 1 }]);
        assert.deepEqual(values.get(0), ["fed"]);
        await stopProcess(broker);
      } finally {
        for (const socket of flood) socket.destroy();
        if (broker.child.exitCode === null) broker.child.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
