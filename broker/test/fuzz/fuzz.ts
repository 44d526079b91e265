/**
 * The fuzzing loop: fast-check draws inputs (a seed, its mutations, a
 * framing) in rounds; between rounds the invariants that need a real socket
 * or a quiet moment are checked. Inputs that show a new behaviour join the
 * corpus (kept in a directory across runs); every finding is written as a
 * replayable file.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { fuzzInputArbitrary, renderInput } from "./mutations";
import { generatedSeedArbitrary, goldenSeeds, markFrame, saslSeeds, type Seed } from "./seeds";
import { formatWireInput, FuzzTarget, parseWireInput, writeFinding, type Finding, type WireInput } from "./target";

/** One input in this many is sent over a socket. */
const SOCKET_EVERY = 20;

export interface FuzzOptions {
  durationMs: number;
  /** fast-check's seed for the first round; each round adds one. */
  seed: number;
  inputsPerRound: number;
  /** Where the corpus is kept (read at start, added to as it grows); none keeps it in memory. */
  corpusDir?: string;
  /** Where findings are written. */
  crashDir?: string;
  heapBytesMax: number;
  log: (line: string) => void;
}

export interface FuzzReport {
  inputs: number;
  rounds: number;
  behaviours: number;
  corpusSize: number;
  heapBytesPeak: number;
  findings: Finding[];
  /** Rounds cut short by an error in the harness rather than the node. */
  harnessErrors: number;
  crashFiles: string[];
  elapsedMs: number;
}

/** Splits wire bytes into their frames where the size prefixes allow, to mutate a corpus entry as a seed. */
export function seedFromWire(input: WireInput): Seed {
  const bytes = Buffer.concat(input.chunks);
  const frames = [];
  let at = 0;
  while (at + 4 <= bytes.length) {
    const size = bytes.readInt32BE(at);
    if (size < 0 || at + 4 + size > bytes.length) break;
    frames.push(markFrame(bytes.subarray(at + 4, at + 4 + size)));
    at += 4 + size;
  }
  if (frames.length === 0) frames.push(markFrame(bytes));
  return { label: `corpus ${input.label}`, listener: input.listener, frames };
}

function loadCorpus(dir: string): WireInput[] {
  mkdirSync(dir, { recursive: true });
  return readdirSync(dir)
    .filter((file) => file.endsWith(".hex"))
    .sort()
    .map((file) => parseWireInput(readFileSync(path.join(dir, file), "utf8"), file));
}

export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const target = await FuzzTarget.start({ heapBytesMax: options.heapBytesMax });
  const onUncaught = (error: unknown) => target.processFailure("uncaught exception", error);
  const onUnhandled = (error: unknown) => target.processFailure("unhandled rejection", error);
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUnhandled);
  const fixed: Seed[] = [...goldenSeeds(), ...saslSeeds()];
  const corpus: Seed[] = options.corpusDir ? loadCorpus(options.corpusDir).map(seedFromWire) : [];
  const generated = generatedSeedArbitrary();
  const crashFiles: string[] = [];
  let findingsWritten = 0;
  let rounds = 0;
  let harnessErrors = 0;
  try {
    options.log(`fuzzing for ${Math.round(options.durationMs / 1000)} s from ${fixed.length} fixed seeds and ${corpus.length} corpus entries, seed ${options.seed}`);
    while (Date.now() - started < options.durationMs) {
      const pool = [...fixed, ...corpus];
      const seeds = fc.oneof(
        // An index rather than constantFrom(...pool): the corpus grows past what a call's arguments may hold.
        { weight: 2, arbitrary: fc.nat(pool.length - 1).map((index) => pool[index]) },
        { weight: 2, arbitrary: generated },
      );
      try {
        await fc.assert(
          fc.asyncProperty(fuzzInputArbitrary(seeds), async (input) => {
            const wire: WireInput = { label: input.seed.label, listener: input.seed.listener, chunks: renderInput(input) };
            // Some go over a real socket instead, slower but through Connection as well.
            if (target.inputs % SOCKET_EVERY === 0) {
              await target.runOverSocket(wire);
              return true;
            }
            if (await target.run(wire)) {
              corpus.push(seedFromWire(wire));
              if (options.corpusDir) {
                const file = path.join(options.corpusDir, `${String(target.behaviours.size).padStart(6, "0")}-${Date.now().toString(36)}.hex`);
                writeFileSync(file, formatWireInput(wire, ["a new behaviour"]));
              }
            }
            return true;
          }),
          { numRuns: options.inputsPerRound, seed: options.seed + rounds, endOnFailure: true },
        );
      } catch (error) {
        // A bug of the harness itself (fast-check reports the input): noted, and the run goes on.
        harnessErrors++;
        options.log(`HARNESS ERROR: ${String(error).slice(0, 2000)}`);
      }
      rounds++;
      await target.checkControl();
      const heapBytes = target.checkHeap();
      if (rounds % 10 === 0) {
        await target.checkAcknowledged();
        options.log(
          `${Math.round((Date.now() - started) / 1000)} s: ${target.inputs} inputs, ${target.behaviours.size} behaviours, ` +
            `heap ${Math.round(heapBytes / 2 ** 20)} MiB, ${target.findings.length} findings`,
        );
      }
      for (; findingsWritten < target.findings.length; findingsWritten++) {
        const finding = target.findings[findingsWritten];
        options.log(`FINDING: ${finding.reason.split("\n")[0]} (${finding.input?.label ?? "no input"})`);
        if (options.crashDir) crashFiles.push(writeFinding(options.crashDir, finding));
      }
    }
    await target.checkAcknowledged();
    await target.checkControl();
  } finally {
    process.off("uncaughtException", onUncaught);
    process.off("unhandledRejection", onUnhandled);
    await target.stop();
  }
  for (; findingsWritten < target.findings.length; findingsWritten++) {
    const finding = target.findings[findingsWritten];
    options.log(`FINDING: ${finding.reason.split("\n")[0]}`);
    if (options.crashDir) crashFiles.push(writeFinding(options.crashDir, finding));
  }
  return {
    inputs: target.inputs,
    rounds,
    behaviours: target.behaviours.size,
    corpusSize: corpus.length,
    heapBytesPeak: target.heapBytesPeak,
    findings: target.findings,
    harnessErrors,
    crashFiles,
    elapsedMs: Date.now() - started,
  };
}

/** Replays recorded inputs on a fresh node; returns what they found. */
export async function replay(inputs: WireInput[], heapBytesMax = 2 ** 30): Promise<Finding[]> {
  const target = await FuzzTarget.start({ heapBytesMax });
  try {
    for (const input of inputs) await target.run(input);
    // Work an input left waiting (a long poll, a join) settles within its timeouts.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await target.checkControl();
    await target.checkAcknowledged();
  } finally {
    await target.stop();
  }
  return target.findings;
}
