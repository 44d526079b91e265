import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { hasPythonModules, requireClient, run } from "../helpers/processes";

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = "/usr/bin/python3";

async function runClient(script: string, node: TestBroker, topic: string) {
  const result = await run(PYTHON, [path.join(here, "python", script), node.bootstrap, topic], { timeoutMs: 90_000 });
  assert.equal(result.code, 0, `${script} failed:\n${result.stderr}\n${result.stdout}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!);
}

describe("kafka-python against a broker node", { skip: requireClient(hasPythonModules("kafka"), "python3-kafka") }, () => {
  let node: TestBroker;
  before(async () => (node = await startTestBroker()));
  after(async () => node?.destroy());

  it("creates a topic with configs, produces with acks=all, consumes every record, deletes the topic", async () => {
    const observed = await runClient("kafka_python_client.py", node, uniqueTopic("kpy"));
    assert.deepEqual(observed, {
      topics_listed: true,
      retention_ms: "3600000",
      produced: 200,
      consumed: 200,
      all_values_match: true,
      end_offsets: { "0": 100, "1": 100 },
      deleted: true,
    });
  });
});

describe("confluent-kafka-python against a broker node", { skip: requireClient(hasPythonModules("confluent_kafka"), "python3-confluent-kafka") }, () => {
  let node: TestBroker;
  before(async () => (node = await startTestBroker()));
  after(async () => node?.destroy());

  it("admin, lz4 producer and assigned consumer work end to end", async () => {
    const observed = await runClient("confluent_kafka_client.py", node, uniqueTopic("ckpy"));
    assert.deepEqual(observed, {
      duplicate_create_error: "TOPIC_ALREADY_EXISTS",
      partitions: 3,
      cleanup_policy: "delete",
      segment_bytes_is_default: true,
      delivered: 1000,
      delivery_errors: 0,
      watermarks_p0: [0, 334],
      consumed: 1000,
      all_values_match: true,
    });
  });
});
