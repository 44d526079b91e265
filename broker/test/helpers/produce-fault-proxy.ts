import net from "node:net";
import { ApiKey } from "../../src/protocol/generated/api-messages";

/**
 * What the proxy does with the n-th Produce request it sees (0-based):
 * - "forward": pass it on;
 * - "duplicate": send it to the broker twice and drop the second response,
 *   as a network that replays a frame would;
 * - "sever": pass it on, then drop the broker's response and close the
 *   connection, so the client never learns the write happened and retries.
 */
export type ProduceFault = "forward" | "duplicate" | "sever";

export interface ProxyStats {
  produceRequests: number;
  duplicated: number;
  severed: number;
}

/**
 * A TCP proxy between Kafka clients and one broker that understands just
 * enough of the framing (size prefix, request api key, one response per
 * request in order) to replay Produce frames or swallow their responses.
 * Start the broker with advertised.listeners at the proxy's port so clients
 * reach it for every connection. Produce with acks=0 (no response) would
 * confuse it; idempotent producers always use acks=all.
 */
export class ProduceFaultProxy {
  readonly stats: ProxyStats = { produceRequests: 0, duplicated: 0, severed: 0 };
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    private readonly target: { host: string; port: number },
    private readonly faultFor: (produceIndex: number) => ProduceFault,
  ) {
    server.on("connection", (client) => this.relay(client));
  }

  static async start(options: { port: number; target: { host: string; port: number }; faultFor: (produceIndex: number) => ProduceFault }): Promise<ProduceFaultProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, "127.0.0.1", () => resolve());
    });
    return new ProduceFaultProxy(server, options.target, options.faultFor);
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: net.Socket): void {
    const upstream = net.connect(this.target);
    this.sockets.add(client);
    this.sockets.add(upstream);
    /** One entry per response the broker will send on this connection, in order. */
    const pending: Array<"forward" | "drop" | "sever"> = [];
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on("error", closeBoth);
    upstream.on("error", closeBoth);
    client.on("close", closeBoth);
    upstream.on("close", closeBoth);

    frames(client, (frame) => {
      const apiKey = frame.readInt16BE(4);
      if (apiKey !== ApiKey.Produce) {
        pending.push("forward");
        upstream.write(frame);
        return;
      }
      const fault = this.faultFor(this.stats.produceRequests++);
      upstream.write(frame);
      if (fault === "duplicate") {
        this.stats.duplicated++;
        upstream.write(frame);
        pending.push("forward", "drop");
      } else pending.push(fault === "sever" ? "sever" : "forward");
    });
    frames(upstream, (frame) => {
      const action = pending.shift() ?? "forward";
      if (action === "forward") client.write(frame);
      else if (action === "sever") {
        this.stats.severed++;
        closeBoth();
      }
    });
  }
}

/** Calls `onFrame` with each whole size-prefixed frame (prefix included) read from `socket`. */
function frames(socket: net.Socket, onFrame: (frame: Buffer) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const size = buffered.readInt32BE(0);
      if (buffered.length < 4 + size) break;
      onFrame(buffered.subarray(0, 4 + size));
      buffered = buffered.subarray(4 + size);
    }
  });
}
