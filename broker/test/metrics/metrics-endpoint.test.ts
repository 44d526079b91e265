import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { Kafka, logLevel } from "kafkajs";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { rawExchange, scrape, sumOf, valueOf, type Sample } from "../helpers/exposition";
import { hasCommand, requireClient, run } from "../helpers/processes";

const skip = requireClient(hasCommand("kcat"), "kcat");

describe("the metrics listener of a broker node, scraped over HTTP while kafkajs and kcat produce and consume", { skip }, () => {
  let node: TestBroker;
  let metricsPort: number;
  let kafka: Kafka;

  before(async () => {
    node = await startTestBroker({ "metrics.listener": "127.0.0.1:0", "num.partitions": "1" });
    metricsPort = node.broker.metricsPort!;
    kafka = new Kafka({ clientId: "metrics-test", brokers: [node.bootstrap], logLevel: logLevel.NOTHING });
  });
  after(async () => {
    await node?.destroy();
  });

  const kcat = (args: string[], input?: string) => run("kcat", ["-b", node.bootstrap, ...args], { input, timeoutMs: 30_000 });
  const requests = (samples: Sample[], request: string) => sumOf(samples, "kafka_network_requestmetrics_requests_total", { request });

  it("counts the records and bytes produced and consumed per topic and for all topics, and each request by api", async () => {
    const topic = uniqueTopic("metrics");
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const before = await scrape(metricsPort);
    const producer = kafka.producer();
    await producer.connect();
    for (let send = 0; send < 3; send++) await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `kafkajs-${send}-${i}` })) });
    const whileConnected = await scrape(metricsPort);
    await producer.disconnect();
    // Three sends to one partition are three Produce requests.
    assert.equal(requests(whileConnected, "Produce") - requests(before, "Produce"), 3);
    assert.equal(valueOf(whileConnected, "kafka_server_brokertopicmetrics_messagesin_total", { topic }), 30);
    assert.ok((valueOf(whileConnected, "kafka_server_socket_server_metrics_connection_count", { listener: "PLAINTEXT", networkProcessor: "0" }) ?? 0) >= 1);

    const produced = await kcat(["-t", topic, "-P"], Array.from({ length: 20 }, (_, i) => `kcat-${i}`).join("\n") + "\n");
    assert.equal(produced.code, 0, produced.stderr);

    const consumed = await kcat(["-t", topic, "-C", "-e", "-o", "beginning"]);
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.equal(consumed.stdout.trim().split("\n").length, 50);
    const consumer = kafka.consumer({ groupId: uniqueTopic("metrics-group") });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let received = 0;
    const allReceived = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async () => {
          if (++received === 50) resolve();
        },
      });
    });
    await allReceived;
    await consumer.disconnect();

    const samples = await scrape(metricsPort);
    const messagesIn = valueOf(samples, "kafka_server_brokertopicmetrics_messagesin_total", { topic });
    const bytesIn = valueOf(samples, "kafka_server_brokertopicmetrics_bytesin_total", { topic })!;
    const bytesOut = valueOf(samples, "kafka_server_brokertopicmetrics_bytesout_total", { topic })!;
    assert.equal(messagesIn, 50, "every record produced, by kafkajs and kcat, counted once");
    assert.ok(bytesIn > 50 * "kcat-0".length, `bytes in: ${bytesIn}`);
    // Two consumers each read every stored batch at least once.
    assert.ok(bytesOut >= 2 * bytesIn, `bytes out ${bytesOut} against bytes in ${bytesIn}`);
    // Sluice's messages out: every record once per consumer, counted from the batch headers sent.
    const messagesOut = valueOf(samples, "sluice_server_brokertopicmetrics_messagesout_total", { topic })!;
    assert.ok(messagesOut >= 100 && messagesOut <= 100 + 2 * 20, `messages out: ${messagesOut}`);
    // The all-topics series (no label) holds this topic's and __consumer_offsets' too.
    assert.ok(valueOf(samples, "kafka_server_brokertopicmetrics_messagesin_total")! > messagesIn!);
    assert.ok(valueOf(samples, "kafka_server_brokertopicmetrics_bytesout_total")! >= bytesOut);

    for (const api of ["Produce", "Fetch", "Metadata", "ApiVersions", "FindCoordinator", "JoinGroup", "SyncGroup", "OffsetCommit"])
      assert.ok(requests(samples, api) > requests(before, api), `${api} requests counted`);
    // Fetches from consumers are counted under Fetch and FetchConsumer too, as Kafka's RequestChannel does.
    assert.equal(requests(samples, "FetchConsumer"), requests(samples, "Fetch"));
    assert.equal(requests(samples, "FetchFollower"), 0);
    const produceVersions = samples.filter((s) => s.name === "kafka_network_requestmetrics_requests_total" && s.labels.request === "Produce").map((s) => s.labels.version);
    assert.ok(produceVersions.length >= 1 && produceVersions.every((version) => /^\d+$/.test(version)), `Produce by version: ${produceVersions}`);
    // Every request counted is timed.
    for (const api of ["Produce", "Fetch", "Metadata"]) {
      assert.equal(valueOf(samples, "kafka_network_requestmetrics_totaltimems_count", { request: api }), requests(samples, api));
      const p99 = valueOf(samples, "kafka_network_requestmetrics_totaltimems", { request: api, quantile: "0.99" })!;
      const p50 = valueOf(samples, "kafka_network_requestmetrics_totaltimems", { request: api, quantile: "0.50" })!;
      assert.ok(p99 > 0 && p99 >= p50, `${api}: p50 ${p50} ms, p99 ${p99} ms`);
      assert.ok(valueOf(samples, "kafka_network_requestmetrics_totaltimems_sum", { request: api })! > 0);
    }
  });

  it("reports the replica, controller and quorum state of a cluster of one, and the event loop's delay", async () => {
    const samples = await scrape(metricsPort);
    assert.equal(valueOf(samples, "kafka_server_replicamanager_underreplicatedpartitions"), 0);
    assert.equal(valueOf(samples, "kafka_server_replicamanager_isrshrinks_total"), 0);
    assert.equal(valueOf(samples, "kafka_server_replicamanager_isrexpands_total"), 0);
    const image = node.broker.image;
    let partitions = 0;
    for (const topic of image.topicsByName.values()) partitions += topic.partitions.length;
    assert.equal(valueOf(samples, "kafka_server_replicamanager_partitioncount"), partitions);
    assert.equal(valueOf(samples, "kafka_server_replicamanager_leadercount"), partitions);
    assert.equal(valueOf(samples, "kafka_controller_kafkacontroller_activecontrollercount"), 1);
    assert.equal(valueOf(samples, "kafka_controller_kafkacontroller_offlinepartitionscount"), 0);
    assert.equal(valueOf(samples, "kafka_controller_kafkacontroller_globalpartitioncount"), partitions);
    assert.equal(valueOf(samples, "kafka_controller_kafkacontroller_globaltopiccount"), image.topicsByName.size);
    assert.equal(valueOf(samples, "kafka_server_raftmetrics_current_leader"), 1);
    assert.equal(valueOf(samples, "kafka_server_raftmetrics_current_state", { current_state: "leader" }), 1);
    assert.equal(valueOf(samples, "kafka_server_raftmetrics_log_end_offset"), node.broker.metadataLog.endOffset);
    assert.equal(valueOf(samples, "kafka_server_kafkaserver_brokerstate"), 3);
    for (const stat of ["min", "max", "mean", "stddev", "p50", "p90", "p99"]) {
      const seconds = valueOf(samples, `nodejs_eventloop_lag_${stat}_seconds`);
      assert.ok(seconds !== undefined && seconds >= 0 && seconds < 60, `${stat}: ${seconds}`);
    }
  });

  it("answers malformed and unexpected HTTP with a 4xx and a closed connection, and keeps serving Kafka and scrapes", async () => {
    const cases: Array<[string, Buffer | string, RegExp]> = [
      ["a request line that is not HTTP", "HELLO\r\n\r\n", /^HTTP\/1\.1 400 /],
      ["binary bytes", Buffer.from([0, 1, 2, 0xff, 0xfe, 13, 10, 13, 10]), /^HTTP\/1\.1 400 /],
      ["a header line without a colon", "GET /metrics HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n", /^HTTP\/1\.1 400 /],
      ["a body", "POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", /^HTTP\/1\.1 400 /],
      ["a chunked body", "GET /metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", /^HTTP\/1\.1 400 /],
      ["another method", "DELETE /metrics HTTP/1.1\r\n\r\n", /^HTTP\/1\.1 405 [^]*Allow: GET, HEAD/],
      ["a head without end", `GET /metrics HTTP/1.1\r\nX-Long: ${"a".repeat(20_000)}`, /^HTTP\/1\.1 431 /],
      ["HTTP/2's preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", /^HTTP\/1\.1 400 /],
    ];
    for (const [what, payload, expected] of cases) {
      const { text, closed } = await rawExchange(metricsPort, payload);
      assert.match(text, expected, what);
      assert.ok(closed, `${what}: the connection closes`);
    }
    const notFound = await rawExchange(metricsPort, "GET /other HTTP/1.0\r\n\r\n");
    assert.match(notFound.text, /^HTTP\/1\.1 404 /);
    // HEAD: the length GET would send, no body.
    const head = await rawExchange(metricsPort, "HEAD /metrics HTTP/1.1\r\nConnection: close\r\n\r\n");
    const length = Number(/Content-Length: (\d+)/.exec(head.text)?.[1]);
    assert.ok(length > 1000 && head.text.endsWith("\r\n\r\n"), head.text);
    // Two pipelined GETs on one connection get two whole responses; the second asked to close.
    const pipelined = await rawExchange(metricsPort, "GET /metrics HTTP/1.1\r\n\r\nGET /metrics?x=1 HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert.equal(pipelined.text.match(/^HTTP\/1\.1 200 OK/gm)?.length, 2);
    assert.ok(pipelined.closed);
    // A peer that hangs up half-way through a head, and many at once.
    await Promise.all(Array.from({ length: 80 }, () => rawExchange(metricsPort, "GET /metr", 200)));

    const admin = kafka.admin();
    await admin.connect();
    assert.ok(Array.isArray(await admin.listTopics()));
    await admin.disconnect();
    assert.ok((await scrape(metricsPort)).length > 0);
    assert.equal(node.broker.unexpectedErrors.total, 0);
  });

  it("answers any bytes, random or HTTP-shaped, with an HTTP/1.1 status line or by closing, and stays up", async () => {
    const token = fc.constantFrom("GET", "HEAD", "POST", "get", "/metrics", "/", "*", "HTTP/1.1", "HTTP/1.0", "HTTP/2", " ", "\r\n", "\n", ":", "Content-Length: 3", "Connection: close", "Transfer-Encoding: chunked", "\u00ff", "\u0000");
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
      fc.array(token, { maxLength: 40 }).map((tokens) => Buffer.from(tokens.join(""), "latin1")),
    );
    await fc.assert(
      fc.asyncProperty(payload, async (bytes) => {
        const { text } = await rawExchange(metricsPort, bytes, 300);
        // Silence is fine while the head is incomplete; whatever is answered is HTTP.
        if (text !== "") assert.match(text, /^HTTP\/1\.1 [2-4]\d\d [A-Za-z ]+\r\n/);
      }),
      { numRuns: 150, seed: 20261208 },
    );
    assert.ok((await scrape(metricsPort)).length > 0);
    assert.equal(node.broker.unexpectedErrors.total, 0);
  });
});
