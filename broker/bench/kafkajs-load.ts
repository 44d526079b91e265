/**
 * kafkajs load, run inside the bench process: a producer keeping a few sends
 * in flight, a groupless reader (kafkajs's fetch path, as
 * test/helpers/kafkajs.ts uses it) and a fixed-rate latency probe.
 */
import { performance } from "node:perf_hooks";
import { Kafka, logLevel, type Producer } from "kafkajs";

const SEND_RECORDS = 1000;
const SENDS_IN_FLIGHT = 4;
const FETCH_BYTES_MAX = 8 << 20;

export function kafkaClient(bootstrap: string): Kafka {
  return new Kafka({ clientId: "sluice-bench", brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
}

/** kafkajs keeps its cluster factory behind a private symbol; the reader uses it to fetch without a group. */
function createCluster(kafka: Kafka): any {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.toString().includes("createCluster"))!;
  return (kafka as any)[symbol]({});
}

/** Produces `count` records of `valueBytes` (null keys, so the default partitioner spreads them). Returns seconds. */
export async function kafkajsProduce(kafka: Kafka, topic: string, count: number, valueBytes: number): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const value = Buffer.alloc(valueBytes, "v");
  const messages = Array.from({ length: SEND_RECORDS }, () => ({ value }));
  try {
    const started = performance.now();
    let sent = 0;
    const worker = async () => {
      while (sent < count) {
        const n = Math.min(SEND_RECORDS, count - sent);
        sent += n;
        await producer.send({ topic, acks: -1, messages: n === SEND_RECORDS ? messages : messages.slice(0, n) });
      }
    };
    await Promise.all(Array.from({ length: SENDS_IN_FLIGHT }, worker));
    return (performance.now() - started) / 1000;
  } finally {
    await producer.disconnect();
  }
}

/**
 * Where a read of about `limit` records stops in each of partitions 0..n-1:
 * an even share of the limit, capped by each high watermark.
 */
export async function consumePlan(kafka: Kafka, topic: string, partitions: number, limit: number): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  const highs = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  await admin.disconnect();
  const share = Math.ceil(limit / partitions);
  return new Map(Array.from({ length: partitions }, (_, p) => [p, Math.min(highs.get(p) ?? 0, share)]));
}

/** Reads each partition from offset 0 to its stop offset (consumePlan). Returns records read and seconds. */
export async function kafkajsConsume(kafka: Kafka, topic: string, stops: ReadonlyMap<number, number>): Promise<{ records: number; seconds: number }> {
  const cluster = createCluster(kafka);
  await cluster.connect();
  await cluster.refreshMetadata([topic]);
  try {
    const leader = await cluster.findBroker({ nodeId: String(cluster.findTopicPartitionMetadata(topic)[0].leader) });
    const offsets = new Map([...stops.keys()].map((p) => [p, 0]));
    let records = 0;
    const started = performance.now();
    for (;;) {
      const wanted = [...offsets].filter(([p, offset]) => offset < stops.get(p)!);
      if (wanted.length === 0) break;
      const response = await leader.fetch({
        maxWaitTime: 100,
        minBytes: 1,
        maxBytes: FETCH_BYTES_MAX,
        topics: [{ topic, partitions: wanted.map(([partition, offset]) => ({ partition, fetchOffset: String(offset), maxBytes: FETCH_BYTES_MAX })) }],
      });
      for (const partition of response.responses[0].partitions) {
        const stop = stops.get(partition.partition)!;
        for (const message of partition.messages) {
          const offset = Number(message.offset);
          if (offset < offsets.get(partition.partition)! || offset >= stop) continue;
          records++;
          offsets.set(partition.partition, offset + 1);
        }
      }
    }
    return { records, seconds: (performance.now() - started) / 1000 };
  } finally {
    await cluster.disconnect();
  }
}

export interface LatencyFigures {
  records: number;
  received: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * A kafkajs producer (acks=1) sends `ratePerSecond` records a second, as a
 * batch every millisecond, each value carrying performance.now(); a groupless
 * long-polling fetch loop in the same process reads partition 0 from its end
 * and records each record's age on arrival (after kafkajs has decoded it).
 * The first 2 s are a warm-up whose samples are left out.
 */
export async function kafkajsLatency(kafka: Kafka, topic: string, ratePerSecond: number, seconds: number, valueBytes: number): Promise<LatencyFigures> {
  const admin = kafka.admin();
  await admin.connect();
  let offset = Number((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === 0)!.high);
  await admin.disconnect();
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const cluster = createCluster(kafka);
  await cluster.connect();
  await cluster.refreshMetadata([topic]);
  const leader = await cluster.findBroker({ nodeId: String(cluster.findTopicPartitionMetadata(topic)[0].leader) });

  // The first 2 s at the rate warm the path up; their samples are left out, as rdkafka-perf does.
  const warmupMs = 2000;
  const total = Math.round(ratePerSecond * (seconds + warmupMs / 1000));
  const samples: Array<{ stamp: number; ageMs: number }> = [];
  let producing = true;
  // A warm-up record (stamp 0) goes through first, so that connecting and positioning are not measured.
  let warmed!: () => void;
  const warm = new Promise<void>((resolve) => (warmed = resolve));
  const reader = (async () => {
    while (samples.length < total) {
      const response = await leader.fetch({
        maxWaitTime: 500,
        minBytes: 1,
        maxBytes: FETCH_BYTES_MAX,
        topics: [{ topic, partitions: [{ partition: 0, fetchOffset: String(offset), maxBytes: FETCH_BYTES_MAX }] }],
      });
      const now = performance.now();
      const messages = response.responses[0].partitions[0].messages;
      for (const message of messages) {
        if (Number(message.offset) < offset) continue;
        offset = Number(message.offset) + 1;
        const stamp = message.value.readDoubleBE(0);
        if (stamp === 0) warmed();
        else samples.push({ stamp, ageMs: now - stamp });
      }
      if (!producing && messages.length === 0) break;
    }
  })();
  const warmup = Buffer.alloc(Math.max(valueBytes, 8), "v");
  warmup.writeDoubleBE(0, 0);
  await producer.send({ topic, acks: 1, messages: [{ value: warmup, partition: 0 }] });
  await warm;

  const started = performance.now();
  let sent = 0;
  let sentMeasured = 0;
  const sends: Promise<unknown>[] = [];
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * ratePerSecond));
    if (due > sent) {
      const stamp = performance.now();
      const messages = Array.from({ length: due - sent }, () => {
        const value = Buffer.alloc(Math.max(valueBytes, 8), "v");
        value.writeDoubleBE(stamp, 0);
        return { value };
      });
      if (stamp >= started + warmupMs) sentMeasured += due - sent;
      sent = due;
      sends.push(producer.send({ topic, acks: 1, messages: messages.map((m) => ({ ...m, partition: 0 })) }));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(sends);
  producing = false;
  await reader;
  await producer.disconnect();
  await cluster.disconnect();
  const measured = samples.filter((sample) => sample.stamp >= started + warmupMs).map((sample) => sample.ageMs);
  measured.sort((a, b) => a - b);
  const at = (q: number) => measured[Math.floor((measured.length - 1) * q)] ?? NaN;
  return { records: sentMeasured, received: measured.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) };
}

/**
 * A consumer group of `members` kafkajs consumers (one process, `groupId` a
 * fresh group) subscribed to `topic`: all connect and subscribe first, then
 * the clock starts, all call run() at once, and it stops when every member's
 * latest GROUP_JOIN event holds one share of an assignment that covers every
 * partition exactly once (the group has settled on one generation). Returns ms.
 * heartbeatInterval is 100 ms, so that members that joined early learn of the
 * rebalance the later joins started within 100 ms (kafkajs's default is 3 s).
 */
export async function kafkajsRebalance(kafka: Kafka, topic: string, partitions: number, members: number, groupId: string): Promise<number> {
  const consumers = Array.from({ length: members }, () =>
    kafka.consumer({ groupId, heartbeatInterval: 100, sessionTimeout: 30_000, rebalanceTimeout: 30_000, allowAutoTopicCreation: false }),
  );
  const assignments = new Map<number, number[]>();
  let settled!: () => void;
  const done = new Promise<void>((resolve) => (settled = resolve));
  const check = () => {
    if (assignments.size < members) return;
    const all = [...assignments.values()].flat();
    const share = Math.floor(partitions / members);
    const even = [...assignments.values()].every((owned) => owned.length === share || owned.length === share + 1);
    if (even && all.length === partitions && new Set(all).size === partitions) settled();
  };
  try {
    await Promise.all(consumers.map((c) => c.connect()));
    await Promise.all(consumers.map((c) => c.subscribe({ topics: [topic], fromBeginning: false })));
    consumers.forEach((consumer, i) =>
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        assignments.set(i, event.payload.memberAssignment[topic] ?? []);
        check();
      }),
    );
    const started = performance.now();
    await Promise.all(consumers.map((c) => c.run({ eachMessage: async () => {} })));
    let timer!: NodeJS.Timeout;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("the group did not settle within 60 s")), 60_000)));
    await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
    return performance.now() - started;
  } finally {
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => {})));
  }
}

/**
 * OffsetCommit requests for partition 0 of `topic` on `groupId`'s
 * coordinator, one at a time (each waits for its response), for `seconds`:
 * kafkajs's broker-level offsetCommit, as a standalone (generation -1, no
 * member) commit into an empty group, an increasing offset each time.
 * Returns the commits done and seconds.
 */
export async function kafkajsOffsetCommits(kafka: Kafka, topic: string, groupId: string, seconds: number): Promise<{ commits: number; seconds: number }> {
  const cluster = createCluster(kafka);
  await cluster.connect();
  await cluster.refreshMetadata([topic]);
  try {
    const coordinator = await cluster.findGroupCoordinator({ groupId });
    const commit = async (offset: number) => {
      const response = await coordinator.offsetCommit({
        groupId,
        groupGenerationId: -1,
        memberId: "",
        topics: [{ topic, partitions: [{ partition: 0, offset: String(offset) }] }],
      });
      const code = response.responses[0].partitions[0].errorCode;
      if (code !== 0) throw new Error(`OffsetCommit failed with error code ${code}`);
    };
    // Warm-up: the first commit creates the group's offsets state.
    await commit(0);
    let commits = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    while (performance.now() < deadline) await commit(++commits);
    return { commits, seconds: (performance.now() - started) / 1000 };
  } finally {
    await cluster.disconnect();
  }
}
