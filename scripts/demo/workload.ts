import { Partitioners, type Admin, type Consumer, type ConsumerRunConfig, type IHeaders, type Kafka, type Message, type Producer } from "kafkajs";

/**
 * The demo workload behind `npm run demo`: three sample topics in three payload
 * formats, a producer that keeps writing to them, one consumer group that keeps
 * up and one that falls behind. Only standard Kafka APIs through kafkajs, so it
 * runs against any cluster, not just the bundled broker.
 */

export interface DemoTopic {
  name: string;
  /** Asked for when the topic is created; an existing topic keeps its own count. */
  partitions: number;
  about: string;
}

export const DEMO_TOPICS = {
  orders: { name: "demo.orders", partitions: 3, about: "JSON orders, keyed by customer, with headers" },
  logs: { name: "demo.logs", partitions: 2, about: "plain-text log lines, no key" },
  sensors: { name: "demo.sensor-readings", partitions: 2, about: "22-byte packed binary readings, keyed by sensor" },
} as const satisfies Record<string, DemoTopic>;

const TOPIC_NAMES: string[] = Object.values(DEMO_TOPICS).map((t) => t.name);

export const DEMO_GROUPS = {
  /** Reads every demo topic as fast as records arrive. */
  audit: "demo-audit",
  /** Reads demo.orders slower than they are written, so its lag grows. */
  billing: "demo-billing",
} as const;

export interface DemoOptions {
  /** Records written to each demo topic that holds none when the demo starts. */
  seedRecords?: number;
  /** Seeded records are spread over this much time before now, so browsing by time finds something. */
  seedSpanMs?: number;
  /** The producer writes one record to each demo topic every tickMs. */
  tickMs?: number;
  /** demo-billing spends this long on each order; longer than tickMs, so it falls behind. */
  billingDelayMs?: number;
  /** Seed of the record generator: the same seed writes the same records (default: the clock). */
  seed?: number;
  /** Failures the demo rides out: a failed produce or a consumer crash (kafkajs restarts it). Default: ignored. */
  onError?: (error: unknown) => void;
}

export const DEMO_DEFAULTS = {
  seedRecords: 300,
  seedSpanMs: 30 * 60_000,
  tickMs: 500,
  billingDelayMs: 1_000,
} as const;

/** Bounds that keep a mistyped option from flooding a real cluster. */
const SEED_RECORDS_MAX = 10_000;
const TICK_MS_MIN = 10;
/** A fetch waits at most this long for new records; stop() waits for the fetch in flight. */
const FETCH_WAIT_MS_MAX = 1_000;

export interface SeededTopic {
  topic: string;
  partitions: number;
  /** False when the topic was already there. */
  created: boolean;
  /** Records written now (0 when the topic already held records). */
  seeded: number;
  /** Records in the topic after seeding. */
  records: number;
}

export interface Demo {
  topics: SeededTopic[];
  /** Records the live producer has written so far (seeding not included). */
  produced(): number;
  /** Records each group has processed so far in this run. */
  processed(): { audit: number; billing: number };
  /** Stops the producer, then both consumers, which leave their groups (the groups become Empty). */
  stop(): Promise<void>;
}

/** Creates the demo topics that are missing and seeds those that hold no records. */
async function seedTopics(admin: Admin, producer: Producer, data: DemoData, options: DemoOptions): Promise<SeededTopic[]> {
  const seedRecords = options.seedRecords ?? DEMO_DEFAULTS.seedRecords;
  const seedSpanMs = options.seedSpanMs ?? DEMO_DEFAULTS.seedSpanMs;
  assert(Number.isInteger(seedRecords) && seedRecords >= 0 && seedRecords <= SEED_RECORDS_MAX, `seedRecords must be 0..${SEED_RECORDS_MAX}`);

  const existing = new Set(await admin.listTopics());
  const topics = Object.values(DEMO_TOPICS);
  const missing = topics.filter((t) => !existing.has(t.name));
  // Replication factor left out: the cluster's default.replication.factor decides.
  if (missing.length > 0) await admin.createTopics({ topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions })), waitForLeaders: true });

  const now = Date.now();
  const results: SeededTopic[] = [];
  for (const topic of topics) {
    const before = await recordCount(admin, topic.name);
    let seeded = 0;
    if (before.records === 0 && seedRecords > 0) {
      const messages: Message[] = [];
      for (let i = 0; i < seedRecords; i++) messages.push(data.next(topic.name, now - Math.round(((seedRecords - i) * seedSpanMs) / seedRecords)));
      await producer.send({ topic: topic.name, messages, acks: -1 });
      seeded = seedRecords;
    }
    results.push({ topic: topic.name, partitions: before.partitions, created: !existing.has(topic.name), seeded, records: before.records + seeded });
  }
  return results;
}

/** Seeds the demo topics, then starts both consumer groups and the producer; resolves once both groups have a member. */
export async function startDemo(kafka: Kafka, options: DemoOptions = {}): Promise<Demo> {
  const tickMs = options.tickMs ?? DEMO_DEFAULTS.tickMs;
  const billingDelayMs = options.billingDelayMs ?? DEMO_DEFAULTS.billingDelayMs;
  assert(tickMs >= TICK_MS_MIN, `tickMs must be at least ${TICK_MS_MIN}`);
  // Orders arrive every tickMs; billing must take longer per order or it would keep up.
  assert(billingDelayMs > tickMs, "billingDelayMs must be longer than tickMs, or demo-billing keeps up");
  const onError = options.onError ?? (() => {});
  const data = new DemoData(options.seed ?? Date.now());

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  const consumers: Consumer[] = [];
  let stopped = false;
  const wakeups = new Set<() => void>();
  // Sleeps that stop() cuts short, so a slow consumer lets go at once.
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakeups.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakeups.add(done);
    });
  const processed = { audit: 0, billing: 0 };
  let produced = 0;
  let ticking: Promise<void> | null = null;
  let stopping: Promise<void> | null = null;

  const shutdown = () =>
    (stopping ??= (async () => {
      stopped = true;
      for (const wake of [...wakeups]) wake();
      await ticking;
      await Promise.allSettled([...consumers.map((c) => c.disconnect()), producer.disconnect()]);
    })());

  try {
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    let topics: SeededTopic[];
    try {
      topics = await seedTopics(admin, producer, data, options);
    } finally {
      await admin.disconnect();
    }

    // kafkajs resolves run() once the member has joined its group; both groups join at once.
    const join = async (groupId: string, subscribed: string[], config: ConsumerRunConfig) => {
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: FETCH_WAIT_MS_MAX });
      consumers.push(consumer);
      consumer.on(consumer.events.CRASH, (event) => onError(event.payload.error));
      await consumer.connect();
      await consumer.subscribe({ topics: subscribed, fromBeginning: true });
      await consumer.run(config);
    };
    const countAudited = async () => {
      processed.audit++;
    };
    // One order per fetched batch, then the next partition's batch: the next fetch
    // starts after the last resolved offset, so every partition gets a commit early
    // and all of them fall behind at the same pace.
    const billOne: ConsumerRunConfig["eachBatch"] = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      const [first] = batch.messages;
      if (!first || stopped || !isRunning() || isStale()) return;
      await sleep(billingDelayMs);
      if (stopped) return;
      resolveOffset(first.offset);
      processed.billing++;
      await heartbeat();
    };
    await Promise.all([
      join(DEMO_GROUPS.audit, TOPIC_NAMES, { eachMessage: countAudited }),
      join(DEMO_GROUPS.billing, [DEMO_TOPICS.orders.name], { eachBatchAutoResolve: false, eachBatch: billOne }),
    ]);

    const tick = async () => {
      const at = Date.now();
      try {
        await producer.sendBatch({
          topicMessages: TOPIC_NAMES.map((topic) => ({ topic, messages: [data.next(topic, at)] })),
        });
        produced += TOPIC_NAMES.length;
      } catch (error) {
        if (!stopped) onError(error);
      }
    };
    const loop = async () => {
      while (!stopped) {
        await tick();
        if (!stopped) await sleep(tickMs);
      }
    };
    ticking = loop();

    return {
      topics,
      produced: () => produced,
      processed: () => ({ ...processed }),
      stop: shutdown,
    };
  } catch (error) {
    await shutdown();
    throw error;
  }
}

async function recordCount(admin: Admin, topic: string): Promise<{ partitions: number; records: number }> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return { partitions: offsets.length, records: offsets.reduce((sum, o) => sum + (Number(o.high) - Number(o.low)), 0) };
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`demo: ${message}`);
}

// ---------------------------------------------------------------- sensor readings

export interface SensorReading {
  sensorId: number;
  timestampMs: number;
  temperatureC: number;
  humidityPercent: number;
  batteryMv: number;
}

/** 0xFE never occurs in UTF-8, so a reading can never be mistaken for text. */
const SENSOR_MAGIC = 0xfeed;
const SENSOR_VERSION = 1;
export const SENSOR_READING_BYTES = 22;

/**
 * The value of a demo.sensor-readings record, big-endian: magic 0xFEED (u16),
 * version (u8), sensor id (u8), time in ms (i64), temperature in °C (f32),
 * relative humidity in % (f32), battery in mV (u16).
 */
export function encodeSensorReading(reading: SensorReading): Buffer {
  const bytes = Buffer.alloc(SENSOR_READING_BYTES);
  bytes.writeUInt16BE(SENSOR_MAGIC, 0);
  bytes.writeUInt8(SENSOR_VERSION, 2);
  bytes.writeUInt8(reading.sensorId, 3);
  bytes.writeBigInt64BE(BigInt(reading.timestampMs), 4);
  bytes.writeFloatBE(reading.temperatureC, 12);
  bytes.writeFloatBE(reading.humidityPercent, 16);
  bytes.writeUInt16BE(reading.batteryMv, 20);
  return bytes;
}

export function decodeSensorReading(bytes: Buffer): SensorReading {
  if (bytes.length !== SENSOR_READING_BYTES || bytes.readUInt16BE(0) !== SENSOR_MAGIC || bytes.readUInt8(2) !== SENSOR_VERSION)
    throw new Error("not a version 1 sensor reading");
  return {
    sensorId: bytes.readUInt8(3),
    timestampMs: Number(bytes.readBigInt64BE(4)),
    temperatureC: bytes.readFloatBE(12),
    humidityPercent: bytes.readFloatBE(16),
    batteryMv: bytes.readUInt16BE(20),
  };
}

// ---------------------------------------------------------------- record generator

const CUSTOMERS = 40;
const SENSORS = 12;
const PRODUCTS = [
  { sku: "SKU-1001", name: "Espresso beans 1 kg", price: 18.5 },
  { sku: "SKU-1002", name: "Burr grinder", price: 129 },
  { sku: "SKU-1003", name: "Milk jug 600 ml", price: 14.9 },
  { sku: "SKU-1004", name: "Paper filters (100)", price: 4.2 },
  { sku: "SKU-1005", name: "Kettle, gooseneck", price: 64 },
  { sku: "SKU-1006", name: "Descaler", price: 9.75 },
];
const ORDER_EVENTS = [
  ["placed", 55],
  ["paid", 25],
  ["shipped", 15],
  ["cancelled", 5],
] as const;
const SERVICES = ["checkout", "payments", "inventory", "shipping", "gateway"];
const RECENT_ORDERS_MAX = 50;

/** Deterministic sample records: the same seed gives the same sequence. */
class DemoData {
  private state: number;
  /** Order ids the log lines talk about. */
  private recentOrders: string[] = [];

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(topic: string, timestampMs: number): Message {
    switch (topic) {
      case DEMO_TOPICS.orders.name:
        return this.order(timestampMs);
      case DEMO_TOPICS.logs.name:
        return this.logLine(timestampMs);
      case DEMO_TOPICS.sensors.name:
        return this.reading(timestampMs);
      default:
        throw new Error(`demo: no generator for ${topic}`);
    }
  }

  /** mulberry32: small, fast and good enough for sample data. */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  private int(below: number): number {
    return Math.floor(this.random() * below);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  private hex(bytes: number): string {
    let text = "";
    for (let i = 0; i < bytes; i++) text += this.int(256).toString(16).padStart(2, "0");
    return text;
  }

  private order(timestampMs: number): Message {
    const orderId = `ord-${this.hex(4)}`;
    this.recentOrders = [orderId, ...this.recentOrders.slice(0, RECENT_ORDERS_MAX - 1)];
    const customerId = `cust-${String(1 + this.int(CUSTOMERS)).padStart(3, "0")}`;
    const lines = Array.from({ length: 1 + this.int(3) }, () => {
      const product = this.pick(PRODUCTS);
      return { sku: product.sku, name: product.name, quantity: 1 + this.int(3), unitPrice: product.price };
    });
    const total = Math.round(lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0) * 100) / 100;
    let roll = this.int(100);
    const [status] = ORDER_EVENTS.find(([, weight]) => (roll -= weight) < 0)!;
    const order = {
      orderId,
      customerId,
      status,
      items: lines,
      total,
      currency: "EUR",
      at: new Date(timestampMs).toISOString(),
    };
    const headers: IHeaders = { "content-type": "application/json", "event-type": `order.${status}`, "trace-id": this.hex(8) };
    return { key: customerId, value: JSON.stringify(order), headers, timestamp: String(timestampMs) };
  }

  private logLine(timestampMs: number): Message {
    const roll = this.int(100);
    const level = roll < 80 ? "INFO" : roll < 95 ? "WARN" : "ERROR";
    const service = this.pick(SERVICES);
    const order = this.recentOrders.length > 0 ? this.pick(this.recentOrders) : `ord-${this.hex(4)}`;
    const ms = 5 + this.int(level === "INFO" ? 120 : 2_500);
    const text =
      level === "INFO"
        ? `${service}: handled ${order} in ${ms} ms`
        : level === "WARN"
          ? `${service}: slow response for ${order} (${ms} ms), retrying`
          : `${service}: giving up on ${order} after 3 attempts: upstream timed out after ${ms} ms`;
    return { key: null, value: `${new Date(timestampMs).toISOString()} ${level.padEnd(5)} ${text}`, timestamp: String(timestampMs) };
  }

  private reading(timestampMs: number): Message {
    const sensorId = 1 + this.int(SENSORS);
    const value = encodeSensorReading({
      sensorId,
      timestampMs,
      temperatureC: 18 + sensorId / 2 + this.random() * 3,
      humidityPercent: 35 + this.random() * 25,
      batteryMv: 3_000 + this.int(700),
    });
    return {
      key: `sensor-${String(sensorId).padStart(2, "0")}`,
      value,
      headers: { "content-type": "application/octet-stream", schema: "sensor-reading/v1" },
      timestamp: String(timestampMs),
    };
  }
}
