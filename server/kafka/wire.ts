import "server-only";
import net from "node:net";
import tls from "node:tls";
import { API_MESSAGES, requestHeaderVersion, responseHeaderVersion } from "@sluice/protocol/messages/api-messages";
import { readResponseHeader, writeRequestHeader } from "@sluice/protocol/messages";
import { Reader } from "@sluice/protocol/reader";
import { Writer } from "@sluice/protocol/writer";
import { authenticate, type WireSasl } from "./sasl";

/** Largest response frame accepted; fetches ask for far less. */
const RESPONSE_BYTES_MAX = 64 * 1024 * 1024;

interface Pending {
  apiKey: number;
  version: number;
  resolve(body: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Once this share of a broker-set session lifetime has passed, the connection is replaced (as Kafka's clients re-authenticate). */
const SESSION_RENEW_FRACTION = 0.85;

/**
 * One socket to one broker for the requests kafkajs does not offer (Fetch
 * without a consumer group, DescribeLogDirs). Requests are encoded with the
 * broker's generated codecs, pipelined, and matched to responses by
 * correlation id. Plaintext or TLS, with SASL (PLAIN, SCRAM-SHA-256/512)
 * when the cluster asks for it.
 */
export class WireConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  closed = false;
  /** When a SASL session with a lifetime should be replaced by a new connection; null when it never expires. */
  private renewAtMs: number | null = null;
  /** Set once replaced: the socket closes when its last request is answered. */
  private retiring = false;

  private constructor(
    private readonly socket: net.Socket,
    private readonly clientId: string,
  ) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("close", () => this.fail(new Error("connection closed by the broker")));
    socket.on("error", (error) => this.fail(error));
  }

  /** Connects, then authenticates when `sasl` is given; a refused authentication rejects with a SaslAuthenticationError. */
  static async connect(host: string, port: number, options: { clientId: string; tls: boolean; timeoutMs: number; sasl?: WireSasl }): Promise<WireConnection> {
    const connection = await WireConnection.open(host, port, options);
    if (!options.sasl) return connection;
    try {
      const { sessionLifetimeMs } = await authenticate(
        (apiKey, version, body) => connection.request(apiKey, version, body, options.timeoutMs),
        options.sasl,
      );
      if (sessionLifetimeMs > 0) connection.renewAtMs = Date.now() + sessionLifetimeMs * SESSION_RENEW_FRACTION;
      return connection;
    } catch (error) {
      connection.close();
      throw error;
    }
  }

  private static open(host: string, port: number, options: { clientId: string; tls: boolean; timeoutMs: number }): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = options.tls ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error(`Connection timeout to ${host}:${port}`), { code: "ETIMEDOUT" }));
      }, options.timeoutMs);
      socket.once(options.tls ? "secureConnect" : "connect", () => {
        clearTimeout(timer);
        resolve(new WireConnection(socket, options.clientId));
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  request<T>(apiKey: number, version: number, body: unknown, timeoutMs: number): Promise<T> {
    if (this.closed) return Promise.reject(new Error("connection closed"));
    const spec = API_MESSAGES.get(apiKey);
    if (!spec) throw new Error(`no codec for API key ${apiKey}`);
    const correlationId = this.nextCorrelationId++;
    const writer = new Writer();
    writeRequestHeader(writer, requestHeaderVersion(apiKey, version), {
      requestApiKey: apiKey,
      requestApiVersion: version,
      correlationId,
      clientId: this.clientId,
    });
    spec.writeRequest(writer, version, body);
    const frame = writer.toBuffer();
    const size = Buffer.alloc(4);
    size.writeInt32BE(frame.length, 0);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(Object.assign(new Error(`request timed out after ${timeoutMs} ms`), { name: "KafkaJSRequestTimeoutError" }));
      }, timeoutMs);
      this.pending.set(correlationId, { apiKey, version, resolve: resolve as (body: unknown) => void, reject, timer });
      this.socket.write(Buffer.concat([size, frame]));
    });
  }

  /** False once closed, or when its SASL session is about to expire and a new connection should take over. */
  get usable(): boolean {
    return !this.closed && !this.retiring && (this.renewAtMs === null || Date.now() < this.renewAtMs);
  }

  /** Stops taking requests; closes once the ones in flight are answered. */
  retire(): void {
    this.retiring = true;
    if (this.pending.size === 0) this.close();
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (size < 0 || size > RESPONSE_BYTES_MAX) {
        this.fail(new Error(`response frame of ${size} bytes is out of bounds`));
        this.socket.destroy();
        return;
      }
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      this.deliver(frame);
    }
  }

  private deliver(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const waiter = this.pending.get(correlationId);
    if (!waiter) return; // timed out already
    this.pending.delete(correlationId);
    clearTimeout(waiter.timer);
    if (this.retiring && this.pending.size === 0) this.close();
    try {
      const reader = new Reader(frame);
      readResponseHeader(reader, responseHeaderVersion(waiter.apiKey, waiter.version));
      waiter.resolve(API_MESSAGES.get(waiter.apiKey)!.readResponse(reader, waiter.version));
    } catch (error) {
      waiter.reject(error as Error);
    }
  }

  private fail(error: Error): void {
    this.closed = true;
    for (const [id, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
      this.pending.delete(id);
    }
  }
}
