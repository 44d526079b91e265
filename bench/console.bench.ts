/**
 * `npm run bench:console`: the console at scale, with real parts only. Starts
 * one broker node as its own process (free port, temp log dir) and the built
 * console (`next start`, building it first when .next/BUILD_ID is missing)
 * pointed at it, then measures over HTTP and in Debian's Chromium:
 *
 *   - the newest 100 records of a topic holding 10,000,000 (GET /api/topics/<t>/messages),
 *     plus the oldest 100 and 100 from the middle for comparison;
 *   - GET /api/topics with 2,000 topics, its size, the topics page until its table
 *     shows, and a search typed into it until the rows are filtered;
 *   - a consumer group with commits on 1,000 partitions: GET /api/groups, and the
 *     group detail (GET /api/groups/<id>) and page (/groups/<id>) when they exist;
 *   - the lag history (bench/lag-history-cases.ts): the database for a week of
 *     1,000 groups over 10,000 partitions written through the real store, and
 *     one sampling cycle of as many groups and partitions against the broker
 *     (time and requests).
 *
 * Prints a table with targets and writes bench-results/console-<timestamp>.json.
 *
 *   npm run bench:console -- [--quick] [--records N] [--topics N] [--group-partitions N] [--runs N] [--keep]
 *
 *   --quick               1,000,000 records, 500 topics, 200 group partitions, fewer runs (~1 minute)
 *   --records N           records in the big topic (default 10,000,000)
 *   --topics N            topics created for the topic list (default 2,000)
 *   --group-partitions N  partitions the group commits on (default 1,000)
 *   --runs N              timed requests per HTTP case after the warm-up (default 50)
 *   --lag-groups N        groups of the lag history cases (default 1,000)
 *   --lag-partitions N    partitions of the lag history cases (default 10,000)
 *   --lag-days N          days of samples in the lag history size case (default 7; 1 with --quick)
 *   --keep                keeps the temp dir (broker logs, console output)
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "@playwright/test";
import { Kafka, logLevel } from "kafkajs";
import { BenchBroker } from "../broker/bench/broker-node";
import { fillTopic, produceToPartitions } from "./raw-produce";
import { CliArgs } from "../broker/bench/cli-args";
import { CHROMIUM_ARGS, ConsoleServer, ensureBuild } from "./console-server";
import { lagChartCase } from "./lag-chart-case";
import { lagHistorySizeCase, lagSamplerCycleCase } from "./lag-history-cases";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const VALUE_BYTES = 100;
const RECORDS_PER_BATCH = 5_000;
const BIG_TOPIC_PARTITIONS = 1;
const NEWEST_COUNT = 100;
const WARMUP_RUNS = 5;
const PAGE_LOADS = 5;
const SEARCHES = 5;
const COMMITTED_OFFSET = 5;
const RECORDS_PER_GROUP_PARTITION = 10;
/** The group page's partition table and rows, by data-testid. */
const GROUP_TABLE_TEST_ID = "offsets-table";
const GROUP_ROW_TEST_ID_PREFIX = "offset-row-";
/** Rows a paginated table may render (lib/paginate.ts PAGE_SIZE). */
const TABLE_ROWS_MAX = 100;

// --- options ------------------------------------------------------------------

const cli = new CliArgs();
const args = cli.rest;
const flag = (name: string) => cli.flag(name);
const option = (name: string) => cli.option(name);
const quick = flag("--quick");
const keep = flag("--keep");
const records = Number(option("--records") ?? (quick ? 1_000_000 : 10_000_000));
const topicCount = Number(option("--topics") ?? (quick ? 500 : 2_000));
const groupPartitions = Number(option("--group-partitions") ?? (quick ? 200 : 1_000));
const runs = Number(option("--runs") ?? (quick ? 20 : 50));
const lagGroups = Number(option("--lag-groups") ?? 1_000);
const lagPartitions = Number(option("--lag-partitions") ?? 10_000);
const lagDays = Number(option("--lag-days") ?? (quick ? 1 : 7));
const usage = "usage: npm run bench:console -- [--quick] [--records N] [--topics N] [--group-partitions N] [--runs N] [--lag-groups N] [--lag-partitions N] [--lag-days N] [--keep]";
if (args.length > 0) {
  console.error(`unknown arguments: ${args.join(" ")}\n${usage}`);
  process.exit(2);
}
for (const [name, value, min] of [
  ["--records", records, NEWEST_COUNT],
  ["--topics", topicCount, 1],
  ["--group-partitions", groupPartitions, 1],
  ["--runs", runs, 1],
  ["--lag-groups", lagGroups, 1],
  ["--lag-partitions", lagPartitions, 1],
  ["--lag-days", lagDays, 1],
] as const) {
  if (!Number.isInteger(value) || value < min) {
    console.error(`${name} must be an integer of at least ${min}\n${usage}`);
    process.exit(2);
  }
}

// --- figures -------------------------------------------------------------------

interface Timing {
  runs: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

interface Row {
  name: string;
  figure: string;
  target: string;
  met: boolean | null;
  timing?: Timing;
  detail?: Record<string, unknown>;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function timing(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return { runs: sorted.length, medianMs: percentile(sorted, 50), p95Ms: percentile(sorted, 95), maxMs: sorted[sorted.length - 1] };
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (n: number) => `${fmt(n, n < 10 ? 1 : 0)} ms`;
const timingText = (t: Timing) => `median ${ms(t.medianMs)}, p95 ${ms(t.p95Ms)}, max ${ms(t.maxMs)} (${t.runs} runs)`;

const rows: Row[] = [];
const notes: string[] = [];
const log = (message: string) => console.log(`[bench:console] ${message}`);

// --- HTTP timing ---------------------------------------------------------------------

/** GETs `url` `warmup + count` times one after the other; times the last `count`, body read and parsed included. */
async function timeGet<T>(url: string, count: number, check: (body: T) => void): Promise<{ timing: Timing; bytes: number; body: T }> {
  const samples: number[] = [];
  let bytes = 0;
  let body: T | undefined;
  for (let i = 0; i < WARMUP_RUNS + count; i++) {
    const started = performance.now();
    const response = await fetch(url);
    const text = await response.text();
    if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${text.slice(0, 500)}`);
    body = JSON.parse(text) as T;
    const elapsed = performance.now() - started;
    check(body);
    bytes = Buffer.byteLength(text);
    if (i >= WARMUP_RUNS) samples.push(elapsed);
  }
  return { timing: timing(samples), bytes, body: body! };
}

// --- browser timing -------------------------------------------------------------------


/**
 * In-page code is passed as source text: tsx would wrap named functions in a
 * helper (__name) that does not exist in the page.
 *
 * Records, in the page, when the element with `testId` is first in the
 * document and not inside a hidden (still streaming) Suspense boundary.
 */
const markShown = (testId: string) => `
  window.__shownMs = null;
  new MutationObserver(function (_, observer) {
    var element = document.querySelector('[data-testid="${testId}"]');
    if (element && !element.closest("[hidden]")) {
      window.__shownMs = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
`;

/**
 * Loads `url` in a fresh context (nothing cached) until `testId` shows; returns
 * the page and the milliseconds from the start of the navigation, read in the page.
 */
async function timePageLoad(browser: Browser, url: string, testId: string): Promise<{ page: Page; ms: number }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript(markShown(testId));
  await page.goto(url, { waitUntil: "commit" });
  await page.getByTestId(testId).waitFor({ state: "visible", timeout: 60_000 });
  const shownMs = await page.waitForFunction("window.__shownMs", undefined, { timeout: 10_000 }).then((handle) => handle.jsonValue() as Promise<number>);
  return { page, ms: shownMs };
}

async function timePageLoads(browser: Browser, url: string, testId: string, loads: number): Promise<{ page: Page; samples: number[] }> {
  const samples: number[] = [];
  let page: Page | null = null;
  for (let i = 0; i < loads; i++) {
    const loaded = await timePageLoad(browser, url, testId);
    samples.push(loaded.ms);
    if (page) await page.context().close();
    page = loaded.page;
  }
  return { page: page!, samples };
}

const countRows = (page: Page, prefix: string) => page.evaluate(`document.querySelectorAll('[data-testid^="${prefix}"]').length`) as Promise<number>;
const countElements = (page: Page) => page.evaluate("document.getElementsByTagName('*').length") as Promise<number>;

/**
 * Types `query` into the search box as one input event (what React sees from
 * a paste or a fast typist) and waits, frame by frame, until `expected` rows
 * remain: measured inside the page, so Playwright's round trips are not counted.
 */
function timeSearch(page: Page, query: string, expected: number): Promise<number> {
  return page.evaluate(`new Promise(function (resolve, reject) {
    var input = document.querySelector('[data-testid="topic-search"]');
    var setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
    var started = performance.now();
    setValue.call(input, ${JSON.stringify(query)});
    input.dispatchEvent(new Event("input", { bubbles: true }));
    function check() {
      if (document.querySelectorAll('[data-testid^="topic-row-"]').length === ${expected}) resolve(performance.now() - started);
      else if (performance.now() - started > 10000) reject(new Error("no ${expected} rows 10 s after the search"));
      else requestAnimationFrame(check);
    }
    check();
  })`) as Promise<number>;
}

// --- the run ----------------------------------------------------------------------------

const startedAt = new Date();
const loadAverageAtStart = os.loadavg()[0];
const tempDir = mkdtempSync(path.join(os.tmpdir(), "sluice-console-bench-"));
const resultsDir = path.join(ROOT, "bench-results");
mkdirSync(resultsDir, { recursive: true });

ensureBuild(log);
const broker = await BenchBroker.start({ dir: tempDir, overrides: ["group.initial.rebalance.delay.ms=0"] });
let consoleServer: ConsoleServer | null = null;
let browser: Browser | null = null;
let interrupted = false;
const cleanUp = async () => {
  await browser?.close().catch(() => {});
  await consoleServer?.stop();
  await broker.stop();
  if (!keep) rmSync(tempDir, { recursive: true, force: true });
};
process.on("SIGINT", () => {
  if (interrupted) return;
  interrupted = true;
  void cleanUp().finally(() => process.exit(130));
});

const kafka = new Kafka({ clientId: "sluice-console-bench", brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
log(`broker pid ${broker.pid} on ${broker.bootstrap}; ${os.cpus().length} cpus, node ${process.version}; dir ${tempDir}`);

let exitCode = 0;
try {
  consoleServer = await ConsoleServer.start(tempDir, broker.bootstrap, { SLUICE_DATA_DIR: path.join(tempDir, "console-data") });
  const base = consoleServer.url;
  log(`console on ${base}`);

  // 1. The newest records of a topic holding `records`.
  const bigTopic = "bench-big";
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: bigTopic, numPartitions: BIG_TOPIC_PARTITIONS }] });
  let lastReport = 0;
  const fillSeconds = await fillTopic({
    port: broker.port,
    topic: bigTopic,
    partitions: BIG_TOPIC_PARTITIONS,
    records,
    recordsPerBatch: RECORDS_PER_BATCH,
    valueBytes: VALUE_BYTES,
    onProgress: (written) => {
      if (written - lastReport >= records / 10 || written === records) {
        lastReport = written;
        log(`filled ${fmt(written)} of ${fmt(records)} records`);
      }
    },
  });
  const highWatermark = (await admin.fetchTopicOffsets(bigTopic)).reduce((sum, p) => sum + Number(p.high), 0);
  if (highWatermark !== records) throw new Error(`${bigTopic} holds ${highWatermark} records, not ${records}`);
  log(`${fmt(records)} records of ${VALUE_BYTES} bytes in ${fillSeconds.toFixed(1)} s (${fmt(records / fillSeconds)} records/s); high watermark ${fmt(highWatermark)}`);

  type Browse = { messages: Array<{ offset: number }>; budgetExhausted: boolean };
  const expectOffsets = (first: number, step: 1 | -1) => (body: Browse) => {
    if (body.messages.length !== NEWEST_COUNT) throw new Error(`${body.messages.length} records instead of ${NEWEST_COUNT}`);
    body.messages.forEach((m, i) => {
      if (m.offset !== first + step * i) throw new Error(`record ${i} has offset ${m.offset}, expected ${first + step * i}`);
    });
  };
  const messagesUrl = (query: string) => `${base}/api/topics/${bigTopic}/messages?${query}`;
  const newest = await timeGet<Browse>(messagesUrl(`start=newest&count=${NEWEST_COUNT}`), runs, expectOffsets(records - 1, -1));
  rows.push({
    name: `newest ${NEWEST_COUNT} of ${fmt(records)} records`,
    figure: timingText(newest.timing),
    target: "p95 < 100 ms",
    met: newest.timing.p95Ms < 100,
    timing: newest.timing,
    detail: { responseBytes: newest.bytes, fillSeconds, recordsPerBatch: RECORDS_PER_BATCH, valueBytes: VALUE_BYTES, partitions: BIG_TOPIC_PARTITIONS },
  });
  const oldest = await timeGet<Browse>(messagesUrl(`start=oldest&order=oldest-first&count=${NEWEST_COUNT}`), runs, expectOffsets(0, 1));
  rows.push({ name: `oldest ${NEWEST_COUNT}, oldest-first`, figure: timingText(oldest.timing), target: "(for comparison)", met: null, timing: oldest.timing });
  const middle = Math.floor(records / 2);
  const fromMiddle = await timeGet<Browse>(messagesUrl(`start=offset&offset=${middle}&order=oldest-first&count=${NEWEST_COUNT}`), runs, expectOffsets(middle, 1));
  rows.push({ name: `${NEWEST_COUNT} from offset ${fmt(middle)}`, figure: timingText(fromMiddle.timing), target: "(for comparison)", met: null, timing: fromMiddle.timing });

  // 2. The topic list, first with the one topic for a baseline, then with `topicCount` more.
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
  const baseline = await timePageLoads(browser, `${base}/topics`, "topics-table", PAGE_LOADS);
  await baseline.page.context().close();
  const baselineTiming = timing(baseline.samples);

  const names = Array.from({ length: topicCount }, (_, i) => `bench-t-${String(i).padStart(4, "0")}`);
  const createdAt = performance.now();
  for (let i = 0; i < names.length; i += 200)
    await admin.createTopics({ waitForLeaders: true, topics: names.slice(i, i + 200).map((topic) => ({ topic, numPartitions: 1 })) });
  log(`created ${fmt(topicCount)} topics in ${((performance.now() - createdAt) / 1000).toFixed(1)} s`);
  type TopicList = { topics: Array<{ name: string; approximateRecords: number | null }>; matching: number; uncounted: number };
  const expectedTopics = topicCount + 1; // and the big topic
  // The API answers one page; `matching` and `uncounted` speak for all the topics the search found.
  const topicsApi = await timeGet<TopicList>(`${base}/api/topics?q=bench-`, Math.min(runs, 20), (body) => {
    if (body.matching !== expectedTopics) throw new Error(`/api/topics found ${body.matching} bench topics, expected ${expectedTopics}`);
  });
  const uncounted = topicsApi.body.uncounted;
  const bigCount = (await (await fetch(`${base}/api/topics?q=${bigTopic}`)).json()).topics.find((t: { name: string }) => t.name === bigTopic)?.approximateRecords;
  if (bigCount !== records) throw new Error(`/api/topics counts ${bigCount} records in ${bigTopic}, expected ${records}`);
  rows.push({
    name: `GET /api/topics, ${fmt(topicsApi.body.matching)} topics (one page of ${topicsApi.body.topics.length})`,
    figure: `${timingText(topicsApi.timing)}; ${fmt(topicsApi.bytes / 1024)} KiB; ${uncounted} uncounted`,
    target: "median < 500 ms, every topic counted",
    met: topicsApi.timing.medianMs < 500 && uncounted === 0,
    timing: topicsApi.timing,
    detail: { responseBytes: topicsApi.bytes, topics: topicsApi.body.matching, uncounted },
  });

  const loaded = await timePageLoads(browser, `${base}/topics`, "topics-table", PAGE_LOADS);
  const topicsPage = loaded.page;
  const pageTiming = timing(loaded.samples);
  const domRows = await countRows(topicsPage, "topic-row-");
  const domElements = await countElements(topicsPage);
  rows.push({
    name: `topics page until its table shows, ${fmt(topicsApi.body.topics.length)} topics`,
    figure: timingText(pageTiming),
    target: "median < 2,000 ms",
    met: pageTiming.medianMs < 2000,
    timing: pageTiming,
  });
  rows.push({ name: "the same with 1 topic", figure: timingText(baselineTiming), target: "(baseline)", met: null, timing: baselineTiming });
  rows.push({
    name: "topics page DOM",
    figure: `${domRows} rows, ${fmt(domElements)} elements for ${fmt(topicsApi.body.topics.length)} topics`,
    target: `<= ${TABLE_ROWS_MAX} rows`,
    met: domRows <= TABLE_ROWS_MAX,
    detail: { rows: domRows, elements: domElements },
  });

  // Hydration done: a search typed now filters. Then time searches that narrow to 10 rows and back to a full page.
  await topicsPage.waitForLoadState("load");
  await topicsPage.getByTestId("topic-search").fill("bench-t-0000");
  await topicsPage.waitForFunction(`document.querySelectorAll('[data-testid^="topic-row-"]').length === 1`);
  const searches: number[] = [];
  for (let i = 0; i < SEARCHES; i++) {
    await timeSearch(topicsPage, "", TABLE_ROWS_MAX);
    const query = `bench-t-${String(i % Math.max(1, Math.floor(topicCount / 10))).padStart(3, "0")}`;
    const expected = names.filter((n) => n.includes(query)).length;
    searches.push(await timeSearch(topicsPage, query, Math.min(expected, TABLE_ROWS_MAX)));
  }
  const searchTiming = timing(searches);
  rows.push({ name: "search on the topics page until rows filter", figure: timingText(searchTiming), target: "median < 100 ms", met: searchTiming.medianMs < 100, timing: searchTiming });
  await topicsPage.context().close();

  // 3. A group with committed offsets on `groupPartitions` partitions.
  const groupTopic = "bench-group-topic";
  const groupId = "bench-group";
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: groupTopic, numPartitions: groupPartitions }] });
  await produceToPartitions(broker.port, groupTopic, groupPartitions, RECORDS_PER_GROUP_PARTITION);
  await admin.setOffsets({ groupId, topic: groupTopic, partitions: Array.from({ length: groupPartitions }, (_, partition) => ({ partition, offset: String(COMMITTED_OFFSET) })) });
  const expectedLag = groupPartitions * (RECORDS_PER_GROUP_PARTITION - COMMITTED_OFFSET);
  type Groups = { groups: Array<{ groupId: string; lag: number | null }> };
  const groupsApi = await timeGet<Groups>(`${base}/api/groups`, Math.min(runs, 20), (body) => {
    const lag = body.groups.find((g) => g.groupId === groupId)?.lag;
    if (lag !== expectedLag) throw new Error(`/api/groups gives ${groupId} lag ${lag}, expected ${expectedLag}`);
  });
  rows.push({
    name: `GET /api/groups, a group on ${fmt(groupPartitions)} partitions`,
    figure: `${timingText(groupsApi.timing)}; ${fmt(groupsApi.bytes / 1024, 1)} KiB`,
    target: "median < 500 ms",
    met: groupsApi.timing.medianMs < 500,
    timing: groupsApi.timing,
  });

  if (existsSync(path.join(ROOT, "app", "api", "groups", "[group]", "route.ts"))) {
    type Group = { partitions: Array<{ lag: number | null }>; lag: number | null };
    const detail = await timeGet<Group>(`${base}/api/groups/${groupId}`, Math.min(runs, 20), (body) => {
      if (body.partitions.length !== groupPartitions || body.lag !== expectedLag)
        throw new Error(`/api/groups/${groupId}: ${body.partitions.length} partitions and lag ${body.lag}, expected ${groupPartitions} and ${expectedLag}`);
    });
    rows.push({
      name: `GET /api/groups/<id>, ${fmt(groupPartitions)} partitions`,
      figure: `${timingText(detail.timing)}; ${fmt(detail.bytes / 1024, 1)} KiB`,
      target: "median < 500 ms",
      met: detail.timing.medianMs < 500,
      timing: detail.timing,
    });
  } else notes.push("GET /api/groups/<id> is not in this build: the group detail was not timed");

  if (existsSync(path.join(ROOT, "app", "groups", "[group]", "page.tsx"))) {
    try {
      const { page: groupPage, samples: groupLoads } = await timePageLoads(browser, `${base}/groups/${groupId}`, GROUP_TABLE_TEST_ID, PAGE_LOADS);
      const groupRows = await countRows(groupPage, GROUP_ROW_TEST_ID_PREFIX);
      const groupTiming = timing(groupLoads);
      rows.push({ name: "group page until its partitions show", figure: timingText(groupTiming), target: "median < 2,000 ms", met: groupTiming.medianMs < 2000, timing: groupTiming });
      rows.push({ name: "group page DOM", figure: `${groupRows} partition rows for ${fmt(groupPartitions)} partitions`, target: `<= ${TABLE_ROWS_MAX} rows`, met: groupRows <= TABLE_ROWS_MAX });
      await groupPage.context().close();
    } catch (error) {
      notes.push(`the group page was not timed: no ${GROUP_TABLE_TEST_ID} showed (${(error as Error).message.split("\n")[0]})`);
    }
  } else notes.push("the group page /groups/<id> is not in this build: it was not timed");

  // 4. The lag history: the group page's chart over a week of samples, a week of samples in the database, and sampling cycles against this broker.
  rows.push(...(await lagChartCase({ browser, admin, port: broker.port, bootstrap: broker.bootstrap, dir: tempDir, log })));
  rows.push(...(await lagHistorySizeCase({ groups: lagGroups, partitions: lagPartitions, days: lagDays, log })));
  rows.push(...(await lagSamplerCycleCase({ port: broker.port, bootstrap: broker.bootstrap, groups: lagGroups, partitions: lagPartitions, cycles: quick ? 3 : 5, log })));

  rows.push({ name: "console RSS peak (next start)", figure: `${fmt(consoleServer.rssPeakBytes() / 1024 / 1024)} MiB`, target: "(for information)", met: null });
} catch (error) {
  console.error(error);
  notes.push(`the run stopped early: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await admin.disconnect().catch(() => {});
  await cleanUp();
}

// --- report ------------------------------------------------------------------------------

const nameWidth = Math.max(...rows.map((r) => r.name.length), 10);
const figureWidth = Math.max(...rows.map((r) => r.figure.length), 10);
const targetWidth = Math.max(...rows.map((r) => r.target.length), 10);
const lines = ["", `${"case".padEnd(nameWidth)}  ${"figure".padEnd(figureWidth)}  ${"target".padEnd(targetWidth)}  verdict`];
for (const r of rows) lines.push(`${r.name.padEnd(nameWidth)}  ${r.figure.padEnd(figureWidth)}  ${r.target.padEnd(targetWidth)}  ${r.met === null ? "" : r.met ? "met" : "MISSED"}`);
lines.push("");
lines.push(`HTTP cases: ${WARMUP_RUNS} warm-up requests, then one request at a time, body read and parsed; pages: a fresh browser context per load, Chromium ${browser ? "" : "(not started) "}at ${process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"}`);
const loadAverageAtEnd = os.loadavg()[0];
lines.push(`load average (1 min) ${loadAverageAtStart.toFixed(1)} at the start, ${loadAverageAtEnd.toFixed(1)} at the end, on ${os.cpus().length} cpus: other work on the box slows every figure`);
for (const note of notes) lines.push(`note: ${note}`);
console.log(lines.join("\n"));

const resultsFile = path.join(resultsDir, `console-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(
  resultsFile,
  JSON.stringify(
    {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, loadAverage1mAtStart: loadAverageAtStart, loadAverage1mAtEnd: loadAverageAtEnd },
      options: { quick, records, topicCount, groupPartitions, runs, lagGroups, lagPartitions, lagDays, warmupRuns: WARMUP_RUNS, pageLoads: PAGE_LOADS, searches: SEARCHES },
      rows,
      notes,
    },
    null,
    2,
  ) + "\n",
);
console.log(`results: ${path.relative(process.cwd(), resultsFile) || resultsFile}`);
if (keep) console.log(`kept ${tempDir}`);
process.exit(exitCode);
