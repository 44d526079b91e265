import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Runs `npm start`'s script to its exit (at most 60 s), with the given environment. */
function start(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["scripts/start.mjs"], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    const timer = setTimeout(() => child.kill("SIGINT"), 60_000);
    child.on("exit", (code) => (clearTimeout(timer), resolve({ code, output })));
  });
}

describe("npm start (scripts/start.mjs)", () => {
  it("a console port already taken: one line saying to choose another with PORT, before anything starts", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      // KAFKA_BROKERS names a port nothing listens on: had the check not stopped it, no broker would start either.
      const { code, output } = await start({ PORT: String(port), HOST: "127.0.0.1", KAFKA_BROKERS: "127.0.0.1:1" });
      assert.equal(code, 1);
      assert.equal(output.trim(), `[sluice] port ${port} on 127.0.0.1 is already in use; stop what uses it, or start the console on another port: PORT=${port + 1} npm start`);
    } finally {
      taken.close();
    }
  });

  it("no users configured and a non-loopback HOST: refuses to start, saying how to configure users or allow it", async () => {
    const { code, output } = await start({ PORT: "1", HOST: "0.0.0.0", KAFKA_BROKERS: "127.0.0.1:1", SLUICE_CONFIG: "", SLUICE_ALLOW_UNAUTHENTICATED: "" });
    assert.equal(code, 1);
    assert.match(output, /no users are configured, so the console serves only on loopback and not on 0\.0\.0\.0/);
    assert.match(output, /SLUICE_ALLOW_UNAUTHENTICATED=true/);
  });

  it("a configuration file with a bad field: stops before anything starts, naming the file and the field's path", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-start-"));
    const file = path.join(dir, "console.yaml");
    writeFileSync(file, "users:\n  - username: ann\n    passwordHash: hunter2\n");
    try {
      const { code, output } = await start({ PORT: "1", HOST: "127.0.0.1", KAFKA_BROKERS: "127.0.0.1:1", SLUICE_CONFIG: file });
      assert.equal(code, 1);
      assert.match(output, new RegExp(`the console configuration ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not valid`));
      assert.match(output, /users\.0\.passwordHash: not a scrypt hash/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
