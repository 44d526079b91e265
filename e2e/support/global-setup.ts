import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Starts a real broker node (as `npm run broker` does) on a free port with a
 * temporary log dir, then the built console (`next start`) pointed at it, and a
 * second console pointed at a port where nothing listens (for the "cluster
 * down" test). Returns the teardown that stops them.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function start(name: string, args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (c) => (output += c));
  child.stderr!.on("data", (c) => (output += c));
  child.on("exit", (code) => {
    if (code && code !== 0 && !(child as any).stopping) console.error(`[e2e] ${name} exited with ${code}:\n${output}`);
  });
  return { child, output: () => output };
}

async function waitUntil(what: string, check: () => Promise<boolean>, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not start within ${timeoutMs} ms:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const httpOk = (url: string) => () => fetch(url).then((r) => r.status < 500 || r.status === 503, () => false);

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) throw new Error("no console build: run `next build` first (npm run test:e2e does)");
  const logDir = mkdtempSync(path.join(os.tmpdir(), "sluice-e2e-"));
  const [brokerPort, consolePort, deadConsolePort, deadKafkaPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);

  const broker = start(
    "broker",
    ["--import", "tsx", "broker/src/main.ts", "broker/config/server.properties", "--override", `listeners=PLAINTEXT://127.0.0.1:${brokerPort}`, "--override", `log.dirs=${logDir}`],
    { INIT_CWD: root },
  );
  await waitUntil("the broker", async () => broker.output().includes('"msg":"broker started"'), broker.output);

  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  // Each console keeps its lag history in its own temporary data dir, sampled every second so lag charts move within a test.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "sluice-e2e-console-"));
  const lagHistory = (name: string) => ({ SLUICE_DATA_DIR: path.join(dataDir, name), SLUICE_LAG_SAMPLE_MS: "1000" });
  const consoleApp = start("console", [nextBin, "start", "-H", "127.0.0.1", "-p", String(consolePort)], { KAFKA_BROKERS: `127.0.0.1:${brokerPort}`, ...lagHistory("main") });
  const deadConsole = start("console (no cluster)", [nextBin, "start", "-H", "127.0.0.1", "-p", String(deadConsolePort)], {
    KAFKA_BROKERS: `127.0.0.1:${deadKafkaPort}`,
    ...lagHistory("dead"),
  });
  await waitUntil("the console", httpOk(`http://127.0.0.1:${consolePort}/api/cluster`), consoleApp.output);
  await waitUntil("the console without a cluster", httpOk(`http://127.0.0.1:${deadConsolePort}/api/topics`), deadConsole.output);

  process.env.SLUICE_E2E_URL = `http://127.0.0.1:${consolePort}`;
  process.env.SLUICE_E2E_DEAD_URL = `http://127.0.0.1:${deadConsolePort}`;
  process.env.SLUICE_E2E_BROKERS = `127.0.0.1:${brokerPort}`;

  return async () => {
    for (const p of [consoleApp, deadConsole, broker]) {
      (p.child as any).stopping = true;
      if (p.child.exitCode === null) {
        p.child.kill("SIGTERM");
        await new Promise((r) => {
          const timer = setTimeout(() => (p.child.kill("SIGKILL"), r(null)), 10_000);
          p.child.on("exit", () => (clearTimeout(timer), r(null)));
        });
      }
    }
    rmSync(logDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  };
}
