/**
 * `npm run fuzz -- --minutes N`: fuzzes the request path of a node in this
 * process for N minutes (default 10), keeping the corpus in
 * `broker/fuzz-results/corpus` and writing each finding to `broker/fuzz-results/crashes`
 * as a replayable file. `--replay <file>...` runs recorded inputs again.
 * Options: --seed N, --inputs-per-round N, --corpus DIR, --crashes DIR, --heap-mib N.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { fuzz, replay } from "./fuzz";
import { parseWireInput } from "./target";

const { values, positionals } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    seed: { type: "string" },
    "inputs-per-round": { type: "string", default: "200" },
    corpus: { type: "string" },
    crashes: { type: "string" },
    "heap-mib": { type: "string", default: "1024" },
    replay: { type: "boolean", default: false },
  },
  allowPositionals: true,
});

const BROKER_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Paths given on the command line are relative to where npm was run (the workspace script runs in broker/). */
const given = (file: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), file);

const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

if (values.replay) {
  const inputs = positionals.map((file) => parseWireInput(readFileSync(given(file), "utf8"), path.basename(file)));
  const findings = await replay(inputs);
  for (const finding of findings) log(`FINDING: ${finding.reason}\n${finding.logged.join("\n")}`);
  log(`${inputs.length} inputs replayed, ${findings.length} findings`);
  process.exit(findings.length === 0 ? 0 : 1);
}

const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
const report = await fuzz({
  durationMs: Number(values.minutes) * 60_000,
  seed,
  inputsPerRound: Number(values["inputs-per-round"]),
  corpusDir: values.corpus ? given(values.corpus) : path.join(BROKER_ROOT, "fuzz-results/corpus"),
  crashDir: values.crashes ? given(values.crashes) : path.join(BROKER_ROOT, "fuzz-results/crashes"),
  heapBytesMax: Number(values["heap-mib"]) * 2 ** 20,
  log,
});
log(
  `done: ${report.inputs} inputs in ${Math.round(report.elapsedMs / 1000)} s (${Math.round(report.inputs / (report.elapsedMs / 1000))}/s), ` +
    `${report.rounds} rounds, ${report.behaviours} behaviours, corpus ${report.corpusSize}, heap peak ${Math.round(report.heapBytesPeak / 2 ** 20)} MiB, ` +
    `${report.findings.length} findings${report.crashFiles.length ? `: ${report.crashFiles.join(", ")}` : ""}, ${report.harnessErrors} harness errors`,
);
process.exit(report.findings.length === 0 && report.harnessErrors === 0 ? 0 : 1);
