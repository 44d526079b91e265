import { Disconnected, SimClient } from "./client";
import type { Invariants } from "./invariants";
import type { SimClock, SimLoop } from "./loop";
import type { SimNetwork } from "./network";
import type { SimNode } from "./node";
import type { SimRandom } from "./random";
import type { Trace } from "./trace";

/** What every actor of a run (clients, fault injectors) shares. */
export interface SimContext {
  loop: SimLoop;
  clock: SimClock;
  random: SimRandom;
  network: SimNetwork;
  node: SimNode;
  trace: Trace;
  invariants: Invariants;
  topic: string;
  partitions: number;
  /** True until the clients are told to stop (the run's quiet end). */
  active(): boolean;
  /** Virtual time at which the faults stop. */
  faultsEndMs: number;
  /** True while faults may be injected. */
  faulty(): boolean;
}

/** A client connection that reconnects when it is lost: actors ask for it before each request. */
export class Connector {
  private client: SimClient | null = null;

  constructor(
    private readonly ctx: SimContext,
    readonly name: string,
  ) {}

  async get(): Promise<SimClient> {
    for (;;) {
      if (this.client && !this.client.closed) return this.client;
      try {
        this.client = await SimClient.connect(this.ctx.network, this.name, this.ctx.trace);
        return this.client;
      } catch {
        this.client = null;
        await this.ctx.loop.sleep(this.ctx.random.int(20, 200));
      }
    }
  }

  /** One request, reconnecting first if need be; null when the connection went before the answer. */
  async request<T = any>(apiKey: number, version: number, body: unknown, timeoutMs = 5_000): Promise<T | null> {
    const client = await this.get();
    try {
      return await client.request<T>(apiKey, version, body, timeoutMs);
    } catch (error) {
      if (error instanceof Disconnected) return null;
      throw error;
    }
  }

  async send(apiKey: number, version: number, body: unknown): Promise<void> {
    (await this.get()).send(apiKey, version, body);
  }

  close(): void {
    this.client?.close("actor done");
    this.client = null;
  }
}
