/**
 * Preloaded into the benchmarked broker (`node --import <this file>`), so
 * that its event-loop delay can be read without touching the broker's code:
 * perf_hooks' monitorEventLoopDelay samples the loop all along; each SIGUSR2
 * writes what was sampled since the last one to $SLUICE_EVENT_LOOP_FILE (as
 * JSON, with a sequence number the reader waits for) and starts afresh.
 */
import { writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

/** Sampling interval of the histogram: fine enough to see a 20 ms stall many times over. */
const RESOLUTION_MS = 5;
const NS_PER_MS = 1e6;

const file = process.env.SLUICE_EVENT_LOOP_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let sequence = 0;
  process.on("SIGUSR2", () => {
    sequence++;
    const snapshot = {
      sequence,
      samples: histogram.count,
      p50Ms: histogram.percentile(50) / NS_PER_MS,
      p99Ms: histogram.percentile(99) / NS_PER_MS,
      maxMs: histogram.max / NS_PER_MS,
    };
    writeFileSync(file, JSON.stringify(snapshot));
    histogram.reset();
  });
}
