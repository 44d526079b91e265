import type { ListenAddress, Network, NetworkServer, NetworkSocket } from "../src/runtime/network";
import type { SimLoop } from "./loop";
import type { SimRandom } from "./random";
import type { Trace } from "./trace";

/** A write returns false (wait for "drain") while more than this is in flight, as a socket's highWaterMark. */
const WRITABLE_HIGH_WATER_BYTES = 64 * 1024;

export interface LinkFaults {
  /** Extra delay drawn per segment: usually small, now and then a spike. */
  latencyMsMax: number;
  spikeChance: number;
  spikeMsMax: number;
  /** Chance that a write is cut into several segments (the reader must reassemble frames). */
  splitChance: number;
}

type Listener = (...args: any[]) => void;

/**
 * An in-memory TCP: each connection is two SimSockets whose bytes cross as
 * loop events after seeded delays. What TCP allows is what is simulated:
 * within one connection bytes arrive in order, exactly once, possibly cut
 * into different segments; between connections anything goes (delays are
 * independent, so requests on two connections reorder); a connection can be
 * reset (both ends see an error and close, bytes in flight are lost), and a
 * partition stalls every byte until it heals (a client's request timeout then
 * resets its connection). Messages are not dropped or duplicated inside a
 * connection, since TCP never shows that to the application; a client
 * retrying over a new connection is how a request gets duplicated.
 */
export class SimNetwork {
  private readonly servers = new Map<number, (socket: SimSocket) => void>();
  private readonly live = new Set<SimSocket>();
  private nextClientPort = 40_000;
  /** Until this virtual time every byte waits: a partition between the clients and the node. */
  partitionedUntilMs = 0;

  constructor(
    readonly loop: SimLoop,
    private readonly random: SimRandom,
    private readonly trace: Trace,
    private readonly faults: LinkFaults,
  ) {}

  /** The Network seam of one incarnation of the node: what it listens on dies with it (see NodeNetwork.crash). */
  forNode(): NodeNetwork {
    return new NodeNetwork(this);
  }

  bind(port: number, accept: (socket: SimSocket) => void): void {
    if (this.servers.has(port)) throw Object.assign(new Error(`EADDRINUSE: port ${port}`), { code: "EADDRINUSE" });
    this.servers.set(port, accept);
  }

  unbind(port: number): void {
    this.servers.delete(port);
  }

  /** A client dials the node; rejects (ECONNREFUSED, after a round trip) when nothing listens. */
  connect(port: number, clientName: string): Promise<SimSocket> {
    return new Promise((resolve, reject) => {
      this.loop.schedule(this.delayMs(), () => {
        const accept = this.servers.get(port);
        if (!accept) {
          this.trace.add("net", "refused", clientName);
          reject(Object.assign(new Error("ECONNREFUSED"), { code: "ECONNREFUSED" }));
          return;
        }
        const clientPort = this.nextClientPort++;
        const client = new SimSocket(this, `${clientName}:${clientPort}`, "10.0.0.2", port);
        const server = new SimSocket(this, `node<-${clientName}:${clientPort}`, "10.0.0.2", clientPort);
        client.peer = server;
        server.peer = client;
        this.live.add(client);
        this.live.add(server);
        this.trace.add("net", "connected", client.name);
        accept(server);
        this.loop.schedule(this.delayMs(), () => {
          // Reset before the handshake completed: the dialler hears of it as a failed connect.
          if (client.destroyed) reject(Object.assign(new Error("ECONNRESET"), { code: "ECONNRESET" }));
          else resolve(client);
        });
      });
    });
  }

  /** Seeded one-way delay of one segment. */
  delayMs(): number {
    let delay = this.random.int(0, this.faults.latencyMsMax);
    if (this.random.chance(this.faults.spikeChance)) delay += this.random.int(0, this.faults.spikeMsMax);
    return Math.max(delay, this.partitionedUntilMs - this.loop.nowMs);
  }

  splitPoints(length: number): number[] {
    if (length < 2 || !this.random.chance(this.faults.splitChance)) return [];
    const cuts = new Set<number>();
    const count = this.random.int(1, 3);
    for (let i = 0; i < count; i++) cuts.add(this.random.int(1, length - 1));
    return [...cuts].sort((a, b) => a - b);
  }

  /** Resets one connection chosen by the seed; returns its name, or null when none is open. */
  resetRandomConnection(): string | null {
    const clients = [...this.live].filter((socket) => socket.name.indexOf("node<-") !== 0);
    if (clients.length === 0) return null;
    const victim = this.random.pick(clients);
    victim.reset("fault");
    return victim.name;
  }

  forget(socket: SimSocket): void {
    this.live.delete(socket);
  }

  get openSockets(): number {
    return this.live.size;
  }

  traceEvent(kind: string, detail: string): void {
    this.trace.add("net", kind, detail);
  }
}

/** The node's view of the network; crash() takes its listeners and connections away without a word to the node. */
export class NodeNetwork implements Network {
  private readonly ports = new Set<number>();
  private readonly accepted = new Set<SimSocket>();

  constructor(private readonly network: SimNetwork) {}

  listen(address: ListenAddress, onConnection: (socket: NetworkSocket) => void): Promise<NetworkServer> {
    const port = address.port === 0 ? 9092 : address.port;
    this.network.bind(port, (socket) => {
      this.accepted.add(socket);
      onConnection(socket);
    });
    this.ports.add(port);
    return Promise.resolve({
      port,
      close: () => {
        this.network.unbind(port);
        this.ports.delete(port);
        return Promise.resolve();
      },
    });
  }

  connect(): Promise<NetworkSocket> {
    return Promise.reject(new Error("a single simulated node dials no one"));
  }

  lookup(host: string): Promise<string[]> {
    return Promise.reject(Object.assign(new Error(`ENOTFOUND ${host}`), { code: "ENOTFOUND" }));
  }

  /** The machine died: nothing listens any more and its end of every connection vanishes (the clients see resets). */
  crash(): void {
    for (const port of this.ports) this.network.unbind(port);
    this.ports.clear();
    for (const socket of this.accepted) socket.vanish();
    this.accepted.clear();
  }
}

/** One end of a simulated TCP connection, with the slice of node:net's Socket API the node and clients use. */
export class SimSocket implements NetworkSocket {
  peer!: SimSocket;
  private readonly listeners = new Map<string, Listener[]>();
  private paused = false;
  private corked: Buffer[] | null = null;
  /** Delivered while paused, handed over on resume. */
  private inbox: Buffer[] = [];
  private inFlightBytes = 0;
  private wantsDrain = false;
  /** No segment may arrive before the one written before it. */
  private lastArrivalMs = 0;
  private finSent = false;
  /** The application's end: no more events for it once destroyed. */
  destroyed = false;
  /** The whole machine went away (a crash): no event of any kind reaches this end again. */
  private gone = false;
  private peerFinished = false;

  constructor(
    private readonly network: SimNetwork,
    readonly name: string,
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {}

  get writableLength(): number {
    return this.inFlightBytes + this.corkedBytes();
  }

  setNoDelay(): this {
    return this;
  }

  on(event: string, listener: Listener): this {
    const list = this.listeners.get(event) ?? [];
    list.push(listener);
    this.listeners.set(event, list);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapped: Listener = (...args) => {
      this.off(event, wrapped);
      listener(...args);
    };
    return this.on(event, wrapped);
  }

  off(event: string, listener: Listener): this {
    const list = this.listeners.get(event);
    if (list) {
      const index = list.indexOf(listener);
      if (index >= 0) list.splice(index, 1);
    }
    return this;
  }

  private emit(event: string, ...args: unknown[]): void {
    if (this.gone) return;
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(...args);
  }

  pause(): this {
    this.paused = true;
    return this;
  }

  resume(): this {
    if (!this.paused) return this;
    this.paused = false;
    // node:net hands buffered data over on a later turn, never inside resume().
    this.network.loop.schedule(0, () => this.flushInbox());
    return this;
  }

  cork(): void {
    this.corked ??= [];
  }

  uncork(): void {
    const corked = this.corked;
    this.corked = null;
    if (corked && corked.length > 0) this.send(Buffer.concat(corked));
  }

  write(chunk: Uint8Array): boolean {
    if (this.destroyed || this.finSent) return false;
    // Copied: the writer may reuse its buffer once write returns, as node:net allows.
    const bytes = Buffer.from(chunk);
    if (this.corked) this.corked.push(bytes);
    else this.send(bytes);
    const flowing = this.writableLength < WRITABLE_HIGH_WATER_BYTES;
    if (!flowing) this.wantsDrain = true;
    return flowing;
  }

  private corkedBytes(): number {
    let total = 0;
    for (const chunk of this.corked ?? []) total += chunk.length;
    return total;
  }

  /** Puts bytes on the wire, cut into seeded segments that each arrive after a seeded delay, in order. */
  private send(bytes: Buffer): void {
    const cuts = [...this.network.splitPoints(bytes.length), bytes.length];
    let start = 0;
    for (const end of cuts) {
      const segment = bytes.subarray(start, end);
      start = end;
      this.inFlightBytes += segment.length;
      const arrivalMs = Math.max(this.lastArrivalMs, this.network.loop.nowMs + this.network.delayMs());
      this.lastArrivalMs = arrivalMs;
      this.network.loop.schedule(arrivalMs - this.network.loop.nowMs, () => {
        this.inFlightBytes -= segment.length;
        this.peer.receive(segment);
        if (this.wantsDrain && this.inFlightBytes === 0 && !this.destroyed) {
          this.wantsDrain = false;
          this.emit("drain");
        }
      });
    }
  }

  private receive(segment: Buffer): void {
    if (this.destroyed) return;
    if (this.paused) this.inbox.push(segment);
    else this.emit("data", segment);
  }

  private flushInbox(): void {
    while (!this.paused && !this.destroyed && this.inbox.length > 0) this.emit("data", this.inbox.shift()!);
    if (!this.paused && this.peerFinished && this.inbox.length === 0) this.closeNow();
  }

  /** Half-close: a FIN after the bytes written so far; the callback runs once they are out. */
  end(callback?: () => void): this {
    if (this.destroyed || this.finSent) {
      if (callback) this.network.loop.schedule(0, callback);
      return this;
    }
    this.uncork();
    this.finSent = true;
    const arrivalMs = Math.max(this.lastArrivalMs, this.network.loop.nowMs + this.network.delayMs());
    this.lastArrivalMs = arrivalMs;
    this.network.loop.schedule(arrivalMs - this.network.loop.nowMs, () => {
      callback?.();
      this.peer.finReceived();
      // Our side closes once the FIN is out: the simulated peer never sends more after ours.
      this.closeNow();
    });
    return this;
  }

  private finReceived(): void {
    if (this.destroyed) return;
    this.peerFinished = true;
    if (this.inbox.length === 0) {
      this.emit("end");
      this.closeNow();
    }
  }

  /** Closes this end: bytes not yet sent are dropped, the peer sees the connection end. */
  destroy(): this {
    if (this.destroyed) return this;
    this.corked = null;
    const arrivalMs = Math.max(this.lastArrivalMs, this.network.loop.nowMs + this.network.delayMs());
    this.lastArrivalMs = arrivalMs;
    this.network.loop.schedule(arrivalMs - this.network.loop.nowMs, () => this.peer.finReceived());
    this.closeNow();
    return this;
  }

  /** A reset (a fault, or the other machine gone): both ends see ECONNRESET, bytes in flight are lost. */
  reset(reason: string): void {
    this.network.traceEvent("reset", `${this.name} (${reason})`);
    this.resetEnd();
    this.network.loop.schedule(this.network.delayMs(), () => this.peer.resetEnd());
  }

  private resetEnd(): void {
    if (this.destroyed) return;
    this.inbox = [];
    this.emit("error", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
    this.closeNow();
  }

  /** The machine holding this end died: it hears nothing more, and the peer gets a reset after a while. */
  vanish(): void {
    this.gone = true;
    this.destroyed = true;
    this.network.forget(this);
    this.network.loop.schedule(this.network.delayMs() + 5, () => this.peer.resetEnd());
  }

  private closeNow(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.network.forget(this);
    // node:net emits "close" on a later turn.
    this.network.loop.schedule(0, () => this.emit("close", false));
  }
}
