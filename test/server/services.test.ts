import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestBroker, uniqueTopic, type TestBroker } from "../../broker/test/helpers/broker";
import { browseInputSchema, createTopicInputSchema, produceInputSchema } from "@/lib/contracts";
import { ClusterClients, useCluster } from "@/server/kafka/registry";
import { apiKeysAsked } from "./helpers/wire-spy";
import { ServiceError } from "@/server/kafka/errors";
import { describeCluster } from "@/server/services/describe-cluster";
import { listBrokers } from "@/server/services/list-brokers";
import { allTopicSummaries, listTopics } from "@/server/services/list-topics";
import { getTopic } from "@/server/services/get-topic";
import { createTopic } from "@/server/services/create-topic";
import { deleteTopic } from "@/server/services/delete-topic";
import { purgeTopic } from "@/server/services/purge-topic";
import { addPartitions } from "@/server/services/add-partitions";
import { alterTopicConfigs } from "@/server/services/alter-topic-configs";
import { describeBrokerConfigs, describeTopicConfigs } from "@/server/services/describe-configs";
import { browseMessages, getRecord } from "@/server/services/browse-messages";
import { produceRecords } from "@/server/services/produce-records";
import { listConsumerGroups } from "@/server/services/list-groups";
import { SEARCH_LIMITS } from "@/server/services/search-records";

const rejectsWith = (kind: string) => (error: unknown) => error instanceof ServiceError && error.kind === kind;
const browse = (topic: string, input: Record<string, unknown>) => browseMessages(topic, browseInputSchema.parse(input));
const produce = (topic: string, input: Record<string, unknown>) => produceRecords(topic, produceInputSchema.parse(input));
const create = (name: string, partitions = 1, configs: Record<string, string> = {}) =>
  createTopic(createTopicInputSchema.parse({ name, partitions, replicationFactor: 1, configs }));
const text = (base64: string) => Buffer.from(base64, "base64").toString("utf8");

describe("console services against a real broker", () => {
  let node: TestBroker;
  let clients: ClusterClients;

  before(async () => {
    node = await startTestBroker();
    clients = useCluster({ id: "default", brokers: [node.bootstrap], clientId: "sluice-service-test", ssl: undefined, sasl: undefined });
  });
  after(async () => {
    await clients?.reset();
    await node?.destroy();
  });

  it("describeCluster: the cluster id, the controller, one broker and the topic and partition counts", async () => {
    const topic = uniqueTopic("overview");
    await create(topic, 3);
    // null: no lag history, so the test opens no store under the working directory.
    const overview = await describeCluster(undefined, null);
    assert.ok(overview.clusterId.length > 0);
    assert.equal(overview.controllerId, 1);
    assert.equal(overview.brokers.length, 1);
    assert.equal(overview.brokers[0].isController, true);
    assert.ok(overview.topicCount >= 1);
    assert.ok(overview.partitionCount >= 3);
    assert.equal(overview.offlinePartitions, 0);
    assert.equal(overview.underReplicatedPartitions, 0);
  });

  it("listBrokers: host, port, leader partitions and bytes on disk from DescribeLogDirs", async () => {
    const topic = uniqueTopic("brokers");
    await create(topic);
    await produce(topic, { value: "x".repeat(1000) });
    const [broker] = await listBrokers();
    assert.equal(broker.nodeId, 1);
    assert.equal(broker.host, "127.0.0.1");
    assert.equal(broker.port, node.port);
    assert.ok(broker.leaderPartitions >= 1);
    assert.ok(broker.bytesOnDisk! >= 1000, `bytes on disk ${broker.bytesOnDisk}`);
    const configs = await describeBrokerConfigs(1);
    assert.ok(configs.configs.some((c) => c.name === "num.partitions" && c.source === "DEFAULT_CONFIG"));
    await assert.rejects(describeBrokerConfigs(42), rejectsWith("NOT_FOUND"));
  });

  it("createTopic, listTopics and getTopic: partitions, replication, records and size", async () => {
    const topic = uniqueTopic("topics");
    await create(topic, 2);
    await produce(topic, { partition: 1, value: "hello", count: 3 });
    const listed = (await listTopics({ q: topic })).topics.find((t) => t.name === topic)!;
    assert.equal(listed.partitions, 2);
    assert.equal(listed.replicationFactor, 1);
    assert.equal(listed.approximateRecords, 3);
    assert.ok(listed.sizeBytes! > 0);
    const detail = await getTopic(topic);
    assert.deepEqual(
      detail.partitionList.map((p) => [p.partition, p.firstOffset, p.lastOffset, p.records, p.leader]),
      [
        [0, 0, 0, 0, 1],
        [1, 0, 2, 3, 1],
      ],
    );
    await assert.rejects(create(topic), rejectsWith("CONFLICT"));
  });

  it("listTopics counts the records of every one of 300 topics with one ListOffsets request per end", async () => {
    const prefix = uniqueTopic("many");
    const names = Array.from({ length: 300 }, (_, i) => `${prefix}-${String(i).padStart(3, "0")}`);
    const admin = await clients.getAdmin();
    await admin.createTopics({ topics: names.map((topic, i) => ({ topic, numPartitions: 1 + (i % 3) })), waitForLeaders: true });
    await Promise.all(names.slice(0, 20).map((topic, i) => produce(topic, { partition: 0, value: "r", count: i + 1 })));

    const { result: listed, asked } = await apiKeysAsked(() => allTopicSummaries());
    const mine = listed.filter((t) => t.name.startsWith(`${prefix}-`));
    assert.equal(mine.length, 300);
    assert.deepEqual(
      mine.slice(0, 22).map((t) => t.approximateRecords),
      [...Array.from({ length: 20 }, (_, i) => i + 1), 0, 0],
    );
    assert.ok(listed.every((t) => t.approximateRecords !== null), "every topic is counted");
    assert.equal(asked.filter((k) => k === 2).length, 2, "one ListOffsets for the earliest offsets and one for the latest, on the one broker");

    // The browser gets one page: the search, sort and page are the server's work.
    const first = await listTopics({ q: prefix.toUpperCase() });
    assert.deepEqual([first.matching, first.topics.length, first.page, first.pages, first.uncounted], [300, 100, 1, 3, 0]);
    assert.equal(first.topics[0].name, `${prefix}-000`);
    const last = await listTopics({ q: prefix, page: 9 });
    assert.deepEqual([last.page, last.topics.length, last.topics.at(-1)!.name], [3, 100, `${prefix}-299`], "a page past the end is the last page");
    const busiest = await listTopics({ q: prefix, sort: "records", dir: "desc" });
    assert.deepEqual(busiest.topics.slice(0, 2).map((t) => [t.name, t.approximateRecords]), [[`${prefix}-019`, 20], [`${prefix}-018`, 19]]);
    const widest = await listTopics({ q: prefix, sort: "partitions", dir: "desc" });
    assert.deepEqual(widest.topics.slice(0, 2).map((t) => t.name), [`${prefix}-002`, `${prefix}-005`], "ties are in name order");
    assert.equal((await listTopics({ q: "__consumer_offsets" })).matching, 0, "internal topics are hidden unless asked for");
    assert.ok((await listTopics({ q: "__consumer_offsets", internal: true })).matching <= 1);
  });

  it("an unknown topic is NOT_FOUND with Kafka's message, and is not auto-created", async () => {
    const topic = uniqueTopic("missing");
    await assert.rejects(getTopic(topic), rejectsWith("NOT_FOUND"));
    await assert.rejects(browse(topic, {}), rejectsWith("NOT_FOUND"));
    await assert.rejects(produce(topic, { value: "x" }), rejectsWith("NOT_FOUND"));
    await assert.rejects(deleteTopic(topic), rejectsWith("NOT_FOUND"));
    assert.equal((await listTopics({ q: topic })).matching, 0);
  });

  it("produceRecords returns partition and offset; browseMessages finds the record with key, value and headers", async () => {
    const topic = uniqueTopic("produce");
    await create(topic);
    const result = await produce(topic, { key: "k1", value: '{"a":1}', valueFormat: "json", headers: [{ key: "h", value: "v" }] });
    assert.deepEqual(result.records, [{ partition: 0, offset: 0 }]);
    const page = await browse(topic, {});
    assert.equal(page.messages.length, 1);
    const [m] = page.messages;
    assert.equal(text(m.key!.base64), "k1");
    assert.equal(text(m.value!.base64), '{"a":1}');
    assert.deepEqual(m.headers, [{ key: "h", value: { base64: Buffer.from("v").toString("base64"), sizeBytes: 1, truncated: false } }]);
    assert.equal(page.nextCursor, null);
  });

  it("browseMessages pages through one partition newest-first and oldest-first, from an offset and a timestamp", async () => {
    const topic = uniqueTopic("pages");
    await create(topic);
    for (let i = 0; i < 25; i++) await produce(topic, { value: `m${i}` });
    const values = (page: { messages: Array<{ value: { base64: string } | null }> }) => page.messages.map((m) => text(m.value!.base64));

    const newest = await browse(topic, { partition: 0, count: 10 });
    assert.deepEqual(values(newest), ["m24", "m23", "m22", "m21", "m20", "m19", "m18", "m17", "m16", "m15"]);
    assert.equal(newest.nextCursor, "0:15");
    const second = await browse(topic, { partition: 0, count: 10, cursor: newest.nextCursor });
    assert.equal(values(second)[0], "m14");
    const third = await browse(topic, { partition: 0, count: 10, cursor: second.nextCursor });
    assert.deepEqual(values(third), ["m4", "m3", "m2", "m1", "m0"]);
    assert.equal(third.nextCursor, null);

    const oldest = await browse(topic, { partition: 0, start: "oldest", order: "oldest-first", count: 10 });
    assert.deepEqual(values(oldest).slice(0, 2), ["m0", "m1"]);
    assert.equal(oldest.nextCursor, "0:10");

    const fromOffset = await browse(topic, { partition: 0, start: "offset", offset: 12, order: "oldest-first", count: 2 });
    assert.deepEqual(values(fromOffset), ["m12", "m13"]);

    const future = await browse(topic, { start: "timestamp", timestamp: Date.now() + 60_000, order: "oldest-first" });
    assert.deepEqual(future.messages, [], "nothing at or after a future timestamp");
    const past = await browse(topic, { start: "timestamp", timestamp: 0, order: "oldest-first", count: 1 });
    assert.deepEqual(values(past), ["m0"]);
  });

  it("browseMessages over all partitions merges them by timestamp and carries a cursor per partition", async () => {
    const topic = uniqueTopic("merge");
    await create(topic, 3);
    for (let i = 0; i < 9; i++) await produce(topic, { partition: i % 3, value: `v${i}` });
    const page = await browse(topic, { partition: "all", start: "oldest", order: "oldest-first", count: 5 });
    assert.equal(page.messages.length, 5);
    assert.deepEqual(
      page.messages.map((m) => m.partition),
      [0, 1, 2, 0, 1],
    );
    assert.equal(page.nextCursor, "0:2,1:2,2:1");
    const rest = await browse(topic, { partition: "all", order: "oldest-first", count: 5, cursor: page.nextCursor });
    assert.equal(rest.messages.length, 4);
    assert.equal(rest.nextCursor, null);
  });

  it("large values are truncated to 64 KiB in pages and whole in getRecord", async () => {
    const topic = uniqueTopic("large");
    await create(topic);
    await produce(topic, { value: "y".repeat(100_000) });
    const [preview] = (await browse(topic, {})).messages;
    assert.equal(preview.value!.truncated, true);
    assert.equal(preview.value!.sizeBytes, 100_000);
    assert.equal(Buffer.from(preview.value!.base64, "base64").length, 64 * 1024);
    const whole = await getRecord(topic, 0, 0);
    assert.equal(whole.value!.truncated, false);
    assert.equal(Buffer.from(whole.value!.base64, "base64").length, 100_000);
    await assert.rejects(getRecord(topic, 0, 5), rejectsWith("NOT_FOUND"));
  });

  describe("browseMessages with a search text", () => {
    const search = (topic: string, input: Record<string, unknown>, limits = SEARCH_LIMITS) => browseMessages(topic, browseInputSchema.parse(input), clients, limits);
    const offsets = (page: { messages: Array<{ offset: number }> }) => page.messages.map((m) => m.offset);

    it("search: finds the text in a key, a value, a header key or a header value, ignoring case, in the field asked for", async () => {
      const topic = uniqueTopic("search-fields");
      await create(topic);
      await produce(topic, { key: "Order-NEEDLE-1", value: "plain" });
      await produce(topic, { key: "k", value: '{"note":"a Needle here"}' });
      await produce(topic, { key: "k", value: "plain", headers: [{ key: "trace", value: "needle-in-header" }] });
      await produce(topic, { key: "k", value: "plain", headers: [{ key: "X-NeEdLe", value: "v" }] });
      await produce(topic, { key: "k", value: "nothing to see", headers: [{ key: "h", value: "n-e-e-d-l-e" }] });

      assert.deepEqual(offsets(await search(topic, { q: "needle", order: "oldest-first", start: "oldest" })), [0, 1, 2, 3]);
      assert.deepEqual(offsets(await search(topic, { q: "nEEdle", in: "key" })), [0]);
      assert.deepEqual(offsets(await search(topic, { q: "NEEDLE", in: "value" })), [1]);
      assert.deepEqual(offsets(await search(topic, { q: "needle", in: "headers" })), [3, 2]);
      const none = await search(topic, { q: "haystack" });
      assert.deepEqual(none.messages, []);
      assert.equal(none.scanned, 5);
      assert.equal(none.budgetExhausted, false);
      assert.equal(none.nextCursor, null);
    });

    it("search: matches the whole value past the 64 KiB preview, and raw bytes around text that is not UTF-8", async () => {
      const topic = uniqueTopic("search-bytes");
      await create(topic);
      await produce(topic, { value: `${"y".repeat(100_000)}Tail-Marker` });
      await produce(topic, { value: Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from("café-marker"), Buffer.from([0x80])]).toString("base64"), valueFormat: "base64" });

      const tail = await search(topic, { q: "tail-marker" });
      assert.deepEqual(offsets(tail), [0]);
      assert.equal(tail.messages[0].value!.truncated, true, "the page still carries the 64 KiB preview");
      assert.deepEqual(offsets(await search(topic, { q: "CAFÉ-MARKER" })), [1]);
    });

    it("search: pages through matches newest-first and oldest-first, each page going on where the last scan stopped", async () => {
      const topic = uniqueTopic("search-pages");
      await create(topic);
      for (let i = 0; i < 40; i++) await produce(topic, { value: i % 10 === 3 ? `Hit ${i}` : "filler" });
      const first = await search(topic, { q: "hIT", count: 3 });
      assert.deepEqual(offsets(first), [33, 23, 13]);
      assert.equal(first.scanned, 27);
      assert.equal(first.nextCursor, "0:13");
      const second = await search(topic, { q: "hit", count: 3, cursor: first.nextCursor });
      assert.deepEqual(offsets(second), [3]);
      assert.equal(second.scanned, 13, "the rest of the partition was tested");
      assert.equal(second.nextCursor, null);

      const oldest = await search(topic, { q: "hit", count: 2, start: "oldest", order: "oldest-first" });
      assert.deepEqual(offsets(oldest), [3, 13]);
      assert.equal(oldest.scanned, 14);
      assert.equal(oldest.nextCursor, "0:14");
      const rest = await search(topic, { q: "hit", count: 2, order: "oldest-first", cursor: oldest.nextCursor });
      assert.deepEqual(offsets(rest), [23, 33]);
      assert.equal(rest.scanned, 20);
      assert.equal(rest.nextCursor, "0:34");
    });

    it("search: over all partitions merges the matches and keeps a cursor per partition", async () => {
      const topic = uniqueTopic("search-merge");
      await create(topic, 3);
      for (let i = 0; i < 12; i++) await produce(topic, { partition: i % 3, value: i % 2 === 0 ? `even ${i}` : `odd ${i}` });
      const page = await search(topic, { q: "even", count: 4, start: "oldest", order: "oldest-first" });
      assert.deepEqual(
        page.messages.map((m) => text(m.value!.base64)),
        ["even 0", "even 2", "even 4", "even 6"],
      );
      const rest = await search(topic, { q: "even", count: 4, order: "oldest-first", cursor: page.nextCursor });
      assert.deepEqual(
        rest.messages.map((m) => text(m.value!.base64)),
        ["even 8", "even 10"],
      );
      assert.equal(rest.nextCursor, null);
    });

    it("search: the record budget stops a scan that finds nothing, says how far it got, and the next page goes on from there", async () => {
      const topic = uniqueTopic("search-budget");
      await create(topic);
      await produce(topic, { value: "filler", count: 50 });
      const limits = { ...SEARCH_LIMITS, recordsMax: 20 };

      const first = await search(topic, { q: "absent" }, limits);
      assert.deepEqual(first.messages, []);
      assert.equal(first.scanned, 20);
      assert.equal(first.budgetExhausted, true);
      assert.equal(first.nextCursor, "0:30");
      const second = await search(topic, { q: "absent", cursor: first.nextCursor }, limits);
      assert.equal(second.nextCursor, "0:10");
      const last = await search(topic, { q: "absent", cursor: second.nextCursor }, limits);
      assert.equal(last.scanned, 10);
      assert.equal(last.budgetExhausted, false);
      assert.equal(last.nextCursor, null);

      const oldest = await search(topic, { q: "absent", start: "oldest", order: "oldest-first" }, { ...SEARCH_LIMITS, recordsMax: 7 });
      assert.equal(oldest.scanned, 7);
      assert.equal(oldest.budgetExhausted, true);
      assert.equal(oldest.nextCursor, "0:7");

      const timedOut = await search(topic, { q: "absent" }, { ...SEARCH_LIMITS, timeMs: 0 });
      assert.equal(timedOut.scanned, 0);
      assert.equal(timedOut.budgetExhausted, true);
      assert.equal(timedOut.nextCursor, "0:50");
    });

    it("search: the text is at most 200 characters and the field one of key, value, headers or any", () => {
      assert.equal(browseInputSchema.safeParse({ q: "x".repeat(201) }).success, false);
      assert.equal(browseInputSchema.safeParse({ q: "x", in: "offset" }).success, false);
      assert.equal(browseInputSchema.parse({ q: "x" }).in, "any");
    });
  });

  it("purgeTopic empties every partition and keeps the topic; deleteTopic removes it", async () => {
    const topic = uniqueTopic("purge");
    await create(topic, 2);
    await produce(topic, { partition: 0, value: "a", count: 4 });
    await produce(topic, { partition: 1, value: "b", count: 2 });
    const purged = await purgeTopic(topic);
    assert.deepEqual(purged.partitions, [
      { partition: 0, lowWatermark: 4 },
      { partition: 1, lowWatermark: 2 },
    ]);
    assert.equal((await browse(topic, {})).messages.length, 0);
    assert.equal((await getTopic(topic)).approximateRecords, 0);
    await deleteTopic(topic);
    await assert.rejects(getTopic(topic), rejectsWith("NOT_FOUND"));
  });

  it("alterTopicConfigs sets and removes overrides without touching the others; addPartitions grows the topic", async () => {
    const topic = uniqueTopic("configs");
    await create(topic, 1, { "cleanup.policy": "compact" });
    let configs = await alterTopicConfigs(topic, { set: { "retention.ms": "60000" } });
    const get = (name: string) => configs.configs.find((c) => c.name === name)!;
    assert.equal(get("retention.ms").value, "60000");
    assert.equal(get("retention.ms").source, "DYNAMIC_TOPIC_CONFIG");
    assert.equal(get("cleanup.policy").value, "compact", "the other override stays");
    configs = await alterTopicConfigs(topic, { set: { "retention.ms": null } });
    assert.notEqual(get("retention.ms").source, "DYNAMIC_TOPIC_CONFIG");
    assert.equal((await describeTopicConfigs(topic)).configs.find((c) => c.name === "cleanup.policy")!.value, "compact");
    await assert.rejects(alterTopicConfigs(topic, { set: { "retention.ms": "soon" } }), rejectsWith("INVALID_INPUT"));
    await assert.rejects(alterTopicConfigs(uniqueTopic("nowhere"), { set: { "retention.ms": "1" } }), rejectsWith("NOT_FOUND"));
    await assert.rejects(create(uniqueTopic("badconf"), 1, { "retention.ms": "soon" }), (e: unknown) => e instanceof ServiceError && e.kind === "INVALID_INPUT" && e.field === "configs" && /retention\.ms/.test(e.message));
    assert.equal((await addPartitions(topic, { count: 2 })).partitions, 3);
    assert.equal((await getTopic(topic)).partitions, 3);
  });

  it("produce rejects a partition the topic does not have, naming the field", async () => {
    const topic = uniqueTopic("badpart");
    await create(topic);
    await assert.rejects(produce(topic, { partition: 3, value: "x" }), (e: unknown) => e instanceof ServiceError && e.kind === "INVALID_INPUT" && e.field === "partition");
  });

  it("listConsumerGroups answers (supported or not) instead of failing, and the overview follows it", async () => {
    const groups = await listConsumerGroups();
    const overview = await describeCluster(undefined, null);
    if (groups.supported) assert.equal(overview.groupCount, groups.groups.length);
    else assert.equal(overview.groupCount, null);
  });

  it("an unreachable cluster is UNAVAILABLE within seconds", async () => {
    const dead = new ClusterClients({ id: "dead", brokers: ["127.0.0.1:1"], clientId: "dead", ssl: undefined, sasl: undefined });
    const started = Date.now();
    await assert.rejects(listTopics({}, dead), rejectsWith("UNAVAILABLE"));
    await assert.rejects(listConsumerGroups(dead), rejectsWith("UNAVAILABLE"));
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    await dead.reset();
  });
});
