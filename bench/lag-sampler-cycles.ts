/**
 * Child of the lag bench (bench/lag-history-cases.ts), run with
 * `node --conditions=react-server --import tsx` as Next loads server code:
 * runs `cycles` sampling cycles one after another against the broker at
 * `bootstrap`, into a store under SLUICE_DATA_DIR, and prints the cycles as
 * the sampler recorded them (one JSON line), with the event-loop delay of
 * each (perf_hooks monitorEventLoopDelay, sampling every 5 ms, over the
 * tick: what a request to the console would wait for the loop). Then, for
 * comparison, the same reading stored in one transaction, as before slicing.
 *
 *   node --conditions=react-server --import tsx bench/lag-sampler-cycles.ts <host:port> <cycles>
 */
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { useCluster } from "../server/kafka/registry";
import { LAG_HISTORY_FILE, lagHistoryConfigFromEnv, DEFAULT_LAG_HISTORY_CONFIG } from "../server/lag-history/config";
import { readCluster } from "../server/lag-history/read-cluster";
import { LagSampler } from "../server/lag-history/sampler";
import { LagHistoryStore } from "../server/lag-history/store";

const [bootstrap, cyclesArg] = process.argv.slice(2);
const cycles = Number(cyclesArg ?? 5);
if (!bootstrap || !Number.isInteger(cycles) || cycles < 1) {
  console.error("usage: lag-sampler-cycles.ts <host:port> <cycles>");
  process.exit(2);
}
const config = lagHistoryConfigFromEnv();
const clients = useCluster({ id: "default", brokers: [bootstrap], clientId: "sluice-lag-bench", ssl: undefined, sasl: undefined });
const store = LagHistoryStore.open(path.join(config.dataDir, LAG_HISTORY_FILE));
const sampler = new LagSampler(clients, store, { intervalMs: DEFAULT_LAG_HISTORY_CONFIG.sampleIntervalMs, retention: DEFAULT_LAG_HISTORY_CONFIG });
const ticks: Array<{ tickMs: number; loopDelayP99Ms: number; loopDelayMaxMs: number }> = [];
const delay = monitorEventLoopDelay({ resolution: 5 });
for (let i = 0; i < cycles; i++) {
  delay.reset();
  delay.enable();
  const started = performance.now();
  const outcome = await sampler.tick();
  const tickMs = performance.now() - started;
  delay.disable();
  // The histogram counts the delay past its 5 ms sampling timer, in nanoseconds.
  ticks.push({ tickMs, loopDelayP99Ms: delay.percentile(99) / 1e6, loopDelayMaxMs: delay.max / 1e6 });
  console.error(`cycle ${i + 1}/${cycles}: ${outcome} in ${Math.round(tickMs)} ms, event-loop delay p99 ${ticks.at(-1)!.loopDelayP99Ms.toFixed(1)} ms, max ${ticks.at(-1)!.loopDelayMaxMs.toFixed(1)} ms`);
}
const recorded = store.cluster().recentCycles(cycles).reverse();
// The same cycle stored in one transaction (the write before slicing): its length is how long the loop would stall.
delay.reset();
delay.enable();
const reading = await readCluster(clients, new Map());
delay.disable();
const readOnlyLoopDelayMaxMs = delay.max / 1e6;
console.error(`reading alone: event-loop delay max ${readOnlyLoopDelayMaxMs.toFixed(1)} ms`);
delay.reset();
delay.enable();
await store.cluster().recordCycleSliced({ ...reading, startedAtMs: reading.atMs, durationMs: 0 });
delay.disable();
const storeOnlyLoopDelayMaxMs = delay.max / 1e6;
console.error(`storing alone, in slices: event-loop delay max ${storeOnlyLoopDelayMaxMs.toFixed(1)} ms`);
const t0 = performance.now();
store.cluster().recordCycle({ ...reading, startedAtMs: reading.atMs, durationMs: 0 });
const oneTransactionMs = performance.now() - t0;
console.log(JSON.stringify({ cycles: recorded.map((c, i) => ({ ...c, ...ticks[i] })), oneTransactionMs, readOnlyLoopDelayMaxMs, storeOnlyLoopDelayMaxMs }));
store.close();
await clients.reset();
process.exit(0);
