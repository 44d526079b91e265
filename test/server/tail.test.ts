import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Kafka, logLevel, type Producer } from "kafkajs";
import { startTestBroker, uniqueTopic, type TestBroker } from "../../broker/test/helpers/broker";
import { createTopicInputSchema } from "@/lib/contracts";
import { ClusterClients, useCluster } from "@/server/kafka/registry";
import { WireConnection } from "@/server/kafka/wire";
import { createTopic } from "@/server/services/create-topic";
import { listTopics } from "@/server/services/list-topics";
import { activeTails, startTail, TailCapError, tailInputSchema, tailLimitsFromEnv, type TailBatch, type TailEnd, type TailLimits } from "@/server/services/tail-records";
import { GET as tailRoute } from "@/app/api/topics/[topic]/tail/route";

const FETCH = 1;
const text = (base64: string) => Buffer.from(base64, "base64").toString("utf8");
const create = (name: string, partitions = 1) => createTopic(createTopicInputSchema.parse({ name, partitions, replicationFactor: 1, configs: {} }));
const limits = (changes: Partial<TailLimits> = {}): TailLimits => ({ ...tailLimitsFromEnv(), maxWaitMs: 200, ...changes });

/** A tail whose batches and end are collected, with a way to wait for enough records. */
async function collectTail(topic: string, query: Record<string, string>, clients: ClusterClients, tailLimits = limits()) {
  const abort = new AbortController();
  const batches: TailBatch[] = [];
  const ends: TailEnd[] = [];
  let started!: () => void;
  const startedPromise = new Promise<void>((r) => (started = r));
  const tail = await startTail(topic, tailInputSchema.parse(query), abort.signal, { onStart: () => started(), onBatch: (b) => batches.push(b), onEnd: (e) => ends.push(e) }, clients, tailLimits);
  await startedPromise;
  const values = () => batches.flatMap((b) => b.messages.map((m) => text(m.value!.base64)));
  const waitFor = async (count: number) => {
    const deadline = Date.now() + 10_000;
    while (values().length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return values();
  };
  return { abort, tail, batches, ends, values, waitFor };
}

describe("live tail against a real broker", () => {
  let node: TestBroker;
  let clients: ClusterClients;
  let producer: Producer;

  before(async () => {
    node = await startTestBroker();
    clients = useCluster({ id: "default", brokers: [node.bootstrap], clientId: "sluice-tail-test", ssl: undefined, sasl: undefined });
    producer = new Kafka({ clientId: "tail-test", brokers: [node.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  });
  after(async () => {
    await producer?.disconnect();
    await clients?.reset();
    await node?.destroy();
  });

  it("follows records produced after it started, on every partition, not those before", async () => {
    const topic = uniqueTopic("tail-all");
    await create(topic, 3);
    await producer.send({ topic, messages: [{ value: "before", partition: 0 }] });
    const t = await collectTail(topic, {}, clients);
    await producer.send({ topic, messages: [0, 1, 2].map((p) => ({ value: `after-${p}`, partition: p })) });
    const seen = await t.waitFor(3);
    const deadline = Date.now() + 5_000;
    while (t.batches.at(-1)!.ratePerSecond !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    t.abort.abort();
    await t.tail.done;
    assert.deepEqual([...seen].sort(), ["after-0", "after-1", "after-2"]);
    assert.ok(t.batches.some((b) => b.ratePerSecond > 0), "batches carry the arrival rate");
    assert.equal(t.batches.at(-1)!.ratePerSecond, 0, "a quiet topic's rate falls back to 0");
  });

  it("one partition only, filtered on the server with the message search's matcher", async () => {
    const topic = uniqueTopic("tail-filter");
    await create(topic, 2);
    const t = await collectTail(topic, { partition: "1", q: "ORDER" }, clients);
    await producer.send({
      topic,
      messages: [
        { value: "order 1", partition: 1 },
        { value: "payment 2", partition: 1 },
        { value: "order 3 elsewhere", partition: 0 },
        { value: "x", key: "order-key", partition: 1 },
      ],
    });
    const seen = await t.waitFor(2);
    await new Promise((r) => setTimeout(r, 300)); // time for a wrong extra record to show up
    t.abort.abort();
    await t.tail.done;
    assert.deepEqual(t.values(), ["order 1", "x"]);
    assert.equal(seen.length, 2);
    assert.equal(t.batches.reduce((sum, b) => sum + b.arrived, 0), 3, "arrivals count records of the tailed partition before the filter");
  });

  it("after abort the tail sends no further Fetch and releases its slot", async () => {
    const topic = uniqueTopic("tail-abort");
    await create(topic);
    const before = activeTails();
    const asked: number[] = [];
    const request = WireConnection.prototype.request;
    WireConnection.prototype.request = function (this: WireConnection, apiKey: number, ...rest: [number, unknown, number]) {
      asked.push(apiKey);
      return request.call(this, apiKey, ...rest);
    } as typeof request;
    try {
      const t = await collectTail(topic, {}, clients, limits({ maxWaitMs: 5_000 }));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(activeTails(), before + 1);
      t.abort.abort();
      await t.tail.done;
      const fetchesAtAbort = asked.filter((k) => k === FETCH).length;
      assert.ok(fetchesAtAbort >= 1, "the tail was long-polling");
      await producer.send({ topic, messages: [{ value: "late" }] });
      await new Promise((r) => setTimeout(r, 700));
      assert.equal(asked.filter((k) => k === FETCH).length, fetchesAtAbort, "no Fetch after the abort");
      assert.deepEqual(t.values(), []);
    } finally {
      WireConnection.prototype.request = request;
    }
    assert.equal(activeTails(), before);
  });

  it("a list of topics to the same broker completes while a tail long-polls an idle topic", async () => {
    const topic = uniqueTopic("tail-idle");
    await create(topic);
    const order: string[] = [];
    const request = WireConnection.prototype.request;
    // Marks when each long-polling Fetch is answered.
    WireConnection.prototype.request = function (this: WireConnection, apiKey: number, version: number, body: unknown, timeoutMs: number) {
      const answer = request.call(this, apiKey, version, body, timeoutMs);
      if (apiKey === FETCH && (body as { maxWaitMs: number }).maxWaitMs > 0) answer.then(() => order.push("long poll answered"), () => order.push("long poll closed"));
      return answer;
    } as typeof request;
    try {
      const t = await collectTail(topic, {}, clients, limits({ maxWaitMs: 4_000 }));
      await new Promise((r) => setTimeout(r, 100)); // the first long poll is on the wire
      await listTopics({ q: topic });
      order.push("list-topics done");
      t.abort.abort();
      await t.tail.done;
    } finally {
      WireConnection.prototype.request = request;
    }
    assert.equal(order[0], "list-topics done", `order: ${order.join(", ")}`);
  });

  it("caps concurrent tails: the route answers 429 with a clear message, and a closed tail frees its place", async () => {
    const topic = uniqueTopic("tail-cap");
    await create(topic);
    const saved = process.env.SLUICE_TAIL_MAX;
    process.env.SLUICE_TAIL_MAX = String(activeTails() + 1);
    const url = `http://console.test/api/topics/${topic}/tail`;
    const context = { params: Promise.resolve({ topic }) };
    try {
      const first = await tailRoute(new Request(url), context);
      assert.equal(first.status, 200);
      assert.match(first.headers.get("content-type")!, /text\/event-stream/);
      const reader = first.body!.getReader();
      const { value } = await reader.read();
      assert.match(new TextDecoder().decode(value), /^event: start\n/);

      const second = await tailRoute(new Request(url), context);
      assert.equal(second.status, 429);
      assert.match(((await second.json()) as { error: { message: string } }).error.message, /live tails are open/);
      await assert.rejects(startTail(topic, tailInputSchema.parse({}), new AbortController().signal, { onStart() {}, onBatch() {}, onEnd() {} }, clients), TailCapError);

      // A browser's EventSource cannot read a 429's body, so it is told why in the stream itself.
      const fromBrowser = await tailRoute(new Request(url, { headers: { accept: "text/event-stream" } }), context);
      assert.equal(fromBrowser.status, 200);
      assert.match(fromBrowser.headers.get("content-type")!, /text\/event-stream/);
      const refusal = await fromBrowser.text();
      assert.match(refusal, /^event: end\ndata: /);
      assert.deepEqual(JSON.parse(refusal.split("data: ")[1]), { reason: "refused", message: new TailCapError(Number(process.env.SLUICE_TAIL_MAX)).message });

      await reader.cancel(); // the browser went away
      const deadline = Date.now() + 5_000;
      let third = await tailRoute(new Request(url), context);
      while (third.status === 429 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        third = await tailRoute(new Request(url), context);
      }
      assert.equal(third.status, 200);
      await third.body!.cancel();
    } finally {
      if (saved === undefined) delete process.env.SLUICE_TAIL_MAX;
      else process.env.SLUICE_TAIL_MAX = saved;
    }
  });

  it("goes on when its broker goes away and comes back: it says what it waits for, then follows from where it was", async () => {
    // A broker of its own, restarted on the same port and log dir, as a node of a cluster restarts.
    const own = await startTestBroker();
    const ownClients = new ClusterClients({ id: "tail-restart", brokers: [own.bootstrap], clientId: "sluice-tail-restart", ssl: undefined, sasl: undefined });
    const ownProducer = new Kafka({ clientId: "tail-restart", brokers: [own.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10 } }).producer();
    let restarted: TestBroker | null = null;
    const abort = new AbortController();
    try {
      const topic = uniqueTopic("tail-restart");
      await ownProducer.connect();
      const admin = new Kafka({ clientId: "tail-restart-admin", brokers: [own.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      await admin.disconnect();
      const batches: TailBatch[] = [];
      const notices: string[] = [];
      const ends: TailEnd[] = [];
      let started!: () => void;
      const startedPromise = new Promise<void>((r) => (started = r));
      const tail = await startTail(
        topic,
        tailInputSchema.parse({}),
        abort.signal,
        { onStart: () => started(), onBatch: (b) => batches.push(b), onNotice: (n) => notices.push(n.message), onEnd: (e) => ends.push(e) },
        ownClients,
        limits(),
      );
      await startedPromise;
      const values = () => batches.flatMap((b) => b.messages.map((m) => text(m.value!.base64)));
      const waitUntil = async (done: () => boolean, what: string) => {
        const deadline = Date.now() + 20_000;
        while (!done()) {
          if (Date.now() > deadline) assert.fail(`${what}; values ${JSON.stringify(values())}, notices ${JSON.stringify(notices)}, ends ${JSON.stringify(ends)}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await ownProducer.send({ topic, messages: [{ value: "before-restart", partition: 0 }] });
      await waitUntil(() => values().includes("before-restart"), "the record before the restart arrives");

      await own.stop();
      await waitUntil(() => notices.some((n) => /finding the leader of partitions? /.test(n)), "the tail says it looks for the leader");
      assert.equal(ends.length, 0, "the tail did not end when its broker went away");
      restarted = await startTestBroker({ listeners: `PLAINTEXT://127.0.0.1:${own.port}` }, own.logDir);
      await ownProducer.send({ topic, messages: [{ value: "after-restart-0", partition: 0 }, { value: "after-restart-1", partition: 1 }] });
      await waitUntil(() => values().includes("after-restart-0") && values().includes("after-restart-1"), "records produced after the restart arrive");
      await waitUntil(() => notices.at(-1) === "", "the notice is cleared once the tail follows every partition again");
      assert.deepEqual(values().filter((v) => v === "before-restart"), ["before-restart"], "nothing is read twice");
      assert.equal(ends.length, 0);
      abort.abort();
      await tail.done;
    } finally {
      abort.abort();
      await ownProducer.disconnect().catch(() => {});
      await ownClients.reset();
      await restarted?.destroy();
      await own.destroy();
    }
  });

  it("ends the stream with a final event at the time limit, and an unknown topic is a 404", async () => {
    const topic = uniqueTopic("tail-time");
    await create(topic);
    const t = await collectTail(topic, {}, clients, limits({ timeMs: 300 }));
    await t.tail.done;
    assert.equal(t.ends.length, 1);
    assert.equal(t.ends[0].reason, "time-limit");
    const missing = await tailRoute(new Request("http://console.test/api/topics/no-such-topic-xyz/tail"), { params: Promise.resolve({ topic: "no-such-topic-xyz" }) });
    assert.equal(missing.status, 404);
  });
});
