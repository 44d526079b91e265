/**
 * npm run simulate -- --seeds N [--from S] [--duration MS] [--echo]
 * SEED=n npm run simulate     replays one run exactly (and prints its trace hash)
 *
 * Runs seeded simulations of the node (see run.ts); prints one line per
 * seed, and for a failing seed the broken invariant, the last trace lines
 * and the command that replays it. Exits 1 when any seed failed.
 */
import { runSimulation, type SimResult } from "./run";

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const single = process.env.SEED;
  const durationMs = argument("duration") ? Number(argument("duration")) : undefined;
  const echo = process.argv.includes("--echo");
  const from = Number(argument("from") ?? 1);
  const count = Number(argument("seeds") ?? 20);
  const seeds = single !== undefined ? [Number(single)] : Array.from({ length: count }, (_, i) => from + i);
  const verbose = single !== undefined || process.argv.includes("--verbose");
  const started = process.hrtime.bigint();
  const failed: SimResult[] = [];
  let crashes = 0;
  let acked = 0;
  let checks = 0;
  for (const seed of seeds) {
    const result = await runSimulation({ seed, durationMs, echo });
    crashes += result.stats.crashes;
    acked += result.stats.ackedRecords;
    checks += result.stats.checks;
    if (verbose || result.failure) process.stdout.write(`seed=${seed} hash=${result.traceHash} ${result.failure ? "FAILED" : "ok"} ${JSON.stringify(result.stats)} durable=${result.durable}\n`);
    if (result.failure) {
      failed.push(result);
      process.stdout.write(`  ${result.failure.split("\n").join("\n  ")}\n  last trace lines:\n    ${result.traceTail.join("\n    ")}\n`);
      process.stdout.write(`  replay: SEED=${seed} npm run simulate${durationMs ? ` -- --duration ${durationMs}` : ""}\n`);
    } else if (!verbose && seeds.length > 1 && (seed - from + 1) % 100 === 0) process.stdout.write(`${seed - from + 1} seeds run, ${failed.length} failed\n`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    `${seeds.length} seeds in ${seconds.toFixed(1)} s: ${failed.length} failed${failed.length ? ` (${failed.map((r) => r.seed).join(", ")})` : ""}; ${crashes} crashes, ${acked} acknowledged records, ${checks} checks\n`,
  );
  process.exitCode = failed.length > 0 ? 1 : 0;
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 2;
});
