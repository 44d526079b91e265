import { spawn, spawnSync } from "node:child_process";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion with stdin, a time limit and captured output. */
export function run(command: string, args: string[], options: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk) => stdout.push(chunk));
    child.stderr.on("data", (chunk) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** True when `command` is on the PATH. */
export function hasCommand(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
}

/** True when /usr/bin/python3 can import every module named. */
export function hasPythonModules(...modules: string[]): boolean {
  return spawnSync("/usr/bin/python3", ["-c", modules.map((m) => `import ${m}`).join(";")]).status === 0;
}

/**
 * Tests that drive an external client skip when it is missing on a developer's
 * machine, but CI installs them all, so there a missing client is a failure.
 */
export function requireClient(available: boolean, name: string): false | string {
  if (available) return false;
  if (process.env.CI) throw new Error(`${name} is required in CI (installed by scripts/install-test-deps.sh)`);
  return `${name} is not installed (run scripts/install-test-deps.sh)`;
}
