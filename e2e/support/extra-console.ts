import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

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

export interface ExtraConsole {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Another built console (`next start`) on a free port, against the e2e broker,
 * with its own data directory and the given environment (a SLUICE_CONFIG, say),
 * for specs that need a console configured otherwise than the shared one.
 */
export async function startConsole(env: Record<string, string>): Promise<ExtraConsole> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "sluice-e2e-extra-"));
  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  const child: ChildProcess = spawn(process.execPath, [nextBin, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", KAFKA_BROKERS: process.env.SLUICE_E2E_BROKERS!, SLUICE_DATA_DIR: dataDir, SLUICE_LAG_SAMPLE_MS: "1000", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (c) => (output += c));
  child.stderr!.on("data", (c) => (output += c));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (!(await fetch(`${url}/api/openapi.json`).then((r) => r.status > 0, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the console did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => {
          const timer = setTimeout(() => (child.kill("SIGKILL"), r(null)), 10_000);
          child.on("exit", () => (clearTimeout(timer), r(null)));
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
