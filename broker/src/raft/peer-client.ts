import { FrameDecoder } from "../protocol/frame-decoder";
import { API_MESSAGES, requestHeaderVersion, responseHeaderVersion } from "../protocol/generated/api-messages";
import { readResponseHeader, writeRequestHeader } from "../protocol/generated";
import { Reader } from "../protocol/reader";
import { Writer } from "../protocol/writer";
import type { Network, NetworkSocket } from "../runtime/network";
import type { Cancel, Scheduler } from "../runtime/scheduler";

/** Largest response frame accepted from a peer. */
const FRAME_BYTES_MAX = 64 * 1024 * 1024;

interface Pending {
  readonly apiKey: number;
  readonly version: number;
  readonly resolve: (body: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly cancelTimeout: Cancel;
}

/**
 * A Kafka client of one peer node (request in, decoded response out), over
 * one connection made through the network seam when first needed and made
 * again after it is lost. A request fails when its connection fails or its
 * answer takes longer than `timeoutMs`; nothing is retried here.
 */
export class PeerClient {
  private socket: NetworkSocket | null = null;
  private connecting: Promise<NetworkSocket> | null = null;
  private readonly pending = new Map<number, Pending>();
  private correlationSeq = 0;
  private closed = false;

  constructor(
    private readonly address: { host: string; port: number },
    private readonly clientId: string,
    private readonly network: Network,
    private readonly scheduler: Scheduler,
  ) {}

  request(apiKey: number, version: number, body: unknown, timeoutMs: number): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error("the client is closed"));
    const spec = API_MESSAGES.get(apiKey);
    if (!spec) return Promise.reject(new Error(`unknown api key ${apiKey}`));
    const correlationId = (this.correlationSeq = (this.correlationSeq + 1) & 0x7fffffff);
    const writer = new Writer();
    writer.writeInt32(0);
    writeRequestHeader(writer, requestHeaderVersion(apiKey, version), { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: this.clientId });
    spec.writeRequest(writer, version, body);
    const frame = writer.toBuffer();
    frame.writeInt32BE(frame.length - 4, 0);
    return new Promise((resolve, reject) => {
      const cancelTimeout = this.scheduler.schedule(timeoutMs, () => {
        if (this.pending.delete(correlationId)) reject(new Error(`no answer from ${this.address.host}:${this.address.port} within ${timeoutMs} ms`));
      });
      this.pending.set(correlationId, { apiKey, version, resolve, reject, cancelTimeout });
      this.connected().then(
        (socket) => socket.write(frame),
        (error: Error) => this.fail(correlationId, error),
      );
    });
  }

  private connected(): Promise<NetworkSocket> {
    if (this.socket) return Promise.resolve(this.socket);
    this.connecting ??= this.network.connect(this.address).then((socket) => {
      this.connecting = null;
      if (this.closed) {
        socket.destroy();
        throw new Error("the client is closed");
      }
      this.socket = socket;
      socket.setNoDelay(true);
      const frames = new FrameDecoder(FRAME_BYTES_MAX, "the peer client's frame limit");
      socket.on("data", (chunk) => this.received(socket, frames, chunk));
      socket.on("error", () => {});
      socket.on("close", () => this.lost(socket));
      return socket;
    }, (error: Error) => {
      this.connecting = null;
      throw error;
    });
    return this.connecting;
  }

  private fail(correlationId: number, error: Error): void {
    const pending = this.pending.get(correlationId);
    if (!pending) return;
    this.pending.delete(correlationId);
    pending.cancelTimeout();
    pending.reject(error);
  }

  private lost(socket: NetworkSocket): void {
    if (this.socket !== socket) return;
    this.socket = null;
    for (const correlationId of [...this.pending.keys()]) this.fail(correlationId, new Error(`connection to ${this.address.host}:${this.address.port} lost`));
  }

  private received(socket: NetworkSocket, frames: FrameDecoder, chunk: Buffer): void {
    let whole: Buffer[];
    try {
      whole = frames.push(chunk);
    } catch {
      socket.destroy(); // a size prefix past the limit or negative: the stream cannot be read on
      return;
    }
    for (const frame of whole) {
      // Too short to hold a correlation id: the stream is not Kafka responses.
      if (frame.length < 4) {
        socket.destroy();
        return;
      }
      this.answer(socket, frame);
    }
  }

  private answer(socket: NetworkSocket, frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const pending = this.pending.get(correlationId);
    if (!pending) return;
    this.pending.delete(correlationId);
    pending.cancelTimeout();
    try {
      const reader = new Reader(frame);
      readResponseHeader(reader, responseHeaderVersion(pending.apiKey, pending.version));
      pending.resolve(API_MESSAGES.get(pending.apiKey)!.readResponse(reader, pending.version));
    } catch (error) {
      pending.reject(error as Error);
      socket.destroy();
    }
  }

  close(): void {
    this.closed = true;
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
    for (const correlationId of [...this.pending.keys()]) this.fail(correlationId, new Error("the client is closed"));
  }
}
