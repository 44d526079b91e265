import path from "node:path";
import { Broker } from "../src/broker";
import type { BrokerConfig } from "../src/config/broker-config";
import { describeImage, type MetadataImage } from "../src/metadata/image";
import { replayedImage } from "../src/metadata/loader";
import { LocalMetadataLog } from "../src/metadata/metadata-log";
import { createLogger } from "../src/runtime/logger";
import { FaultyFileSystem } from "../test/helpers/faulty-fs";
import { IncarnationScheduler, type SimClock, type SimLoop } from "./loop";
import type { NodeNetwork, SimNetwork } from "./network";
import type { SimRandom } from "./random";
import type { Trace } from "./trace";

const METADATA_DIR_NAME = "__cluster_metadata-0";

/**
 * The one node of a run, on the simulated disk, clock, scheduler, network
 * and random source. Each start() is a new incarnation (a new process on the
 * same disk); crash() ends one without a word: its timers and connections die,
 * the disk keeps what fsync made durable and, when torn, some of the rest.
 */
export class SimNode {
  broker: Broker | null = null;
  private scheduler: IncarnationScheduler | null = null;
  private network: NodeNetwork | null = null;
  incarnations = 0;
  crashes = 0;
  /** Set while a start is under way. */
  starting: Promise<void> | null = null;

  constructor(
    readonly config: BrokerConfig,
    readonly fs: FaultyFileSystem,
    private readonly loop: SimLoop,
    private readonly clock: SimClock,
    private readonly simNetwork: SimNetwork,
    private readonly random: SimRandom,
    private readonly trace: Trace,
  ) {}

  get up(): boolean {
    return this.broker !== null;
  }

  async start(): Promise<void> {
    this.incarnations++;
    const scheduler = new IncarnationScheduler(this.loop, this.clock);
    const network = this.simNetwork.forNode();
    this.scheduler = scheduler;
    this.network = network;
    const incarnation = this.incarnations;
    const logger = createLogger({
      level: "info",
      clock: this.clock,
      write: (line) => this.trace.add(`node#${incarnation}`, "log", line),
    });
    this.trace.add("node", "start", `incarnation ${incarnation}`);
    const starting = Broker.start(this.config, {
      fs: this.fs,
      clock: this.clock,
      scheduler,
      logger,
      random: (size) => this.random.bytes(size),
      network,
    }).then((broker) => {
      // A crash during start-up leaves this incarnation dead: its broker is never served.
      if (this.scheduler === scheduler) this.broker = broker;
    });
    this.starting = starting.then(
      () => void (this.starting = null),
      () => void (this.starting = null),
    );
    await starting;
  }

  /** Power loss: the node's timers and sockets are gone; the disk keeps durable bytes and, when `torn`, a seeded part of the rest. */
  crash(torn: boolean): void {
    this.crashes++;
    this.trace.add("node", "crash", torn ? "torn writes" : "unsynced writes lost");
    this.scheduler?.kill();
    this.network?.crash();
    this.scheduler = null;
    this.network = null;
    this.broker = null;
    this.fs.crash({ tornBytes: torn });
  }

  /** A clean stop (SIGTERM): in-flight requests finish, logs are flushed and closed. */
  async stopGracefully(): Promise<void> {
    const broker = this.broker;
    if (!broker) return;
    this.trace.add("node", "shutdown");
    this.broker = null;
    await broker.shutdown();
    this.scheduler?.kill();
    this.network?.crash();
    this.scheduler = null;
    this.network = null;
  }

  /**
   * The metadata image the node serves must be what replaying its metadata
   * log gives: a second MetadataStore opened on a copy of the log's
   * directory replays it, and the two images are compared field by field.
   */
  metadataReplayDiffers(): string | null {
    const broker = this.broker;
    if (!broker) return null;
    const live = broker.image;
    const dir = path.join(this.config.logDirs[0], METADATA_DIR_NAME);
    const copy = new FaultyFileSystem();
    copyTree(this.fs, copy, dir);
    // A fresh replay of the log as it is on disk, with no publishers, as a restarted node would build it.
    const log = LocalMetadataLog.open({ dir, fs: copy, clock: this.clock, scheduler: broker.scheduler, random: broker.random, logger: createLogger({ clock: this.clock, write: () => {} }) });
    const a = canonical(describeImage(live));
    const b = canonical(describeImage(replayedImage(log, live.emptied())));
    log.close();
    return a === b ? null : `live image ${a.length > 600 ? a.slice(0, 600) + "..." : a}\nreplayed ${b.length > 600 ? b.slice(0, 600) + "..." : b}`;
  }

  image(): MetadataImage | null {
    return this.broker?.image ?? null;
  }
}

function copyTree(from: FaultyFileSystem, to: FaultyFileSystem, dir: string): void {
  to.mkdirSync(dir, { recursive: true });
  for (const name of from.readdirSync(dir)) {
    const file = path.posix.join(dir, name);
    if (from.statSync(file).isDirectory()) copyTree(from, to, file);
    else to.writeFileSync(file, from.readFileSync(file));
  }
}

/** A stable text form of a value: Map and Set entries and object keys sorted, Buffers as hex. */
export function canonical(value: unknown): string {
  return JSON.stringify(normalize(value));
}

function normalize(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return undefined;
  if (Buffer.isBuffer(value)) return `0x${value.toString("hex")}`;
  if (value instanceof Map)
    return [...value.entries()].map(([k, v]) => [normalize(k), normalize(v)]).sort((x, y) => (JSON.stringify(x[0]) < JSON.stringify(y[0]) ? -1 : 1));
  if (value instanceof Set) return [...value].map(normalize).sort();
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = normalize((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}
