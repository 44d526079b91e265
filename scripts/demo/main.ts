// The demo workload as a process. `npm run demo` starts it once the console is up
// (scripts/start.mjs --demo); on its own, against any cluster:
//   KAFKA_BROKERS=host:9092 node --conditions=react-server --import tsx scripts/demo/main.ts
// It reads the cluster settings exactly as the console does (KAFKA_BROKERS, KAFKA_SSL*,
// KAFKA_SASL*); that module is server-only, hence the react-server condition.
// SIGINT or SIGTERM stops it: the consumers leave their groups, which become Empty.
import { Kafka, logLevel } from "kafkajs";
import { clusterConfigFromEnv } from "../../server/kafka/cluster-config";
import { DEMO_DEFAULTS, DEMO_GROUPS, DEMO_TOPICS, startDemo, type SeededTopic } from "./workload";

const config = clusterConfigFromEnv();
const kafka = new Kafka({
  clientId: "sluice-demo",
  brokers: config.brokers,
  ssl: config.ssl,
  sasl: config.sasl,
  logLevel: process.env.SLUICE_KAFKA_LOGS ? logLevel.INFO : logLevel.NOTHING,
});
const say = (line: string) => console.log(`[demo] ${line}`);
const ERRORS_SHOWN_MAX = 20;
let errorsShown = 0;
const onError = (error: unknown) => {
  if (++errorsShown <= ERRORS_SHOWN_MAX) console.error(`[demo] ${error instanceof Error ? error.message : String(error)}`);
  if (errorsShown === ERRORS_SHOWN_MAX) console.error("[demo] (further errors are not shown)");
};

const starting = startDemo(kafka, { onError });
let signals = 0;
const stop = (signal: string) => {
  if (++signals > 1) process.exit(1);
  say(`${signal}: stopping the producer and the consumers`);
  starting
    .then((demo) => demo.stop())
    .then(
      () => {
        say(`stopped; ${DEMO_GROUPS.audit} and ${DEMO_GROUPS.billing} have no members now (Empty)`);
        process.exit(0);
      },
      () => process.exit(1),
    );
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));

try {
  const demo = await starting;
  const perTickRecords = Object.keys(DEMO_TOPICS).length;
  const { tickMs, billingDelayMs } = DEMO_DEFAULTS;
  const ordersPerSecond = 1_000 / tickMs;
  const billedPerSecond = 1_000 / billingDelayMs;
  const state = (t: SeededTopic) => (t.seeded > 0 ? `${t.created ? "created" : "was empty"}, ${t.seeded} records seeded` : `kept, ${t.records} records`);
  const about = new Map<string, string>(Object.values(DEMO_TOPICS).map((t) => [t.name, t.about]));
  const url = process.env.SLUICE_CONSOLE_URL;
  const lines = [
    `Sample data on ${config.brokers.join(",")}:`,
    ...demo.topics.map((t) => `  ${t.topic.padEnd(22)} ${`${t.partitions} partitions`.padEnd(14)} ${state(t).padEnd(30)} ${about.get(t.topic)}`),
    `  producer               ${perTickRecords * ordersPerSecond} records/s, one to each topic every ${tickMs} ms`,
    `  group ${DEMO_GROUPS.audit.padEnd(16)} reads all three topics and keeps up`,
    `  group ${DEMO_GROUPS.billing.padEnd(16)} reads ${DEMO_TOPICS.orders.name} at ${billedPerSecond}/s while ${ordersPerSecond}/s arrive: its lag grows`,
    ...(url ? [`Console: ${url} (the overview counts the groups and their lag; Topics lists the demo topics)`] : []),
    "Ctrl-C stops it all.",
  ];
  console.log(`\n${lines.map((l) => `  ${l}`).join("\n")}\n`);
} catch (error) {
  console.error(`[demo] could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
