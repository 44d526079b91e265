import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const BROKER_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

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

export interface BrokerProcess {
  child: ChildProcess;
  port: number;
  output(): string;
  /** Resolves with the exit code (or signal name) once the process ends. */
  exited: Promise<number | string>;
}

/**
 * Starts `src/main.ts` as its own process, as `npm run broker` does, and waits until it listens.
 * `openFileLimit` runs it under that RLIMIT_NOFILE (soft and hard), through util-linux's prlimit.
 * `openFileLimitOnceStarted` lowers the running node's limit to that once it has started: loading
 * the broker's modules opens many files at once (about 60 to 100 here, more under load), so a test
 * about descriptors running out at run time must not let start-up meet the limit by chance.
 */
export async function spawnBroker(
  args: string[],
  options: { waitForListening?: boolean; openFileLimit?: number; openFileLimitOnceStarted?: number } = {},
): Promise<BrokerProcess> {
  const command = [process.execPath, "--import", "tsx", "src/main.ts", ...args];
  if (options.openFileLimit !== undefined) command.unshift("prlimit", `--nofile=${options.openFileLimit}:${options.openFileLimit}`);
  const child = spawn(command[0], command.slice(1), {
    cwd: BROKER_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  const portOverride = args.find((arg) => arg.startsWith("listeners="));
  const port = portOverride ? Number(portOverride.split(":").pop()) : 9092;
  if (options.waitForListening !== false) {
    const deadline = Date.now() + 20_000;
    while (!output.includes('"msg":"broker started"')) {
      if (child.exitCode !== null) throw new Error(`broker exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`broker did not start within 20 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  if (options.openFileLimitOnceStarted !== undefined) {
    const limit = options.openFileLimitOnceStarted;
    execFileSync("prlimit", ["--pid", String(child.pid), `--nofile=${limit}:${limit}`]);
  }
  return { child, port, output: () => output, exited };
}
