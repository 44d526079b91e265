/**
 * The broker under benchmark: `node --import tsx src/main.ts` as its own
 * process, with its own log dir and port, and its memory read from
 * /proc/<pid>/status.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const BROKER_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;
const RSS_SAMPLE_INTERVAL_MS = 200;
/** USER_HZ: the unit of utime and stime in /proc/<pid>/stat (100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

export interface BrokerMemory {
  /** VmHWM: the peak resident set since the process started. */
  rssPeakBytes: number;
  /** VmRSS now. */
  rssBytes: number;
}

export interface BenchBrokerOptions {
  /** Parent of the log dir and the broker's output file. */
  dir: string;
  /** Extra `key=value` overrides. */
  overrides?: string[];
  /** Write a V8 CPU profile of the broker into this directory (node --cpu-prof). */
  cpuProfileDir?: string;
  /** The broker package to run (holding src/main.ts): this checkout's by default, another build for an A/B comparison. */
  brokerRoot?: string;
  /** Runs the broker under this open-file limit (soft and hard, through util-linux's prlimit) instead of the shell's. */
  openFileLimit?: number;
  /** How long to wait for "broker started" (default 30 s). */
  startTimeoutMs?: number;
  /** Preloads bench/event-loop-probe.ts into the broker, so that eventLoopDelay() can read its event-loop delay. */
  eventLoopProbe?: boolean;
}

/** The broker's event-loop delay over a window, from bench/event-loop-probe.ts. */
export interface EventLoopDelay {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const EVENT_LOOP_PROBE = path.join(path.dirname(fileURLToPath(import.meta.url)), "event-loop-probe.ts");
const EVENT_LOOP_READ_TIMEOUT_MS = 5000;

export class BenchBroker {
  private rssSamples: number[] = [];
  private sampler: NodeJS.Timeout | null = null;
  private eventLoopSequence = 0;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly outputFile: string,
    private readonly eventLoopFile: string | null,
  ) {}

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(options: BenchBrokerOptions): Promise<BenchBroker> {
    const port = await freePort();
    const outputFile = path.join(options.dir, "broker.out");
    const out = openSync(outputFile, "w");
    const nodeArgs = ["--import", "tsx"];
    const eventLoopFile = options.eventLoopProbe ? path.join(options.dir, "event-loop-delay.json") : null;
    if (eventLoopFile) nodeArgs.push("--import", EVENT_LOOP_PROBE);
    if (options.cpuProfileDir) nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`);
    const overrides = [
      `listeners=PLAINTEXT://127.0.0.1:${port}`,
      `log.dirs=${path.join(options.dir, "logs")}`,
      "node.id=1",
      // One segment holds a whole run: rolls (and their fsyncs) are not what is measured.
      "log.segment.bytes=1073741824",
      "log.retention.ms=-1",
      "auto.create.topics.enable=false",
      ...(options.overrides ?? []),
    ];
    const brokerRoot = options.brokerRoot ?? BROKER_ROOT;
    const command = [process.execPath, ...nodeArgs, "src/main.ts", ...overrides.flatMap((o) => ["--override", o])];
    if (options.openFileLimit !== undefined) command.unshift("prlimit", `--nofile=${options.openFileLimit}:${options.openFileLimit}`);
    const child = spawn(command[0], command.slice(1), {
      cwd: brokerRoot,
      stdio: ["ignore", out, out],
      env: { ...process.env, LOG_LEVEL: "info", INIT_CWD: brokerRoot, ...(eventLoopFile ? { SLUICE_EVENT_LOOP_FILE: eventLoopFile } : {}) },
    });
    closeSync(out);
    const broker = new BenchBroker(child, port, outputFile, eventLoopFile);
    const startTimeoutMs = options.startTimeoutMs ?? START_TIMEOUT_MS;
    const deadline = Date.now() + startTimeoutMs;
    while (!readFileSync(outputFile, "utf8").includes('"msg":"broker started"')) {
      if (child.exitCode !== null) throw new Error(`the broker exited early:\n${readFileSync(outputFile, "utf8")}`);
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`the broker did not start within ${startTimeoutMs} ms:\n${readFileSync(outputFile, "utf8")}`);
      }
      await sleep(50);
    }
    broker.sampler = setInterval(() => {
      const memory = broker.memory();
      if (memory) broker.rssSamples.push(memory.rssBytes);
    }, RSS_SAMPLE_INTERVAL_MS);
    broker.sampler.unref();
    return broker;
  }

  /**
   * The broker's event-loop delay since the previous call (or its start),
   * and a fresh window from now. Needs the eventLoopProbe option.
   */
  async eventLoopDelay(): Promise<EventLoopDelay> {
    if (!this.eventLoopFile) throw new Error("the broker was started without the event-loop probe");
    const expected = ++this.eventLoopSequence;
    this.child.kill("SIGUSR2");
    const deadline = Date.now() + EVENT_LOOP_READ_TIMEOUT_MS;
    for (;;) {
      try {
        const snapshot = JSON.parse(readFileSync(this.eventLoopFile, "utf8")) as EventLoopDelay & { sequence: number };
        if (snapshot.sequence === expected) return { samples: snapshot.samples, p50Ms: snapshot.p50Ms, p99Ms: snapshot.p99Ms, maxMs: snapshot.maxMs };
      } catch {
        // Not written yet, or caught halfway through the write.
      }
      if (Date.now() > deadline) throw new Error("the broker did not report its event-loop delay");
      await sleep(20);
    }
  }

  /** VmHWM and VmRSS of the broker process, or null once it has exited. */
  memory(): BrokerMemory | null {
    let status: string;
    try {
      status = readFileSync(`/proc/${this.pid}/status`, "utf8");
    } catch {
      return null;
    }
    const kib = (field: string) => Number(/^\s*(\d+)/.exec(status.split(`${field}:`)[1] ?? "")?.[1] ?? NaN) * 1024;
    return { rssPeakBytes: kib("VmHWM"), rssBytes: kib("VmRSS") };
  }

  /** Descriptors the broker holds now (the entries of /proc/<pid>/fd), NaN once it has exited. */
  openDescriptors(): number {
    try {
      return readdirSync(`/proc/${this.pid}/fd`).length;
    } catch {
      return NaN;
    }
  }

  /** CPU time (user + system, all threads) the broker process has used so far, from /proc/<pid>/stat. */
  cpuSeconds(): number {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, "utf8");
      // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    } catch {
      return NaN;
    }
  }

  /** RSS samples taken every 200 ms since the start. */
  get rssSamplesBytes(): readonly number[] {
    return this.rssSamples;
  }

  /** SIGTERM (a graceful shutdown, which writes the CPU profile when asked for), SIGKILL if it hangs. */
  async stop(timeoutMs = STOP_TIMEOUT_MS): Promise<number | string> {
    if (this.sampler) clearInterval(this.sampler);
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = new Promise<number | string>((resolve) => this.child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    const result = await exited;
    clearTimeout(timer);
    return result;
  }
}

/** A port that was free a moment ago (bind 0, read, release). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
