import { API_MESSAGES, requestHeaderVersion, responseHeaderVersion } from "@sluice/protocol/messages/api-messages";
import { readResponseHeader, writeRequestHeader } from "@sluice/protocol/messages";
import { Reader } from "@sluice/protocol/reader";
import { Writer } from "@sluice/protocol/writer";
import type { SimNetwork, SimSocket } from "./network";
import type { Trace } from "./trace";

/** The node's port in every run. */
export const NODE_PORT = 9092;

export class Disconnected extends Error {
  constructor(reason: string) {
    super(`disconnected: ${reason}`);
  }
}

interface Pending {
  apiKey: number;
  version: number;
  correlationId: number;
  resolve: (body: any) => void;
  reject: (error: Error) => void;
  cancelTimeout: () => void;
}

/**
 * A Kafka client connection of the simulation, speaking the wire protocol
 * with the protocol package's codecs: requests are framed and sent, answers
 * matched to them in order (the node answers in request order on one
 * connection). A request that times out resets the connection, as
 * librdkafka and the Java client do, so whatever was in flight fails too.
 */
export class SimClient {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private nextCorrelationId = 1;
  closed = false;

  private constructor(
    private readonly socket: SimSocket,
    private readonly network: SimNetwork,
    readonly name: string,
    private readonly trace: Trace,
  ) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", () => {});
    socket.on("close", () => this.fail("connection closed"));
  }

  static async connect(network: SimNetwork, name: string, trace: Trace): Promise<SimClient> {
    const socket = await network.connect(NODE_PORT, name);
    return new SimClient(socket, network, name, trace);
  }

  /** Sends a request and resolves with the decoded answer; rejects with Disconnected when the connection goes first. */
  request<T = any>(apiKey: number, version: number, body: unknown, timeoutMs = 5_000): Promise<T> {
    if (this.closed) return Promise.reject(new Disconnected("closed before the request"));
    const correlationId = this.send(apiKey, version, body);
    return new Promise<T>((resolve, reject) => {
      const cancelTimeout = this.network.loop.schedule(timeoutMs, () => {
        this.trace.add(this.name, "timeout", `api=${apiKey} corr=${correlationId}`);
        this.close("request timed out");
      });
      this.pending.push({ apiKey, version, correlationId, resolve, reject, cancelTimeout });
    });
  }

  /** Sends a request that has no answer (Produce with acks=0). */
  send(apiKey: number, version: number, body: unknown): number {
    const correlationId = this.nextCorrelationId++;
    const writer = new Writer();
    writeRequestHeader(writer, requestHeaderVersion(apiKey, version), {
      requestApiKey: apiKey,
      requestApiVersion: version,
      correlationId,
      clientId: this.name,
    });
    API_MESSAGES.get(apiKey)!.writeRequest(writer, version, body);
    const frame = writer.toBuffer();
    const size = Buffer.alloc(4);
    size.writeInt32BE(frame.length, 0);
    this.socket.write(Buffer.concat([size, frame]));
    return correlationId;
  }

  close(reason: string): void {
    if (this.closed) return;
    this.socket.destroy();
    this.fail(reason);
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) break;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      this.answer(frame);
    }
  }

  private answer(frame: Buffer): void {
    const waiting = this.pending.shift();
    if (!waiting) throw new Error(`${this.name}: an answer nobody asked for`);
    waiting.cancelTimeout();
    const reader = new Reader(frame);
    const header = readResponseHeader(reader, responseHeaderVersion(waiting.apiKey, waiting.version));
    if (header.correlationId !== waiting.correlationId)
      throw new Error(`${this.name}: answer for correlation id ${header.correlationId}, expected ${waiting.correlationId}`);
    waiting.resolve(API_MESSAGES.get(waiting.apiKey)!.readResponse(reader, waiting.version));
  }

  private fail(reason: string): void {
    this.closed = true;
    for (const waiting of this.pending.splice(0)) {
      waiting.cancelTimeout();
      waiting.reject(new Disconnected(reason));
    }
  }
}
