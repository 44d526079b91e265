import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { startTestBroker, uniqueTopic, type TestBroker } from "../../../broker/test/helpers/broker";
import { ClusterClients, useCluster } from "@/server/kafka/registry";
import { useLagHistoryStore } from "@/server/lag-history";
import { LagSampler } from "@/server/lag-history/sampler";
import { LagHistoryStore } from "@/server/lag-history/store";
import { GET } from "@/app/metrics/route";
import { describeCluster } from "@/server/services/describe-cluster";

const PROMETHEUS = "/usr/bin/prometheus";
const SCRAPE_WAIT_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Parses the text format into samples: name, labels and value (comments skipped). */
function parseExposition(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

describe("/metrics against a real broker and a real Prometheus", () => {
  let node: TestBroker;
  let clients: ClusterClients;
  let store: LagHistoryStore;
  let server: http.Server;
  let prometheus: ChildProcess | null = null;
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-metrics-"));
  const topic = uniqueTopic("metrics");
  const groupId = uniqueTopic("g-metrics");

  before(async () => {
    node = await startTestBroker();
    clients = useCluster({ id: "default", brokers: [node.bootstrap], clientId: "sluice-metrics-test", ssl: undefined, sasl: undefined });
    store = LagHistoryStore.open(path.join(dir, "lag-history.sqlite"));
    useLagHistoryStore(store);
    const admin = await clients.getAdmin();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const producer = new Kafka({ clientId: "metrics-test", brokers: [node.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    for (const partition of [0, 1]) await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition, value: `m${i}` })) });
    await producer.disconnect();
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: "3" }, { partition: 1, offset: "10" }] });
    const sampler = new LagSampler(clients, store, { intervalMs: 60_000 });
    assert.equal(await sampler.tick(), "ok");
    assert.equal(await sampler.tick(), "ok");

    // The route handler served over HTTP on loopback, as Next serves it.
    server = http.createServer(async (req, res) => {
      const response = await GET(new Request(`http://127.0.0.1${req.url}`), undefined as never);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(await response.text());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  after(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once("exit", resolve));
      prometheus.kill("SIGTERM");
      await exited;
    }
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await clients?.reset();
    await node?.destroy();
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves lag, offsets and the sampler's health in the text format under kafka-lag-exporter's and KMinion's names", async () => {
    const { port } = server.address() as net.AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const samples = parseExposition(await response.text());
    const value = (name: string, labels: Record<string, string>) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    const p0 = { cluster_name: "default", group: groupId, topic, partition: "0" };
    assert.equal(value("kafka_consumergroup_group_lag", p0), 7);
    assert.equal(value("kafka_consumergroup_group_offset", p0), 3);
    assert.equal(value("kafka_consumergroup_group_lag", { ...p0, partition: "1" }), 0);
    assert.equal(value("kafka_consumergroup_group_lag_seconds", { ...p0, partition: "1" }), 0);
    assert.equal(value("kafka_consumergroup_group_sum_lag", { cluster_name: "default", group: groupId }), 7);
    assert.equal(value("kafka_consumergroup_group_max_lag", { cluster_name: "default", group: groupId, is_simple_consumer: "false" }), 7);
    assert.equal(value("kafka_partition_latest_offset", { cluster_name: "default", topic, partition: "0" }), 10);
    assert.equal(value("kafka_partition_earliest_offset", { cluster_name: "default", topic, partition: "0" }), 0);
    assert.equal(value("kminion_kafka_consumer_group_topic_lag", { group_id: groupId, topic_name: topic }), 7);
    assert.equal(value("kminion_kafka_consumer_group_topic_partition_lag", { group_id: groupId, topic_name: topic, partition_id: "0" }), 7);
    assert.equal(value("kminion_kafka_topic_partition_high_water_mark", { topic_name: topic, partition_id: "1" }), 10);
    assert.equal(value("sluice_lag_sampler_up", { cluster_name: "default" }), 1);
    const lastSuccess = value("sluice_lag_sampler_last_success_timestamp_seconds", { cluster_name: "default" });
    assert.ok(lastSuccess !== undefined && Math.abs(lastSuccess - Date.now() / 1000) < 600, `last success at ${lastSuccess}`);
    assert.ok((value("sluice_lag_sampler_cycle_requests", { cluster_name: "default" }) ?? 0) >= 5);
    // Statuses as the groups list judges them: partition 1 is caught up; one series per group, its status a label.
    assert.equal(value("sluice_consumergroup_partition_status", { ...p0, partition: "1", status: "OK" }), 1);
    const groupStatuses = samples.filter((s) => s.name === "sluice_consumergroup_status" && s.labels.group === groupId);
    assert.equal(groupStatuses.length, 1);
    assert.ok(["OK", "WARNING", "STALLED", "STOPPED", "REWIND"].includes(groupStatuses[0].labels.status), JSON.stringify(groupStatuses));
    assert.equal(groupStatuses[0].value, 1);
  });

  it("gives the overview's total lag over every group of the newest cycle, and says what it covers", async () => {
    const overview = await describeCluster(clients);
    assert.equal(overview.totalLag, 7);
    assert.equal(overview.lagCoverage?.source, "samples");
    assert.equal(overview.lagCoverage?.groups, 1);
    assert.ok(overview.lagCoverage.sampledAtMs !== null && Math.abs(overview.lagCoverage.sampledAtMs - Date.now()) < 600_000, JSON.stringify(overview.lagCoverage));
  });

  it("is scraped by Prometheus, whose query API then answers the lag series", async () => {
    const { port } = server.address() as net.AddressInfo;
    const webPort = await freePort();
    const config = path.join(dir, "prometheus.yml");
    writeFileSync(
      config,
      ["global:", "  scrape_interval: 1s", "scrape_configs:", "  - job_name: sluice", "    static_configs:", `      - targets: ["127.0.0.1:${port}"]`, ""].join("\n"),
    );
    let log = "";
    prometheus = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, "tsdb")}`, `--web.listen-address=127.0.0.1:${webPort}`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    prometheus.stdout!.on("data", (chunk) => (log += chunk));
    prometheus.stderr!.on("data", (chunk) => (log += chunk));
    const query = `kafka_consumergroup_group_lag{group="${groupId}",partition="0"}`;
    const deadline = Date.now() + SCRAPE_WAIT_MS;
    let answer: { status: string; data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } } | null = null;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`http://127.0.0.1:${webPort}/api/v1/query?query=${encodeURIComponent(query)}`);
        if (response.ok) {
          answer = await response.json();
          if (answer?.data?.result.length) break;
        }
      } catch {
        // Not listening yet.
      }
      await sleep(500);
    }
    assert.ok(answer?.data?.result.length, `Prometheus answered the lag series within ${SCRAPE_WAIT_MS} ms; its log:\n${log.slice(-2000)}`);
    const [series] = answer.data.result;
    assert.deepEqual([series.metric.topic, series.metric.job, series.value[1]], [topic, "sluice", "7"]);
    const up = await (await fetch(`http://127.0.0.1:${webPort}/api/v1/query?query=${encodeURIComponent('up{job="sluice"}')}`)).json();
    assert.equal(up.data.result[0]?.value[1], "1", "the scrape succeeded (the text parsed)");
  });
});
