/**
 * Child of the lag bench (bench/lag-history-cases.ts), run with
 * `node --conditions=react-server --import tsx` as Next loads server code:
 * runs `cycles` sampling cycles one after another against the broker at
 * `bootstrap`, into a store under SLUICE_DATA_DIR, and prints the cycles as
 * the sampler recorded them (one JSON line).
 *
 *   node --conditions=react-server --import tsx bench/lag-sampler-cycles.ts <host:port> <cycles>
 */
import path from "node:path";
import { useCluster } from "../server/kafka/registry";
import { LAG_HISTORY_FILE, lagHistoryConfigFromEnv, DEFAULT_LAG_HISTORY_CONFIG } from "../server/lag-history/config";
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
const ticks: number[] = [];
for (let i = 0; i < cycles; i++) {
  const started = performance.now();
  const outcome = await sampler.tick();
  ticks.push(performance.now() - started);
  console.error(`cycle ${i + 1}/${cycles}: ${outcome} in ${Math.round(ticks.at(-1)!)} ms`);
}
const recorded = store.cluster().recentCycles(cycles).reverse();
console.log(JSON.stringify({ cycles: recorded.map((c, i) => ({ ...c, tickMs: ticks[i] })) }));
store.close();
await clients.reset();
process.exit(0);
