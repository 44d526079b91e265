/**
 * The metrics listener: `GET /metrics` over HTTP/1.1 on a port of its own,
 * served through the node's Network seam like the Kafka listeners (so the
 * simulator's network can carry it too). Only what a scraper needs is
 * spoken: GET and HEAD without a body, keep-alive and pipelining, a
 * Content-Length on every response. Anything else gets a 4xx and the
 * connection closes; nothing a peer sends can throw out of here.
 */
import type { Logger } from "../runtime/logger";
import type { Network, NetworkServer, NetworkSocket } from "../runtime/network";
import type { Cancel, Scheduler } from "../runtime/scheduler";

/** The content type of the text exposition format. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
/** A request head (request line and headers) longer than this is refused. */
export const HEAD_BYTES_MAX = 16 * 1024;
/** Connections beyond this many at once are closed as they arrive. */
export const CONNECTIONS_MAX = 64;
/** Responses a peer leaves unread beyond this many bytes close its connection (a pipeline of GETs never read). */
export const UNREAD_BYTES_MAX = 4 * 1024 * 1024;
/** A connection with no complete request for this long is closed. */
export const IDLE_MS_MAX = 60_000;

export interface MetricsEndpointOptions {
  host: string | undefined;
  port: number;
  network: Network;
  scheduler: Scheduler;
  logger: Logger;
  /** The exposition text, rendered per scrape. */
  render: () => string;
}

export class MetricsEndpoint {
  private readonly sockets = new Set<MetricsConnection>();

  private constructor(
    private readonly server: NetworkServer,
    private readonly options: MetricsEndpointOptions,
  ) {}

  static async listen(options: MetricsEndpointOptions): Promise<MetricsEndpoint> {
    let endpoint: MetricsEndpoint | null = null;
    const pending: NetworkSocket[] = [];
    const server = await options.network.listen({ host: options.host, port: options.port }, (socket) => {
      if (endpoint) endpoint.accept(socket);
      else pending.push(socket);
    });
    endpoint = new MetricsEndpoint(server, options);
    for (const socket of pending) endpoint.accept(socket);
    return endpoint;
  }

  get port(): number {
    return this.server.port;
  }

  /** Stops listening and closes every scrape connection. */
  async close(): Promise<void> {
    const stopped = this.server.close();
    for (const connection of [...this.sockets]) connection.destroy();
    await stopped;
  }

  private accept(socket: NetworkSocket): void {
    socket.on("error", () => {});
    if (this.sockets.size >= CONNECTIONS_MAX) {
      socket.destroy();
      return;
    }
    const connection = new MetricsConnection(socket, this.options, () => this.sockets.delete(connection));
    this.sockets.add(connection);
  }
}

interface Response {
  status: number;
  reason: string;
  headers: Record<string, string>;
  body: string;
  /** Content-Length when it is not the body's (a HEAD answer). */
  length?: number;
  /** The connection closes after this response. */
  close: boolean;
}

class MetricsConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private closed = false;
  /** A response that closes the connection was written: nothing more is read, and the socket goes once it is flushed. */
  private ending = false;
  private cancelIdle: Cancel | null = null;

  constructor(
    private readonly socket: NetworkSocket,
    private readonly options: MetricsEndpointOptions,
    private readonly onClosed: () => void,
  ) {
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("close", () => this.finish());
    this.armIdle();
  }

  destroy(): void {
    try {
      this.socket.destroy();
    } finally {
      this.finish();
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.ending) return;
    try {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      for (;;) {
        const end = headEnd(this.buffered);
        if (end === null) {
          if (this.buffered.length > HEAD_BYTES_MAX) this.respond(plain(431, "Request Header Fields Too Large", "request head too large\n", true));
          return;
        }
        if (end.headBytes > HEAD_BYTES_MAX) return this.respond(plain(431, "Request Header Fields Too Large", "request head too large\n", true));
        const head = this.buffered.subarray(0, end.headBytes).toString("latin1");
        this.buffered = this.buffered.subarray(end.totalBytes);
        this.armIdle();
        const response = this.answer(head);
        this.respond(response);
        if (this.ending || this.closed) return;
        if (this.socket.writableLength > UNREAD_BYTES_MAX) return this.destroy();
      }
    } catch (error) {
      this.options.logger.warn("metrics request failed; closing its connection", { error });
      this.destroy();
    }
  }

  private answer(head: string): Response {
    const lines = head.split(/\r?\n/);
    const requestLine = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(lines[0]);
    if (!requestLine) return plain(400, "Bad Request", "malformed request line\n", true);
    const [, method, target, minor] = requestLine;
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon <= 0 || /\s/.test(line.slice(0, colon))) return plain(400, "Bad Request", "malformed header line\n", true);
      headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    // A scrape has no body; one that says it has would leave bytes this parser does not read.
    const contentLength = headers.get("content-length");
    if (headers.has("transfer-encoding") || (contentLength !== undefined && contentLength !== "0"))
      return plain(400, "Bad Request", "request bodies are not accepted\n", true);
    const connection = headers.get("connection")?.toLowerCase() ?? "";
    const close = minor === "0" ? !connection.includes("keep-alive") : connection.includes("close");
    if (method !== "GET" && method !== "HEAD") {
      const refused = plain(405, "Method Not Allowed", "only GET and HEAD\n", true);
      return { ...refused, headers: { ...refused.headers, Allow: "GET, HEAD" } };
    }
    const response: Response =
      target.split("?")[0] === "/metrics"
        ? { status: 200, reason: "OK", headers: { "Content-Type": EXPOSITION_CONTENT_TYPE }, body: this.options.render(), close }
        : plain(404, "Not Found", "metrics are at /metrics\n", close);
    // HEAD: the headers GET would send, Content-Length included, and no body.
    return method === "HEAD" ? { ...response, body: "", length: Buffer.byteLength(response.body) } : response;
  }

  private respond(response: Response): void {
    if (this.closed || this.ending) return;
    const body = Buffer.from(response.body, "utf8");
    const lines = [`HTTP/1.1 ${response.status} ${response.reason}`];
    for (const [name, value] of Object.entries(response.headers)) lines.push(`${name}: ${value}`);
    lines.push(`Content-Length: ${response.length ?? body.length}`);
    if (response.close) lines.push("Connection: close");
    this.socket.write(Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1"));
    if (body.length > 0) this.socket.write(body);
    if (response.close) {
      this.ending = true;
      // A peer that never reads the response would keep the socket: the idle timer ends it then.
      this.armIdle();
      this.socket.end(() => this.socket.destroy());
    }
  }

  private armIdle(): void {
    this.cancelIdle?.();
    this.cancelIdle = this.options.scheduler.schedule(IDLE_MS_MAX, () => this.destroy());
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelIdle?.();
    this.cancelIdle = null;
    this.onClosed();
  }
}

function plain(status: number, reason: string, body: string, close: boolean): Response {
  return { status, reason, headers: { "Content-Type": "text/plain; charset=utf-8" }, body, close };
}

/** Where the head ends (the blank line after the headers), or null while it is incomplete. */
function headEnd(bytes: Buffer): { headBytes: number; totalBytes: number } | null {
  const crlf = bytes.indexOf("\r\n\r\n", 0, "latin1");
  const lf = bytes.indexOf("\n\n", 0, "latin1");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headBytes: crlf, totalBytes: crlf + 4 };
  if (lf >= 0) return { headBytes: lf, totalBytes: lf + 2 };
  return null;
}
