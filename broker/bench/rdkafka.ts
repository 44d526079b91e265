/**
 * librdkafka load: kcat as it comes, and bench/rdkafka-perf.c built with gcc
 * at bench time when librdkafka-dev is installed (kcat's own per-line work
 * caps its rate below the library's).
 */
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import path from "node:path";
import { BROKER_ROOT } from "./broker-node";

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs a command to its end; stdout is kept unless `discardStdout`. */
export function run(command: string, args: string[], options: { discardStdout?: boolean; timeoutMs?: number } = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ["ignore", options.discardStdout ? "ignore" : "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => (stdout += chunk));
    child.stderr!.on("data", (chunk) => {
      if (stderr.length < 64 * 1024) stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 300_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    });
  });
}

function checked(result: ProcessResult, what: string): ProcessResult {
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}):\n${result.stderr}`);
  return result;
}

export function hasCommand(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
}

/** Builds rdkafka-perf into `dir`; null (with the reason) when gcc or librdkafka-dev is missing. */
export function buildRdkafkaPerf(dir: string): { binary: string; version: string } | { binary: null; reason: string } {
  if (!hasCommand("gcc")) return { binary: null, reason: "gcc is not installed" };
  if (!existsSync("/usr/include/librdkafka/rdkafka.h")) return { binary: null, reason: "librdkafka-dev is not installed" };
  const binary = path.join(dir, "rdkafka-perf");
  const source = path.join(BROKER_ROOT, "bench", "rdkafka-perf.c");
  const built = spawnSync("gcc", ["-O2", "-Wall", "-o", binary, source, "-lrdkafka", "-lpthread"], { encoding: "utf8" });
  if (built.status !== 0) return { binary: null, reason: `gcc failed: ${built.stderr}` };
  const version = spawnSync("sh", ["-c", "dpkg-query -W -f '${Version}' librdkafka1 2>/dev/null"], { encoding: "utf8" }).stdout.trim();
  return { binary, version: version || "unknown" };
}

/** A file of `count` lines, each a `valueBytes`-byte value, for kcat -P -l. */
export async function writeLinesFile(file: string, count: number, valueBytes: number): Promise<void> {
  const line = Buffer.from("v".repeat(valueBytes) + "\n");
  const linesPerChunk = Math.max(1, Math.floor((1 << 20) / line.length));
  const chunk = Buffer.alloc(linesPerChunk * line.length);
  for (let i = 0; i < linesPerChunk; i++) line.copy(chunk, i * line.length);
  const out = createWriteStream(file);
  for (let written = 0; written < count; written += linesPerChunk) {
    const lines = Math.min(linesPerChunk, count - written);
    if (!out.write(lines === linesPerChunk ? chunk : chunk.subarray(0, lines * line.length)))
      await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** The producer settings both kcat and rdkafka-perf use for throughput: big batches, no compression. */
export const THROUGHPUT_PRODUCER_PROPS = [
  "linger.ms=5",
  "batch.size=1000000",
  "batch.num.messages=100000",
  "queue.buffering.max.messages=2000000",
  "queue.buffering.max.kbytes=1048576",
  "acks=all",
];

export async function kcatProduce(bootstrap: string, topic: string, partition: number, linesFile: string): Promise<number> {
  const args = ["-P", "-b", bootstrap, "-t", topic, "-z", "none", "-l", linesFile];
  if (partition >= 0) args.push("-p", String(partition));
  for (const prop of THROUGHPUT_PRODUCER_PROPS) args.push("-X", prop);
  return checked(await run("kcat", args), "kcat -P").seconds;
}

/** kcat -C -e from the beginning of the partitions (all of them when `partition` is -1), values to /dev/null. */
export async function kcatConsume(bootstrap: string, topic: string, partition: number): Promise<number> {
  const args = ["-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-X", "fetch.message.max.bytes=4194304"];
  if (partition >= 0) args.push("-p", String(partition));
  return checked(await run("kcat", args, { discardStdout: true }), "kcat -C").seconds;
}

/** `idempotent` sets enable.idempotence=true (rdkafka-perf's trailing `idempotent` argument). */
export async function perfProduce(binary: string, bootstrap: string, topic: string, partition: number, count: number, valueBytes: number, idempotent = false) {
  const args = ["produce", bootstrap, topic, String(partition), String(count), String(valueBytes)];
  if (idempotent) args.push("idempotent");
  const result = checked(await run(binary, args), "rdkafka-perf produce");
  return JSON.parse(result.stdout) as { records: number; failed: number; seconds: number };
}

export async function perfConsume(binary: string, bootstrap: string, topic: string, partitions: number, count: number) {
  const result = checked(await run(binary, ["consume", bootstrap, topic, String(partitions), String(count)]), "rdkafka-perf consume");
  return JSON.parse(result.stdout) as { records: number; seconds: number };
}

export async function perfLatency(binary: string, bootstrap: string, topic: string, ratePerSecond: number, seconds: number, valueBytes: number) {
  const result = checked(
    await run(binary, ["latency", bootstrap, topic, String(ratePerSecond), String(seconds), String(valueBytes)]),
    "rdkafka-perf latency",
  );
  return JSON.parse(result.stdout) as { records: number; received: number; warmupRecords: number; seconds: number; p50Ms: number; p99Ms: number; maxMs: number };
}
