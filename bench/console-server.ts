/**
 * The built console (`next start`) as a child process for the benchmarks,
 * pointed at a broker; builds it first when .next/BUILD_ID is missing.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, sleep } from "../broker/bench/broker-node";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CONSOLE_START_TIMEOUT_MS = 60_000;
const BUILD_TIMEOUT_MS = 15 * 60_000;

/** Debian's Chromium as the benches launch it: no sandbox (root), and none of its background calls to the closed network. */
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"];

export class ConsoleServer {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly outputFile: string,
  ) {}

  static async start(dir: string, bootstrap: string, env: Record<string, string> = {}): Promise<ConsoleServer> {
    const port = await freePort();
    const outputFile = path.join(dir, "console.out");
    const out = openSync(outputFile, "w");
    const nextBin = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
    const child = spawn(process.execPath, [nextBin, "start", "-H", "127.0.0.1", "-p", String(port)], {
      cwd: ROOT,
      stdio: ["ignore", out, out],
      env: { ...process.env, KAFKA_BROKERS: bootstrap, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", ...env },
    });
    closeSync(out);
    const server = new ConsoleServer(child, `http://127.0.0.1:${port}`, outputFile);
    const deadline = Date.now() + CONSOLE_START_TIMEOUT_MS;
    while (!(await fetch(`${server.url}/api/cluster`).then((r) => r.ok, () => false))) {
      if (child.exitCode !== null) throw new Error(`the console exited early:\n${readFileSync(outputFile, "utf8")}`);
      if (Date.now() > deadline) throw new Error(`the console did not start within ${CONSOLE_START_TIMEOUT_MS} ms:\n${readFileSync(outputFile, "utf8")}`);
      await sleep(200);
    }
    return server;
  }

  /** VmHWM of the console's process tree root (next start serves in its own process). */
  rssPeakBytes(): number {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, "utf8");
      return Number(/VmHWM:\s*(\d+)/.exec(status)?.[1] ?? NaN) * 1024;
    } catch {
      return NaN;
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

export function ensureBuild(log: (message: string) => void = console.log): void {
  if (existsSync(path.join(ROOT, ".next", "BUILD_ID"))) return;
  log("no console build (.next/BUILD_ID): running next build");
  const nextBin = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
  const built = spawnSync(process.execPath, [nextBin, "build"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" }, timeout: BUILD_TIMEOUT_MS });
  if (built.status !== 0) throw new Error(`next build failed (exit ${built.status})`);
}

