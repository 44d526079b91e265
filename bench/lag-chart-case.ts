/**
 * The lag chart with a week of samples, run by `npm run bench:console`: a
 * group committing on CHART_PARTITIONS partitions of a real topic, a week of
 * its samples written into a fresh data directory through the real store (in
 * the shape retention leaves: one cycle per 10 minutes for six days, one per
 * 30 s for the last day), a console started on that directory, and the group
 * page opened in Chromium on "Last week", per partition. Measured in the page:
 * from the start of the navigation until the chart's canvas is painted with
 * the week's points, and within that the group's lag request (the server's
 * read of the week from SQLite, cut to at most 1,000 points a series) and the
 * rest after its response (parsing, React and uPlot drawing the real chart
 * component the group page uses, until the next animation frame).
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser } from "@playwright/test";
import type { Admin } from "kafkajs";
import { LagHistoryStore } from "../server/lag-history/store";
import { LAG_HISTORY_FILE } from "../server/lag-history/config";
import type { CycleSample } from "../server/lag-history/types";
import { ConsoleServer } from "./console-server";
import type { BenchRow } from "./lag-history-cases";
import { produceToPartitions } from "./raw-produce";

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const SAMPLE_MS = 30_000;
const DOWNSAMPLED_STEP_MS = 10 * MINUTE_MS;
const CHART_PARTITIONS = 10;
const RECORDS_PER_PARTITION = 1_000;
const LOADS = 5;

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

/** In-page probes (source text, see console.bench.ts): when the lag request starts and answers, and when the chart is painted with points. */
const PROBE = `
  window.__lag = { fetchStartMs: null, fetchEndMs: null, chartMs: null, paintedMs: null, points: null };
  var originalFetch = window.fetch;
  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : input.url;
    var isLag = url.indexOf("/lag?") >= 0 && url.indexOf("range=1w") >= 0;
    if (isLag && window.__lag.fetchStartMs === null) window.__lag.fetchStartMs = performance.now();
    return originalFetch.call(this, input, init).then(function (response) {
      if (!isLag) return response;
      return response.clone().text().then(function () {
        if (window.__lag.fetchEndMs === null) window.__lag.fetchEndMs = performance.now();
        return response;
      });
    });
  };
  new MutationObserver(function (_, observer) {
    var chart = document.querySelector('[data-testid="lag-chart"]');
    if (!chart || !chart.querySelector("canvas") || Number(chart.getAttribute("data-points")) < 2 || window.__lag.fetchEndMs === null) return;
    observer.disconnect();
    window.__lag.chartMs = performance.now();
    window.__lag.points = Number(chart.getAttribute("data-points"));
    requestAnimationFrame(function () { window.__lag.paintedMs = performance.now(); });
  }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-points"] });
`;

/** A week of samples of one group on `topic`'s partitions, ending now: the log grows to RECORDS_PER_PARTITION, the group commits a varying way behind. */
function writeWeek(file: string, groupId: string, topic: string, nowMs: number): number {
  const store = LagHistoryStore.open(file);
  try {
    const history = store.cluster();
    const startMs = nowMs - 7 * DAY_MS;
    const times: number[] = [];
    for (let t = startMs; t < nowMs - DAY_MS; t += DOWNSAMPLED_STEP_MS) times.push(t);
    for (let t = nowMs - DAY_MS; t < nowMs - SAMPLE_MS; t += SAMPLE_MS) times.push(t);
    for (const atMs of times) {
      const share = (atMs - startMs) / (nowMs - startMs);
      const end = (p: number) => Math.floor(share * (RECORDS_PER_PARTITION - p));
      const behind = (p: number) => Math.floor((1 + Math.sin((atMs / DAY_MS) * Math.PI * 2 + p)) * 40);
      const sample: CycleSample = {
        startedAtMs: atMs - 100,
        atMs,
        durationMs: 100,
        requests: 6,
        logOffsets: Array.from({ length: CHART_PARTITIONS }, (_, p) => ({ topic, partition: p, logStart: 0, logEnd: end(p) })),
        groups: [{ groupId, state: "Empty", protocolType: "consumer", committed: Array.from({ length: CHART_PARTITIONS }, (_, p) => ({ topic, partition: p, offset: Math.max(0, end(p) - behind(p)) })) }],
      };
      history.recordCycle(sample);
    }
    return times.length;
  } finally {
    store.close();
  }
}

export async function lagChartCase(options: { browser: Browser; admin: Admin; port: number; bootstrap: string; dir: string; log: (line: string) => void }): Promise<BenchRow[]> {
  const { browser, admin, port, bootstrap, dir, log } = options;
  const topic = "bench-chart-topic";
  const groupId = "bench-chart-group";
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: CHART_PARTITIONS }] });
  await produceToPartitions(port, topic, CHART_PARTITIONS, RECORDS_PER_PARTITION);
  await admin.setOffsets({ groupId, topic, partitions: Array.from({ length: CHART_PARTITIONS }, (_, partition) => ({ partition, offset: String(RECORDS_PER_PARTITION - 100) })) });
  const dataDir = path.join(dir, "chart-console-data");
  const written = performance.now();
  const cycles = writeWeek(path.join(dataDir, LAG_HISTORY_FILE), groupId, topic, Date.now());
  log(`lag chart: a week of samples (${fmt(cycles)} cycles of ${CHART_PARTITIONS} partitions) written in ${fmt((performance.now() - written) / 1000, 1)} s`);
  const consoleDir = path.join(dir, "chart-console");
  mkdirSync(consoleDir, { recursive: true });
  const server = await ConsoleServer.start(consoleDir, bootstrap, { SLUICE_DATA_DIR: dataDir });
  try {
    const loads: Array<{ totalMs: number; fetchMs: number; renderMs: number; points: number; series: number }> = [];
    for (let i = 0; i < LOADS + 1; i++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      try {
        const page = await context.newPage();
        await page.addInitScript(PROBE);
        await page.goto(`${server.url}/groups/${groupId}?range=1w&by=partition`, { waitUntil: "commit" });
        const probe = (await page
          .waitForFunction("window.__lag && window.__lag.paintedMs !== null && window.__lag", undefined, { timeout: 60_000 })
          .then((h) => h.jsonValue())) as { fetchStartMs: number; fetchEndMs: number; chartMs: number; paintedMs: number; points: number };
        const series = await page.getByTestId("lag-chart").locator(".u-legend .u-series").count();
        // The first load warms the server's code paths and caches: not counted.
        if (i > 0) loads.push({ totalMs: probe.paintedMs, fetchMs: probe.fetchEndMs - probe.fetchStartMs, renderMs: probe.paintedMs - probe.fetchEndMs, points: probe.points, series: series - 1 });
      } finally {
        await context.close();
      }
    }
    const total = median(loads.map((l) => l.totalMs));
    const fetchMs = median(loads.map((l) => l.fetchMs));
    const renderMs = median(loads.map((l) => l.renderMs));
    return [
      {
        name: `lag chart, a week of samples (${fmt(cycles)} cycles), ${CHART_PARTITIONS} partitions + rates, group page in Chromium`,
        figure: `median ${fmt(total)} ms from navigation to the painted chart; of it the lag request ${fmt(fetchMs)} ms, then parse + React + uPlot render ${fmt(renderMs)} ms (${loads[0].points} points x ${loads[0].series} series; ${loads.length} loads)`,
        target: "render < 500 ms, navigation to chart < 3,000 ms",
        met: renderMs < 500 && total < 3000,
        detail: { loads, cycles },
      },
    ];
  } finally {
    await server.stop();
  }
}
