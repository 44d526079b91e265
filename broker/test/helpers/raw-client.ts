import net from "node:net";
import { API_MESSAGES, requestHeaderVersion, responseHeaderVersion } from "../../src/protocol/generated/api-messages";
import { readResponseHeader, writeRequestHeader } from "../../src/protocol/generated";
import { Reader } from "../../src/protocol/reader";
import { Writer } from "../../src/protocol/writer";

/**
 * A bare Kafka protocol client over one socket, built on the broker's own
 * codecs: it sends exactly the frames a test asks for (pipelined, malformed or
 * oversized ones included) and reads responses in order.
 */
export class RawClient {
  private buffered = Buffer.alloc(0);
  private waiters: Array<(frame: Buffer | null) => void> = [];
  private frames: Buffer[] = [];
  private nextCorrelationId = 1;
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4) {
        const size = this.buffered.readInt32BE(0);
        if (this.buffered.length < 4 + size) break;
        this.deliver(this.buffered.subarray(4, 4 + size));
        this.buffered = this.buffered.subarray(4 + size);
      }
    });
    socket.on("close", () => {
      this.closed = true;
      for (const waiter of this.waiters.splice(0)) waiter(null);
    });
    socket.on("error", () => {});
  }

  /** `localAddress` picks the client's own address (any of 127.0.0.0/8 on loopback), to test limits per address. */
  static connect(port: number, host = "127.0.0.1", localAddress?: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, localAddress }, () => resolve(new RawClient(socket)));
      socket.once("error", reject);
    });
  }

  private deliver(frame: Buffer): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(frame);
    else this.frames.push(frame);
  }

  /** The next response frame (without its size prefix), or null once the broker closed the socket. */
  nextFrame(timeoutMs = 5000): Promise<Buffer | null> {
    const ready = this.frames.shift();
    if (ready) return Promise.resolve(ready);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
  }

  /** Encodes a request with the generated codecs; returns its correlation id. */
  send(apiKey: number, version: number, body: unknown, clientId: string | null = "raw-client"): number {
    const correlationId = this.nextCorrelationId++;
    this.sendRaw(encodeRequest(apiKey, version, body, correlationId, clientId));
    return correlationId;
  }

  /** Sends a frame body as is, with a correct size prefix unless `sizeOverride` is given. */
  sendRaw(body: Buffer, sizeOverride?: number): void {
    const size = Buffer.alloc(4);
    size.writeInt32BE(sizeOverride ?? body.length, 0);
    this.socket.write(Buffer.concat([size, body]));
  }

  /** Writes bytes as they are, without a size prefix: the rest of a frame begun by sendRaw with a larger size. */
  sendBytes(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Stops reading from the socket, as a client that no longer reads its responses. */
  stopReading(): void {
    this.socket.pause();
  }

  /** Sends a request and decodes its response. */
  async request<T = any>(apiKey: number, version: number, body: unknown): Promise<T> {
    const correlationId = this.send(apiKey, version, body);
    return this.readResponse<T>(apiKey, version, correlationId);
  }

  async readResponse<T = any>(apiKey: number, version: number, correlationId?: number, timeoutMs = 5000): Promise<T> {
    const frame = await this.nextFrame(timeoutMs);
    if (!frame) throw new Error("connection closed by the broker");
    const reader = new Reader(frame);
    const header = readResponseHeader(reader, responseHeaderVersion(apiKey, version));
    if (correlationId !== undefined && header.correlationId !== correlationId)
      throw new Error(`response for correlation id ${header.correlationId}, expected ${correlationId}`);
    return API_MESSAGES.get(apiKey)!.readResponse(reader, version) as T;
  }

  close(): void {
    this.socket.destroy();
  }
}

export function encodeRequest(apiKey: number, version: number, body: unknown, correlationId: number, clientId: string | null = "raw-client"): Buffer {
  const writer = new Writer();
  writeRequestHeader(writer, requestHeaderVersion(apiKey, version), {
    requestApiKey: apiKey,
    requestApiVersion: version,
    correlationId,
    clientId,
  });
  API_MESSAGES.get(apiKey)!.writeRequest(writer, version, body);
  return writer.toBuffer();
}
