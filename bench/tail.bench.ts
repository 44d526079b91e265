/**
 * `npm run bench:tail`: the live tail under a fast topic, with real parts only.
 * Starts one broker node and the built console, produces at a steady rate
 * (50,000 records/s by default) into a topic, opens the topic's Messages tab in
 * Debian's Chromium, switches Live on and watches it for a minute, reading
 * every second, in the page:
 *
 *   - records the page received from the stream (what it can show; the server
 *     sends at most 500 per 100 ms flush and counts the rest as skipped);
 *   - the page's JS heap (Chrome DevTools Protocol Performance.getMetrics) and
 *     its DOM size, to show the buffer is bounded;
 *   - the longest gap between animation frames, to show the page never froze.
 *
 *   npm run bench:tail -- [--rate N] [--seconds N] [--partitions N] [--keep]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";
import { Kafka, logLevel } from "kafkajs";
import { BenchBroker } from "../broker/bench/broker-node";
import { CliArgs } from "../broker/bench/cli-args";
import { CHROMIUM_ARGS, ConsoleServer, ensureBuild } from "./console-server";
import { producePaced } from "./raw-produce";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TOPIC = "tail-bench";
const VALUE_BYTES = 100;
const RECORDS_PER_BATCH = 500;
/** Seconds of tailing before the first reading counts, so that start-up is not measured. */
const WARMUP_SECONDS = 5;

const cli = new CliArgs();
const rate = Number(cli.option("--rate") ?? 50_000);
const seconds = Number(cli.option("--seconds") ?? 60);
const partitions = Number(cli.option("--partitions") ?? 4);
const keep = cli.flag("--keep");
const usage = "usage: npm run bench:tail -- [--rate N] [--seconds N] [--partitions N] [--keep]";
if (cli.rest.length > 0) {
  console.error(`unknown arguments: ${cli.rest.join(" ")}\n${usage}`);
  process.exit(2);
}
for (const [name, value] of [["--rate", rate], ["--seconds", seconds], ["--partitions", partitions]] as const) {
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} must be a positive integer\n${usage}`);
    process.exit(2);
  }
}
const log = (message: string) => console.log(`[bench:tail] ${message}`);

/**
 * In the page, before its scripts: counts the records every EventSource
 * delivers in `records` events, and tracks the longest gap between animation
 * frames (source text, since tsx would wrap named functions in a helper the page lacks).
 */
const PROBE = `
  window.__tail = { received: 0, batches: 0, skipped: 0, frameGapMaxMs: 0 };
  var NativeEventSource = window.EventSource;
  window.EventSource = function (url, init) {
    var source = new NativeEventSource(url, init);
    source.addEventListener("records", function (event) {
      var batch = JSON.parse(event.data);
      window.__tail.received += batch.messages.length;
      window.__tail.skipped += batch.skipped;
      window.__tail.batches++;
    });
    return source;
  };
  window.EventSource.CLOSED = NativeEventSource.CLOSED;
  window.EventSource.OPEN = NativeEventSource.OPEN;
  window.EventSource.CONNECTING = NativeEventSource.CONNECTING;
  var lastFrame = performance.now();
  function frame(now) {
    if (now - lastFrame > window.__tail.frameGapMaxMs) window.__tail.frameGapMaxMs = now - lastFrame;
    lastFrame = now;
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
`;

interface Reading {
  second: number;
  received: number;
  skipped: number;
  heapBytes: number;
  domNodes: number;
  shownText: string;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

ensureBuild(log);
const tempDir = mkdtempSync(path.join(os.tmpdir(), "sluice-tail-bench-"));
const broker = await BenchBroker.start({ dir: tempDir });
let consoleServer: ConsoleServer | null = null;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
const producing = new AbortController();
let produced: Promise<{ records: number; seconds: number }> | null = null;
try {
  const admin = new Kafka({ clientId: "sluice-tail-bench", brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: partitions }] });
  await admin.disconnect();
  consoleServer = await ConsoleServer.start(tempDir, broker.bootstrap, { SLUICE_DATA_DIR: path.join(tempDir, "console-data") });
  log(`broker on ${broker.bootstrap}, console on ${consoleServer.url}; ${os.cpus().length} cpus, node ${process.version}`);

  produced = producePaced({ port: broker.port, topic: TOPIC, partitions, recordsPerSecond: rate, recordsPerBatch: RECORDS_PER_BATCH, valueBytes: VALUE_BYTES, signal: producing.signal });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript(PROBE);
  await page.goto(`${consoleServer.url}/topics/${encodeURIComponent(TOPIC)}`);
  await page.getByTestId("live-toggle").click();
  await page.getByTestId("live-status").and(page.locator('[data-state="live"]')).waitFor({ timeout: 30_000 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const read = async (second: number): Promise<Reading> => {
    const probe = (await page.evaluate("window.__tail")) as { received: number; skipped: number };
    const { metrics } = await cdp.send("Performance.getMetrics");
    const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
    return { second, received: probe.received, skipped: probe.skipped, heapBytes: metric("JSHeapUsedSize"), domNodes: metric("Nodes"), shownText: await page.getByTestId("live-count").innerText() };
  };

  const readings: Reading[] = [];
  await page.waitForTimeout(WARMUP_SECONDS * 1000);
  await page.evaluate("window.__tail.frameGapMaxMs = 0");
  const startedAt = performance.now();
  for (let second = 0; second <= seconds; second++) {
    const due = startedAt + second * 1000;
    const wait = due - performance.now();
    if (wait > 0) await page.waitForTimeout(wait);
    readings.push(await read(second));
  }
  const frameGapMaxMs = (await page.evaluate("window.__tail.frameGapMaxMs")) as number;
  const rateText = await page.getByTestId("live-rate").innerText();
  producing.abort();
  const producedFigures = await produced;
  produced = null;

  const perSecond = readings.slice(1).map((r, i) => r.received - readings[i].received);
  const skippedPerSecond = readings.slice(1).map((r, i) => r.skipped - readings[i].skipped);
  const first = readings[0];
  const last = readings[readings.length - 1];
  const summary = {
    targetRecordsPerSecond: rate,
    producedRecordsPerSecond: Math.round(producedFigures.records / producedFigures.seconds),
    partitions,
    seconds,
    receivedPerSecondMedian: median(perSecond),
    skippedPerSecondMedian: median(skippedPerSecond),
    heapBytesAfterWarmup: first.heapBytes,
    heapBytesAtEnd: last.heapBytes,
    heapBytesMax: Math.max(...readings.map((r) => r.heapBytes)),
    domNodesAtEnd: last.domNodes,
    domNodesMax: Math.max(...readings.map((r) => r.domNodes)),
    frameGapMaxMs: Math.round(frameGapMaxMs),
    pageShows: last.shownText,
    pageRateText: rateText,
  };
  console.log("");
  console.log(`producer: ${summary.producedRecordsPerSecond.toLocaleString("en-US")} records/s reached (target ${rate.toLocaleString("en-US")}), ${partitions} partitions, ${VALUE_BYTES}-byte values`);
  console.log(`page received: median ${summary.receivedPerSecondMedian.toLocaleString("en-US")} records/s over ${seconds} s; skipped by the server: median ${summary.skippedPerSecondMedian.toLocaleString("en-US")}/s`);
  console.log(`page says: "${summary.pageRateText}", buffer ${summary.pageShows} shown`);
  console.log(`JS heap: ${mib(summary.heapBytesAfterWarmup)} after warm-up, ${mib(summary.heapBytesAtEnd)} after ${seconds} s, max ${mib(summary.heapBytesMax)}`);
  console.log(`DOM nodes: ${summary.domNodesAtEnd} at the end, max ${summary.domNodesMax}; longest gap between frames ${summary.frameGapMaxMs} ms`);
  const resultsDir = path.join(ROOT, "bench-results");
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `tail-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify({ summary, readings }, null, 2));
  log(`wrote ${path.relative(ROOT, file)}`);
} finally {
  producing.abort();
  await produced?.catch(() => {});
  await browser.close();
  await consoleServer?.stop();
  await broker.stop();
  if (!keep) rmSync(tempDir, { recursive: true, force: true });
  else log(`kept ${tempDir}`);
}
