/**
 * The lag history's bench cases, run by `npm run bench:console` (and alone by
 * `npx tsx bench/lag-history.bench.ts`):
 *
 *   - the database for a week of samples of `groups` groups over `partitions`
 *     partitions (each group committing on partitions/groups of them), written
 *     through the real store in the shape retention leaves: one cycle per
 *     10 minutes for six days, then one per 30 s for the last day; its size,
 *     the write time of one full cycle, a retention pass, and the reads the
 *     pages and /metrics make;
 *   - the sampling cycle against the real broker with as many groups and
 *     partitions: time and requests per cycle, from the cycles the sampler
 *     recorded, and the event-loop delay during each (run in a child
 *     process, which loads the server code under the react-server condition
 *     as Next does).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ApiKey } from "@sluice/protocol/messages/api-messages";
import type { CreateTopicsResponse, OffsetCommitResponse } from "@sluice/protocol/messages";
import { RawClient } from "../broker/test/helpers/raw-client";
import { CYCLE_ROWS_PER_SLICE, LagHistoryStore } from "../server/lag-history/store";
import { applyRetention } from "../server/lag-history/retention";
import { renderMetrics } from "../server/lag-history/metrics";
import { DEFAULT_LAG_HISTORY_CONFIG } from "../server/lag-history/config";
import type { CycleSample } from "../server/lag-history/types";
import { produceToPartitions } from "./raw-produce";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const SAMPLE_MS = 30_000;
const DOWNSAMPLED_STEP_MS = 10 * MINUTE_MS;
const PARTITIONS_PER_TOPIC = 100;
const TOPICS_PER_CREATE = 2;
/** Where offsets start: int64 offsets this large take 4 bytes in a SQLite record, as a busy cluster's do after a while. */
const OFFSET_BASE = 1_000_000_000;
const RECORDS_PER_BENCH_PARTITION = 10;
const COMMITTED_PER_BENCH_PARTITION = 4;

export interface BenchRow {
  name: string;
  figure: string;
  target: string;
  met: boolean | null;
  detail?: Record<string, unknown>;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)];
};

/** One synthetic cycle at `atMs`: every partition grows at its own rate, every group commits a little behind. */
function syntheticCycle(atMs: number, startMs: number, groups: number, partitions: number): CycleSample {
  const perGroup = Math.max(1, Math.floor(partitions / groups));
  const elapsedS = (atMs - startMs) / 1000;
  const endOf = (p: number) => OFFSET_BASE + Math.floor(elapsedS * (1 + (p % 50)));
  const topicOf = (p: number) => `topic-${Math.floor(p / PARTITIONS_PER_TOPIC)}`;
  const logOffsets = Array.from({ length: partitions }, (_, p) => ({ topic: topicOf(p), partition: p % PARTITIONS_PER_TOPIC, logStart: OFFSET_BASE, logEnd: endOf(p) }));
  return {
    startedAtMs: atMs - 500,
    atMs,
    durationMs: 500,
    requests: 10,
    logOffsets,
    groups: Array.from({ length: groups }, (_, g) => ({
      groupId: `group-${g}`,
      state: "Stable",
      protocolType: "consumer",
      committed: Array.from({ length: perGroup }, (_, i) => {
        const p = (g * perGroup + i) % partitions;
        return { topic: topicOf(p), partition: p % PARTITIONS_PER_TOPIC, offset: endOf(p) - ((g + i) % 200) };
      }),
    })),
  };
}

export async function lagHistorySizeCase(options: { groups: number; partitions: number; days: number; log: (line: string) => void }): Promise<BenchRow[]> {
  const { groups, partitions, days, log } = options;
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-lag-size-"));
  const file = path.join(dir, "lag-history.sqlite");
  const rows: BenchRow[] = [];
  try {
    const store = LagHistoryStore.open(file);
    const history = store.cluster();
    const nowMs = Math.floor(Date.now() / DOWNSAMPLED_STEP_MS) * DOWNSAMPLED_STEP_MS;
    const startMs = nowMs - days * DAY_MS;
    const times: number[] = [];
    for (let t = startMs; t < nowMs - DAY_MS; t += DOWNSAMPLED_STEP_MS) times.push(t);
    for (let t = Math.max(startMs, nowMs - DAY_MS); t <= nowMs; t += SAMPLE_MS) times.push(t);
    const writeMs: number[] = [];
    const started = performance.now();
    for (const [i, t] of times.entries()) {
      const cycle = syntheticCycle(t, startMs, groups, partitions);
      const before = performance.now();
      history.recordCycle(cycle);
      writeMs.push(performance.now() - before);
      if (i % 250 === 0) log(`lag history size: ${fmt(i)}/${fmt(times.length)} cycles written (${fmt((performance.now() - started) / 1000, 1)} s)`);
    }
    store.checkpoint();
    const { fileBytes, usedBytes } = store.size();
    const committedRows = store.db.prepare("SELECT count(*) FROM committed_offsets").pluck().get() as number;
    const logRows = store.db.prepare("SELECT count(*) FROM log_offsets").pluck().get() as number;
    const days6 = days > 1 ? `${days - 1} day(s) at one per 10 min + ` : "";
    rows.push({
      name: `lag history DB, ${days} day(s) of ${fmt(groups)} groups over ${fmt(partitions)} partitions`,
      figure: `${fmt(fileBytes / 1024 ** 2)} MiB on disk (${fmt(times.length)} cycles: ${days6}1 day at 30 s; ${fmt(committedRows)} commit rows, ${fmt(logRows)} log rows; ${fmt(fileBytes / (committedRows + logRows), 1)} B/row)`,
      target: `< ${fmt(DEFAULT_LAG_HISTORY_CONFIG.bytesMax / 1024 ** 3)} GiB (SLUICE_LAG_HISTORY_BYTES_MAX default)`,
      met: usedBytes < DEFAULT_LAG_HISTORY_CONFIG.bytesMax,
      detail: { fileBytes, usedBytes, cycles: times.length, committedRows, logRows, fileStatBytes: statSync(file).size },
    });
    rows.push({
      name: `lag history: store one cycle (${fmt(partitions)} log + ${fmt(groups * Math.max(1, Math.floor(partitions / groups)))} commit rows)`,
      figure: `median ${fmt(median(writeMs.slice(-200)), 1)} ms (the last 200 cycles, into a full DB)`,
      target: "median < 1,000 ms (it blocks the event loop)",
      met: median(writeMs.slice(-200)) < 1000,
    });

    // Steady-state retention passes: 30 s later one more cycle has aged past full resolution (kept as its step's
    // sample, as it falls on a step boundary), 30 s after that the next one (dropped). A span under a day gets a
    // shorter full resolution so that its oldest cycles age the same way.
    const policy = { ...DEFAULT_LAG_HISTORY_CONFIG, fullResolutionMs: Math.min(DAY_MS, days * DAY_MS - SAMPLE_MS), retentionMs: days * DAY_MS + DAY_MS };
    const passes: Array<{ ms: number; dropped: number; kept: number }> = [];
    for (const later of [1, 2]) {
      history.recordCycle(syntheticCycle(nowMs + later * SAMPLE_MS, startMs, groups, partitions));
      const t0 = performance.now();
      const report = await applyRetention(store, policy, nowMs + later * SAMPLE_MS);
      passes.push({ ms: performance.now() - t0, dropped: report.cyclesDropped, kept: report.cyclesDownsampled });
    }
    const retentionMs = Math.max(...passes.map((p) => p.ms));
    rows.push({
      name: "lag history: retention pass after a cycle (steady state)",
      figure: passes.map((p) => `${fmt(p.ms)} ms (${p.dropped} cycle(s) dropped, ${p.kept} marked as the sample of its step)`).join("; ") + "; transactions of 2,000 series",
      target: "< 30,000 ms (the sampling interval)",
      met: retentionMs < 30_000,
      detail: { passes },
    });

    const readTimes = (run: () => unknown, times = 5) => {
      const ms: number[] = [];
      for (let i = 0; i < times; i++) {
        const t0 = performance.now();
        run();
        ms.push(performance.now() - t0);
      }
      return median(ms);
    };
    const weekSeries = readTimes(() => history.groupSeries("group-7", { fromMs: startMs, toMs: nowMs + SAMPLE_MS }));
    const weekPoints = history.groupSeries("group-7", { fromMs: startMs, toMs: nowMs + SAMPLE_MS }).reduce((n, s) => n + s.points.length, 0);
    const latest = readTimes(() => history.latestByGroup());
    const metrics = readTimes(() => renderMetrics({ history, clusterName: "default", nowMs, sampler: null, historyBytes: usedBytes }), 3);
    const metricsBytes = renderMetrics({ history, clusterName: "default", nowMs, sampler: null, historyBytes: usedBytes }).length;
    rows.push({
      name: `lag history reads: one group's ${days}-day series / latestByGroup() / /metrics text`,
      figure: `${fmt(weekSeries, 1)} ms (${fmt(weekPoints)} points) / ${fmt(latest, 1)} ms (${fmt(groups)} groups) / ${fmt(metrics)} ms (${fmt(metricsBytes / 1024 ** 2, 1)} MiB)`,
      target: "(for information)",
      met: null,
    });
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** Topics of PARTITIONS_PER_TOPIC partitions up to `partitions`, a few records on each, and `groups` groups committing on partitions/groups partitions each. */
async function prepareCluster(port: number, groups: number, partitions: number): Promise<void> {
  const client = await RawClient.connect(port);
  try {
    const topics = Math.ceil(partitions / PARTITIONS_PER_TOPIC);
    const names = Array.from({ length: topics }, (_, i) => `lag-bench-${i}`);
    // A few topics per request: the raw client waits 5 s for an answer, and creating 100 partitions takes a while on a loaded box.
    for (let first = 0; first < names.length; first += TOPICS_PER_CREATE) {
      const created = await client.request<CreateTopicsResponse>(ApiKey.CreateTopics, 4, {
        topics: names.slice(first, first + TOPICS_PER_CREATE).map((name) => ({ name, numPartitions: PARTITIONS_PER_TOPIC, replicationFactor: 1, assignments: [], configs: [] })),
        timeoutMs: 60_000,
        validateOnly: false,
      });
      const failed = created.topics.find((t) => t.errorCode !== 0);
      if (failed) throw new Error(`creating ${failed.name} failed with error code ${failed.errorCode}`);
    }
    for (const name of names) await produceToPartitions(port, name, PARTITIONS_PER_TOPIC, RECORDS_PER_BENCH_PARTITION);
    const perGroup = Math.max(1, Math.floor(partitions / groups));
    for (let g = 0; g < groups; g++) {
      const byTopic = new Map<string, number[]>();
      for (let i = 0; i < perGroup; i++) {
        const p = (g * perGroup + i) % partitions;
        const topic = names[Math.floor(p / PARTITIONS_PER_TOPIC)];
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), p % PARTITIONS_PER_TOPIC]);
      }
      // OffsetCommit v2 as an administrator (generation -1, no member): the group exists with its offsets and no members.
      const response = await client.request<OffsetCommitResponse>(ApiKey.OffsetCommit, 2, {
        groupId: `lag-bench-group-${g}`,
        generationIdOrMemberEpoch: -1,
        memberId: "",
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [...byTopic].map(([name, indexes]) => ({
          name,
          partitions: indexes.map((partitionIndex) => ({ partitionIndex, committedOffset: BigInt(COMMITTED_PER_BENCH_PARTITION), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null })),
        })),
      });
      const error = response.topics.flatMap((t) => t.partitions).find((p) => p.errorCode !== 0);
      if (error) throw new Error(`committing for lag-bench-group-${g} failed with error code ${error.errorCode}`);
    }
  } finally {
    client.close();
  }
}

export async function lagSamplerCycleCase(options: { port: number; bootstrap: string; groups: number; partitions: number; cycles: number; log: (line: string) => void }): Promise<BenchRow[]> {
  const { port, bootstrap, groups, partitions, cycles, log } = options;
  const prepared = performance.now();
  await prepareCluster(port, groups, partitions);
  log(`lag sampler: ${fmt(groups)} groups over ${fmt(partitions)} partitions created in ${fmt((performance.now() - prepared) / 1000, 1)} s`);
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-lag-cycle-"));
  try {
    const child = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", path.join(ROOT, "bench", "lag-sampler-cycles.ts"), bootstrap, String(cycles)], {
      cwd: ROOT,
      env: { ...process.env, SLUICE_DATA_DIR: dir },
      encoding: "utf8",
      timeout: 30 * 60_000,
    });
    if (child.status !== 0) throw new Error(`the sampler child failed (${child.status}): ${child.stderr.slice(-2000)}`);
    for (const line of child.stderr.trim().split("\n").slice(-2 * cycles - 4)) if (line) log(`lag sampler child: ${line}`);
    const result = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as {
      cycles: Array<{ outcome: string; durationMs: number; tickMs: number; requests: number; groups: number; partitions: number; loopDelayP99Ms: number; loopDelayMaxMs: number }>;
      oneTransactionMs: number;
      readOnlyLoopDelayMaxMs: number;
      storeOnlyLoopDelayMaxMs: number;
    };
    const ok = result.cycles.filter((c) => c.outcome === "ok");
    if (ok.length === 0) throw new Error(`no cycle succeeded: ${JSON.stringify(result.cycles)}`);
    const readMs = median(ok.map((c) => c.durationMs));
    const tickMs = median(ok.map((c) => c.tickMs));
    const requests = median(ok.map((c) => c.requests));
    return [
      {
        name: `lag sampling cycle, ${fmt(ok[0].groups)} groups, ${fmt(ok[0].partitions)} partitions (real broker)`,
        figure: `median ${fmt(readMs)} ms to read, ${fmt(tickMs)} ms with storing and retention; ${fmt(requests)} requests per cycle (${ok.length} cycles)`,
        target: "< 30,000 ms (the interval), requests bounded",
        met: tickMs < 30_000,
        detail: { cycles: result.cycles },
      },
      {
        name: "lag sampling cycle: the console's event-loop delay during a cycle (monitorEventLoopDelay, 5 ms resolution)",
        figure: `p99 ${fmt(median(ok.map((c) => c.loopDelayP99Ms)), 1)} ms, max ${fmt(Math.max(...ok.map((c) => c.loopDelayMaxMs)), 1)} ms (max ${fmt(result.readOnlyLoopDelayMaxMs, 1)} ms reading alone, ${fmt(result.storeOnlyLoopDelayMaxMs, 1)} ms storing alone in slices of ${fmt(CYCLE_ROWS_PER_SLICE)} rows; the same cycle in one transaction: ${fmt(result.oneTransactionMs)} ms in one stretch)`,
        target: "max < 100 ms (a request waits no longer for the loop)",
        met: Math.max(...ok.map((c) => c.loopDelayMaxMs)) < 100,
        detail: { oneTransactionMs: result.oneTransactionMs, readOnlyLoopDelayMaxMs: result.readOnlyLoopDelayMaxMs, storeOnlyLoopDelayMaxMs: result.storeOnlyLoopDelayMaxMs },
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
