import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";

/** The event loop's delay over a window, in ms; zeros when nothing was sampled. */
export interface EventLoopDelaySnapshot {
  minMs: number;
  maxMs: number;
  meanMs: number;
  stddevMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

/**
 * How late the event loop runs: the real one samples it with a timer of
 * its own (perf_hooks), which is why it is a seam. A node in the simulator
 * has none.
 */
export interface EventLoopDelayMonitor {
  /** The delays sampled since the last reset (or the start). */
  snapshot(): EventLoopDelaySnapshot;
  /** Starts a new window. */
  reset(): void;
  stop(): void;
}

/** Samples the real event loop every `resolutionMs` (prom-client samples every 10 ms too). */
export function startEventLoopDelayMonitor(resolutionMs = 10): EventLoopDelayMonitor {
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  const ms = (ns: number) => (Number.isFinite(ns) ? ns / 1e6 : 0);
  return {
    snapshot() {
      if (histogram.count === 0) return { minMs: 0, maxMs: 0, meanMs: 0, stddevMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0 };
      return {
        minMs: ms(histogram.min),
        maxMs: ms(histogram.max),
        meanMs: ms(histogram.mean),
        stddevMs: ms(histogram.stddev),
        p50Ms: ms(histogram.percentile(50)),
        p90Ms: ms(histogram.percentile(90)),
        p99Ms: ms(histogram.percentile(99)),
      };
    },
    reset: () => histogram.reset(),
    stop: () => histogram.disable(),
  };
}
