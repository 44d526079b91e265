import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { fuzz, replay } from "./fuzz";
import { parseWireInput } from "./target";

const REGRESSIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), "regressions");
/** The bounded run in `npm test`; `npm run fuzz -- --minutes N` runs longer. */
const FUZZ_MS = Number(process.env.FUZZ_SECONDS ?? 45) * 1000;

describe("fuzzing the request path", () => {
  for (const file of readdirSync(REGRESSIONS).filter((name) => name.endsWith(".hex")).sort()) {
    it(`replays ${file}, an input the fuzzer once found, without a finding`, async () => {
      const findings = await replay([parseWireInput(readFileSync(path.join(REGRESSIONS, file), "utf8"), file)]);
      assert.deepEqual(findings.map((finding) => finding.reason), []);
    });
  }

  it(`a bounded run of about ${Math.round(FUZZ_MS / 1000)} s finds nothing`, async () => {
    const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
    const crashDir = mkdtempSync(path.join(os.tmpdir(), "sluice-fuzz-crashes-"));
    const report = await fuzz({ durationMs: FUZZ_MS, seed, inputsPerRound: 200, crashDir, heapBytesMax: 2 ** 30, log: () => {} });
    const summary = `seed ${seed}: ${report.inputs} inputs, ${report.behaviours} behaviours, heap peak ${Math.round(report.heapBytesPeak / 2 ** 20)} MiB`;
    console.log(`fuzz ${summary}`);
    const found = report.crashFiles.map((file) => readFileSync(file, "utf8")).join("\n");
    assert.equal(report.findings.length, 0, `${summary}; findings (replay with npm run fuzz -- --replay <file>):\n${found}`);
    assert.equal(report.harnessErrors, 0, `${summary}: the harness itself failed`);
    rmSync(crashDir, { recursive: true, force: true });
    assert.ok(report.inputs > 1000, `${summary}: too few inputs ran to mean anything`);
  });
});
