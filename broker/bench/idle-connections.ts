/**
 * Busy producers beside many idle connections: `producers` kafkajs producers
 * (acks=1, one send of `recordsPerSend` records in flight each) produce for a
 * fixed time, first alone, then while `idleConnections` more connections are
 * open that never send a byte (a crowd of idle clients, or a flood). Each
 * round runs both phases (the idle connections are closed at its end), so
 * that load elsewhere on the machine falls on both alike. Reports produce
 * throughput and send latency of both phases and the broker's RSS before and
 * while the idle connections are held.
 */
import { readFileSync } from "node:fs";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { logLevel, Kafka, type Producer } from "kafkajs";
import type { BrokerMemory } from "./broker-node";

/** Connections opened at once while building the idle crowd: well under the listen backlog (511). */
const CONNECTS_IN_FLIGHT = 200;
/** Sends in the first second of each phase are left out of its figures. */
const WARMUP_MS = 1000;

export interface IdlePhase {
  idleConnections: number;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  /** Latency of one send (request to acknowledgement). */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Broker RSS at the end of the phase. */
  rssBytes: number;
}

export interface IdleRound {
  without: IdlePhase;
  with: IdlePhase;
  /** Time to open every idle connection. */
  connectSeconds: number;
}

export interface IdleConnectionsOutcome {
  producers: number;
  recordsPerSend: number;
  valueBytes: number;
  rounds: IdleRound[];
  /** Medians over the rounds. */
  without: IdlePhase;
  with: IdlePhase;
  /** Broker RSS per idle connection: (RSS with them - RSS without) / count, median over the rounds. */
  rssBytesPerIdleConnection: number;
}

export interface IdleConnectionsOptions {
  bootstrap: string;
  topic: string;
  producers: number;
  idleConnections: number;
  secondsPerPhase: number;
  rounds: number;
  recordsPerSend: number;
  valueBytes: number;
  brokerMemory: () => BrokerMemory | null;
  log: (line: string) => void;
}

export async function idleConnectionsCase(options: IdleConnectionsOptions): Promise<IdleConnectionsOutcome> {
  const [host, port] = splitHostPort(options.bootstrap);
  // Its own client, so that each producer's connections are its own and none is shared with the rest of the bench.
  const kafka = new Kafka({ clientId: "sluice-bench-idle", brokers: [options.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const producers: Producer[] = [];
  for (let i = 0; i < options.producers; i++) {
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    producers.push(producer);
  }
  let idle: net.Socket[] = [];
  try {
    const value = Buffer.alloc(options.valueBytes, "i");
    const messages = Array.from({ length: options.recordsPerSend }, () => ({ value }));
    const phase = async (idleConnections: number): Promise<IdlePhase> => {
      const latenciesMs: number[] = [];
      const startedMs = performance.now();
      const measuredFromMs = startedMs + WARMUP_MS;
      const endMs = measuredFromMs + options.secondsPerPhase * 1000;
      let records = 0;
      await Promise.all(
        producers.map(async (producer) => {
          while (performance.now() < endMs) {
            const sentMs = performance.now();
            await producer.send({ topic: options.topic, acks: 1, messages });
            if (sentMs < measuredFromMs) continue;
            latenciesMs.push(performance.now() - sentMs);
            records += messages.length;
          }
        }),
      );
      const seconds = (performance.now() - measuredFromMs) / 1000;
      latenciesMs.sort((a, b) => a - b);
      const at = (q: number) => latenciesMs[Math.floor((latenciesMs.length - 1) * q)] ?? NaN;
      return {
        idleConnections,
        records,
        seconds,
        recordsPerSecond: records / seconds,
        p50Ms: at(0.5),
        p99Ms: at(0.99),
        maxMs: at(1),
        rssBytes: options.brokerMemory()?.rssBytes ?? NaN,
      };
    };

    // A first phase warms the path up (connections, JIT) and is left out.
    await phase(0);
    const rounds: IdleRound[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      const without = await phase(0);
      options.log(`  idle connections round ${round}/${options.rounds}: ${fmtPhase(without)}`);
      const connectStartedMs = performance.now();
      for (let opened = 0; opened < options.idleConnections; opened += CONNECTS_IN_FLIGHT) {
        const count = Math.min(CONNECTS_IN_FLIGHT, options.idleConnections - opened);
        idle.push(...(await Promise.all(Array.from({ length: count }, () => connect(host, port)))));
      }
      const connectSeconds = (performance.now() - connectStartedMs) / 1000;
      options.log(`  idle connections round ${round}/${options.rounds}: ${idle.length} opened in ${connectSeconds.toFixed(2)} s`);
      const withIdle = await phase(idle.length);
      options.log(`  idle connections round ${round}/${options.rounds}: ${fmtPhase(withIdle)}`);
      const closedByBroker = idle.filter((socket) => socket.destroyed).length;
      if (closedByBroker > 0) throw new Error(`the broker closed ${closedByBroker} of the idle connections during the run`);
      for (const socket of idle) socket.destroy();
      idle = [];
      rounds.push({ without, with: withIdle, connectSeconds });
    }
    return {
      producers: options.producers,
      recordsPerSend: options.recordsPerSend,
      valueBytes: options.valueBytes,
      rounds,
      without: medianPhase(rounds.map((r) => r.without)),
      with: medianPhase(rounds.map((r) => r.with)),
      rssBytesPerIdleConnection: median(rounds.map((r) => (r.with.rssBytes - r.without.rssBytes) / options.idleConnections)),
    };
  } finally {
    for (const socket of idle) socket.destroy();
    await Promise.all(producers.map((producer) => producer.disconnect().catch(() => {})));
  }
}

/** The soft open-file limit of a process (`pid` "self" for this one), from /proc/<pid>/limits; null when unreadable. */
export function openFilesLimit(pid: number | "self"): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, "utf8")
      .split("\n")
      .find((entry) => entry.startsWith("Max open files"));
    const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
    return soft === undefined ? null : soft === "unlimited" ? Infinity : Number(soft);
  } catch {
    return null;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Each figure's median over the phases. */
function medianPhase(phases: IdlePhase[]): IdlePhase {
  const of = (key: keyof IdlePhase) => median(phases.map((phase) => phase[key]));
  return {
    idleConnections: phases[0].idleConnections,
    records: of("records"),
    seconds: of("seconds"),
    recordsPerSecond: of("recordsPerSecond"),
    p50Ms: of("p50Ms"),
    p99Ms: of("p99Ms"),
    maxMs: of("maxMs"),
    rssBytes: of("rssBytes"),
  };
}

function fmtPhase(phase: IdlePhase): string {
  return (
    `${phase.idleConnections} idle: ${Math.round(phase.recordsPerSecond).toLocaleString("en-US")} records/s, ` +
    `send p50 ${phase.p50Ms.toFixed(2)} ms, p99 ${phase.p99Ms.toFixed(2)} ms, broker RSS ${(phase.rssBytes / 1024 / 1024).toFixed(1)} MiB`
  );
}

function connect(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port }, () => {
      socket.off("error", reject);
      socket.on("error", () => {});
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

function splitHostPort(bootstrap: string): [string, number] {
  const colon = bootstrap.lastIndexOf(":");
  return [bootstrap.slice(0, colon), Number(bootstrap.slice(colon + 1))];
}
