import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { freePort } from "../helpers/broker-process";
import { requireClient } from "../helpers/processes";

const PROMETHEUS = "/usr/bin/prometheus";
const SCRAPE_WAIT_MS = 60_000;
const skip = requireClient(existsSync(PROMETHEUS), "prometheus");

type QueryAnswer = { status: string; data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };

describe("a broker node's metrics scraped by a real Prometheus", { skip }, () => {
  let node: TestBroker;
  let prometheus: ChildProcess | null = null;
  let log = "";
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-broker-prometheus-"));
  const topic = uniqueTopic("prometheus");

  before(async () => {
    node = await startTestBroker({ "metrics.listener": "127.0.0.1:0" });
    const producer = new Kafka({ clientId: "prometheus-test", brokers: [node.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 25 }, (_, i) => ({ value: `m${i}` })) });
    await producer.disconnect();
  });
  after(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once("exit", resolve));
      prometheus.kill("SIGTERM");
      await exited;
    }
    await node?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  async function query(webPort: number, promql: string): Promise<QueryAnswer | null> {
    try {
      const response = await fetch(`http://127.0.0.1:${webPort}/api/v1/query?query=${encodeURIComponent(promql)}`);
      return response.ok ? ((await response.json()) as QueryAnswer) : null;
    } catch {
      return null; // not listening yet
    }
  }

  it("parses every scrape (up is 1) and answers the messages-in series of the topic produced to", async () => {
    const webPort = await freePort();
    const config = path.join(dir, "prometheus.yml");
    writeFileSync(
      config,
      ["global:", "  scrape_interval: 1s", "scrape_configs:", "  - job_name: sluice-broker", "    static_configs:", `      - targets: ["127.0.0.1:${node.broker.metricsPort}"]`, ""].join("\n"),
    );
    prometheus = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, "tsdb")}`, `--web.listen-address=127.0.0.1:${webPort}`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    prometheus.stdout!.on("data", (chunk) => (log += chunk));
    prometheus.stderr!.on("data", (chunk) => (log += chunk));

    const series = `kafka_server_brokertopicmetrics_messagesin_total{topic="${topic}"}`;
    const deadline = Date.now() + SCRAPE_WAIT_MS;
    let answer: QueryAnswer | null = null;
    while (Date.now() < deadline) {
      answer = await query(webPort, series);
      if (answer?.data?.result.length) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.ok(answer?.data?.result.length, `Prometheus answered ${series} within ${SCRAPE_WAIT_MS} ms; its log:\n${log.slice(-2000)}`);
    const [sample] = answer.data.result;
    assert.deepEqual([sample.metric.job, sample.value[1]], ["sluice-broker", "25"]);
    const up = await query(webPort, 'up{job="sluice-broker"}');
    assert.equal(up?.data?.result[0]?.value[1], "1", "the scrape succeeded (the text parsed)");
    // A summary's quantile series and a labelled gauge come through as well.
    const p99 = await query(webPort, 'kafka_network_requestmetrics_totaltimems{request="Produce",quantile="0.99"}');
    assert.ok(Number(p99?.data?.result[0]?.value[1]) > 0, JSON.stringify(p99));
    const state = await query(webPort, "kafka_server_raftmetrics_current_state");
    assert.equal(state?.data?.result[0]?.metric.current_state, "leader");
  });
});
