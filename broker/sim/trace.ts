import { createHash, type Hash } from "node:crypto";

/**
 * The event trace of a run: one line per thing that happened (a fault, a
 * connection, a request and its answer, each line the node logged), stamped
 * with virtual time. Its hash identifies the run: the same seed must give the
 * same hash. The last lines are kept to print when a run fails.
 */
export class Trace {
  private readonly hash: Hash = createHash("sha256");
  private readonly tail: string[] = [];
  lines = 0;

  constructor(
    private readonly nowMs: () => number,
    private readonly tailLines = 60,
    private readonly echo = false,
  ) {}

  add(source: string, kind: string, detail = ""): void {
    const line = `${this.nowMs()} ${source} ${kind} ${detail}`;
    this.hash.update(line);
    this.hash.update("\n");
    this.lines++;
    if (this.echo) process.stdout.write(line + "\n");
    this.tail.push(line);
    if (this.tail.length > this.tailLines) this.tail.shift();
  }

  digest(): string {
    return this.hash.copy().digest("hex").slice(0, 16);
  }

  lastLines(): string[] {
    return [...this.tail];
  }
}
