/**
 * Quantiles of recent observations, cheaply: each observation increments one
 * bucket of a log-linear histogram (8 buckets per doubling, so an estimate
 * is within 9% of the true value), and the buckets of the current and the
 * previous window are kept, so the quantiles describe the last one to two
 * windows. Kafka's request histograms decay over about five minutes in the
 * same spirit. The count and sum run from the start, as a Prometheus
 * summary's do.
 */
export class WindowedSummary {
  count = 0;
  sum = 0;
  private current = new Uint32Array(BUCKETS);
  private previous = new Uint32Array(BUCKETS);
  private currentCount = 0;
  private previousCount = 0;
  private windowStartMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly windowMs: number) {}

  /** One observation (a duration in ms) made at `nowMs` of the summary's clock. */
  observe(value: number, nowMs: number): void {
    if (nowMs - this.windowStartMs >= this.windowMs) this.rotate(nowMs);
    this.count++;
    this.sum += value;
    this.current[bucketOf(value)]++;
    this.currentCount++;
  }

  /** The estimates of `quantiles` (each in [0, 1]) over the recent windows; 0 for each when nothing was observed, as Kafka's histograms report. */
  quantiles(quantiles: readonly number[], nowMs: number): number[] {
    if (nowMs - this.windowStartMs >= this.windowMs) this.rotate(nowMs);
    const total = this.currentCount + this.previousCount;
    if (total === 0) return quantiles.map(() => 0);
    return quantiles.map((quantile) => {
      const rank = Math.max(1, Math.ceil(quantile * total));
      let seen = 0;
      for (let bucket = 0; bucket < BUCKETS; bucket++) {
        seen += this.current[bucket] + this.previous[bucket];
        if (seen >= rank) return upperBoundOf(bucket);
      }
      return upperBoundOf(BUCKETS - 1);
    });
  }

  private rotate(nowMs: number): void {
    if (nowMs - this.windowStartMs >= 2 * this.windowMs) {
      // Both windows are over (or none began): start afresh.
      this.current.fill(0);
      this.previous.fill(0);
      this.currentCount = 0;
      this.previousCount = 0;
      this.windowStartMs = nowMs;
      return;
    }
    const emptied = this.previous.fill(0);
    this.previous = this.current;
    this.previousCount = this.currentCount;
    this.current = emptied;
    this.currentCount = 0;
    // The next window starts where this one ended, so that windows keep their length.
    this.windowStartMs += this.windowMs;
  }

}

/** The smallest value told apart from 0: a microsecond, for durations in ms. */
const SMALLEST = 0.001;
const BUCKETS_PER_DOUBLING = 8;
/** 2^40 µs is about 12 days: every duration a request can take. */
const BUCKETS = 40 * BUCKETS_PER_DOUBLING + 1;

function bucketOf(value: number): number {
  if (!(value > SMALLEST)) return 0;
  const bucket = Math.ceil(Math.log2(value / SMALLEST) * BUCKETS_PER_DOUBLING);
  return bucket < BUCKETS ? bucket : BUCKETS - 1;
}

function upperBoundOf(bucket: number): number {
  return bucket === 0 ? SMALLEST : SMALLEST * 2 ** (bucket / BUCKETS_PER_DOUBLING);
}
