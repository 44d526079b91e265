import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Kafka, logLevel, type Admin } from "kafkajs";
import { startTestBroker, uniqueTopic, type TestBroker } from "../../broker/test/helpers/broker";
import { browseInputSchema, createTopicInputSchema, produceInputSchema } from "@/lib/contracts";
import { useCluster, type ClusterClients } from "@/server/kafka/registry";
import { ServiceError } from "@/server/kafka/errors";
import { createTopic } from "@/server/services/create-topic";
import { deleteTopic } from "@/server/services/delete-topic";
import { browseMessages, getRecord } from "@/server/services/browse-messages";
import { produceRecords } from "@/server/services/produce-records";
import { purgeTopic } from "@/server/services/purge-topic";

const browse = (topic: string, input: Record<string, unknown>) => browseMessages(topic, browseInputSchema.parse(input));
const produce = (topic: string, input: Record<string, unknown>) => produceRecords(topic, produceInputSchema.parse(input));
const create = (name: string, partitions = 1, configs: Record<string, string> = {}) =>
  createTopic(createTopicInputSchema.parse({ name, partitions, replicationFactor: 1, configs }));
const text = (base64: string) => Buffer.from(base64, "base64").toString("utf8");
const b64 = (bytes: number[] | string) => (typeof bytes === "string" ? Buffer.from(bytes) : Buffer.from(bytes)).toString("base64");
const failsWith = (kind: string, pattern: RegExp, field?: string) => (e: unknown) => {
  assert.ok(e instanceof ServiceError, String(e));
  assert.equal(e.kind, kind);
  assert.match(e.message, pattern);
  assert.equal(e.field, field);
  return true;
};

describe("produce and browse while topics come and go", () => {
  let node: TestBroker;
  let clients: ClusterClients;
  /** Another administrator of the cluster, as kcat or a second console would be. */
  let outsider: Admin;

  before(async () => {
    // A small broker-wide batch limit, so the "too large" message can be seen naming it.
    node = await startTestBroker({ "message.max.bytes": "20000" });
    clients = useCluster({ id: "default", brokers: [node.bootstrap], clientId: "sluice-produce-test", ssl: undefined, sasl: undefined });
    outsider = new Kafka({ clientId: "outsider", brokers: [node.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await outsider.connect();
  });
  after(async () => {
    await outsider?.disconnect();
    await clients?.reset();
    await node?.destroy();
  });

  it("producing goes on after a topic it wrote to is deleted from the console", async () => {
    const gone = uniqueTopic("gone");
    const kept = uniqueTopic("kept");
    await create(gone);
    await create(kept);
    await produce(gone, { value: "a" });
    await produce(kept, { value: "b" });
    await deleteTopic(gone);
    assert.deepEqual((await produce(kept, { value: "c" })).records, [{ partition: 0, offset: 1 }]);
    const fresh = uniqueTopic("fresh");
    await create(fresh);
    assert.deepEqual((await produce(fresh, { value: "d" })).records, [{ partition: 0, offset: 0 }]);
  });

  it("producing, browsing and creating go on after another administrator deletes a topic the console used", async () => {
    const gone = uniqueTopic("gone-outside");
    const kept = uniqueTopic("kept-outside");
    await create(gone);
    await create(kept);
    await produce(gone, { value: "a" });
    await produce(kept, { value: "b" });
    // Purging reads the topic's offsets with kafkajs, whose admin then asks about the topic on every metadata refresh.
    await purgeTopic(gone);
    await browse(gone, { start: "timestamp", timestamp: 0 });
    await outsider.deleteTopics({ topics: [gone] });

    assert.deepEqual((await produce(kept, { value: "c" })).records, [{ partition: 0, offset: 1 }]);
    assert.deepEqual(
      (await browse(kept, { start: "timestamp", timestamp: 0 })).messages.map((m) => text(m.value!.base64)),
      ["b", "c"],
    );
    const fresh = uniqueTopic("fresh-outside");
    await create(fresh);
    await produce(fresh, { value: "d" });
    await assert.rejects(produce(gone, { value: "e" }), (e: unknown) => e instanceof ServiceError && e.kind === "NOT_FOUND");
  });

  it("a topic deleted outside and created again with more partitions is written and read with its new partitions", async () => {
    const topic = uniqueTopic("again");
    await create(topic, 1);
    await produce(topic, { value: "old" });
    await purgeTopic(topic);
    await browse(topic, { start: "timestamp", timestamp: 0 });
    await outsider.deleteTopics({ topics: [topic] });
    await outsider.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });

    assert.deepEqual((await produce(topic, { partition: 2, value: "new" })).records, [{ partition: 2, offset: 0 }]);
    const page = await browse(topic, { partition: 2, start: "timestamp", timestamp: 0 });
    assert.deepEqual(page.messages.map((m) => [m.partition, m.offset, text(m.value!.base64)]), [[2, 0, "new"]]);
    assert.deepEqual((await browse(topic, { partition: "all" })).messages.map((m) => text(m.value!.base64)), ["new"], "the old record went with the old topic");
  });

  it("headers keep their order and their repeats, and a header may have no value", async () => {
    const topic = uniqueTopic("headers");
    await create(topic);
    const headers = [
      { key: "trace", value: "1" },
      { key: "10", value: "ten" },
      { key: "trace", value: "2" },
      { key: "empty", value: "" },
      { key: "none", value: null },
    ];
    await produce(topic, { value: "v", headers });
    const expected = headers.map((h) => [h.key, h.value === null ? null : b64(h.value)]);
    const [m] = (await browse(topic, {})).messages;
    assert.deepEqual(m.headers.map((h) => [h.key, h.value?.base64 ?? null]), expected);
    const whole = await getRecord(topic, 0, 0);
    assert.deepEqual(whole.headers.map((h) => [h.key, h.value?.base64 ?? null]), expected);
  });

  it("keys, values and header values given as base64 are written as exactly those bytes, and come back as them", async () => {
    const topic = uniqueTopic("bytes");
    await create(topic);
    const key = b64([0, 1, 0xfe, 0xff]);
    const value = b64([0xc3, 0x28, 0xa0, 0xa1, 0xed, 0xa0, 0x80, 0x00]);
    const header = b64([0xff, 0xfe, 0x41]);
    await produce(topic, { key, keyFormat: "base64", value, valueFormat: "base64", headers: [{ key: "bin", value: header, valueFormat: "base64" }] });
    const [m] = (await browse(topic, {})).messages;
    assert.deepEqual([m.key!.base64, m.value!.base64, m.headers[0].value!.base64], [key, value, header]);
    assert.equal(m.headers[0].value!.sizeBytes, 3);
    // JSON is sent as typed, spaces and all, not re-serialized.
    await produce(topic, { value: '{ "a" :  1 }', valueFormat: "json" });
    assert.equal(text((await getRecord(topic, 0, 1)).value!.base64), '{ "a" :  1 }');
  });

  it("a null value is a tombstone: the key is written and the value is null", async () => {
    const topic = uniqueTopic("tombstone");
    await create(topic, 1, { "cleanup.policy": "compact" });
    await produce(topic, { key: "gone", value: null });
    const [m] = (await browse(topic, {})).messages;
    assert.equal(text(m.key!.base64), "gone");
    assert.equal(m.value, null);
  });

  it("text with a lone surrogate is refused on its field instead of being written as U+FFFD", () => {
    const issues = (input: Record<string, unknown>) => produceInputSchema.safeParse(input).error?.issues.map((i) => [i.path.join("."), i.message]) ?? [];
    const [value] = issues({ value: "ok \uD800 then" });
    assert.equal(value[0], "value");
    assert.match(value[1], /character 4 is a lone surrogate \(U\+D800\).*base64/);
    assert.equal(issues({ key: "\uDC00" })[0][0], "key");
    assert.equal(issues({ value: "{}", valueFormat: "json", headers: [{ key: "h", value: "x\uDBFF" }] })[0][0], "headers.0.value");
    assert.equal(issues({ headers: [{ key: "\uD83D", value: "x" }] })[0][0], "headers.0.key");
    assert.deepEqual(issues({ value: "pair \uD83D\uDE00 is fine", headers: [{ key: "😀", value: "😀" }] }), []);
  });

  it("base64 that is not exactly base64 is refused on its field", () => {
    const fields = (input: Record<string, unknown>) => produceInputSchema.safeParse(input).error?.issues.map((i) => i.path.join(".")) ?? [];
    assert.deepEqual(fields({ value: "abc", valueFormat: "base64" }), ["value"], "not a multiple of 4");
    assert.deepEqual(fields({ value: "ab$=", valueFormat: "base64" }), ["value"]);
    assert.deepEqual(fields({ value: "QR==", valueFormat: "base64" }), ["value"], "bits past the last byte would be dropped");
    assert.deepEqual(fields({ key: "-_8=", keyFormat: "base64" }), ["key"], "base64url is another alphabet");
    assert.deepEqual(fields({ headers: [{ key: "h", value: "%%", valueFormat: "base64" }] }), ["headers.0.value"]);
    assert.deepEqual(fields({ value: "QUJD\nREVG", valueFormat: "base64" }), [], "wrapped lines are fine");
  });

  it("N copies report every record's partition and offset", async () => {
    const topic = uniqueTopic("copies");
    await create(topic, 3);
    await produce(topic, { partition: 1, value: "first" });
    const keyed = await produce(topic, { partition: 1, value: "x", count: 4 });
    assert.deepEqual(keyed.records, [1, 2, 3, 4].map((offset) => ({ partition: 1, offset })));
    const spread = await produce(topic, { value: "y", count: 6 });
    assert.equal(spread.records.length, 6);
    assert.deepEqual(new Set(spread.records.map((r) => r.partition)), new Set([0, 1, 2]), "without a key the copies are spread");
    const page = await browse(topic, { partition: "all", start: "oldest", count: 100 });
    const stored = new Set(page.messages.filter((m) => text(m.value!.base64) === "y").map((m) => `${m.partition}:${m.offset}`));
    assert.deepEqual(new Set(spread.records.map((r) => `${r.partition}:${r.offset}`)), stored, "each reported offset holds a copy");
  });

  it("a record over the topic's limit names max.message.bytes set on the topic", async () => {
    const topic = uniqueTopic("too-large");
    await create(topic, 1, { "max.message.bytes": "1000" });
    await assert.rejects(produce(topic, { value: "x".repeat(2000) }), failsWith("INVALID_INPUT", /over the topic's limit of 1,000 bytes: set on this topic as max\.message\.bytes/));
    await assert.rejects(produce(topic, { value: "x".repeat(300), count: 5 }), failsWith("INVALID_INPUT", /5 copies in one batch/));
    assert.equal((await browse(topic, {})).messages.length, 0, "nothing was written");
  });

  it("a record over the broker's limit names message.max.bytes on the broker", async () => {
    const topic = uniqueTopic("too-large-broker");
    await create(topic);
    await assert.rejects(produce(topic, { value: "x".repeat(30_000) }), failsWith("INVALID_INPUT", /limit of 20,000 bytes: the broker's message\.max\.bytes/));
  });

  it("producing to a topic that does not exist says so, and creates nothing", async () => {
    const topic = uniqueTopic("nowhere");
    await assert.rejects(produce(topic, { value: "x" }), failsWith("NOT_FOUND", new RegExp(`there is no topic ${topic} in the cluster`)));
    await assert.rejects(browse(topic, {}), failsWith("NOT_FOUND", /there is no topic/));
    await assert.rejects(produce(topic, { value: "x" }), failsWith("NOT_FOUND", /there is no topic/), "still not created");
  });

  it("browse: starting at an offset or a time reads forward from it unless newest-first is asked for", async () => {
    const topic = uniqueTopic("forward");
    await create(topic);
    for (let i = 0; i < 10; i++) await produce(topic, { value: `m${i}` });
    const values = (page: { messages: Array<{ value: { base64: string } | null }> }) => page.messages.map((m) => text(m.value!.base64));
    assert.deepEqual(values(await browse(topic, { start: "offset", offset: 6, count: 3 })), ["m6", "m7", "m8"]);
    assert.deepEqual(values(await browse(topic, { start: "offset", offset: 6, count: 3, order: "newest-first" })), ["m6", "m5", "m4"]);
    const [sixth] = (await browse(topic, { start: "offset", offset: 6, count: 1 })).messages;
    const fromTime = (await browse(topic, { start: "timestamp", timestamp: sixth.timestamp, count: 3 })).messages;
    assert.ok(fromTime.every((m) => m.timestamp >= sixth.timestamp), "nothing before the time");
    assert.deepEqual(fromTime.map((m) => m.offset), [0, 1, 2].map((i) => fromTime[0].offset + i), "forward, from the first record at or after it");
    assert.ok(fromTime[0].offset <= 6);
    assert.deepEqual(values(await browse(topic, { start: "oldest", count: 2 })), ["m0", "m1"]);
    assert.deepEqual(values(await browse(topic, { count: 2 })), ["m9", "m8"], "the newest records stay newest-first");
  });
});
