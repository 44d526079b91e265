/** Where an unexpected error was contained. */
export type UnexpectedErrorSource = "request" | "connection" | "timer" | "metadata-publisher";

/**
 * Errors no code path expected (bugs, not bad input): each is contained where
 * it happened (the connection closes, or a timer task is abandoned), logged
 * with its stack and counted here, for tests and metrics.
 */
export class UnexpectedErrors {
  private readonly counts = new Map<UnexpectedErrorSource, number>();

  record(source: UnexpectedErrorSource): void {
    this.counts.set(source, (this.counts.get(source) ?? 0) + 1);
  }

  count(source: UnexpectedErrorSource): number {
    return this.counts.get(source) ?? 0;
  }

  get total(): number {
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total;
  }
}
