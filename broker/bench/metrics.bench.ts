/**
 * What the metrics cost on the hot path: the recording a request makes (two
 * readings of the monotonic clock, a counter and a summary bucket), the one
 * an appended batch makes (four field increments), and a scrape of a node
 * with 1,000 topics. Prints nanoseconds per operation, CPU time included.
 *
 *   npx tsx bench/metrics.bench.ts [seconds per case, default 1]
 */
import { MetadataImage } from "../src/metadata/image";
import { NodeMetrics } from "../src/metrics/node-metrics";
import { ApiKey } from "../src/protocol/generated/api-messages";

const seconds = Number(process.argv[2] ?? 1);
const image = MetadataImage.empty("bench-cluster", 1, new Map());
const metrics = new NodeMetrics(
  {
    nodeId: 1,
    isController: true,
    image: () => image,
    isActiveController: () => true,
    quorum: () => ({ state: "leader", leaderId: 1, epoch: 1, votedFor: 1, highWatermark: 0, logEndOffset: 0 }),
    connectionsByListener: () => [["PLAINTEXT", 10]],
    eventLoopDelay: null,
  },
  () => performance.now(),
  [ApiKey.Produce, ApiKey.Fetch, ApiKey.Metadata],
);

function measure(name: string, batch: number, run: () => void): void {
  // Warm up, then time whole batches until the time is up.
  for (let i = 0; i < 3; i++) run();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let operations = 0;
  while (performance.now() - started < seconds * 1000) {
    run();
    operations += batch;
  }
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(`${name.padEnd(44)} ${((elapsedMs * 1e6) / operations).toFixed(1).padStart(10)} ns/op wall ${((cpuMs * 1e6) / operations).toFixed(1).padStart(10)} ns/op CPU`);
}

const produce = { replicaId: -1, replicaState: { replicaId: -1 } };
measure("request recorded (Produce v9)", 100_000, () => {
  for (let i = 0; i < 100_000; i++) metrics.completed(ApiKey.Produce, 9, metrics.nowMs(), produce);
});
measure("request recorded (Fetch v13, also FetchConsumer)", 100_000, () => {
  for (let i = 0; i < 100_000; i++) metrics.completed(ApiKey.Fetch, 13, metrics.nowMs(), produce);
});
const topic = metrics.topic("bench-topic");
measure("batch appended (messages and bytes in)", 1_000_000, () => {
  for (let i = 0; i < 1_000_000; i++) topic.appended(100, 10_000);
});
measure("clock reading alone (performance.now)", 1_000_000, () => {
  for (let i = 0; i < 1_000_000; i++) metrics.nowMs();
});
for (let i = 0; i < 1000; i++) metrics.topic(`topic-${i}`).appended(1, 100);
let bytes = 0;
measure("scrape, 1,000 topics (render)", 1, () => {
  bytes = metrics.render().length;
});
console.log(`scrape size: ${bytes} bytes`);
