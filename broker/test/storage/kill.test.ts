import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { PartitionLog } from "../../src/storage/partition-log";
import { splitBatches } from "./batches";
import { labelOf, TEST_CONFIG } from "./log-fixtures";
import { realRuntime } from "../helpers/runtime";

const BROKER_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CHILD = fileURLToPath(new URL("./fixtures/append-until-killed.ts", import.meta.url));
const ACKS_BEFORE_KILL = 5000;

test("kill -9 mid-stream: every append acknowledged before the kill (written, never fsynced) is readable after reopen", { timeout: 120_000 }, async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), "sluice-kill-"));
  try {
    const dir = path.join(root, "orders-0");
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, dir], {
      cwd: BROKER_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      // A test that times out must not leave the child appending (and this file's process alive) forever.
      signal: t.signal,
      killSignal: "SIGKILL",
    });
    let stdout = "";
    let stderr = "";
    let lines = 0;
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal })),
    );
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      lines += chunk.toString().split("\n").length - 1;
      if (lines >= ACKS_BEFORE_KILL && child.exitCode === null && !child.killed) child.kill("SIGKILL");
    });
    const { signal } = await exited;
    assert.equal(signal, "SIGKILL", `the child ended by itself: ${stderr}`);

    // Only whole lines were acknowledged; a line cut by the kill is ignored.
    const acked = stdout
      .split("\n")
      .slice(0, -1)
      .map((line) => {
        const [base, last, label] = line.split(" ");
        return { baseOffset: Number(base), lastOffset: Number(last), label };
      });
    assert.ok(acked.length >= ACKS_BEFORE_KILL, `${acked.length} acknowledged appends`);

    const log = PartitionLog.open(dir, { ...TEST_CONFIG, segmentBytes: 256 * 1024 }, realRuntime);
    try {
      assert.ok(log.segmentCount > 1, `the child rolled segments (${log.segmentCount})`);
      assert.ok(log.logEndOffset >= acked[acked.length - 1].lastOffset + 1, `log end ${log.logEndOffset}`);
      for (const { baseOffset, lastOffset, label } of acked) {
        const [batch] = splitBatches(log.read(baseOffset, 0).records);
        assert.equal(batch.baseOffset, baseOffset);
        assert.equal(batch.lastOffset, lastOffset);
        assert.equal(labelOf(batch.bytes), label);
        assert.ok(batch.crcValid, `batch ${baseOffset} CRC`);
      }
    } finally {
      log.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
